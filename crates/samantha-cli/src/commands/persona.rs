//! `samantha persona`: show, edit or reset Samantha's persona.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{ArgGroup, Args, Subcommand};
use samantha_mind::Persona;
use samantha_mind::persona::{NAME_KEY, TEXT_KEY};

use super::store;

#[derive(Debug, Args)]
pub struct PersonaArgs {
    #[command(subcommand)]
    command: PersonaCommand,
}

#[derive(Debug, Subcommand)]
enum PersonaCommand {
    /// Print the name and the text.
    Show,
    /// Change the name, the text, or both; `{name}` in the text stands for the name.
    #[command(group(ArgGroup::new("change").args(["name", "text", "file"]).required(true).multiple(true)))]
    Set {
        /// The name Samantha goes by.
        #[arg(long)]
        name: Option<String>,
        /// The persona text.
        #[arg(long, conflicts_with = "file")]
        text: Option<String>,
        /// Read the persona text from this file.
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
    },
    /// Go back to the default persona.
    Reset,
}

pub fn run(args: PersonaArgs, db: Option<&Path>) -> anyhow::Result<()> {
    store::runtime()?.block_on(async {
        let store = store::open(db).await?;
        let result = execute(args.command, &store).await;
        store.close().await;
        result
    })
}

async fn execute(command: PersonaCommand, store: &samantha_store::Store) -> anyhow::Result<()> {
    match command {
        PersonaCommand::Show => {
            let persona = Persona::load(store).await?;
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "name: {}\n\n{}", persona.name, persona.text)?;
        }
        PersonaCommand::Set { name, text, file } => {
            let mut persona = Persona::load(store).await?;
            if let Some(name) = name {
                persona.name = name;
            }
            if let Some(text) = text {
                persona.text = text;
            }
            if let Some(path) = file {
                persona.text = std::fs::read_to_string(&path)
                    .with_context(|| format!("could not read the persona text from {}", path.display()))?;
            }
            persona.save(store).await?;
            eprintln!("persona saved");
        }
        PersonaCommand::Reset => {
            Persona::default().save(store).await?;
            eprintln!("persona reset to the default ({NAME_KEY}, {TEXT_KEY})");
        }
    }
    Ok(())
}
