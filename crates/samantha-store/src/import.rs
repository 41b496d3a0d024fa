//! Import of JSON exports, keeping ids, times, statuses and emotions.

use crate::messages::{check_emotion, insert_message};
use crate::{HistoryExport, Store, StoreError};

/// Numbers of rows that an import added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub conversations: usize,
    pub messages: usize,
}

impl Store {
    /// Imports an export in one transaction, with the ids it carries.
    ///
    /// # Errors
    ///
    /// [`StoreError::ImportConflict`] or
    /// [`StoreError::ImportMessageConflict`] when an id is already taken;
    /// nothing is imported then.
    pub async fn import(&self, export: &HistoryExport) -> Result<ImportSummary, StoreError> {
        let mut summary = ImportSummary {
            conversations: 0,
            messages: 0,
        };

        let mut transaction = self.begin_write().await?;

        for entry in &export.conversations {
            let conversation = &entry.conversation;

            let taken: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM conversations WHERE id = ?1)")
                    .bind(conversation.id)
                    .fetch_one(&mut *transaction)
                    .await
                    .map_err(|error| self.error(error))?;
            if taken {
                return Err(StoreError::ImportConflict(conversation.id.0));
            }

            sqlx::query(
                "INSERT INTO conversations (id, title, persona, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(conversation.id)
            .bind(&conversation.title)
            .bind(&conversation.persona)
            .bind(conversation.created_at)
            .bind(conversation.updated_at)
            .execute(&mut *transaction)
            .await
            .map_err(|error| self.error(error))?;

            for message in &entry.messages {
                check_emotion(message.emotion.as_ref())?;

                let taken: bool =
                    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM messages WHERE id = ?1)")
                        .bind(message.id)
                        .fetch_one(&mut *transaction)
                        .await
                        .map_err(|error| self.error(error))?;
                if taken {
                    return Err(StoreError::ImportMessageConflict(message.id.0));
                }

                // The message belongs to the conversation it is listed under,
                // whatever its own conversation_id field contains.
                let mut message = message.clone();
                message.conversation_id = conversation.id;

                insert_message(&mut transaction, &message, true)
                    .await
                    .map_err(|error| self.error(error))?;
                summary.messages += 1;
            }

            summary.conversations += 1;
        }

        transaction
            .commit()
            .await
            .map_err(|error| self.error(error))?;

        tracing::info!(
            conversations = summary.conversations,
            messages = summary.messages,
            "import committed"
        );

        Ok(summary)
    }
}
