//! The fused single-token decode path for the CPU backend.
//!
//! Decoding one token through burn runs about 25 small tensor operations
//! per layer, and their allocation and dispatch cost more than the
//! arithmetic. This path runs the same layer stack in plain Rust on
//! buffers allocated once per generation: the packed kernels for every
//! matrix, and RMS norm, rotary encoding, grouped-query attention over the
//! host KV cache and SwiGLU as loops. The burn modules stay the model's
//! definition (prompts, GPU backends and the reference this path is tested
//! against); the prompt pass fills the same host KV cache that this path
//! continues from.

mod attention;
mod decoder;
mod error;
mod math;
mod precision;
mod prompt;
mod prompt_buffers;
mod scratch;
mod weights;

pub use decoder::FusedDecoder;
pub use error::DecodeError;
pub use precision::KvPrecision;
pub use scratch::DecodeScratch;
