//! The packed weights of the fused decode path, shared with the burn
//! modules.

use std::sync::Arc;

use crate::nn::{DecoderBlock, Embedding, Linear, RmsNorm};
use crate::quant::PackedMatrix;

/// The weights of one decoder block. Matrices are the same packed blocks
/// that the burn modules hold; only the small norm gains are copied.
#[derive(Debug)]
pub struct LayerWeights {
    pub attention_norm: Vec<f32>,
    pub query: Arc<PackedMatrix>,
    pub key: Arc<PackedMatrix>,
    pub value: Arc<PackedMatrix>,
    pub output: Arc<PackedMatrix>,
    pub mlp_norm: Vec<f32>,
    pub gate: Arc<PackedMatrix>,
    pub up: Arc<PackedMatrix>,
    pub down: Arc<PackedMatrix>,
}

impl LayerWeights {
    /// Returns `None` when any matrix of the block is dense.
    pub fn from_block(block: &DecoderBlock) -> Option<Self> {
        let attention = block.attention();
        let mlp = block.mlp();

        Some(Self {
            attention_norm: block.attention_norm().gain_values(),
            query: packed(attention.query())?,
            key: packed(attention.key())?,
            value: packed(attention.value())?,
            output: packed(attention.output())?,
            mlp_norm: block.mlp_norm().gain_values(),
            gate: packed(mlp.gate())?,
            up: packed(mlp.up())?,
            down: packed(mlp.down())?,
        })
    }
}

/// The weights of the whole decoder.
#[derive(Debug)]
pub struct ModelWeights {
    pub embedding: Arc<PackedMatrix>,
    pub layers: Vec<LayerWeights>,
    pub norm: Vec<f32>,
    pub head: Arc<PackedMatrix>,
}

impl ModelWeights {
    /// Returns `None` when any matrix is dense (GPU backends, seeded test
    /// models without packing).
    pub fn from_modules(embedding: &Embedding, blocks: &[DecoderBlock], norm: &RmsNorm, head: &Linear) -> Option<Self> {
        let layers = blocks.iter().map(LayerWeights::from_block).collect::<Option<Vec<_>>>()?;

        Some(Self {
            embedding: embedding.packed()?.clone(),
            layers,
            norm: norm.gain_values(),
            head: packed(head)?,
        })
    }
}

fn packed(linear: &Linear) -> Option<Arc<PackedMatrix>> {
    linear.packed().cloned()
}
