//! A memory-mapped reader for GGUF model files.
//!
//! GGUF (llama.cpp's model format) stores a header, typed metadata, a tensor
//! index and aligned tensor data. [`GgufFile::open`] maps the file, checks
//! every record against the file size and leaves tensor data in place until
//! a caller reads or dequantizes it. Corrupt input yields a [`GgufError`]
//! that names the file and the offset, tensor or type involved.

mod cursor;
pub mod dequant;
mod error;
pub mod metadata;
pub mod quantize;
mod reader;
mod types;
mod writer;

pub use error::GgufError;
pub use metadata::Value;
pub use reader::{DEFAULT_ALIGNMENT, GgufFile, MAGIC, Tensor, TensorInfo};
pub use types::GgmlType;
pub use writer::GgufWriter;
