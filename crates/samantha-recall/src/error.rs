//! The error type of recall and indexing.

use std::path::PathBuf;

/// Errors raised while loading the encoder, embedding text or recalling.
#[derive(Debug, thiserror::Error)]
pub enum RecallError {
    #[error(
        "failed to load the sentence encoder from {dir}: {source}; run `samantha setup` to reinstall the models"
    )]
    LoadEncoder {
        dir: PathBuf,
        #[source]
        source: samantha_emotion::EncoderError,
    },

    #[error("failed to embed {characters} characters of text: {source}")]
    Embed {
        characters: usize,
        #[source]
        source: samantha_emotion::EncoderError,
    },

    #[error(transparent)]
    Store(#[from] samantha_store::StoreError),

    #[error("the embedding indexer thread panicked; recent messages may lack embeddings until the next start")]
    IndexerPanicked,

    #[error("failed to start the embedding indexer thread: {source}")]
    SpawnIndexer {
        #[source]
        source: std::io::Error,
    },
}
