//! Opening the database: integrity check, migration, connection pool.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqliteConnection};

use crate::error::sqlite_primary_code;
use crate::{Store, StoreError, migrate};

/// Default time a statement waits for another connection's write lock
/// before it fails with [`StoreError::Busy`].
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections in the pool. SQLite allows one writer at a time, and the
/// others serve reads alongside it in WAL mode.
const MAX_CONNECTIONS: u32 = 4;

impl Store {
    /// Opens the database at `path`, creating it and its folder when missing.
    ///
    /// An existing file is first checked with `PRAGMA integrity_check` on a
    /// read-only connection, so a damaged file is reported and never
    /// written. When migrations are pending on a database that has tables,
    /// a copy is written beside it first (see [`crate::backup_file_name`]).
    ///
    /// # Errors
    ///
    /// - [`StoreError::Damaged`] for a file that is not a sound SQLite database.
    /// - [`StoreError::NewerSchema`] for a file written by a newer build.
    /// - [`StoreError::Migrate`] when a migration fails; the database is rolled back.
    /// - [`StoreError::Busy`] when another process holds the write lock for
    ///   longer than the busy timeout.
    /// - [`StoreError::Open`] for other failures, such as a missing permission.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with_busy_timeout(path, DEFAULT_BUSY_TIMEOUT).await
    }

    /// Opens like [`Store::open`], waiting at most `busy_timeout` for
    /// another process's write lock on each statement.
    ///
    /// # Errors
    ///
    /// As [`Store::open`].
    pub async fn open_with_busy_timeout(
        path: impl AsRef<Path>,
        busy_timeout: Duration,
    ) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();

        create_parent(&path)?;

        let has_content = std::fs::metadata(&path).is_ok_and(|meta| meta.len() > 0);
        if has_content {
            check_integrity(&path, busy_timeout).await?;
        }

        migrate::prepare(&path, busy_timeout).await?;

        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(connect_options(&path, busy_timeout))
            .await
            .map_err(|source| open_error(&path, source))?;

        tracing::debug!(path = %path.display(), "database opened");

        Ok(Self {
            pool,
            path: Arc::new(path),
        })
    }
}

/// Options shared by every read-write connection.
pub(crate) fn connect_options(path: &Path, busy_timeout: Duration) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(busy_timeout)
        // In WAL mode NORMAL never corrupts the file; a power cut may roll
        // back the last commits, a process crash loses nothing committed.
        .synchronous(SqliteSynchronous::Normal)
        // Deleted history is overwritten with zeros instead of lingering
        // in free pages.
        .pragma("secure_delete", "ON")
}

/// Maps a connection failure, keeping damage and busy errors distinct.
pub(crate) fn open_error(path: &Path, source: sqlx::Error) -> StoreError {
    match StoreError::from_sqlx(path, source) {
        StoreError::Sqlite { source, .. } => StoreError::Open {
            path: path.to_path_buf(),
            source,
        },
        other => other,
    }
}

fn create_parent(path: &Path) -> Result<(), StoreError> {
    let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    else {
        return Ok(());
    };

    std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
        path: parent.to_path_buf(),
        source,
    })
}

/// Runs `PRAGMA integrity_check`, on a read-only connection when possible.
///
/// A read-only connection cannot rebuild the WAL index after a power cut,
/// which SQLite reports as SQLITE_READONLY or SQLITE_CANTOPEN, so the check
/// is then retried on a read-write connection. Neither connection writes to
/// the database file, because the check only reads it.
async fn check_integrity(path: &Path, busy_timeout: Duration) -> Result<(), StoreError> {
    let read_only = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .busy_timeout(busy_timeout);

    let rows = match run_integrity_check(read_only).await {
        Err(error)
            if matches!(
                sqlite_primary_code(&error),
                Some(SQLITE_READONLY | SQLITE_CANTOPEN)
            ) =>
        {
            tracing::info!(path = %path.display(), %error, "read-only integrity check failed; retrying read-write");
            let read_write = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(false)
                .busy_timeout(busy_timeout);
            run_integrity_check(read_write).await
        }
        other => other,
    };

    let rows = rows.map_err(|source| open_error(path, source))?;
    if rows.len() == 1 && rows[0] == "ok" {
        return Ok(());
    }

    let detail = rows.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
    tracing::error!(path = %path.display(), %detail, "integrity check failed");

    Err(StoreError::Damaged {
        path: PathBuf::from(path),
        detail: format!("integrity check failed: {detail}"),
    })
}

const SQLITE_READONLY: i64 = 8;
const SQLITE_CANTOPEN: i64 = 14;

async fn run_integrity_check(options: SqliteConnectOptions) -> Result<Vec<String>, sqlx::Error> {
    let mut connection: SqliteConnection = options.connect().await?;

    let rows = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut connection)
        .await;

    // The check only reads, so a failure to close matters only for the log.
    if let Err(error) = sqlx::Connection::close(connection).await {
        tracing::debug!(%error, "closing the integrity-check connection failed");
    }

    rows
}
