//! Opening the database for the `history`, `memory` and `bench` commands.

use std::path::{Path, PathBuf};

use anyhow::Context;
use samantha_models::DataDir;
use samantha_store::Store;

/// Returns `--db` when given, otherwise `samantha.db` in the data directory.
pub fn database_path(db: Option<&Path>) -> anyhow::Result<PathBuf> {
    match db {
        Some(path) => Ok(path.to_path_buf()),
        None => Ok(DataDir::resolve()?.database()),
    }
}

/// Builds the Tokio runtime that the store's async API runs on.
///
/// The conversation engine blocks on the runtime's handle from the main
/// thread, and only a worker thread drives timers then, so the runtime has
/// one worker instead of running on the current thread.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

/// Opens the database chosen by `--db` or the data directory.
pub async fn open(db: Option<&Path>) -> anyhow::Result<Store> {
    let path = database_path(db)?;
    tracing::debug!(path = %path.display(), "opening the database");
    Ok(Store::open(&path).await?)
}
