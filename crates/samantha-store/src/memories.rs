//! Memories: facts Samantha keeps about the user.

use serde::{Deserialize, Serialize};

use crate::{MemoryId, MessageId, Store, StoreError, Timestamp};

/// A fact about the user. A forgotten memory stays in the table, marked,
/// and is never returned by recall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Memory {
    pub id: MemoryId,
    pub content: String,
    /// Message the fact was learned from, while that message exists.
    pub source_message_id: Option<MessageId>,
    pub created_at: Timestamp,
    pub pinned: bool,
    pub forgotten: bool,
}

const MEMORY_COLUMNS: &str = "id, content, source_message_id, created_at, pinned, forgotten";

impl Store {
    /// Stores a new memory.
    ///
    /// # Errors
    ///
    /// [`StoreError::MessageNotFound`] when `source` names no message.
    pub async fn add_memory(
        &self,
        content: &str,
        source: Option<MessageId>,
    ) -> Result<Memory, StoreError> {
        if let Some(source) = source {
            self.message(source).await?;
        }

        let now = Timestamp::now();
        let id = sqlx::query_scalar(
            "INSERT INTO memories (content, source_message_id, created_at) VALUES (?1, ?2, ?3) \
             RETURNING id",
        )
        .bind(content)
        .bind(source)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        Ok(Memory {
            id,
            content: content.to_owned(),
            source_message_id: source,
            created_at: now,
            pinned: false,
            forgotten: false,
        })
    }

    /// Returns one memory, forgotten or not.
    ///
    /// # Errors
    ///
    /// [`StoreError::MemoryNotFound`] for an unknown id.
    pub async fn memory(&self, id: MemoryId) -> Result<Memory, StoreError> {
        let sql = format!("SELECT {MEMORY_COLUMNS} FROM memories WHERE id = ?1");
        let row = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|error| self.error(error))?;

        row.ok_or(StoreError::MemoryNotFound(id.0))
    }

    /// Lists memories, pinned first and then newest first. Forgotten ones
    /// are included only when `include_forgotten` is set.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn list_memories(&self, include_forgotten: bool) -> Result<Vec<Memory>, StoreError> {
        let sql = format!(
            "SELECT {MEMORY_COLUMNS} FROM memories WHERE ?1 OR forgotten = 0 \
             ORDER BY pinned DESC, created_at DESC, id DESC"
        );

        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(include_forgotten)
            .fetch_all(&self.pool)
            .await
            .map_err(|error| self.error(error))
    }

    /// Marks a memory forgotten, so recall never returns it again. The row
    /// is kept; [`Store::delete_all`] removes it for good.
    ///
    /// # Errors
    ///
    /// [`StoreError::MemoryNotFound`] for an unknown id.
    pub async fn forget_memory(&self, id: MemoryId) -> Result<(), StoreError> {
        self.set_memory_flag(id, "forgotten", true).await
    }

    /// Pins or unpins a memory.
    ///
    /// # Errors
    ///
    /// [`StoreError::MemoryNotFound`] for an unknown id.
    pub async fn pin_memory(&self, id: MemoryId, pinned: bool) -> Result<(), StoreError> {
        self.set_memory_flag(id, "pinned", pinned).await
    }

    async fn set_memory_flag(
        &self,
        id: MemoryId,
        column: &'static str,
        value: bool,
    ) -> Result<(), StoreError> {
        let sql = format!("UPDATE memories SET {column} = ?1 WHERE id = ?2");
        let result = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(value)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|error| self.error(error))?;

        if result.rows_affected() == 0 {
            return Err(StoreError::MemoryNotFound(id.0));
        }

        Ok(())
    }
}
