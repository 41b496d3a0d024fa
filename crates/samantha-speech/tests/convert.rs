//! The CTranslate2 to ggml converter on the installed Whisper models.

mod common;

use std::path::PathBuf;

use samantha_models::hash::sha256_file;
use samantha_speech::convert::{self, Hyperparameters};
use samantha_speech::models::{BASE, TINY_EN};
use samantha_speech::{TranscribeOptions, Transcriber, WhisperModel};

fn convert_into(model: &WhisperModel, output: &std::path::Path) -> Hyperparameters {
    let models = common::models_dir();
    let parts: Vec<PathBuf> = model
        .model_parts
        .iter()
        .map(|part| models.join(part))
        .collect();
    convert::convert(&parts, &models.join(model.tokenizer), output).expect("conversion")
}

fn check_model(model: &WhisperModel, expected: Hyperparameters) {
    if !common::ct2_installed(model) {
        panic!(
            "Whisper model {} is not installed in {}; run `samantha setup --with {}`",
            model.name,
            common::models_dir().display(),
            model.setup_id
        );
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let first = dir.path().join("first.bin");
    let second = dir.path().join("second.bin");

    let params = convert_into(model, &first);
    convert_into(model, &second);
    assert_eq!(params, expected, "hyper-parameters of {}", model.name);

    let first_sha = sha256_file(&first).expect("hash");
    let second_sha = sha256_file(&second).expect("hash");
    assert_eq!(
        first_sha, second_sha,
        "two conversions of {} differ",
        model.name
    );
    assert_eq!(
        first_sha, model.ggml_sha256,
        "pinned sha256 of {}",
        model.name
    );

    let header = convert::read_ggml_header(&first).expect("header");
    assert_eq!(header, expected, "header of {}", model.name);
    assert!(
        !dir.path().join("first.partial").exists(),
        "temporary file left behind"
    );

    let transcriber = Transcriber::load(&first, TranscribeOptions::default())
        .expect("whisper.cpp loads the result");
    assert_eq!(
        transcriber.is_multilingual(),
        model.multilingual,
        "multilingual flag of {}",
        model.name
    );
}

#[test]
fn convert_tiny_en() {
    check_model(
        &TINY_EN,
        Hyperparameters {
            n_vocab: 51864,
            n_audio_ctx: 1500,
            n_audio_state: 384,
            n_audio_head: 6,
            n_audio_layer: 4,
            n_text_ctx: 448,
            n_text_state: 384,
            n_text_head: 6,
            n_text_layer: 4,
            n_mels: 80,
            ftype: 1,
        },
    );
}

#[test]
fn convert_base() {
    if !common::ct2_installed(&BASE) {
        eprintln!(
            "skipped: whisper-base is optional and not installed (`samantha setup --with whisper-base`)"
        );
        return;
    }
    check_model(
        &BASE,
        Hyperparameters {
            n_vocab: 51865,
            n_audio_ctx: 1500,
            n_audio_state: 512,
            n_audio_head: 8,
            n_audio_layer: 6,
            n_text_ctx: 448,
            n_text_state: 512,
            n_text_head: 8,
            n_text_layer: 6,
            n_mels: 80,
            ftype: 1,
        },
    );
}

#[test]
fn convert_rejects_truncated_model() {
    let model = &TINY_EN;
    if !common::ct2_installed(model) {
        panic!("Whisper model tiny.en is not installed; run `samantha setup`");
    }
    let models = common::models_dir();
    let bytes = std::fs::read(models.join(model.model_parts[0])).expect("read model");

    let dir = tempfile::tempdir().expect("temp dir");
    let truncated = dir.path().join("model.bin");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let output = dir.path().join("ggml.bin");

    let error = convert::convert(&[truncated], &models.join(model.tokenizer), &output)
        .expect_err("truncated input");
    let message = error.to_string();
    assert!(message.contains("file ends"), "{message}");
    assert!(!output.exists(), "no output for a failed conversion");
    assert!(
        !dir.path().join("ggml.partial").exists(),
        "no partial file either"
    );
}
