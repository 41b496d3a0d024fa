//! Writing Samantha's reply while it streams from the model.

use std::time::{Duration, Instant};

use crate::messages::{insert_message, touch_conversation};
use crate::{
    ConversationId, Message, MessageId, MessageStatus, Role, Store, StoreError, Timestamp,
};

/// Maximum age of pushed text before the next push commits it.
const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// Characters after which the text so far is committed at once.
const SENTENCE_ENDS: &[char] = &['.', '!', '?', '…', '。', '！', '？', '\n'];

/// Appends a streaming reply to its message row.
///
/// The row is inserted with status `interrupted` when the reply starts, and
/// [`ReplyWriter::finish`] alone marks it `complete`. Pushed text is
/// committed whenever a fragment ends a sentence and whenever a second has
/// passed since the last commit, so a crash loses at most the text of the
/// current sentence pushed within the last second.
///
/// Dropping the writer without `finish` or `interrupt` leaves the reply
/// interrupted. Text that was not yet committed is then written by a task
/// spawned on the current Tokio runtime, and lost when there is none.
#[derive(Debug)]
pub struct ReplyWriter {
    store: Store,
    id: MessageId,
    conversation: ConversationId,
    pending: String,
    last_commit: Instant,
    closed: bool,
}

impl Store {
    /// Starts an assistant reply in `conversation`, written by `model`.
    ///
    /// # Errors
    ///
    /// [`StoreError::ConversationNotFound`] for an unknown conversation.
    pub async fn start_reply(
        &self,
        conversation: ConversationId,
        model: &str,
    ) -> Result<ReplyWriter, StoreError> {
        let message = Message {
            id: MessageId(0),
            conversation_id: conversation,
            role: Role::Assistant,
            content: String::new(),
            created_at: Timestamp::now(),
            status: MessageStatus::Interrupted,
            emotion: None,
            token_count: None,
            model: Some(model.to_owned()),
        };

        let mut transaction = self.begin_write().await?;

        let exists = touch_conversation(&mut transaction, conversation, message.created_at)
            .await
            .map_err(|error| self.error(error))?;
        if !exists {
            return Err(StoreError::ConversationNotFound(conversation.0));
        }

        let id = insert_message(&mut transaction, &message, false)
            .await
            .map_err(|error| self.error(error))?;

        transaction
            .commit()
            .await
            .map_err(|error| self.error(error))?;

        tracing::debug!(message = %id, conversation = %conversation, "reply started");

        Ok(ReplyWriter {
            store: self.clone(),
            id,
            conversation,
            pending: String::new(),
            last_commit: Instant::now(),
            closed: false,
        })
    }
}

impl ReplyWriter {
    /// Id of the message row this writer fills.
    pub fn message_id(&self) -> MessageId {
        self.id
    }

    /// Appends a fragment, committing when it ends a sentence or when the
    /// last commit is a second old.
    ///
    /// # Errors
    ///
    /// A failed commit is returned and its text stays pending, so the next
    /// push or `finish` retries it.
    pub async fn push(&mut self, fragment: &str) -> Result<(), StoreError> {
        if self.closed {
            return Err(StoreError::ReplyClosed(self.id.0));
        }

        self.pending.push_str(fragment);

        let ends_sentence = fragment.contains(SENTENCE_ENDS);
        if ends_sentence || self.last_commit.elapsed() >= FLUSH_INTERVAL {
            self.flush().await?;
        }

        Ok(())
    }

    /// Commits the text pushed since the last commit.
    ///
    /// # Errors
    ///
    /// As [`ReplyWriter::push`].
    pub async fn flush(&mut self) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }

        append_content(&self.store, self.id, self.conversation, &self.pending).await?;

        self.pending.clear();
        self.last_commit = Instant::now();

        Ok(())
    }

    /// Commits the rest of the reply and marks it complete.
    ///
    /// # Errors
    ///
    /// When the commit fails the reply stays interrupted in the database.
    pub async fn finish(mut self, token_count: u32) -> Result<Message, StoreError> {
        self.close(MessageStatus::Complete, Some(token_count)).await
    }

    /// Commits the text so far and leaves the reply marked interrupted, as
    /// when the user stops generation.
    ///
    /// # Errors
    ///
    /// As [`ReplyWriter::push`].
    pub async fn interrupt(mut self, token_count: Option<u32>) -> Result<Message, StoreError> {
        self.close(MessageStatus::Interrupted, token_count).await
    }

    async fn close(
        &mut self,
        status: MessageStatus,
        token_count: Option<u32>,
    ) -> Result<Message, StoreError> {
        self.flush().await?;

        sqlx::query("UPDATE messages SET status = ?1, token_count = ?2 WHERE id = ?3")
            .bind(status)
            .bind(token_count.map(i64::from))
            .bind(self.id)
            .execute(&self.store.pool)
            .await
            .map_err(|error| self.store.error(error))?;

        self.closed = true;
        tracing::debug!(message = %self.id, %status, "reply closed");

        self.store.message(self.id).await
    }
}

impl Drop for ReplyWriter {
    fn drop(&mut self) {
        if self.closed {
            return;
        }

        tracing::info!(message = %self.id, "reply dropped before finish; it stays interrupted");

        if self.pending.is_empty() {
            return;
        }

        let pending = std::mem::take(&mut self.pending);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(message = %self.id, lost_bytes = pending.len(), "no runtime to commit the rest of a dropped reply");
            return;
        };

        let store = self.store.clone();
        let id = self.id;
        let conversation = self.conversation;
        runtime.spawn(async move {
            if let Err(error) = append_content(&store, id, conversation, &pending).await {
                tracing::warn!(message = %id, %error, "committing the rest of a dropped reply failed");
            }
        });
    }
}

async fn append_content(
    store: &Store,
    id: MessageId,
    conversation: ConversationId,
    text: &str,
) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;

    sqlx::query("UPDATE messages SET content = content || ?1 WHERE id = ?2")
        .bind(text)
        .bind(id)
        .execute(&mut *transaction)
        .await
        .map_err(|error| store.error(error))?;

    touch_conversation(&mut transaction, conversation, Timestamp::now())
        .await
        .map_err(|error| store.error(error))?;

    transaction
        .commit()
        .await
        .map_err(|error| store.error(error))
}
