//! Sources of recalled memories and moments.
//!
//! [`KeywordRecall`] ranks by BM25 alone. A recall that also compares
//! sentence embeddings plugs in through the same [`Recall`] trait.

use samantha_store::{Recalled, Store};
use tokio::runtime::Handle;

/// Any error of a recall implementation.
pub type RecallError = Box<dyn std::error::Error + Send + Sync>;

/// A source of past messages and memories relevant to a query.
pub trait Recall: Send + Sync {
    /// Returns at most `k` items relevant to `query`, best first.
    ///
    /// Called from a blocking thread, never from an async task.
    fn recall(&self, query: &str, k: usize) -> Result<Vec<Recalled>, RecallError>;

    /// Tells the recall that new text was stored, for example so that it
    /// can be embedded in the background. Must return at once.
    fn stored(&self) {}
}

/// BM25 recall over the store's full-text index.
#[derive(Debug, Clone)]
pub struct KeywordRecall {
    store: Store,
    runtime: Handle,
}

impl KeywordRecall {
    pub fn new(store: Store, runtime: Handle) -> Self {
        Self { store, runtime }
    }
}

impl Recall for KeywordRecall {
    fn recall(&self, query: &str, k: usize) -> Result<Vec<Recalled>, RecallError> {
        Ok(self.runtime.block_on(self.store.recall(query, k))?)
    }
}
