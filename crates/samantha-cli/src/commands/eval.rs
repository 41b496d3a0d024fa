//! `samantha eval`: quality measurements on held-out data.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use burn::tensor::Device;
use clap::{Args, Subcommand};
use samantha_emotion::data::{Split, read_split};
use samantha_emotion::report::{evaluate_examples, render};

use super::model_args::ModelArgs;

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    command: EvalCommand,
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Perplexity of a text file under the language model.
    Perplexity(PerplexityArgs),

    /// Score the emotion model on a GoEmotions split; the last line is `macro_f1: <value>`.
    Emotion(EvalEmotionArgs),
}

#[derive(Debug, Args)]
struct PerplexityArgs {
    /// UTF-8 text file.
    file: PathBuf,

    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Debug, Args)]
struct EvalEmotionArgs {
    /// GoEmotions folder that contains ekman/{train,dev,test}.tsv.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,

    /// Split to score: train, dev or test.
    #[arg(long, default_value = "test")]
    split: Split,

    #[command(flatten)]
    models: super::emotion::ModelArgs,
}

pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    match args.command {
        EvalCommand::Perplexity(args) => perplexity(args),
        EvalCommand::Emotion(args) => eval_emotion(args),
    }
}

fn perplexity(args: PerplexityArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("could not read {} as UTF-8 text", args.file.display()))?;

    let engine = args.model.load_engine()?;

    // No BOS is added: every token of the text is predicted from the ones
    // before it, starting with the second.
    let tokens = engine.tokenizer().encode_text(&text)?;
    if tokens.len() < 2 {
        anyhow::bail!("{} has {} tokens; perplexity needs at least 2", args.file.display(), tokens.len());
    }

    let result = samantha_llm::perplexity(&engine, &tokens)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "tokens: {}", tokens.len())?;
    writeln!(stdout, "predicted: {}", result.predicted)?;
    writeln!(stdout, "perplexity: {:.4}", result.value)?;
    Ok(())
}

fn eval_emotion(args: EvalEmotionArgs) -> anyhow::Result<()> {
    let device = Device::flex();
    let classifier = args.models.load(&device)?;
    let examples = read_split(&args.data, args.split)?;
    let evaluation = evaluate_examples(&classifier, &examples)?;
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{}", render(&evaluation, &format!("GoEmotions ekman {}", args.split.as_str())))?;
    Ok(())
}
