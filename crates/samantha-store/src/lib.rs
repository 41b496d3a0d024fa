//! Samantha's memory: conversations, messages, memories, drafts, settings
//! and recall, kept in one SQLite file.
//!
//! [`Store::open`] checks the file, backs it up before a schema migration
//! and migrates it. Every write is committed before the call returns, so
//! a crash loses at most the reply fragments that a [`ReplyWriter`] had not
//! flushed yet.

mod conversations;
mod drafts;
mod embeddings;
mod emotion;
mod error;
mod export;
mod fts;
mod ids;
mod import;
mod memories;
mod messages;
mod migrate;
mod mood;
mod open;
mod recall;
mod reply;
mod settings;
mod stats;
mod time;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlx::{Sqlite, SqlitePool, Transaction};

pub use conversations::{Conversation, ConversationSummary, SearchHit};
pub use drafts::{Draft, DraftDocument, DraftVersion};
pub use embeddings::EmbeddingOwner;
pub use emotion::{Emotion, EmotionLabel, EmotionScores, UnknownEmotionLabel};
pub use error::StoreError;
pub use export::{ConversationExport, EXPORT_FORMAT, EXPORT_VERSION, HistoryExport};
pub use ids::{ConversationId, DraftId, MemoryId, MessageId};
pub use import::ImportSummary;
pub use memories::Memory;
pub use messages::{Message, MessageStatus, Role};
pub use migrate::{backup_file_name, schema_versions};
pub use open::DEFAULT_BUSY_TIMEOUT;
pub use recall::{QueryVector, RecallItem, Recalled};
pub use reply::ReplyWriter;
pub use stats::{EmotionCounts, EmotionDay, Stats};
pub use time::Timestamp;

/// A handle to the database. Cloning is cheap and shares the connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: Arc<PathBuf>,
}

impl Store {
    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every pooled connection, waiting for running queries.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Maps a driver error to a [`StoreError`] that names this database.
    pub(crate) fn error(&self, error: sqlx::Error) -> StoreError {
        StoreError::from_sqlx(&self.path, error)
    }

    /// Begins a transaction that takes the write lock at once.
    ///
    /// A deferred transaction that reads first and writes later fails with
    /// SQLITE_BUSY without waiting when another connection wrote in between,
    /// so every writing transaction starts with `BEGIN IMMEDIATE`, which
    /// waits for the busy timeout instead.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|error| self.error(error))
    }
}
