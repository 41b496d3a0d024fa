//! Bad input: every damaged file gives an error, never a panic.

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng, rngs::StdRng};
use samantha_gguf::{GgmlType, GgufError, GgufFile, GgufWriter, Value, quantize::quantize};

fn sample_file() -> Vec<u8> {
    let mut writer = GgufWriter::new();
    writer
        .metadata("general.architecture", Value::String("llama".into()))
        .metadata(
            "tokenizer.ggml.tokens",
            Value::Array((0..20).map(|i| Value::String(format!("t{i}"))).collect()),
        )
        .metadata("llama.block_count", Value::U32(1));
    writer.tensor("a", &[64, 2], GgmlType::Q4_1, quantize(GgmlType::Q4_1, &[0.5; 128]));
    writer.tensor("b", &[32], GgmlType::Q8_0, quantize(GgmlType::Q8_0, &[0.25; 32]));
    writer.to_bytes()
}

fn open_bytes(bytes: &[u8]) -> (tempfile::TempDir, PathBuf, Result<GgufFile, GgufError>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.gguf");
    std::fs::write(&path, bytes).unwrap();
    let result = GgufFile::open(&path);
    (dir, path, result)
}

fn message_mentions(error: &GgufError, path: &Path, words: &[&str]) {
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "no path in {message:?}");
    for word in words {
        assert!(message.contains(word), "{word:?} missing from {message:?}");
    }
}

#[test]
fn missing_file() {
    let error = GgufFile::open("/nonexistent/model.gguf").unwrap_err();
    assert!(matches!(error, GgufError::Open { .. }));
    assert!(error.to_string().contains("/nonexistent/model.gguf"));
}

#[test]
fn wrong_magic() {
    let mut bytes = sample_file();
    bytes[..4].copy_from_slice(b"GGML");

    let (_dir, path, result) = open_bytes(&bytes);
    let error = result.unwrap_err();
    assert!(matches!(error, GgufError::BadMagic { .. }), "{error}");
    message_mentions(&error, &path, &["not a GGUF file"]);
}

#[test]
fn empty_and_tiny_files() {
    for bytes in [&b""[..], b"GG", b"GGUF", b"GGUF\x03\x00\x00\x00"] {
        let (_dir, _path, result) = open_bytes(bytes);
        assert!(result.is_err(), "{bytes:?} opened");
    }
}

#[test]
fn empty_file_says_how_many_bytes() {
    for (bytes, len) in [(&b""[..], "0 bytes"), (&b"GG"[..], "2 bytes")] {
        let (_dir, path, result) = open_bytes(bytes);
        let error = result.unwrap_err();
        assert!(matches!(error, GgufError::TooShort { .. }), "{error}");
        message_mentions(&error, &path, &["not a GGUF file", len]);
    }
}

#[test]
fn unsupported_version() {
    let mut bytes = sample_file();
    bytes[4..8].copy_from_slice(&7u32.to_le_bytes());

    let (_dir, path, result) = open_bytes(&bytes);
    let error = result.unwrap_err();
    assert!(matches!(error, GgufError::UnsupportedVersion { version: 7, .. }), "{error}");
    message_mentions(&error, &path, &["version 7"]);
}

#[test]
fn truncated_at_every_length() {
    let bytes = sample_file();

    // The last tensor contains 34 bytes padded to 64, so cutting only padding
    // leaves a valid file.
    let data_end = bytes.len() - (64 - 34);
    for len in 0..data_end {
        let (_dir, _path, result) = open_bytes(&bytes[..len]);
        assert!(result.is_err(), "file cut to {len} of {} bytes opened", bytes.len());
    }
}

#[test]
fn truncated_data_names_tensor() {
    let bytes = sample_file();
    let (_dir, path, result) = open_bytes(&bytes[..bytes.len() - 40]);

    let error = result.unwrap_err();
    assert!(matches!(error, GgufError::TensorOutOfBounds { .. }), "{error}");
    message_mentions(&error, &path, &["\"b\""]);
}

#[test]
fn unknown_quant_type_names_tensor_and_type() {
    let mut writer = GgufWriter::new();
    writer.tensor("w", &[32], GgmlType::Q8_0, quantize(GgmlType::Q8_0, &[1.0; 32]));
    let mut bytes = writer.to_bytes();

    // The type id is the u32 after the single u64 dimension of "w".
    let record = bytes.windows(1).position(|w| w == b"w").unwrap();
    let type_offset = record + 1 + 4 + 8;
    assert_eq!(&bytes[type_offset..type_offset + 4], &8u32.to_le_bytes());
    bytes[type_offset..type_offset + 4].copy_from_slice(&99u32.to_le_bytes());

    let (_dir, path, result) = open_bytes(&bytes);
    let file = result.unwrap();
    let error = file.tensor("w").unwrap_err();
    assert!(matches!(error, GgufError::UnknownType { type_id: 99, .. }), "{error}");
    message_mentions(&error, &path, &["\"w\"", "99"]);
}

#[test]
fn wrong_shape_names_both_shapes() {
    let (_dir, path, result) = open_bytes(&sample_file());
    let file = result.unwrap();

    let error = file.tensor_with_dims("a", &[64, 3]).unwrap_err();
    message_mentions(&error, &path, &["\"a\"", "[64, 3]", "[64, 2]"]);
    assert!(matches!(file.tensor("zzz").unwrap_err(), GgufError::MissingTensor { .. }));
}

#[test]
fn huge_counts_rejected_before_allocating() {
    let mut bytes = sample_file();
    bytes[8..16].copy_from_slice(&u64::MAX.to_le_bytes());

    let (_dir, _path, result) = open_bytes(&bytes);
    assert!(matches!(result.unwrap_err(), GgufError::Corrupt { .. }));
}

/// Flips random bytes and cuts random lengths: opening and reading every
/// tensor must return, never panic or allocate without bound.
fn mutate_and_read(original: &[u8], seed: u64, rounds: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutated.gguf");

    for _ in 0..rounds {
        let mut bytes = original.to_vec();
        for _ in 0..rng.random_range(1..8) {
            // Most of the interesting structure is in the header and index.
            let limit = if rng.random_bool(0.8) { bytes.len().min(4096) } else { bytes.len() };
            let index = rng.random_range(0..limit);
            bytes[index] = rng.random();
        }
        if rng.random_bool(0.2) {
            let len = rng.random_range(0..bytes.len());
            bytes.truncate(len);
        }

        std::fs::write(&path, &bytes).unwrap();
        if let Ok(file) = GgufFile::open(&path) {
            for info in file.tensors().to_vec() {
                if let Ok(tensor) = file.tensor(&info.name) {
                    let _ = tensor.to_f32();
                }
            }
        }
    }
}

#[test]
fn random_mutations_never_panic() {
    mutate_and_read(&sample_file(), 7, 3000);
}
