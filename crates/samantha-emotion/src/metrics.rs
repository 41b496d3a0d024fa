//! Multi-label scoring as in the GoEmotions paper: per-label precision,
//! recall and F1 over every row, macro-F1 as their mean, and per-label
//! thresholds chosen on dev.

use serde::Serialize;

use crate::emotion::scores::predicted_set;
use crate::emotion::{EMOTION_COUNT, Emotion};

/// Scores of one label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabelScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Rows whose gold set contains the label.
    pub support: usize,
}

/// Scores of a prediction run over one split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub rows: usize,
    pub labels: Vec<(Emotion, LabelScores)>,
    pub macro_f1: f64,
    /// `confusion[gold][predicted]`: for every gold label of every row, the
    /// row's top-scoring label. Rows with several gold labels count once per
    /// gold label.
    pub confusion: [[usize; EMOTION_COUNT]; EMOTION_COUNT],
}

fn f1(true_positives: usize, false_positives: usize, false_negatives: usize) -> (f64, f64, f64) {
    let ratio = |num: usize, den: usize| if den == 0 { 0.0 } else { num as f64 / den as f64 };
    let precision = ratio(true_positives, true_positives + false_positives);
    let recall = ratio(true_positives, true_positives + false_negatives);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    (precision, recall, f1)
}

fn top_label(probabilities: &[f32; EMOTION_COUNT]) -> usize {
    (0..EMOTION_COUNT)
        .max_by(|a, b| probabilities[*a].total_cmp(&probabilities[*b]))
        .unwrap_or(0)
}

/// Scores `probabilities` against `gold` with per-label `thresholds`.
pub fn evaluate(
    probabilities: &[[f32; EMOTION_COUNT]],
    gold: &[[bool; EMOTION_COUNT]],
    thresholds: &[f32; EMOTION_COUNT],
) -> Evaluation {
    assert_eq!(probabilities.len(), gold.len(), "one prediction per gold row");
    let mut counts = [[0usize; 3]; EMOTION_COUNT];
    let mut confusion = [[0usize; EMOTION_COUNT]; EMOTION_COUNT];

    for (row, labels) in probabilities.iter().zip(gold) {
        let mut predicted = [false; EMOTION_COUNT];
        for emotion in predicted_set(row, thresholds) {
            predicted[emotion.index()] = true;
        }
        for label in 0..EMOTION_COUNT {
            match (predicted[label], labels[label]) {
                (true, true) => counts[label][0] += 1,
                (true, false) => counts[label][1] += 1,
                (false, true) => counts[label][2] += 1,
                (false, false) => {}
            }
        }
        let top = top_label(row);
        for (label, is_gold) in labels.iter().enumerate() {
            if *is_gold {
                confusion[label][top] += 1;
            }
        }
    }

    let labels: Vec<(Emotion, LabelScores)> = Emotion::ALL
        .into_iter()
        .map(|emotion| {
            let [tp, fp, fn_] = counts[emotion.index()];
            let (precision, recall, f1) = f1(tp, fp, fn_);
            let scores = LabelScores {
                precision,
                recall,
                f1,
                support: tp + fn_,
            };
            (emotion, scores)
        })
        .collect();
    let macro_f1 = labels.iter().map(|(_, s)| s.f1).sum::<f64>() / EMOTION_COUNT as f64;
    Evaluation {
        rows: gold.len(),
        labels,
        macro_f1,
        confusion,
    }
}

/// Chooses, for each label on its own, the threshold in 0.05..=0.95 (steps
/// of 0.01) that maximises that label's F1 on the given rows.
pub fn choose_thresholds(probabilities: &[[f32; EMOTION_COUNT]], gold: &[[bool; EMOTION_COUNT]]) -> [f32; EMOTION_COUNT] {
    std::array::from_fn(|label| {
        let mut best = (0.5f32, -1.0f64);
        for step in 5..=95 {
            let threshold = step as f32 / 100.0;
            let mut counts = [0usize; 3];
            for (row, labels) in probabilities.iter().zip(gold) {
                match (row[label] >= threshold, labels[label]) {
                    (true, true) => counts[0] += 1,
                    (true, false) => counts[1] += 1,
                    (false, true) => counts[2] += 1,
                    (false, false) => {}
                }
            }
            let (_, _, f1) = f1(counts[0], counts[1], counts[2]);
            if f1 > best.1 {
                best = (threshold, f1);
            }
        }
        best.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_hot(index: usize) -> [bool; EMOTION_COUNT] {
        std::array::from_fn(|i| i == index)
    }

    fn peaked(index: usize) -> [f32; EMOTION_COUNT] {
        std::array::from_fn(|i| if i == index { 0.9 } else { 0.05 })
    }

    #[test]
    fn perfect_predictions_score_one() {
        let gold: Vec<_> = (0..EMOTION_COUNT).map(one_hot).collect();
        let probabilities: Vec<_> = (0..EMOTION_COUNT).map(peaked).collect();
        let evaluation = evaluate(&probabilities, &gold, &[0.5; EMOTION_COUNT]);
        assert_eq!(evaluation.macro_f1, 1.0);
        for label in 0..EMOTION_COUNT {
            assert_eq!(evaluation.confusion[label][label], 1);
        }
    }

    #[test]
    fn hand_computed_f1() {
        // Joy: predicted on rows 0 and 1, gold on rows 0 and 2, so
        // precision 1/2, recall 1/2 and F1 1/2.
        let gold = vec![one_hot(3), one_hot(4), one_hot(3)];
        let probabilities = vec![peaked(3), peaked(3), peaked(4)];
        let evaluation = evaluate(&probabilities, &gold, &[0.5; EMOTION_COUNT]);
        let joy = evaluation.labels[3].1;
        assert_eq!(joy.precision, 0.5);
        assert_eq!(joy.recall, 0.5);
        assert_eq!(joy.f1, 0.5);
        assert_eq!(joy.support, 2);
        // Labels never gold nor predicted have F1 0 and still count in the mean.
        assert!((evaluation.macro_f1 - 0.5 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn multi_label_gold_counts_every_label() {
        let mut gold = one_hot(0);
        gold[6] = true;
        let probabilities = [[0.8, 0.0, 0.0, 0.0, 0.0, 0.0, 0.7]];
        let evaluation = evaluate(&probabilities, &[gold], &[0.5; EMOTION_COUNT]);
        assert_eq!(evaluation.labels[0].1.f1, 1.0);
        assert_eq!(evaluation.labels[6].1.f1, 1.0);
        assert_eq!(evaluation.confusion[6][0], 1);
    }

    #[test]
    fn thresholds_separate_scores() {
        let gold = vec![one_hot(2), one_hot(4), one_hot(2)];
        let probabilities: Vec<[f32; EMOTION_COUNT]> = vec![
            std::array::from_fn(|i| if i == 2 { 0.30 } else { 0.0 }),
            std::array::from_fn(|i| if i == 2 { 0.10 } else { 0.0 }),
            std::array::from_fn(|i| if i == 2 { 0.25 } else { 0.0 }),
        ];
        let thresholds = choose_thresholds(&probabilities, &gold);
        assert!(thresholds[2] > 0.10, "{thresholds:?}");
        assert!(thresholds[2] <= 0.25, "{thresholds:?}");
    }
}
