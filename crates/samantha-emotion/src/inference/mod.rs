//! A dedicated CPU inference path for the encoder and the emotion head.
//!
//! The burn modules stay the model definition and the training path. This
//! module copies their weights at load time into packed f32 buffers. It
//! runs one sequence at a time at its exact token length, with no padding,
//! no per-operation dispatch and one set of buffers per sequence. The
//! matrix products use an AVX-512 kernel when the CPU has it. Tests compare
//! every step with the burn modules.

#[cfg(target_arch = "x86_64")]
mod avx512;
pub mod bert;
pub mod head;
pub mod isa;
pub mod layer;
pub mod math;
pub mod matmul;
pub mod pool;
pub mod weights;

pub use bert::FastBert;
pub use head::FastEmotionHead;
pub use isa::Isa;
pub use layer::Scratch;
pub use pool::TokenSum;

/// Errors raised while copying weights or running the inference path.
#[derive(Debug, thiserror::Error)]
pub enum InferenceError {
    #[error("failed to read the weights of {name} from the burn module: {message}")]
    Weights { name: String, message: String },
    #[error("a window of {tokens} tokens exceeds the {max_positions} positions of the model")]
    TooManyTokens { tokens: usize, max_positions: usize },
    #[error("token id {id} is outside the vocabulary of {vocab_size} tokens; the tokenizer does not match the model")]
    TokenId { id: usize, vocab_size: usize },
}
