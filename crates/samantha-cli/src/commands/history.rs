//! `samantha history`: list, show, search, export, import and delete
//! conversations.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use samantha_store::{ConversationId, HistoryExport, Store};

use super::output_file;
use super::store;
use super::terminal::{escape_controls, one_line};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    command: HistoryCommand,
}

#[derive(Debug, Subcommand)]
enum HistoryCommand {
    /// List conversations, most recent first: id, last update, message count, title.
    List,
    /// Print one conversation as Markdown, with control characters escaped;
    /// `export` writes the text unchanged.
    Show {
        /// Conversation id, as printed by `samantha history list`.
        id: i64,
    },
    /// Search all messages for every word of QUERY, best match first.
    Search {
        query: String,
        /// Maximum number of matches to print.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Export one conversation.
    Export {
        /// Conversation id, as printed by `samantha history list`.
        id: i64,
        #[arg(long, value_enum, default_value_t = ExportFormat::Md)]
        format: ExportFormat,
        /// File to write; standard output when missing.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace the --out file if it already exists.
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Import conversations from a JSON export, keeping their ids and times.
    Import {
        /// JSON file written by `samantha history export --format json`.
        file: PathBuf,
    },
    /// Delete one conversation, or with --all every conversation, memory and draft.
    Delete {
        /// Conversation id, as printed by `samantha history list`.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<i64>,
        /// Delete all history: conversations, memories and drafts.
        #[arg(long)]
        all: bool,
        /// Skip the confirmation question of --all.
        #[arg(long, requires = "all")]
        yes: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// Markdown for reading.
    Md,
    /// JSON that `samantha history import` reads back exactly.
    Json,
}

pub fn run(args: HistoryArgs, db: Option<&Path>) -> anyhow::Result<()> {
    store::runtime()?.block_on(async {
        let store = store::open(db).await?;
        let result = execute(args.command, &store).await;
        store.close().await;
        result
    })
}

async fn execute(command: HistoryCommand, store: &Store) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();

    match command {
        HistoryCommand::List => {
            let summaries = store.list_conversations().await?;
            if summaries.is_empty() {
                eprintln!("no conversations in {}", store.path().display());
            }

            for summary in summaries {
                let conversation = summary.conversation;
                writeln!(
                    stdout,
                    "{}\t{}\t{}\t{}",
                    conversation.id,
                    conversation.updated_at,
                    summary.message_count,
                    one_line(&conversation.title)
                )?;
            }
        }

        HistoryCommand::Show { id } => {
            let markdown = store
                .export_conversation_markdown(ConversationId(id))
                .await?;
            stdout.write_all(escape_controls(&markdown).as_bytes())?;
        }

        HistoryCommand::Search { query, limit } => {
            for hit in store.search_messages(&query, limit).await? {
                writeln!(
                    stdout,
                    "{}\t{}\t{}\t{}\t{}",
                    hit.conversation_id,
                    hit.message_id,
                    hit.role,
                    hit.created_at,
                    one_line(&hit.snippet)
                )?;
            }
        }

        HistoryCommand::Export { id, format, out, force } => {
            let export = store.export_conversation(ConversationId(id)).await?;
            let text = match format {
                ExportFormat::Md => export.to_markdown(),
                ExportFormat::Json => export.to_json()?,
            };

            match out {
                Some(path) => {
                    output_file::write(&path, text.as_bytes(), force)?;
                    tracing::info!(conversation = id, file = %path.display(), "exported");
                }
                None => stdout.write_all(text.as_bytes())?,
            }
        }

        HistoryCommand::Import { file } => {
            let json = std::fs::read_to_string(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let export = HistoryExport::from_json(&json)
                .with_context(|| format!("could not import {}", file.display()))?;
            let summary = store
                .import(&export)
                .await
                .with_context(|| format!("could not import {}", file.display()))?;

            writeln!(
                stdout,
                "imported {} conversations with {} messages",
                summary.conversations, summary.messages
            )?;
        }

        HistoryCommand::Delete { id: Some(id), .. } => {
            store.delete_conversation(ConversationId(id)).await?;
            writeln!(stdout, "deleted conversation {id}")?;
        }

        HistoryCommand::Delete { id: None, yes, .. } => {
            if !yes {
                confirm_delete_all(store.path())?;
            }
            store.delete_all().await?;
            writeln!(stdout, "deleted all conversations, memories and drafts")?;
        }
    }

    Ok(())
}

/// Prints the question to standard error and reads the reply from standard input.
fn confirm_delete_all(path: &Path) -> anyhow::Result<()> {
    eprint!(
        "Delete every conversation, memory and draft in {}? This cannot be undone. Type 'yes' to confirm: ",
        path.display()
    );
    std::io::stderr().flush()?;

    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;

    if answer.trim() != "yes" {
        bail!("nothing was deleted; type 'yes' at the question, or pass --yes to skip it");
    }

    Ok(())
}
