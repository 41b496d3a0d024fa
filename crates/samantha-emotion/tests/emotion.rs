//! The shipped emotion assets on real text: hand-written first-person
//! messages, the GoEmotions test split, and unusual input.

mod common;

use burn::tensor::Device;
use samantha_emotion::data::{Split, read_split};
use samantha_emotion::emotion::assets::METRICS_FILE;
use samantha_emotion::report::{RecordedMetrics, evaluate_examples};
use samantha_emotion::{Emotion, EmotionClassifier};

fn classifier() -> EmotionClassifier {
    EmotionClassifier::load(&common::encoder_dir(), &common::assets_dir(), &Device::flex()).unwrap()
}

/// Minimum share of the hand-written messages labelled as a person would.
const FIRST_PERSON_ACCURACY: f64 = 0.70;

#[test]
fn first_person_messages() {
    let classifier = classifier();
    let text = include_str!("data/first_person.tsv");
    let mut total = 0;
    let mut correct = 0;
    let mut misses = Vec::new();
    for line in text.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()) {
        let (label, message) = line.split_once('\t').expect("label<TAB>text");
        let expected: Emotion = label.parse().unwrap();
        let scores = classifier.classify(message).unwrap();
        total += 1;
        if scores.label == expected {
            correct += 1;
        } else {
            misses.push(format!("{message:?}: expected {expected}, got {}", scores.label));
        }
    }
    let accuracy = correct as f64 / total as f64;
    eprintln!("first-person accuracy: {correct}/{total} = {accuracy:.3}");
    for miss in &misses {
        eprintln!("  {miss}");
    }
    assert!(total >= 30, "only {total} messages");
    assert!(accuracy >= FIRST_PERSON_ACCURACY, "accuracy {accuracy:.3}; misses:\n{}", misses.join("\n"));
}

#[test]
fn shipped_weights_reproduce_test_macro_f1() {
    let classifier = classifier();
    let recorded = RecordedMetrics::read(&common::assets_dir().join(METRICS_FILE)).unwrap();
    let examples = read_split(&common::goemotions_dir(), Split::Test).unwrap();
    assert_eq!(examples.len(), recorded.test_rows);

    let evaluation = evaluate_examples(&classifier, &examples).unwrap();
    eprintln!("test macro-F1 {:.4}, recorded {:.4}", evaluation.macro_f1, recorded.test_macro_f1);
    assert!(
        (evaluation.macro_f1 - recorded.test_macro_f1).abs() <= 0.01,
        "macro-F1 {:.4} differs from the recorded {:.4}",
        evaluation.macro_f1,
        recorded.test_macro_f1
    );
}

#[test]
fn empty_text_is_neutral() {
    let classifier = classifier();
    for text in ["", "   ", "\n\t"] {
        let scores = classifier.classify(text).unwrap();
        assert_eq!(scores.label, Emotion::Neutral, "{text:?}");
    }
}

#[test]
fn unusual_text_classifies() {
    let classifier = classifier();
    let long: String = "I am so happy today. ".repeat(2_000);
    for text in ["🙂😢😡", "\u{0}\u{200b}", "東京は今日とても暑いです。", long.as_str()] {
        let scores = classifier.classify(text).unwrap();
        let total: f32 = scores.scores.iter().map(|(_, p)| p).sum();
        assert!(total.is_finite(), "{text:?}");
        assert!(scores.scores.iter().all(|(_, p)| (0.0..=1.0).contains(p)), "{text:?}");
    }
}

#[test]
fn json_has_label_and_seven_scores() {
    let classifier = classifier();
    let scores = classifier.classify("I'm thrilled, this is the best news ever!").unwrap();
    let json: serde_json::Value = serde_json::to_value(&scores).unwrap();
    assert_eq!(json["label"], scores.label.as_str());
    let map = json["scores"].as_object().unwrap();
    assert_eq!(map.len(), 7);
    for emotion in Emotion::ALL {
        assert!(map.contains_key(emotion.as_str()), "{emotion}");
    }
}

#[test]
fn changed_base_model_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let source = common::encoder_dir();
    for file in ["model.safetensors", "tokenizer.json", "config.json"] {
        std::fs::copy(source.join(file), dir.path().join(file)).unwrap();
    }
    let path = dir.path().join("model.safetensors");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let error = EmotionClassifier::load(dir.path(), &common::assets_dir(), &Device::flex())
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("sha256"), "{error}");
}
