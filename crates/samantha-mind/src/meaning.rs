//! Recall by meaning: sentence embeddings of every message and memory,
//! kept up to date by a background indexer and fused with BM25.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use samantha_recall::{EmbeddingIndexer, SemanticRecall, load_encoder};
use samantha_store::{Recalled, Store};
use tokio::runtime::Handle;

use crate::recall::{Recall, RecallError};

/// Recall that embeds the query and compares it with stored embeddings.
pub struct MeaningRecall {
    semantic: SemanticRecall,
    indexer: Option<EmbeddingIndexer>,
}

impl MeaningRecall {
    /// Loads the sentence encoder from `models_dir` and starts indexing in
    /// the background. Without a usable encoder the error is logged and
    /// recall falls back to BM25 alone.
    ///
    /// `runtime` must be a multi-thread runtime, because the indexer's
    /// thread blocks on it.
    pub fn start(store: Store, models_dir: &Path, runtime: Handle) -> Self {
        let encoder = match load_encoder(models_dir) {
            Ok(encoder) => Some(Arc::new(encoder)),
            Err(error) => {
                tracing::warn!(%error, "recall by meaning is off; recall uses keywords only");
                None
            }
        };

        let indexer = encoder.clone().and_then(|encoder| {
            match EmbeddingIndexer::try_start(store.clone(), encoder, runtime.clone()) {
                Ok(indexer) => Some(indexer),
                Err(error) => {
                    tracing::warn!(%error, "the embedding indexer did not start; new text is not embedded");
                    None
                }
            }
        });

        Self {
            semantic: SemanticRecall::new(store, encoder, runtime),
            indexer,
        }
    }

    /// Waits until every stored text has been embedded, for at most
    /// `timeout`; returns whether the indexer caught up. A process about
    /// to exit calls it so that its last messages can be recalled later.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        match &self.indexer {
            Some(indexer) => {
                indexer.notify();
                indexer.wait_idle(timeout)
            }
            None => true,
        }
    }
}

impl Recall for MeaningRecall {
    fn recall(&self, query: &str, k: usize) -> Result<Vec<Recalled>, RecallError> {
        Ok(self.semantic.recall(query, k)?)
    }

    fn stored(&self) {
        if let Some(indexer) = &self.indexer {
            indexer.notify();
        }
    }
}
