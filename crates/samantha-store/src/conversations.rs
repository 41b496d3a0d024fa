//! Conversations: create, list, search, rename and delete.

use serde::{Deserialize, Serialize};

use crate::{ConversationId, MessageId, Role, Store, StoreError, Timestamp, fts};

/// A conversation between the user and one persona.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Conversation {
    pub id: ConversationId,
    pub title: String,
    /// Name of the persona that replies in this conversation.
    pub persona: String,
    pub created_at: Timestamp,
    /// Time of the last message or rename.
    pub updated_at: Timestamp,
}

/// A conversation with its message count, for listings.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConversationSummary {
    #[sqlx(flatten)]
    pub conversation: Conversation,
    pub message_count: i64,
}

/// A message that matched a full-text search.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SearchHit {
    pub conversation_id: ConversationId,
    pub conversation_title: String,
    pub message_id: MessageId,
    pub role: Role,
    pub created_at: Timestamp,
    /// Matching passage with the matched terms in `[` `]`.
    pub snippet: String,
}

impl Store {
    /// Creates an empty conversation.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn create_conversation(
        &self,
        title: &str,
        persona: &str,
    ) -> Result<Conversation, StoreError> {
        let now = Timestamp::now();

        let id = sqlx::query_scalar(
            "INSERT INTO conversations (title, persona, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?3) RETURNING id",
        )
        .bind(title)
        .bind(persona)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        Ok(Conversation {
            id,
            title: title.to_owned(),
            persona: persona.to_owned(),
            created_at: now,
            updated_at: now,
        })
    }

    /// Returns one conversation.
    ///
    /// # Errors
    ///
    /// [`StoreError::ConversationNotFound`] for an unknown id.
    pub async fn conversation(&self, id: ConversationId) -> Result<Conversation, StoreError> {
        let row = sqlx::query_as(
            "SELECT id, title, persona, created_at, updated_at FROM conversations WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        row.ok_or(StoreError::ConversationNotFound(id.0))
    }

    /// Lists conversations, most recently updated first.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn list_conversations(&self) -> Result<Vec<ConversationSummary>, StoreError> {
        sqlx::query_as(
            "SELECT c.id, c.title, c.persona, c.created_at, c.updated_at, \
             (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count \
             FROM conversations c ORDER BY c.updated_at DESC, c.id DESC",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|error| self.error(error))
    }

    /// Searches all messages for every word of `query`, best match first.
    ///
    /// The query is plain text: FTS5 operators, quotes and other
    /// punctuation in it are treated as separators, never as syntax.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn search_messages(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let Some(expression) = fts::match_all(query) else {
            return Ok(Vec::new());
        };

        sqlx::query_as(
            "WITH hits AS ( \
                 SELECT rowid AS id, rank, \
                        snippet(messages_fts, 0, '[', ']', '…', 16) AS snippet \
                 FROM messages_fts WHERE messages_fts MATCH ?1 ORDER BY rank LIMIT ?2 \
             ) \
             SELECT m.conversation_id, c.title AS conversation_title, m.id AS message_id, \
                    m.role, m.created_at, hits.snippet \
             FROM hits \
             JOIN messages m ON m.id = hits.id \
             JOIN conversations c ON c.id = m.conversation_id \
             ORDER BY hits.rank",
        )
        .bind(expression)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(|error| self.error(error))
    }

    /// Renames a conversation.
    ///
    /// # Errors
    ///
    /// [`StoreError::ConversationNotFound`] for an unknown id.
    pub async fn rename_conversation(
        &self,
        id: ConversationId,
        title: &str,
    ) -> Result<(), StoreError> {
        let result = sqlx::query(
            "UPDATE conversations SET title = ?1, updated_at = max(updated_at, ?2) WHERE id = ?3",
        )
        .bind(title)
        .bind(Timestamp::now())
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        if result.rows_affected() == 0 {
            return Err(StoreError::ConversationNotFound(id.0));
        }

        Ok(())
    }

    /// Deletes a conversation with its messages and their vectors.
    /// Memories taken from its messages stay, without their source.
    ///
    /// NOTE: FTS5 keeps the deleted words in its index segments until it
    /// merges them; [`Store::delete_all`] purges the index completely.
    ///
    /// # Errors
    ///
    /// [`StoreError::ConversationNotFound`] for an unknown id.
    pub async fn delete_conversation(&self, id: ConversationId) -> Result<(), StoreError> {
        let result = sqlx::query("DELETE FROM conversations WHERE id = ?1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|error| self.error(error))?;

        if result.rows_affected() == 0 {
            return Err(StoreError::ConversationNotFound(id.0));
        }

        tracing::info!(conversation = %id, "conversation deleted");
        Ok(())
    }

    /// Deletes every conversation, message, memory, draft and vector, then
    /// compacts the file so the deleted text is gone from disk. Settings
    /// are kept.
    ///
    /// Backups written before earlier migrations are separate files and
    /// are not touched.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn delete_all(&self) -> Result<(), StoreError> {
        let mut transaction = self.begin_write().await?;

        for table in [
            "embeddings",
            "memories",
            "draft_versions",
            "drafts",
            "messages",
            "conversations",
        ] {
            let sql = format!("DELETE FROM {table}");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *transaction)
                .await
                .map_err(|error| self.error(error))?;
        }

        // FTS5 records deletions as new entries beside the old ones, so the
        // deleted words would stay in the index until a merge; 'delete-all'
        // empties the index itself.
        for table in ["messages_fts", "memories_fts", "draft_versions_fts"] {
            let sql = format!("INSERT INTO {table} ({table}) VALUES ('delete-all')");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *transaction)
                .await
                .map_err(|error| self.error(error))?;
        }

        transaction
            .commit()
            .await
            .map_err(|error| self.error(error))?;

        for statement in ["VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"] {
            sqlx::query(statement)
                .execute(&self.pool)
                .await
                .map_err(|error| self.error(error))?;
        }

        tracing::info!(path = %self.path.display(), "all history deleted");
        Ok(())
    }
}
