//! `samantha bench …`: speed measurements, one file per component.

pub mod emotion;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub target: BenchTarget,
}

#[derive(Debug, Subcommand)]
pub enum BenchTarget {
    /// Time the emotion classifier on a 30-word message.
    Emotion(emotion::BenchEmotionArgs),
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    match args.target {
        BenchTarget::Emotion(args) => emotion::run(args),
    }
}
