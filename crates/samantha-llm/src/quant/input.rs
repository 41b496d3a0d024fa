//! An input vector prepared once for several packed matrix-vector products.

use super::kernels::{self, BLOCK};
use super::q8::Q8Blocks;

/// Precision of the input vector that the packed kernels read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activations {
    /// As `f32` values: the reference, and what the burn path uses.
    Exact,

    /// Rounded to Q8_1/Q8_0 blocks for Q4_1 and Q8_0 weights, as llama.cpp
    /// multiplies them: integer dot products, faster and closer to
    /// llama.cpp's outputs.
    Int8,
}

/// A copy of an input vector with the per-block sums that the `f32` Q4_0
/// and Q4_1 kernels need and, for [`Activations::Int8`], the 8-bit blocks,
/// computed once and shared by every matrix that multiplies the same
/// vector (query, key and value, or gate and up).
///
/// Buffers are sized at construction, so [`PreparedInput::set`] does not
/// allocate while the length stays within that size.
#[derive(Debug, Clone)]
pub struct PreparedInput {
    values: Vec<f32>,
    block_sums: Vec<f32>,
    quantized: Q8Blocks,
    activations: Activations,
}

impl PreparedInput {
    /// Creates an empty [`Activations::Exact`] input with room for
    /// `capacity` values.
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_activations(capacity, Activations::Exact)
    }

    /// Creates an empty input with room for `capacity` values.
    pub fn with_activations(capacity: usize, activations: Activations) -> Self {
        let quantized = match activations {
            Activations::Exact => Q8Blocks::default(),
            Activations::Int8 => Q8Blocks::with_capacity(capacity),
        };

        Self {
            values: Vec::with_capacity(capacity),
            block_sums: Vec::with_capacity(capacity.div_ceil(BLOCK)),
            quantized,
            activations,
        }
    }

    /// Creates an input holding `x`.
    pub fn new(x: &[f32]) -> Self {
        let mut input = Self::with_capacity(x.len());
        input.set(x);
        input
    }

    /// Replaces the held vector with `x` and recomputes the block sums and,
    /// for [`Activations::Int8`], the 8-bit blocks.
    pub fn set(&mut self, x: &[f32]) {
        self.values.clear();
        self.values.extend_from_slice(x);
        kernels::block_sums(x, &mut self.block_sums);
        if self.activations == Activations::Int8 {
            self.quantized.quantize(x);
        }
    }

    pub fn values(&self) -> &[f32] {
        &self.values
    }

    pub fn block_sums(&self) -> &[f32] {
        &self.block_sums
    }

    /// The vector rounded to 8-bit blocks; empty for
    /// [`Activations::Exact`] or when its length is not a whole number of
    /// blocks.
    pub fn quantized(&self) -> &Q8Blocks {
        &self.quantized
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}
