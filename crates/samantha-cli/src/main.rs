//! `samantha`: Samantha without a window.
//!
//! Standard output carries only results (replies, transcripts, reports); logs and errors go to standard
//! error through `tracing`.

mod commands;
mod logging;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "samantha", version, about = "An offline companion that talks, listens and remembers")]
struct Cli {
    /// Log filter for standard error, such as `info` or `samantha_llm=debug`.
    #[arg(long, global = true, env = "SAMANTHA_LOG", default_value = "warn")]
    log: String,

    /// Database file to use instead of samantha.db in the data directory.
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fetch and verify the model files.
    Setup(commands::setup::SetupArgs),
    /// Talk with Samantha in the terminal.
    Chat(commands::chat::ChatArgs),
    /// Send one message and print Samantha's reply.
    Ask(commands::ask::AskArgs),
    /// Print the prompt a message would be sent with, without a reply.
    Prompt(commands::prompt::PromptArgs),
    /// Write a poem or a draft with Samantha, or continue or rewrite a draft.
    Write(commands::write::WriteArgs),
    /// List, show and export drafts.
    Drafts(commands::drafts::DraftsArgs),
    /// Show or edit Samantha's persona.
    Persona(commands::persona::PersonaArgs),
    /// Continue raw text with the language model.
    Complete(commands::complete::CompleteArgs),
    /// Measure model quality.
    Eval(commands::eval::EvalArgs),
    /// List, search, export, import and delete conversations.
    History(commands::history::HistoryArgs),
    /// List, add and forget what Samantha remembers about you.
    Memory(commands::memory::MemoryArgs),
    /// Measure performance on this machine.
    Bench(commands::bench::BenchArgs),


    /// Record from the microphone (Enter to start and stop) and print the text.
    Listen(commands::listen::ListenArgs),

    /// Print the text spoken in an audio file.
    Transcribe(commands::transcribe::TranscribeArgs),
    /// Detect the emotion of a message.
    Emotion(commands::emotion::EmotionArgs),
    /// Train a model.
    Train(commands::train::TrainArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(&cli.log);

    match try_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader such as `head` closes the pipe once it has read enough,
        // so the output was wanted no further and that is not a failure.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error_message(&error));
            ExitCode::FAILURE
        }
    }
}

/// Joins the error and its causes with ": ", leaving out a cause whose
/// text the message already ends with, since many errors repeat their
/// source's text in their own.
fn error_message(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if message.ends_with(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

/// Returns whether `error` comes from writing to a pipe whose reader closed it.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io_error| io_error.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn try_main(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Setup(args) => commands::setup::run(args),
        Command::Chat(args) => commands::chat::run(args, cli.db.as_deref()),
        Command::Ask(args) => commands::ask::run(args, cli.db.as_deref()),
        Command::Prompt(args) => commands::prompt::run(args, cli.db.as_deref()),
        Command::Write(args) => commands::write::run(args, cli.db.as_deref()),
        Command::Drafts(args) => commands::drafts::run(args, cli.db.as_deref()),
        Command::Persona(args) => commands::persona::run(args, cli.db.as_deref()),
        Command::Complete(args) => commands::complete::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::History(args) => commands::history::run(args, cli.db.as_deref()),
        Command::Memory(args) => commands::memory::run(args, cli.db.as_deref()),
        Command::Bench(args) => commands::bench::run(args),
        Command::Listen(args) => commands::listen::run(args, cli.db.as_deref()),
        Command::Transcribe(args) => commands::transcribe::run(args),
        Command::Emotion(args) => commands::emotion::run(args),
        Command::Train(args) => commands::train::run(args),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn error_message_skips_repeated_cause() {
        let source = std::io::Error::other("disk full");
        let repeated = anyhow::Error::new(source).context("could not write x.md: disk full");
        assert_eq!(super::error_message(&repeated), "could not write x.md: disk full");

        let distinct = anyhow::Error::new(std::io::Error::other("disk full")).context("could not write x.md");
        assert_eq!(super::error_message(&distinct), "could not write x.md: disk full");
    }
}
