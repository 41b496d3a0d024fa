//! Errors raised while reading GGUF files.

use std::path::PathBuf;

use crate::types::GgmlType;

/// Errors raised while reading a GGUF file or dequantizing its tensors.
///
/// Every variant names the file and the place in it, so a user can tell a
/// corrupt download from an unsupported model.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    #[error("could not open {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path} is not a GGUF file: magic bytes are {found:?}, expected \"GGUF\"")]
    BadMagic { path: PathBuf, found: [u8; 4] },

    #[error("{path} is not a GGUF file: it has {len} bytes, too few for the 4-byte magic \"GGUF\"")]
    TooShort { path: PathBuf, len: usize },

    #[error("{path} has GGUF version {version}; versions 2 and 3 are supported")]
    UnsupportedVersion { path: PathBuf, version: u32 },

    #[error("{path} is truncated: {what} at byte offset {offset} needs {needed} bytes but the file has {file_len}")]
    Truncated {
        path: PathBuf,
        what: String,
        offset: u64,
        needed: u64,
        file_len: u64,
    },

    #[error("{path} is corrupt at byte offset {offset}: {reason}")]
    Corrupt {
        path: PathBuf,
        offset: u64,
        reason: String,
    },

    #[error("{path}: tensor {tensor:?} has type id {type_id}, which this reader does not support")]
    UnknownType {
        path: PathBuf,
        tensor: String,
        type_id: u32,
    },

    #[error(
        "{path}: tensor {tensor:?} of type {ty} has {elements} elements, not a multiple of its block size {block}"
    )]
    BlockMisaligned {
        path: PathBuf,
        tensor: String,
        ty: GgmlType,
        elements: u64,
        block: usize,
    },

    #[error("{path}: tensor {tensor:?} data ({offset}..{end}) lies outside the file of {file_len} bytes")]
    TensorOutOfBounds {
        path: PathBuf,
        tensor: String,
        offset: u64,
        end: u64,
        file_len: u64,
    },

    #[error("{path}: no tensor named {tensor:?}")]
    MissingTensor { path: PathBuf, tensor: String },

    #[error("{path}: no metadata key {key:?}")]
    MissingKey { path: PathBuf, key: String },

    #[error("{path}: metadata key {key:?} is {found}, expected {expected}")]
    WrongKeyType {
        path: PathBuf,
        key: String,
        expected: &'static str,
        found: &'static str,
    },

    #[error("{path}: tensor {tensor:?} has shape {found:?}, expected {expected:?}")]
    WrongShape {
        path: PathBuf,
        tensor: String,
        expected: Vec<u64>,
        found: Vec<u64>,
    },

    #[error("tensor type {ty} cannot be dequantized by this reader")]
    UnsupportedDequant { ty: GgmlType },

    #[error("could not write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
