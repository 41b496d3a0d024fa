//! Recall by meaning for Samantha's memory.
//!
//! [`EmbeddingIndexer`] runs on its own thread and stores a sentence
//! embedding for every message and memory that has none from the current
//! encoder, so replies never wait for it. [`SemanticRecall`] embeds the
//! text of a query and asks the store to fuse BM25 with cosine similarity,
//! so "my dog" finds "I walked Biscuit, my beagle, this morning" although
//! they share no word. Without an encoder, recall is BM25 alone.
//!
//! ```no_run
//! # fn main() -> Result<(), samantha_recall::RecallError> {
//! # let models_dir = std::path::Path::new("models");
//! # let runtime = tokio::runtime::Runtime::new().expect("runtime");
//! # let store = runtime.block_on(samantha_store::Store::open("samantha.db")).expect("store");
//! use std::sync::Arc;
//! use samantha_recall::{EmbeddingIndexer, SemanticRecall, load_encoder};
//!
//! let encoder = Arc::new(load_encoder(models_dir)?);
//! let indexer = EmbeddingIndexer::start(store.clone(), encoder.clone(), runtime.handle().clone());
//! let recall = SemanticRecall::new(store, Some(encoder), runtime.handle().clone());
//!
//! // After storing each new message or memory:
//! indexer.notify();
//! let recalled = recall.recall("my dog", 5)?;
//! indexer.shutdown()?;
//! # Ok(())
//! # }
//! ```

mod encoder;
mod error;
mod indexer;
mod recall;

pub use encoder::{EMBEDDING_MODEL, load_encoder};
pub use error::RecallError;
pub use indexer::EmbeddingIndexer;
pub use recall::SemanticRecall;
pub use samantha_store::{RecallItem, Recalled};
