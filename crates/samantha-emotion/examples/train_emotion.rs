//! Runs the emotion training without building the whole CLI, with the same
//! defaults as `samantha train emotion`.
//!
//! ```text
//! cargo run -p samantha-emotion --example train_emotion -- DATA_DIR ENCODER_DIR OUT_DIR WORK_DIR [SEED [EPOCHS [LIMIT]]]
//! ```

use std::path::PathBuf;

use samantha_emotion::train::{TrainOptions, train};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        return Err("usage: train_emotion DATA_DIR ENCODER_DIR OUT_DIR WORK_DIR [SEED [EPOCHS [LIMIT]]]".into());
    }
    let work = PathBuf::from(&args[3]);
    let options = TrainOptions {
        data_dir: PathBuf::from(&args[0]),
        encoder_dir: PathBuf::from(&args[1]),
        out_dir: PathBuf::from(&args[2]),
        work_dir: work.join("run"),
        cache_dir: work.join("features"),
        seed: args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(42),
        epochs: args.get(5).map(|s| s.parse()).transpose()?.unwrap_or(2),
        batch_size: 32,
        learning_rate: 1e-4,
        warmup: 0.06,
        patience: 1,
        frozen_layers: 4,
        max_tokens: 128,
        dropout: 0.1,
        weight_decay: 0.01,
        train_limit: args.get(6).map(|s| s.parse()).transpose()?,
        skip_test: args.get(6).is_some(),
    };
    let summary = train(&options)?;
    print!("{}", summary.report);
    eprintln!(
        "trained {} epochs (best {}) on {} rows in {:.1} minutes",
        summary.epochs_run,
        summary.best_epoch,
        summary.train_rows,
        summary.seconds / 60.0
    );
    Ok(())
}
