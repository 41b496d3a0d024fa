//! Sentence embeddings match sentence-transformers on the committed fixtures
//! (made by `fixtures/make_fixtures.py`).

mod common;

use burn::tensor::Device;
use samantha_emotion::Encoder;
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    tokens: usize,
    embedding: Vec<f32>,
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

#[test]
fn embeddings_match_reference() {
    let text = include_str!("../fixtures/minilm_reference.json");
    let fixture: Fixture = serde_json::from_str(text).unwrap();
    let encoder = Encoder::load(&common::encoder_dir(), &Device::flex()).unwrap();

    let texts: Vec<&str> = fixture.cases.iter().map(|case| case.text.as_str()).collect();
    let embeddings = encoder.embed(&texts).unwrap();

    for (case, embedding) in fixture.cases.iter().zip(&embeddings) {
        assert_eq!(embedding.len(), 384);
        let tokens = encoder.tokenizer().windows(&case.text).unwrap()[0].len();
        assert_eq!(tokens, case.tokens, "token count of {:?}", case.text);
        let similarity = cosine(embedding, &case.embedding);
        assert!(similarity >= 0.999, "cosine {similarity} for {:?}", case.text);
    }
}

#[test]
fn batch_and_single_agree() {
    let encoder = Encoder::load(&common::encoder_dir(), &Device::flex()).unwrap();
    let texts = ["short", "a somewhat longer sentence that needs padding in a batch"];
    let batched = encoder.embed(&texts).unwrap();
    for (text, expected) in texts.iter().zip(&batched) {
        let single = encoder.embed(&[text]).unwrap();
        assert!(cosine(&single[0], expected) > 0.99999, "{text}");
    }
}

#[test]
fn embeddings_are_unit_length() {
    let encoder = Encoder::load(&common::encoder_dir(), &Device::flex()).unwrap();
    let embeddings = encoder.embed(&["hello there", ""]).unwrap();
    for embedding in embeddings {
        let norm: f32 = embedding.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    }
}
