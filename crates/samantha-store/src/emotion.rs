//! Emotion labels and scores attached to messages.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One of the seven labels of the emotion classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmotionLabel {
    Anger,
    Disgust,
    Fear,
    Joy,
    Neutral,
    Sadness,
    Surprise,
}

impl EmotionLabel {
    pub const ALL: [Self; 7] = [
        Self::Anger,
        Self::Disgust,
        Self::Fear,
        Self::Joy,
        Self::Neutral,
        Self::Sadness,
        Self::Surprise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Anger => "anger",
            Self::Disgust => "disgust",
            Self::Fear => "fear",
            Self::Joy => "joy",
            Self::Neutral => "neutral",
            Self::Sadness => "sadness",
            Self::Surprise => "surprise",
        }
    }
}

impl fmt::Display for EmotionLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that matches none of the seven labels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown emotion label {0:?}; expected anger, disgust, fear, joy, neutral, sadness or surprise"
)]
pub struct UnknownEmotionLabel(pub String);

impl FromStr for EmotionLabel {
    type Err = UnknownEmotionLabel;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|label| label.as_str() == text)
            .ok_or_else(|| UnknownEmotionLabel(text.to_owned()))
    }
}

/// Classifier probability for each label, in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct EmotionScores {
    pub anger: f32,
    pub disgust: f32,
    pub fear: f32,
    pub joy: f32,
    pub neutral: f32,
    pub sadness: f32,
    pub surprise: f32,
}

impl EmotionScores {
    pub fn get(&self, label: EmotionLabel) -> f32 {
        match label {
            EmotionLabel::Anger => self.anger,
            EmotionLabel::Disgust => self.disgust,
            EmotionLabel::Fear => self.fear,
            EmotionLabel::Joy => self.joy,
            EmotionLabel::Neutral => self.neutral,
            EmotionLabel::Sadness => self.sadness,
            EmotionLabel::Surprise => self.surprise,
        }
    }
}

/// The detected emotion of a message: the chosen label and all scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Emotion {
    pub label: EmotionLabel,
    pub scores: EmotionScores,
}

impl Emotion {
    /// Builds an emotion whose label is the highest-scoring one.
    pub fn from_scores(scores: EmotionScores) -> Self {
        let label = EmotionLabel::ALL
            .into_iter()
            .max_by(|a, b| scores.get(*a).total_cmp(&scores.get(*b)))
            .unwrap_or(EmotionLabel::Neutral);

        Self { label, scores }
    }
}
