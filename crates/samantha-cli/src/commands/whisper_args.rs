//! Options shared by the speech commands: which Whisper model and how to run it.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use samantha_models::DataDir;
use samantha_speech::transcribe::{DEFAULT_BEAM_SIZE, DEFAULT_FIT_PADDING, DEFAULT_THREADS};
use samantha_speech::{
    AudioContext, Decoding, TranscribeOptions, Transcriber, WHISPER_MODELS, find_whisper_model,
};

#[derive(Debug, Clone, Args)]
pub struct WhisperArgs {
    /// Whisper model: `tiny.en`, `base`, or the path of a ggml file.
    #[arg(long, value_name = "MODEL", default_value = "tiny.en")]
    pub whisper: String,

    /// Threads whisper.cpp uses.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_THREADS)]
    pub threads: u32,

    /// Spoken language as a code such as `en` or `de`; detected when left out
    /// (multilingual models only).
    #[arg(long, value_name = "CODE")]
    pub language: Option<String>,

    /// Run the encoder over Whisper's full 30-second window instead of only
    /// the length of the speech (slower on short clips).
    #[arg(long)]
    pub full_context: bool,

    /// Beams of the beam search; 1 decodes greedily.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BEAM_SIZE)]
    pub beam_size: u32,
}

impl WhisperArgs {
    pub fn options(&self) -> TranscribeOptions {
        TranscribeOptions {
            threads: self.threads,
            audio_context: if self.full_context {
                AudioContext::Full
            } else {
                AudioContext::Fit {
                    padding: DEFAULT_FIT_PADDING,
                }
            },
            decoding: match self.beam_size {
                0 | 1 => Decoding::Greedy,
                beam_size => Decoding::BeamSearch { beam_size },
            },
            language: self.language.clone(),
            ..TranscribeOptions::default()
        }
    }

    /// Resolves `--whisper` to a ggml file: a known model name in the data
    /// directory, or a path.
    pub fn model_path(&self) -> anyhow::Result<PathBuf> {
        if let Some(model) = find_whisper_model(&self.whisper) {
            let models_dir = DataDir::resolve()?.models();
            return Ok(model.locate(&models_dir)?);
        }

        let path = PathBuf::from(&self.whisper);
        if path.is_file() {
            return Ok(path);
        }
        let known: Vec<_> = WHISPER_MODELS.iter().map(|model| model.name).collect();
        anyhow::bail!(
            "unknown Whisper model {:?}: use one of {} or the path of a ggml file",
            self.whisper,
            known.join(", ")
        )
    }

    pub fn load(&self) -> anyhow::Result<Transcriber> {
        let path = self.model_path()?;
        let transcriber = Transcriber::load(&path, self.options()).with_context(|| {
            format!("could not start speech recognition with {}", path.display())
        })?;
        Ok(transcriber)
    }
}
