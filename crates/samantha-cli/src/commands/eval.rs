//! `samantha eval`: quality measurements.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::model_args::ModelArgs;

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    command: EvalCommand,
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Perplexity of a text file under the model.
    Perplexity(PerplexityArgs),
}

#[derive(Debug, Args)]
struct PerplexityArgs {
    /// UTF-8 text file.
    file: PathBuf,

    #[command(flatten)]
    model: ModelArgs,
}

pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    match args.command {
        EvalCommand::Perplexity(args) => perplexity(args),
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
    println!("tokens: {}", tokens.len());
    println!("predicted: {}", result.predicted);
    println!("perplexity: {:.4}", result.value);
    Ok(())
}
