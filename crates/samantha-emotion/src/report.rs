//! Plain-text evaluation report and the recorded metrics file.

use std::fmt::Write;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::data::Example;
use crate::emotion::{EMOTION_COUNT, Emotion, EmotionClassifier, EmotionError};
use crate::metrics::{Evaluation, evaluate};

/// Texts classified together during evaluation.
const EVAL_BATCH: usize = 32;

/// Renders the per-label scores and the confusion matrix; the last line is
/// `macro_f1: <value>`.
pub fn render(evaluation: &Evaluation, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}: {} rows", evaluation.rows);
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<10} {:>9} {:>9} {:>9} {:>8}", "label", "precision", "recall", "f1", "support");
    for (emotion, scores) in &evaluation.labels {
        let _ = writeln!(
            out,
            "{:<10} {:>9.4} {:>9.4} {:>9.4} {:>8}",
            emotion.as_str(),
            scores.precision,
            scores.recall,
            scores.f1,
            scores.support
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "confusion matrix (rows: each gold label of a row, columns: the row's top label)");
    let _ = write!(out, "{:<10}", "");
    for emotion in Emotion::ALL {
        let _ = write!(out, " {:>8}", emotion.as_str());
    }
    let _ = writeln!(out);
    for gold in Emotion::ALL {
        let _ = write!(out, "{:<10}", gold.as_str());
        for predicted in 0..EMOTION_COUNT {
            let _ = write!(out, " {:>8}", evaluation.confusion[gold.index()][predicted]);
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "macro_f1: {:.4}", evaluation.macro_f1);
    out
}

/// Classifies every example and returns the label probabilities, with a
/// progress bar on standard error.
pub fn predict(classifier: &EmotionClassifier, examples: &[Example]) -> Result<Vec<[f32; EMOTION_COUNT]>, EmotionError> {
    let bar = ProgressBar::new(examples.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("classifying {wide_bar} {pos}/{len} rows, {elapsed} elapsed, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut probabilities = Vec::with_capacity(examples.len());
    for chunk in examples.chunks(EVAL_BATCH) {
        let texts: Vec<&str> = chunk.iter().map(|example| example.text.as_str()).collect();
        probabilities.extend(classifier.probabilities(&texts)?);
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    Ok(probabilities)
}

/// Classifies `examples` and scores them with the classifier's thresholds.
pub fn evaluate_examples(classifier: &EmotionClassifier, examples: &[Example]) -> Result<Evaluation, EmotionError> {
    let probabilities = predict(classifier, examples)?;
    let gold: Vec<[bool; EMOTION_COUNT]> = examples.iter().map(|example| example.labels).collect();
    Ok(evaluate(&probabilities, &gold, classifier.thresholds()))
}

/// Macro-F1 scores recorded next to the shipped assets, which the
/// reproduction test compares against.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordedMetrics {
    pub dev_macro_f1: f64,
    pub test_macro_f1: f64,
    pub test_rows: usize,
}

impl RecordedMetrics {
    pub fn read(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        serde_json::from_str(&text).map_err(std::io::Error::other)
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text + "\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_line_is_macro_f1() {
        let probabilities = vec![[0.9, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]];
        let gold = vec![[true, false, false, false, false, false, false]];
        let evaluation = evaluate(&probabilities, &gold, &[0.5; EMOTION_COUNT]);
        let text = render(&evaluation, "test");
        assert_eq!(text.lines().last(), Some("macro_f1: 0.1429"));
        assert!(text.contains("anger"));
    }
}
