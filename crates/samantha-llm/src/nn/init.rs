//! Seeded random weights for tests and tiny configurations.

use std::sync::Arc;

use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use samantha_gguf::GgmlType;
use samantha_gguf::quantize::quantize;

use super::WeightMatrix;
use crate::quant::PackedMatrix;

/// Block types for a seeded model whose matrices are packed as a GGUF
/// file's would be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeededPacking {
    /// Type of the block matrices (attention and feed-forward).
    pub matrices: GgmlType,

    /// Type of the token embedding and the tied output head.
    pub embedding: GgmlType,
}

/// A seeded source of small random weights, so that layer tests and tiny
/// models are the same on every run and every backend.
pub(crate) struct SeededInit {
    rng: StdRng,
    packing: Option<SeededPacking>,
}

impl SeededInit {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            packing: None,
        }
    }

    /// A source whose matrices come out quantized to `packing`'s types.
    pub fn packed(seed: u64, packing: SeededPacking) -> Self {
        Self {
            packing: Some(packing),
            ..Self::new(seed)
        }
    }

    /// Returns a `[rows, cols]` block matrix, dense or packed.
    pub fn matrix(&mut self, rows: usize, cols: usize, scale: f32, device: &Device) -> WeightMatrix {
        let ty = self.packing.map(|packing| packing.matrices);
        self.matrix_of(ty, rows, cols, scale, device)
    }

    /// Returns a `[vocab_size, d_model]` embedding table, dense or packed.
    pub fn embedding_matrix(&mut self, rows: usize, cols: usize, scale: f32, device: &Device) -> WeightMatrix {
        let ty = self.packing.map(|packing| packing.embedding);
        self.matrix_of(ty, rows, cols, scale, device)
    }

    fn matrix_of(&mut self, ty: Option<GgmlType>, rows: usize, cols: usize, scale: f32, device: &Device) -> WeightMatrix {
        match ty {
            Some(ty) => {
                let blocks = quantize(ty, &self.values(rows * cols, scale));
                WeightMatrix::Packed(Arc::new(PackedMatrix::owned(blocks, ty, rows, cols)))
            }
            None => WeightMatrix::Dense(self.tensor([rows, cols], scale, device)),
        }
    }

    /// Returns `count` values drawn uniformly from `[-scale, scale]`.
    pub fn values(&mut self, count: usize, scale: f32) -> Vec<f32> {
        (0..count).map(|_| self.rng.random_range(-scale..=scale)).collect()
    }

    pub fn tensor<const D: usize>(&mut self, shape: [usize; D], scale: f32, device: &Device) -> Tensor<D> {
        let count = shape.iter().product();
        Tensor::from_data(TensorData::new(self.values(count, scale), shape), device)
    }
}
