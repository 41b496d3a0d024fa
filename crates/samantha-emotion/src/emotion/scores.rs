//! The classifier's result for one text.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::label::{EMOTION_COUNT, Emotion};

/// The predicted label and the probability of every label.
///
/// Serialises as `{"label": "joy", "scores": {"anger": 0.01, ...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct EmotionScores {
    pub label: Emotion,
    pub scores: [(Emotion, f32); EMOTION_COUNT],
}

impl EmotionScores {
    /// Picks the label from per-label probabilities and decision thresholds:
    /// the label whose probability passes its threshold by the widest margin,
    /// or the most probable label when none passes.
    pub fn from_probabilities(probabilities: [f32; EMOTION_COUNT], thresholds: &[f32; EMOTION_COUNT]) -> Self {
        let scores = std::array::from_fn(|index| (Emotion::ALL[index], probabilities[index]));
        let predicted = predicted_set(&probabilities, thresholds);
        let label = predicted
            .iter()
            .copied()
            .max_by(|a, b| {
                let margin_a = probabilities[a.index()] - thresholds[a.index()];
                let margin_b = probabilities[b.index()] - thresholds[b.index()];
                margin_a.total_cmp(&margin_b)
            })
            .unwrap_or(Emotion::Neutral);
        Self { label, scores }
    }

    /// Returns the result for empty text: neutral with certainty.
    pub fn neutral() -> Self {
        let scores = std::array::from_fn(|index| {
            let emotion = Emotion::ALL[index];
            (emotion, if emotion == Emotion::Neutral { 1.0 } else { 0.0 })
        });
        Self {
            label: Emotion::Neutral,
            scores,
        }
    }

    /// Probability of `emotion`.
    pub fn score(&self, emotion: Emotion) -> f32 {
        self.scores[emotion.index()].1
    }
}

/// Returns every label whose probability reaches its threshold, or the most probable
/// label alone when none does. This is the predicted set used for scoring.
pub fn predicted_set(probabilities: &[f32; EMOTION_COUNT], thresholds: &[f32; EMOTION_COUNT]) -> Vec<Emotion> {
    let passed: Vec<Emotion> = Emotion::ALL
        .into_iter()
        .filter(|emotion| probabilities[emotion.index()] >= thresholds[emotion.index()])
        .collect();
    if !passed.is_empty() {
        return passed;
    }
    let top = (0..EMOTION_COUNT)
        .max_by(|a, b| probabilities[*a].total_cmp(&probabilities[*b]))
        .and_then(Emotion::from_index)
        .unwrap_or(Emotion::Neutral);
    vec![top]
}

impl Serialize for EmotionScores {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Scores<'a>(&'a [(Emotion, f32); EMOTION_COUNT]);

        impl Serialize for Scores<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(EMOTION_COUNT))?;
                for (emotion, score) in self.0 {
                    let rounded = (f64::from(*score) * 1e4).round() / 1e4;
                    map.serialize_entry(emotion.as_str(), &rounded)?;
                }
                map.end()
            }
        }

        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("label", &self.label)?;
        map.serialize_entry("scores", &Scores(&self.scores))?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HALF: [f32; EMOTION_COUNT] = [0.5; EMOTION_COUNT];

    #[test]
    fn json_shape() {
        let scores = EmotionScores::from_probabilities([0.01, 0.02, 0.03, 0.9, 0.1, 0.02, 0.05], &HALF);
        let json = serde_json::to_string(&scores).unwrap();
        assert!(json.starts_with("{\"label\":\"joy\",\"scores\":{\"anger\":0.01,"), "{json}");
        assert!(json.ends_with("\"surprise\":0.05}}"), "{json}");
    }

    #[test]
    fn widest_margin_wins() {
        let thresholds = [0.5, 0.5, 0.2, 0.5, 0.9, 0.5, 0.5];
        let scores = EmotionScores::from_probabilities([0.0, 0.0, 0.45, 0.0, 0.95, 0.0, 0.0], &thresholds);
        assert_eq!(scores.label, Emotion::Fear);
    }

    #[test]
    fn top_label_when_none_passes() {
        let probabilities = [0.1, 0.2, 0.3, 0.1, 0.1, 0.4, 0.1];
        assert_eq!(predicted_set(&probabilities, &HALF), vec![Emotion::Sadness]);
        assert_eq!(EmotionScores::from_probabilities(probabilities, &HALF).label, Emotion::Sadness);
    }

    #[test]
    fn every_passing_label_is_predicted() {
        let probabilities = [0.6, 0.7, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(predicted_set(&probabilities, &HALF), vec![Emotion::Anger, Emotion::Disgust]);
    }
}
