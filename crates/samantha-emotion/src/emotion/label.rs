//! Ekman's six basic emotions plus neutral, in GoEmotions' `ekman/labels.txt` order.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One emotion label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Emotion {
    Anger,
    Disgust,
    Fear,
    Joy,
    Neutral,
    Sadness,
    Surprise,
}

/// Number of labels.
pub const EMOTION_COUNT: usize = 7;

impl Emotion {
    /// Every label, in model output order.
    pub const ALL: [Emotion; EMOTION_COUNT] = [
        Emotion::Anger,
        Emotion::Disgust,
        Emotion::Fear,
        Emotion::Joy,
        Emotion::Neutral,
        Emotion::Sadness,
        Emotion::Surprise,
    ];

    /// Returns the lowercase name used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Emotion::Anger => "anger",
            Emotion::Disgust => "disgust",
            Emotion::Fear => "fear",
            Emotion::Joy => "joy",
            Emotion::Neutral => "neutral",
            Emotion::Sadness => "sadness",
            Emotion::Surprise => "surprise",
        }
    }

    /// Position of the label in the model output.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Returns the label at model output position `index`, if any.
    pub fn from_index(index: usize) -> Option<Emotion> {
        Self::ALL.get(index).copied()
    }
}

impl fmt::Display for Emotion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a name that is not one of the seven labels.
#[derive(Debug, thiserror::Error)]
#[error("unknown emotion label {0:?}; expected one of anger, disgust, fear, joy, neutral, sadness, surprise")]
pub struct UnknownEmotion(pub String);

impl FromStr for Emotion {
    type Err = UnknownEmotion;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|emotion| emotion.as_str() == name.trim().to_lowercase())
            .ok_or_else(|| UnknownEmotion(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for emotion in Emotion::ALL {
            assert_eq!(emotion.as_str().parse::<Emotion>().unwrap(), emotion);
            assert_eq!(Emotion::from_index(emotion.index()), Some(emotion));
        }
        assert!("happiness".parse::<Emotion>().is_err());
        assert_eq!(Emotion::from_index(7), None);
    }

    #[test]
    fn serde_uses_lowercase() {
        assert_eq!(serde_json::to_string(&Emotion::Joy).unwrap(), "\"joy\"");
    }
}
