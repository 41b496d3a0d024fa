//! Opening the database for the `history`, `memory` and `bench` commands.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use samantha_models::DataDir;
use samantha_store::Store;

/// Returns `--db` when given, otherwise `samantha.db` in the data directory.
///
/// The store creates a missing data directory, but the folder of `--db`
/// must exist already, so that a mistyped path fails instead of silently
/// creating new folders.
pub fn database_path(db: Option<&Path>) -> anyhow::Result<PathBuf> {
    match db {
        Some(path) => {
            if path.is_dir() {
                bail!("--db {} is a folder; give the path of a database file, such as {}", path.display(), path.join("samantha.db").display());
            }
            check_folder_exists(path)?;
            Ok(path.to_path_buf())
        }
        None => Ok(DataDir::resolve()?.database()),
    }
}

/// Fails unless the folder that would contain the `--db` file exists.
fn check_folder_exists(path: &Path) -> anyhow::Result<()> {
    let Some(folder) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) else {
        return Ok(());
    };

    match std::fs::metadata(folder) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(_) => bail!(
            "{} is not a folder, so --db {} cannot be created in it; choose another path",
            folder.display(),
            path.display()
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(
            "the folder {} of --db {} does not exist; create it first or choose another path",
            folder.display(),
            path.display()
        ),
        Err(error) => Err(error).with_context(|| {
            format!("could not read the folder {} of --db {}", folder.display(), path.display())
        }),
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
