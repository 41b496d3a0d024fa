//! `samantha memory`: the facts Samantha keeps about the user.

use std::io::Write;
use std::path::Path;

use clap::{Args, Subcommand};
use samantha_store::{MemoryId, Store};

use super::store;
use super::terminal::one_line;

#[derive(Debug, Args)]
pub struct MemoryArgs {
    #[command(subcommand)]
    command: MemoryCommand,
}

#[derive(Debug, Subcommand)]
enum MemoryCommand {
    /// List memories, pinned first: id, creation time, flags, text.
    List {
        /// Include forgotten memories.
        #[arg(long)]
        all: bool,
    },
    /// Add a memory and print its id.
    Add {
        /// The fact to remember.
        text: String,
    },
    /// Forget a memory, so recall never returns it again.
    Forget {
        /// Memory id, as printed by `samantha memory list`.
        id: i64,
    },
}

pub fn run(args: MemoryArgs, db: Option<&Path>) -> anyhow::Result<()> {
    store::runtime()?.block_on(async {
        let store = store::open(db).await?;
        let result = execute(args.command, &store).await;
        store.close().await;
        result
    })
}

async fn execute(command: MemoryCommand, store: &Store) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();

    match command {
        MemoryCommand::List { all } => {
            let memories = store.list_memories(all).await?;
            if memories.is_empty() {
                eprintln!("no memories in {}", store.path().display());
            }

            for memory in memories {
                let mut flags = Vec::new();
                if memory.pinned {
                    flags.push("pinned");
                }
                if memory.forgotten {
                    flags.push("forgotten");
                }
                let flags = if flags.is_empty() {
                    "-".to_owned()
                } else {
                    flags.join(",")
                };

                writeln!(
                    stdout,
                    "{}\t{}\t{}\t{}",
                    memory.id,
                    memory.created_at,
                    flags,
                    one_line(&memory.content)
                )?;
            }
        }

        MemoryCommand::Add { text } => {
            if text.trim().is_empty() {
                anyhow::bail!("the memory text is empty; pass the fact to remember");
            }
            let memory = store.add_memory(&text, None).await?;
            writeln!(stdout, "{}", memory.id)?;
        }

        MemoryCommand::Forget { id } => {
            store.forget_memory(MemoryId(id)).await?;
            writeln!(stdout, "forgot memory {id}")?;
        }
    }

    Ok(())
}
