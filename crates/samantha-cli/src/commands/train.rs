//! `samantha train …`: model training.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use samantha_emotion::train::{TrainOptions, train};

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(subcommand)]
    pub target: TrainTarget,
}

#[derive(Debug, Subcommand)]
pub enum TrainTarget {
    /// Fine-tune the emotion head on GoEmotions (Ekman labels).
    Emotion(TrainEmotionArgs),
}

#[derive(Debug, Args)]
pub struct TrainEmotionArgs {
    /// GoEmotions folder that contains ekman/{train,dev,test}.tsv.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,

    /// Folder for the assets, the report and the curves.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Seed for initialisation, dropout and batch order.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Folder of all-MiniLM-L6-v2 [default: <data dir>/models/all-MiniLM-L6-v2].
    #[arg(long, value_name = "DIR")]
    pub encoder: Option<PathBuf>,

    /// Folder for checkpoints and metric logs [default: <cache>/samantha-emotion/run].
    #[arg(long, value_name = "DIR")]
    pub work: Option<PathBuf>,

    /// Folder for the cached frozen-layer features [default: <cache>/samantha-emotion/features].
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// Maximum number of epochs; early stopping may end sooner. Each epoch
    /// takes about 10 minutes on two cores.
    #[arg(long, default_value_t = 2)]
    pub epochs: usize,

    /// Rows per batch.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,

    /// Peak learning rate.
    #[arg(long, default_value_t = 1e-4)]
    pub learning_rate: f64,

    /// Share of the steps used for the linear warm-up.
    #[arg(long, default_value_t = 0.06)]
    pub warmup: f64,

    /// Epochs without dev macro-F1 improvement before stopping.
    #[arg(long, default_value_t = 1)]
    pub patience: usize,

    /// Encoder layers kept frozen; the layers above them are fine-tuned.
    #[arg(long, default_value_t = 4)]
    pub frozen_layers: usize,

    /// Tokens per training row, [CLS] and [SEP] included.
    #[arg(long, default_value_t = 128)]
    pub max_tokens: usize,

    /// Dropout before the classifier.
    #[arg(long, default_value_t = 0.1)]
    pub dropout: f64,

    /// AdamW weight decay.
    #[arg(long, default_value_t = 0.01)]
    pub weight_decay: f32,

    /// Train on this many rows drawn from the seed (for timing runs).
    #[arg(long)]
    pub limit: Option<usize>,

    /// Skip the test split at the end (for timing runs).
    #[arg(long)]
    pub skip_test: bool,
}

fn cache_root() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("samantha-emotion")
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    match args.target {
        TrainTarget::Emotion(args) => train_emotion(args),
    }
}

fn train_emotion(args: TrainEmotionArgs) -> anyhow::Result<()> {
    let encoder_dir = match args.encoder {
        Some(dir) => dir,
        None => samantha_models::DataDir::resolve()?
            .models()
            .join(samantha_emotion::encoder::MODEL_FOLDER),
    };
    let options = TrainOptions {
        data_dir: args.data,
        encoder_dir,
        out_dir: args.out,
        work_dir: args.work.unwrap_or_else(|| cache_root().join("run")),
        cache_dir: args.cache.unwrap_or_else(|| cache_root().join("features")),
        seed: args.seed,
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.learning_rate,
        warmup: args.warmup,
        patience: args.patience,
        frozen_layers: args.frozen_layers,
        max_tokens: args.max_tokens,
        dropout: args.dropout,
        weight_decay: args.weight_decay,
        train_limit: args.limit,
        skip_test: args.skip_test,
    };
    let summary = train(&options)?;
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{}", summary.report)?;
    eprintln!(
        "trained {} epochs (best {}) on {} rows in {:.1} minutes; assets written to {}",
        summary.epochs_run,
        summary.best_epoch,
        summary.train_rows,
        summary.seconds / 60.0,
        options.out_dir.display()
    );
    Ok(())
}
