//! `samantha eval …`: scoring on held-out data.

use std::path::PathBuf;

use burn::tensor::Device;
use clap::{Args, Subcommand};
use samantha_emotion::data::{Split, read_split};
use samantha_emotion::report::{evaluate_examples, render};

use super::emotion::ModelArgs;

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub target: EvalTarget,
}

#[derive(Debug, Subcommand)]
pub enum EvalTarget {
    /// Score the emotion model on a GoEmotions split; the last line is `macro_f1: <value>`.
    Emotion(EvalEmotionArgs),
}

#[derive(Debug, Args)]
pub struct EvalEmotionArgs {
    /// GoEmotions folder that contains ekman/{train,dev,test}.tsv.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,

    /// Split to score: train, dev or test.
    #[arg(long, default_value = "test")]
    pub split: Split,

    #[command(flatten)]
    pub models: ModelArgs,
}

pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    match args.target {
        EvalTarget::Emotion(args) => eval_emotion(args),
    }
}

fn eval_emotion(args: EvalEmotionArgs) -> anyhow::Result<()> {
    let device = Device::flex();
    let classifier = args.models.load(&device)?;
    let examples = read_split(&args.data, args.split)?;
    let evaluation = evaluate_examples(&classifier, &examples)?;
    print!("{}", render(&evaluation, &format!("GoEmotions ekman {}", args.split.as_str())));
    Ok(())
}
