//! Sentence vectors of messages and memories, for the cosine side of
//! recall.
//!
//! A vector is stored as a BLOB of little-endian `f32` values together with
//! the name of the encoder model that produced it, so vectors of different
//! models are never compared with each other.

use crate::{MemoryId, MessageId, Store, StoreError, Timestamp};

/// Owner of a vector: a message or a memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmbeddingOwner {
    Message(MessageId),
    Memory(MemoryId),
}

/// Encodes a vector as little-endian bytes.
pub(crate) fn encode(vector: &[f32]) -> Vec<u8> {
    vector
        .iter()
        .flat_map(|value| value.to_le_bytes())
        .collect()
}

/// Decodes little-endian bytes; a trailing partial value is ignored, which
/// the table's length CHECK rules out.
pub(crate) fn decode(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
        .collect()
}

/// Checks that a vector can be compared by cosine similarity.
pub(crate) fn validate(vector: &[f32]) -> Result<(), StoreError> {
    if vector.is_empty() {
        return Err(StoreError::InvalidEmbedding(
            "the vector is empty".to_owned(),
        ));
    }

    if let Some(index) = vector.iter().position(|value| !value.is_finite()) {
        return Err(StoreError::InvalidEmbedding(format!(
            "value {index} is {}, expected a finite number",
            vector[index]
        )));
    }

    if vector.iter().all(|value| *value == 0.0) {
        return Err(StoreError::InvalidEmbedding(
            "the vector is all zeros and has no direction".to_owned(),
        ));
    }

    Ok(())
}

impl Store {
    /// Stores the vector of a message or memory computed by `model`,
    /// replacing an earlier vector of the same owner and model.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidEmbedding`] for an empty, all-zero or
    /// non-finite vector; [`StoreError::MessageNotFound`] or
    /// [`StoreError::MemoryNotFound`] for an unknown owner.
    pub async fn put_embedding(
        &self,
        owner: EmbeddingOwner,
        model: &str,
        vector: &[f32],
    ) -> Result<(), StoreError> {
        validate(vector)?;

        let (message, memory) = match owner {
            EmbeddingOwner::Message(id) => (Some(id), None),
            EmbeddingOwner::Memory(id) => (None, Some(id)),
        };

        let mut transaction = self.begin_write().await?;

        let owner_exists: bool = match owner {
            EmbeddingOwner::Message(id) => {
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM messages WHERE id = ?1)").bind(id)
            }
            EmbeddingOwner::Memory(id) => {
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM memories WHERE id = ?1)").bind(id)
            }
        }
        .fetch_one(&mut *transaction)
        .await
        .map_err(|error| self.error(error))?;

        if !owner_exists {
            return Err(match owner {
                EmbeddingOwner::Message(id) => StoreError::MessageNotFound(id.0),
                EmbeddingOwner::Memory(id) => StoreError::MemoryNotFound(id.0),
            });
        }

        sqlx::query(
            "DELETE FROM embeddings WHERE model = ?1 \
             AND (message_id = ?2 OR memory_id = ?3)",
        )
        .bind(model)
        .bind(message)
        .bind(memory)
        .execute(&mut *transaction)
        .await
        .map_err(|error| self.error(error))?;

        let dimensions = i64::try_from(vector.len()).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO embeddings (message_id, memory_id, model, dimensions, vector, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(message)
        .bind(memory)
        .bind(model)
        .bind(dimensions)
        .bind(encode(vector))
        .bind(Timestamp::now())
        .execute(&mut *transaction)
        .await
        .map_err(|error| self.error(error))?;

        transaction
            .commit()
            .await
            .map_err(|error| self.error(error))
    }

    /// Returns up to `limit` messages and memories that have no vector from
    /// `model` yet, with their text, so an encoder can fill them in.
    ///
    /// Skipped: forgotten memories, text that is empty or only whitespace
    /// (it has no meaning to compare), and messages whose status is
    /// `interrupted`, because a reply being streamed has that status until
    /// it is finished and a vector of its first words would never be
    /// replaced.
    ///
    /// NOTE: a reply that stays interrupted (stopped or cut by a crash)
    /// therefore never gets a vector; BM25 still finds it.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn missing_embeddings(
        &self,
        model: &str,
        limit: u32,
    ) -> Result<Vec<(EmbeddingOwner, String)>, StoreError> {
        let rows: Vec<(Option<MessageId>, Option<MemoryId>, String)> = sqlx::query_as(
            "SELECT m.id, NULL, m.content FROM messages m \
             WHERE m.status = 'complete' AND trim(m.content, char(32, 9, 10, 13)) <> '' \
               AND NOT EXISTS \
                 (SELECT 1 FROM embeddings e WHERE e.message_id = m.id AND e.model = ?1) \
             UNION ALL \
             SELECT NULL, mem.id, mem.content FROM memories mem \
             WHERE mem.forgotten = 0 AND trim(mem.content, char(32, 9, 10, 13)) <> '' \
               AND NOT EXISTS \
                 (SELECT 1 FROM embeddings e WHERE e.memory_id = mem.id AND e.model = ?1) \
             LIMIT ?2",
        )
        .bind(model)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        Ok(rows
            .into_iter()
            .filter_map(|(message, memory, content)| match (message, memory) {
                (Some(id), _) => Some((EmbeddingOwner::Message(id), content)),
                (None, Some(id)) => Some((EmbeddingOwner::Memory(id), content)),
                (None, None) => None,
            })
            .collect())
    }
}

/// Cosine similarity of two vectors of the same length.
pub(crate) fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let mut dot = 0.0f32;
    let mut norm_a = 0.0f32;
    let mut norm_b = 0.0f32;

    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        norm_a += x * x;
        norm_b += y * y;
    }

    let denominator = (norm_a * norm_b).sqrt();
    if denominator == 0.0 {
        0.0
    } else {
        dot / denominator
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_round_trip() {
        let vector = [0.5f32, -1.25, 3.0e-8, f32::MAX];
        assert_eq!(decode(&encode(&vector)), vector);
    }

    #[test]
    fn cosine_of_parallel_and_orthogonal() {
        assert!((cosine(&[1.0, 2.0], &[2.0, 4.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 3.0]).abs() < 1e-6);
    }

    #[test]
    fn validate_rejects_bad_vectors() {
        assert!(validate(&[]).is_err());
        assert!(validate(&[0.0, 0.0]).is_err());
        assert!(validate(&[1.0, f32::NAN]).is_err());
        assert!(validate(&[1.0, 0.0]).is_ok());
    }
}
