//! Sentence embeddings and emotion detection for Samantha, running locally
//! on burn.
//!
//! [`Encoder`] turns text into all-MiniLM-L6-v2 sentence embeddings;
//! [`EmotionClassifier`] labels a message with one of Ekman's six basic
//! emotions or neutral.

pub mod emotion;
pub mod encoder;
pub mod inference;

pub use emotion::{Emotion, EmotionClassifier, EmotionError, EmotionScores};
pub use encoder::{Encoder, EncoderError};
pub mod data;
pub mod metrics;
pub mod report;
pub mod train;
