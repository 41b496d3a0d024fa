//! `samantha drafts`: list, show and export saved drafts.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use samantha_store::{DraftId, Store};

use super::output_file;
use super::store;
use super::terminal::{escape_controls, one_line};

#[derive(Debug, Args)]
pub struct DraftsArgs {
    #[command(subcommand)]
    command: DraftsCommand,
}

#[derive(Debug, Subcommand)]
enum DraftsCommand {
    /// List drafts, most recently changed first: id, versions, date, title.
    List,
    /// Print every version of a draft, oldest first, with control characters
    /// escaped; `export` writes the text unchanged.
    Show {
        /// Draft id, as printed by `samantha drafts list`.
        id: i64,
    },
    /// Write a draft as Markdown to a file, or to standard output.
    Export {
        /// Draft id, as printed by `samantha drafts list`.
        id: i64,
        /// File to write; standard output when absent.
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// Replace the --out file if it already exists.
        #[arg(long, requires = "out")]
        force: bool,
    },
}

pub fn run(args: DraftsArgs, db: Option<&Path>) -> anyhow::Result<()> {
    store::runtime()?.block_on(async {
        let store = store::open(db).await?;
        let result = execute(args.command, &store).await;
        store.close().await;
        result
    })
}

async fn execute(command: DraftsCommand, store: &Store) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();

    match command {
        DraftsCommand::List => {
            let drafts = store.list_drafts().await?;
            if drafts.is_empty() {
                eprintln!("no drafts yet; `samantha write poem \"SUBJECT\"` writes one");
            }
            for draft in drafts {
                writeln!(
                    stdout,
                    "{}\tv{}\t{}\t{}",
                    draft.id,
                    draft.latest_version,
                    draft.updated_at.date(),
                    one_line(&draft.title)
                )?;
            }
        }
        DraftsCommand::Show { id } => {
            let document = store.draft(DraftId(id)).await?;
            writeln!(stdout, "# {}", escape_controls(&document.draft.title))?;
            for version in document.versions {
                let note = version
                    .note
                    .map(|note| format!(" ({})", escape_controls(&note)))
                    .unwrap_or_default();
                writeln!(stdout, "\n## Version {}{note}, {}\n", version.version, version.created_at.date())?;
                writeln!(stdout, "{}", escape_controls(&version.content))?;
            }
        }
        DraftsCommand::Export { id, out, force } => {
            let markdown = store.export_draft_markdown(DraftId(id)).await?;
            match out {
                Some(path) => {
                    output_file::write(&path, markdown.as_bytes(), force)?;
                    eprintln!("draft {id} written to {}", path.display());
                }
                None => stdout.write_all(markdown.as_bytes())?,
            }
        }
    }
    Ok(())
}
