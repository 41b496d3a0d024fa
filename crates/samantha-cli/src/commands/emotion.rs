//! `samantha emotion TEXT`: the emotion of one message.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use burn::tensor::Device;
use clap::Args;
use samantha_emotion::EmotionClassifier;

#[derive(Debug, Args)]
pub struct EmotionArgs {
    /// Message to classify.
    pub text: String,

    /// Print one JSON object: {"label": ..., "scores": {...}}.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub models: ModelArgs,
}

/// Locations of the encoder and the emotion assets.
#[derive(Debug, Clone, Default, Args)]
#[group(id = "EmotionModelArgs")]
pub struct ModelArgs {
    /// Folder of all-MiniLM-L6-v2 [default: <data dir>/models/all-MiniLM-L6-v2].
    #[arg(long, value_name = "DIR")]
    pub encoder: Option<PathBuf>,

    /// Folder of the emotion assets [default: the repository's assets/emotion].
    #[arg(long, value_name = "DIR", env = "SAMANTHA_EMOTION_ASSETS")]
    pub assets: Option<PathBuf>,
}

impl ModelArgs {
    pub fn encoder_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.encoder {
            Some(dir) => Ok(dir.clone()),
            None => Ok(samantha_models::DataDir::resolve()?
                .models()
                .join(samantha_emotion::encoder::MODEL_FOLDER)),
        }
    }

    pub fn assets_dir(&self) -> PathBuf {
        self.assets
            .clone()
            .unwrap_or_else(samantha_emotion::emotion::assets::default_assets_dir)
    }

    pub fn load(&self, device: &Device) -> anyhow::Result<EmotionClassifier> {
        let encoder = self.encoder_dir()?;
        let assets = self.assets_dir();
        EmotionClassifier::load(&encoder, &assets, device).with_context(|| {
            format!(
                "failed to load the emotion model (encoder {}, assets {})",
                encoder.display(),
                assets.display()
            )
        })
    }
}

pub fn run(args: EmotionArgs) -> anyhow::Result<()> {
    let device = Device::flex();
    let classifier = args.models.load(&device)?;
    let scores = classifier.classify(&args.text)?;
    let mut stdout = std::io::stdout().lock();

    if args.json {
        writeln!(stdout, "{}", serde_json::to_string(&scores)?)?;
        return Ok(());
    }
    writeln!(stdout, "{}", scores.label)?;
    for (emotion, score) in scores.scores {
        writeln!(stdout, "  {:<9} {score:.3}", emotion.as_str())?;
    }
    Ok(())
}
