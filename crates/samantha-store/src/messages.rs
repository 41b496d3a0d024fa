//! Messages: the user's turns and Samantha's replies.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    ConversationId, Emotion, EmotionLabel, EmotionScores, MessageId, Store, StoreError, Timestamp,
};

/// Author role of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a message was written to the end.
///
/// A reply is stored as `Interrupted` from its first fragment until
/// [`crate::ReplyWriter::finish`] marks it `Complete`, so a reply cut by a
/// crash, a stop or a dropped writer is found as interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum MessageStatus {
    Complete,
    Interrupted,
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Complete => "complete",
            Self::Interrupted => "interrupted",
        })
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub role: Role,
    pub content: String,
    pub created_at: Timestamp,
    pub status: MessageStatus,
    /// Detected emotion, when the classifier ran on this message.
    pub emotion: Option<Emotion>,
    /// Tokens the model generated for a reply.
    pub token_count: Option<u32>,
    /// Model that wrote a reply.
    pub model: Option<String>,
}

/// Columns selected for a [`Message`], in [`MessageRow`] order.
pub(crate) const MESSAGE_COLUMNS: &str = "id, conversation_id, role, content, created_at, status, \
     emotion_label, emotion_anger, emotion_disgust, emotion_fear, emotion_joy, \
     emotion_neutral, emotion_sadness, emotion_surprise, token_count, model";

/// A `messages` row as stored, with the emotion spread over its columns.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: MessageId,
    conversation_id: ConversationId,
    role: Role,
    content: String,
    created_at: Timestamp,
    status: MessageStatus,
    emotion_label: Option<String>,
    emotion_anger: Option<f32>,
    emotion_disgust: Option<f32>,
    emotion_fear: Option<f32>,
    emotion_joy: Option<f32>,
    emotion_neutral: Option<f32>,
    emotion_sadness: Option<f32>,
    emotion_surprise: Option<f32>,
    token_count: Option<i64>,
    model: Option<String>,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;

    fn try_from(row: MessageRow) -> Result<Self, StoreError> {
        let emotion = match row.emotion_label {
            None => None,
            Some(label) => {
                let label: EmotionLabel =
                    label.parse().map_err(|error: crate::UnknownEmotionLabel| {
                        StoreError::InvalidValue {
                            field: "emotion_label",
                            value: label.clone(),
                            reason: error.to_string(),
                        }
                    })?;

                // The table's CHECK constraint guarantees that every score
                // is set whenever the label is.
                let scores = EmotionScores {
                    anger: row.emotion_anger.unwrap_or_default(),
                    disgust: row.emotion_disgust.unwrap_or_default(),
                    fear: row.emotion_fear.unwrap_or_default(),
                    joy: row.emotion_joy.unwrap_or_default(),
                    neutral: row.emotion_neutral.unwrap_or_default(),
                    sadness: row.emotion_sadness.unwrap_or_default(),
                    surprise: row.emotion_surprise.unwrap_or_default(),
                };

                Some(Emotion { label, scores })
            }
        };

        let token_count = row
            .token_count
            .map(|count| {
                u32::try_from(count).map_err(|_| StoreError::InvalidValue {
                    field: "token_count",
                    value: count.to_string(),
                    reason: "expected 0 to 4294967295".to_owned(),
                })
            })
            .transpose()?;

        Ok(Self {
            id: row.id,
            conversation_id: row.conversation_id,
            role: row.role,
            content: row.content,
            created_at: row.created_at,
            status: row.status,
            emotion,
            token_count,
            model: row.model,
        })
    }
}

/// Rejects scores that are not finite numbers, which JSON cannot carry.
pub(crate) fn check_emotion(emotion: Option<&Emotion>) -> Result<(), StoreError> {
    let Some(emotion) = emotion else {
        return Ok(());
    };

    for label in EmotionLabel::ALL {
        let score = emotion.scores.get(label);
        if !score.is_finite() {
            return Err(StoreError::InvalidValue {
                field: "emotion score",
                value: format!("{label} = {score}"),
                reason: "scores must be finite numbers".to_owned(),
            });
        }
    }

    Ok(())
}

/// Inserts a complete message row inside `transaction`.
pub(crate) async fn insert_message(
    transaction: &mut sqlx::SqliteConnection,
    message: &Message,
    with_id: bool,
) -> Result<MessageId, sqlx::Error> {
    let scores = message.emotion.map(|emotion| emotion.scores);
    let score = |label: EmotionLabel| scores.map(|scores| scores.get(label));

    let sql = "INSERT INTO messages (id, conversation_id, role, content, created_at, status, \
               emotion_label, emotion_anger, emotion_disgust, emotion_fear, emotion_joy, \
               emotion_neutral, emotion_sadness, emotion_surprise, token_count, model) \
               VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) \
               RETURNING id";

    sqlx::query_scalar(sql)
        .bind(with_id.then_some(message.id))
        .bind(message.conversation_id)
        .bind(message.role)
        .bind(&message.content)
        .bind(message.created_at)
        .bind(message.status)
        .bind(message.emotion.map(|emotion| emotion.label.as_str()))
        .bind(score(EmotionLabel::Anger))
        .bind(score(EmotionLabel::Disgust))
        .bind(score(EmotionLabel::Fear))
        .bind(score(EmotionLabel::Joy))
        .bind(score(EmotionLabel::Neutral))
        .bind(score(EmotionLabel::Sadness))
        .bind(score(EmotionLabel::Surprise))
        .bind(message.token_count.map(i64::from))
        .bind(message.model.as_deref())
        .fetch_one(&mut *transaction)
        .await
}

/// Sets `updated_at` of a conversation; returns false when it does not exist.
pub(crate) async fn touch_conversation(
    transaction: &mut sqlx::SqliteConnection,
    conversation: ConversationId,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let result =
        sqlx::query("UPDATE conversations SET updated_at = max(updated_at, ?1) WHERE id = ?2")
            .bind(at)
            .bind(conversation)
            .execute(&mut *transaction)
            .await?;

    Ok(result.rows_affected() == 1)
}

impl Store {
    /// Appends a user message and commits it before returning, so the turn
    /// is kept even if generation crashes afterwards.
    ///
    /// # Errors
    ///
    /// [`StoreError::ConversationNotFound`] for an unknown conversation,
    /// [`StoreError::InvalidValue`] for a non-finite emotion score.
    pub async fn append_user_message(
        &self,
        conversation: ConversationId,
        text: &str,
        emotion: Option<Emotion>,
    ) -> Result<Message, StoreError> {
        self.append_message(conversation, Role::User, text, emotion)
            .await
    }

    /// Appends a complete message with any role and commits it.
    ///
    /// # Errors
    ///
    /// As [`Store::append_user_message`].
    pub async fn append_message(
        &self,
        conversation: ConversationId,
        role: Role,
        text: &str,
        emotion: Option<Emotion>,
    ) -> Result<Message, StoreError> {
        check_emotion(emotion.as_ref())?;

        let mut message = Message {
            id: MessageId(0),
            conversation_id: conversation,
            role,
            content: text.to_owned(),
            created_at: Timestamp::now(),
            status: MessageStatus::Complete,
            emotion,
            token_count: None,
            model: None,
        };

        let mut transaction = self.begin_write().await?;

        let exists = touch_conversation(&mut transaction, conversation, message.created_at)
            .await
            .map_err(|error| self.error(error))?;
        if !exists {
            return Err(StoreError::ConversationNotFound(conversation.0));
        }

        message.id = insert_message(&mut transaction, &message, false)
            .await
            .map_err(|error| self.error(error))?;

        transaction
            .commit()
            .await
            .map_err(|error| self.error(error))?;

        Ok(message)
    }

    /// Stores the emotion detected for a message after it was appended.
    ///
    /// # Errors
    ///
    /// [`StoreError::MessageNotFound`] for an unknown message.
    pub async fn set_message_emotion(
        &self,
        message: MessageId,
        emotion: Option<Emotion>,
    ) -> Result<(), StoreError> {
        check_emotion(emotion.as_ref())?;

        let scores = emotion.map(|emotion| emotion.scores);
        let score = |label: EmotionLabel| scores.map(|scores| scores.get(label));

        let result = sqlx::query(
            "UPDATE messages SET emotion_label = ?1, emotion_anger = ?2, emotion_disgust = ?3, \
             emotion_fear = ?4, emotion_joy = ?5, emotion_neutral = ?6, emotion_sadness = ?7, \
             emotion_surprise = ?8 WHERE id = ?9",
        )
        .bind(emotion.map(|emotion| emotion.label.as_str()))
        .bind(score(EmotionLabel::Anger))
        .bind(score(EmotionLabel::Disgust))
        .bind(score(EmotionLabel::Fear))
        .bind(score(EmotionLabel::Joy))
        .bind(score(EmotionLabel::Neutral))
        .bind(score(EmotionLabel::Sadness))
        .bind(score(EmotionLabel::Surprise))
        .bind(message)
        .execute(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        if result.rows_affected() == 0 {
            return Err(StoreError::MessageNotFound(message.0));
        }

        Ok(())
    }

    /// Returns one message.
    ///
    /// # Errors
    ///
    /// [`StoreError::MessageNotFound`] for an unknown id.
    pub async fn message(&self, id: MessageId) -> Result<Message, StoreError> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1");
        let row: Option<MessageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|error| self.error(error))?;

        row.ok_or(StoreError::MessageNotFound(id.0))?.try_into()
    }

    /// Returns the messages of a conversation, oldest first.
    ///
    /// # Errors
    ///
    /// [`StoreError::ConversationNotFound`] for an unknown conversation.
    pub async fn messages(&self, conversation: ConversationId) -> Result<Vec<Message>, StoreError> {
        // Checked first so that an unknown id is not mistaken for an empty
        // conversation.
        self.conversation(conversation).await?;

        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ?1 \
             ORDER BY created_at, id"
        );
        let rows: Vec<MessageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(conversation)
            .fetch_all(&self.pool)
            .await
            .map_err(|error| self.error(error))?;

        rows.into_iter().map(Message::try_from).collect()
    }

    /// Deletes one message, for replacing a reply that the user asked to
    /// regenerate. Memories that cite it keep their text and lose the link.
    ///
    /// # Errors
    ///
    /// [`StoreError::MessageNotFound`] for an unknown id.
    pub async fn delete_message(&self, id: MessageId) -> Result<(), StoreError> {
        let result = sqlx::query("DELETE FROM messages WHERE id = ?1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|error| self.error(error))?;

        if result.rows_affected() == 0 {
            return Err(StoreError::MessageNotFound(id.0));
        }
        tracing::info!(message = %id, "message deleted");
        Ok(())
    }
}
