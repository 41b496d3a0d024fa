//! Recall that embeds the query and fuses BM25 with cosine similarity.

use std::sync::Arc;

use samantha_emotion::Encoder;
use samantha_store::{QueryVector, Recalled, Store};
use tokio::runtime::Handle;

use crate::encoder::{EMBEDDING_MODEL, embed};
use crate::RecallError;

/// Recall over the store's messages and memories by words and by meaning.
#[derive(Clone)]
pub struct SemanticRecall {
    store: Store,
    encoder: Option<Arc<Encoder>>,
    runtime: Handle,
}

impl SemanticRecall {
    /// Recalls from `store`, embedding queries with `encoder`; with `None`,
    /// recall is BM25 alone. `runtime` must be a multi-thread runtime,
    /// because [`SemanticRecall::recall`] blocks on it from outside it.
    pub fn new(store: Store, encoder: Option<Arc<Encoder>>, runtime: Handle) -> Self {
        Self { store, encoder, runtime }
    }

    /// Returns whether queries are embedded (false means BM25 alone).
    pub fn has_encoder(&self) -> bool {
        self.encoder.is_some()
    }

    /// Returns up to `k` past messages and memories relevant to `text`,
    /// most relevant first, blocking the calling thread.
    ///
    /// Blank text returns nothing. When embedding the query fails, the
    /// error is logged and recall falls back to BM25.
    ///
    /// # Panics
    ///
    /// When called from inside an async task; use
    /// [`SemanticRecall::recall_async`] there.
    ///
    /// # Errors
    ///
    /// [`RecallError::Store`] for database errors.
    pub fn recall(&self, text: &str, k: usize) -> Result<Vec<Recalled>, RecallError> {
        if text.trim().is_empty() || k == 0 {
            return Ok(Vec::new());
        }

        let vector = self.query_vector(text);
        self.runtime.block_on(self.fused(text, vector.as_deref(), k))
    }

    /// Like [`SemanticRecall::recall`], for async callers: the query is
    /// embedded on tokio's blocking pool.
    ///
    /// # Errors
    ///
    /// [`RecallError::Store`] for database errors.
    pub async fn recall_async(&self, text: &str, k: usize) -> Result<Vec<Recalled>, RecallError> {
        if text.trim().is_empty() || k == 0 {
            return Ok(Vec::new());
        }

        let this = self.clone();
        let owned = text.to_owned();
        let vector = match tokio::task::spawn_blocking(move || this.query_vector(&owned)).await {
            Ok(vector) => vector,
            Err(error) => {
                tracing::warn!(%error, "embedding the recall query failed; using BM25 alone");
                None
            }
        };
        self.fused(text, vector.as_deref(), k).await
    }

    /// Embeds the query, or returns `None` (BM25 alone) without an encoder
    /// or when embedding fails.
    fn query_vector(&self, text: &str) -> Option<Vec<f32>> {
        let encoder = self.encoder.as_ref()?;
        match embed(encoder, text) {
            Ok(vector) => Some(vector),
            Err(error) => {
                tracing::warn!(%error, "embedding the recall query failed; using BM25 alone");
                None
            }
        }
    }

    async fn fused(&self, text: &str, vector: Option<&[f32]>, k: usize) -> Result<Vec<Recalled>, RecallError> {
        let query = vector.map(|vector| QueryVector {
            model: EMBEDDING_MODEL,
            vector,
        });
        Ok(self.store.recall_hybrid(text, query, k).await?)
    }
}
