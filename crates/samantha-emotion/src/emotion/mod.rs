//! Emotion detection: Ekman's six basic emotions plus neutral, from the
//! sentence encoder with fine-tuned top layers.

pub mod assets;
pub mod classifier;
pub mod head;
pub mod label;
pub mod scores;

pub use classifier::{Analysis, EmotionClassifier, EmotionError};
pub use label::{EMOTION_COUNT, Emotion};
pub use scores::EmotionScores;
