//! Messages behind one point of the mood timeline.

use crate::messages::{MESSAGE_COLUMNS, MessageRow};
use crate::{EmotionLabel, Message, Store, StoreError};

impl Store {
    /// Lists the messages of one UTC day (`YYYY-MM-DD`, as in
    /// [`crate::EmotionDay::day`]) whose detected emotion is `label`,
    /// oldest first.
    ///
    /// # Errors
    ///
    /// Database errors only; a malformed day matches nothing.
    pub async fn messages_with_emotion(
        &self,
        day: &str,
        label: EmotionLabel,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages \
             WHERE date(created_at / 1000, 'unixepoch') = ?1 AND emotion_label = ?2 \
             ORDER BY created_at, id"
        );
        let rows: Vec<MessageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(day)
            .bind(label.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(|error| self.error(error))?;

        rows.into_iter().map(Message::try_from).collect()
    }
}
