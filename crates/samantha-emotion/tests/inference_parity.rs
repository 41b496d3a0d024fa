//! The inference path against the burn modules it copies, on the real
//! model: embeddings, emotion probabilities and the shared-layer analysis.

mod common;

use burn::tensor::Device;
use samantha_emotion::{EmotionClassifier, EmotionScores};

const TEXTS: [&str; 6] = [
    "I finally finished the big project I have been working on for months.",
    "My dog died last night and I can't stop crying.",
    "ok",
    "",
    "Why would anyone leave garbage all over the park? It's disgusting!",
    "🙂 東京は今日とても暑いです。",
];

fn classifier() -> EmotionClassifier {
    EmotionClassifier::load(&common::encoder_dir(), &common::assets_dir(), &Device::flex()).unwrap()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

#[test]
fn embeddings_match_burn() {
    let classifier = classifier();
    let encoder = classifier.encoder();
    let long = "I walked along the river and thought about home. ".repeat(60);
    let mut texts = TEXTS.to_vec();
    texts.push(&long);

    let fast = encoder.embed(&texts).unwrap();
    let reference = encoder.embed_reference(&texts).unwrap();
    for ((text, fast), reference) in texts.iter().zip(&fast).zip(&reference) {
        let similarity = cosine(fast, reference);
        assert!(similarity > 0.99999, "cosine {similarity} for {text:?}");
        let max_difference = fast.iter().zip(reference).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(max_difference < 1e-4, "max difference {max_difference} for {text:?}");
    }
}

#[test]
fn probabilities_match_burn() {
    let classifier = classifier();
    let fast = classifier.probabilities(&TEXTS).unwrap();
    let reference = classifier.probabilities_reference(&TEXTS).unwrap();
    for ((text, fast), reference) in TEXTS.iter().zip(&fast).zip(&reference) {
        for (label, (a, b)) in fast.iter().zip(reference).enumerate() {
            assert!((a - b).abs() < 1e-4, "label {label} of {text:?}: {a} vs {b}");
        }
    }
}

#[test]
fn analysis_equals_separate_calls() {
    let classifier = classifier();
    for text in TEXTS {
        let analysis = classifier.analyze(text).unwrap();
        let embedding = classifier.encoder().embed(&[text]).unwrap().remove(0);
        let emotion = classifier.classify(text).unwrap();

        assert_eq!(analysis.embedding.len(), 384, "{text:?}");
        let similarity = cosine(&analysis.embedding, &embedding);
        assert!(similarity > 0.999999, "cosine {similarity} for {text:?}");
        assert_eq!(analysis.emotion.label, emotion.label, "{text:?}");
        for ((_, a), (_, b)) in analysis.emotion.scores.iter().zip(&emotion.scores) {
            assert!((a - b).abs() < 1e-6, "{text:?}: {a} vs {b}");
        }
    }
    assert_eq!(classifier.analyze("  ").unwrap().emotion, EmotionScores::neutral());
}
