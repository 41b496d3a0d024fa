//! An input vector prepared once for several packed matrix-vector products.

use super::kernels::{self, BLOCK};

/// A copy of an input vector with the per-block sums that the Q4_0 and
/// Q4_1 kernels need, computed once and shared by every matrix that
/// multiplies the same vector (query, key and value, or gate and up).
///
/// Buffers are sized at construction, so [`PreparedInput::set`] does not
/// allocate while the length stays within that size.
#[derive(Debug, Clone)]
pub struct PreparedInput {
    values: Vec<f32>,
    block_sums: Vec<f32>,
}

impl PreparedInput {
    /// Creates an empty input with room for `capacity` values.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            values: Vec::with_capacity(capacity),
            block_sums: Vec::with_capacity(capacity.div_ceil(BLOCK)),
        }
    }

    /// Creates an input holding `x`.
    pub fn new(x: &[f32]) -> Self {
        let mut input = Self::with_capacity(x.len());
        input.set(x);
        input
    }

    /// Replaces the held vector with `x` and recomputes the block sums.
    pub fn set(&mut self, x: &[f32]) {
        self.values.clear();
        self.values.extend_from_slice(x);
        kernels::block_sums(x, &mut self.block_sums);
    }

    pub fn values(&self) -> &[f32] {
        &self.values
    }

    pub fn block_sums(&self) -> &[f32] {
        &self.block_sums
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}
