//! Statistics: counts and emotions per day.

use serde::Serialize;

use crate::{EmotionLabel, Store, StoreError};

/// Number of messages with each emotion label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct EmotionCounts {
    pub anger: u64,
    pub disgust: u64,
    pub fear: u64,
    pub joy: u64,
    pub neutral: u64,
    pub sadness: u64,
    pub surprise: u64,
}

impl EmotionCounts {
    fn add(&mut self, label: EmotionLabel, count: u64) {
        let slot = match label {
            EmotionLabel::Anger => &mut self.anger,
            EmotionLabel::Disgust => &mut self.disgust,
            EmotionLabel::Fear => &mut self.fear,
            EmotionLabel::Joy => &mut self.joy,
            EmotionLabel::Neutral => &mut self.neutral,
            EmotionLabel::Sadness => &mut self.sadness,
            EmotionLabel::Surprise => &mut self.surprise,
        };
        *slot += count;
    }
}

/// Emotion labels of the messages of one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmotionDay {
    /// `YYYY-MM-DD` in UTC.
    pub day: String,
    pub counts: EmotionCounts,
}

/// Counts over the whole database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub conversations: u64,
    pub messages: u64,
    pub user_messages: u64,
    pub assistant_messages: u64,
    pub interrupted_replies: u64,
    pub memories: u64,
    pub forgotten_memories: u64,
    pub drafts: u64,
    pub embeddings: u64,
    /// Days with at least one labelled message, oldest first.
    pub emotions_per_day: Vec<EmotionDay>,
}

impl Store {
    /// Computes counts and the emotions of each day.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn stats(&self) -> Result<Stats, StoreError> {
        let counts: (i64, i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
            "SELECT \
                 (SELECT count(*) FROM conversations), \
                 (SELECT count(*) FROM messages), \
                 (SELECT count(*) FROM messages WHERE role = 'user'), \
                 (SELECT count(*) FROM messages WHERE role = 'assistant'), \
                 (SELECT count(*) FROM messages WHERE role = 'assistant' AND status = 'interrupted'), \
                 (SELECT count(*) FROM memories WHERE forgotten = 0), \
                 (SELECT count(*) FROM memories WHERE forgotten = 1), \
                 (SELECT count(*) FROM drafts), \
                 (SELECT count(*) FROM embeddings)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT date(created_at / 1000, 'unixepoch') AS day, emotion_label, count(*) \
             FROM messages WHERE emotion_label IS NOT NULL \
             GROUP BY day, emotion_label ORDER BY day",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        let mut emotions_per_day: Vec<EmotionDay> = Vec::new();
        for (day, label, count) in rows {
            let label: EmotionLabel =
                label.parse().map_err(|error: crate::UnknownEmotionLabel| {
                    StoreError::InvalidValue {
                        field: "emotion_label",
                        value: label.clone(),
                        reason: error.to_string(),
                    }
                })?;

            if emotions_per_day.last().is_none_or(|last| last.day != day) {
                emotions_per_day.push(EmotionDay {
                    day,
                    counts: EmotionCounts::default(),
                });
            }
            if let Some(last) = emotions_per_day.last_mut() {
                last.counts.add(label, unsigned(count));
            }
        }

        Ok(Stats {
            conversations: unsigned(counts.0),
            messages: unsigned(counts.1),
            user_messages: unsigned(counts.2),
            assistant_messages: unsigned(counts.3),
            interrupted_replies: unsigned(counts.4),
            memories: unsigned(counts.5),
            forgotten_memories: unsigned(counts.6),
            drafts: unsigned(counts.7),
            embeddings: unsigned(counts.8),
            emotions_per_day,
        })
    }
}

/// Converts a SQL count, which is never negative.
fn unsigned(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}
