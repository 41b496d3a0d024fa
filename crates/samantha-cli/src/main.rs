//! `samantha`: Samantha without a window.
//!
//! Standard output carries only answers; logs and errors go to standard
//! error through `tracing`.

mod commands;
mod logging;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "samantha", version, about = "An offline companion that talks, listens and remembers")]
struct Cli {
    /// Log filter for standard error, such as `info` or `samantha_llm=debug`.
    #[arg(long, global = true, env = "SAMANTHA_LOG", default_value = "warn")]
    log: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fetch and verify the model files.
    Setup(commands::setup::SetupArgs),
    /// Detect the emotion of a message.
    Emotion(commands::emotion::EmotionArgs),
    /// Train a model.
    Train(commands::train::TrainArgs),
    /// Score a model on held-out data.
    Eval(commands::eval::EvalArgs),
    /// Measure speed.
    Bench(commands::bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(&cli.log);

    match try_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn try_main(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Setup(args) => commands::setup::run(args),
        Command::Emotion(args) => commands::emotion::run(args),
        Command::Train(args) => commands::train::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::Bench(args) => commands::bench::run(args),
    }
}
