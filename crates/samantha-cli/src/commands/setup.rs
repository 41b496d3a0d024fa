//! `samantha setup`.

use clap::Args;

#[derive(Debug, Args)]
pub struct SetupArgs {}

pub fn run(_args: SetupArgs) -> anyhow::Result<()> {
    anyhow::bail!("setup is not implemented yet")
}
