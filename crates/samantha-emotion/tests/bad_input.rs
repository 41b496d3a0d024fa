//! Guards: missing or damaged model files and unusual text.

mod common;

use std::path::Path;

use burn::tensor::Device;
use samantha_emotion::Encoder;

/// Copies the encoder folder into `target`, letting `edit` change it.
fn copy_model(target: &Path) {
    let source = common::encoder_dir();
    for file in ["model.safetensors", "tokenizer.json", "config.json"] {
        std::fs::copy(source.join(file), target.join(file)).unwrap();
    }
}

fn load_error(dir: &Path) -> String {
    match Encoder::load(dir, &Device::flex()) {
        Ok(_) => panic!("loading {} should fail", dir.display()),
        Err(error) => error.to_string(),
    }
}

#[test]
fn missing_folder_says_run_setup() {
    let dir = tempfile::tempdir().unwrap();
    let error = load_error(&dir.path().join("absent"));
    assert!(error.contains("samantha setup"), "{error}");
}

#[test]
fn missing_tokenizer_is_named() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    std::fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
    let error = load_error(dir.path());
    assert!(error.contains("tokenizer.json"), "{error}");
    assert!(error.contains("samantha setup"), "{error}");
}

#[test]
fn corrupt_safetensors_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let path = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let error = load_error(dir.path());
    assert!(error.contains("invalid safetensors file"), "{error}");
}

#[test]
fn wrong_shape_names_tensor_and_shapes() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let config_path = dir.path().join("config.json");
    let config = std::fs::read_to_string(&config_path).unwrap();
    std::fs::write(&config_path, config.replace("\"intermediate_size\": 1536", "\"intermediate_size\": 1024")).unwrap();
    let error = load_error(dir.path());
    assert!(error.contains("encoder.layer.0.intermediate.dense.weight"), "{error}");
    assert!(error.contains("[1536, 384]"), "{error}");
    assert!(error.contains("expected [1024, 384]"), "{error}");
}

#[test]
fn invalid_config_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    std::fs::write(dir.path().join("config.json"), "{ not json").unwrap();
    let error = load_error(dir.path());
    assert!(error.contains("invalid model configuration"), "{error}");
}

#[test]
fn unusual_text_embeds() {
    let encoder = Encoder::load(&common::encoder_dir(), &Device::flex()).unwrap();
    let texts = [
        "",
        "   \n\t ",
        "\u{0}\u{1}\u{7f}",
        "e\u{301}\u{301}\u{301} \u{200b}\u{200d}\u{fe0f}",
        "🙂😢😡🤢😱😮",
        "مرحبا كيف حالك",
        "\u{202e}reversed text\u{202c}",
    ];
    let embeddings = encoder.embed(&texts).unwrap();
    assert_eq!(embeddings.len(), texts.len());
    for (text, embedding) in texts.iter().zip(&embeddings) {
        assert_eq!(embedding.len(), 384, "{text:?}");
        assert!(embedding.iter().all(|v| v.is_finite()), "{text:?}");
    }
}

#[test]
fn long_text_is_windowed() {
    let encoder = Encoder::load(&common::encoder_dir(), &Device::flex()).unwrap();
    let words: Vec<String> = (0..10_000).map(|i| format!("word{}", i % 97)).collect();
    let long = words.join(" ");
    let windows = encoder.tokenizer().windows(&long).unwrap();
    assert!(windows.len() > 1);
    assert!(windows.iter().all(|window| window.len() <= 256));

    let embedding = encoder.embed(&[&long]).unwrap().remove(0);
    assert_eq!(embedding.len(), 384);
    let norm: f32 = embedding.iter().map(|v| v * v).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "{norm}");
}
