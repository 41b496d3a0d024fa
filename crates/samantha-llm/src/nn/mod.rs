//! The layers of a Llama-architecture decoder, one per file.

mod attention;
mod block;
mod embedding;
mod init;
mod linear;
mod mlp;
mod rms_norm;
mod rope;

pub use attention::{Attention, AttentionConfig};
pub use block::{DecoderBlock, DecoderBlockConfig};
pub use embedding::{Embedding, EmbeddingConfig};
pub use linear::{Linear, LinearConfig, WeightMatrix};
pub use mlp::{Mlp, MlpConfig};
pub use rms_norm::{RmsNorm, RmsNormConfig};
pub use rope::RotaryEncoding;

pub(crate) use init::SeededInit;
pub use init::SeededPacking;
