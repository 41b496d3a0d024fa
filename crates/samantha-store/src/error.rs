//! The error type of the store.

use std::path::PathBuf;

/// Errors raised by the store. Each message names the file, id or value
/// involved and says what to do next; the underlying error, when there is
/// one, is the [`std::error::Error::source`] and not repeated in the message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "database {path} is damaged ({detail}); it was left untouched. Move the file aside \
         (for example rename it) to start with a fresh database, or restore a backup"
    )]
    Damaged { path: PathBuf, detail: String },

    #[error(
        "database {path} is busy because another Samantha process is writing to it; \
         wait for it to finish and try again"
    )]
    Busy { path: PathBuf },

    #[error("could not create the folder {path} for the database")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("could not open database {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },

    #[error(
        "could not write the backup {backup} of {path} before migrating; the database was not changed"
    )]
    Backup {
        path: PathBuf,
        backup: PathBuf,
        #[source]
        source: sqlx::Error,
    },

    #[error(
        "migrating database {path} failed and was rolled back; a copy taken before the \
         migration is at {}",
        backup.as_ref().map_or_else(|| "(none, the database was empty)".to_owned(), |b| b.display().to_string())
    )]
    Migrate {
        path: PathBuf,
        backup: Option<PathBuf>,
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    #[error(
        "database {path} has schema version {version}, which this build of Samantha does not \
         know; it was written by a newer version, so update Samantha to open it"
    )]
    NewerSchema { path: PathBuf, version: i64 },

    #[error("conversation {0} not found; `samantha history list` shows the ids")]
    ConversationNotFound(i64),

    #[error("message {0} not found")]
    MessageNotFound(i64),

    #[error("memory {0} not found; `samantha memory list` shows the ids")]
    MemoryNotFound(i64),

    #[error("draft {0} not found; `samantha drafts list` shows the ids")]
    DraftNotFound(i64),

    #[error("reply {0} was already finished or interrupted; start a new reply to write more")]
    ReplyClosed(i64),

    #[error("invalid {field} {value:?} stored in the database: {reason}")]
    InvalidValue {
        field: &'static str,
        value: String,
        reason: String,
    },

    #[error("invalid embedding: {0}")]
    InvalidEmbedding(String),

    #[error(
        "invalid export file; expected the JSON written by `samantha history export --format json`"
    )]
    ImportParse(#[source] serde_json::Error),

    #[error(
        "unsupported export format {format:?} version {version}; \
         this build reads format \"samantha-history\" version 1"
    )]
    ImportFormat { format: String, version: u32 },

    #[error(
        "conversation {0} already exists, so the import was not applied; \
         delete it first with `samantha history delete {0}` or import into another database"
    )]
    ImportConflict(i64),

    #[error("message {0} already exists, so the import was not applied")]
    ImportMessageConflict(i64),

    #[error("could not serialize the export")]
    Export(#[from] serde_json::Error),

    #[error("query on database {path} failed")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
}

impl StoreError {
    /// Maps a driver error on the database at `path`, turning SQLite's busy,
    /// locked, corrupt and not-a-database codes into their own variants.
    pub(crate) fn from_sqlx(path: &std::path::Path, error: sqlx::Error) -> Self {
        match sqlite_primary_code(&error) {
            Some(SQLITE_BUSY | SQLITE_LOCKED) => Self::Busy {
                path: path.to_path_buf(),
            },
            Some(SQLITE_CORRUPT | SQLITE_NOTADB) => Self::Damaged {
                path: path.to_path_buf(),
                detail: error.to_string(),
            },
            _ => Self::Sqlite {
                path: path.to_path_buf(),
                source: error,
            },
        }
    }
}

const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_NOTADB: i64 = 26;

/// Returns SQLite's primary result code (the low byte of the extended code).
pub(crate) fn sqlite_primary_code(error: &sqlx::Error) -> Option<i64> {
    let database_error = error.as_database_error()?;
    let code: i64 = database_error.code()?.parse().ok()?;
    Some(code & 0xff)
}
