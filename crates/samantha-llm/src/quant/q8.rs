//! Activation vectors rounded to 8 bits per value, as llama.cpp (ggml)
//! rounds them before a dot product with Q4_1 or Q8_0 weights.
//!
//! Each block of 32 values gets a scale `d = max|x| / 127`, and values
//! become `round(x * 127 / max|x|)` with ties to even, as ggml's AVX2
//! `quantize_row_q8_1` and `quantize_row_q8_0` compute them. The scale and
//! ggml's Q8_1 block sum `s = d * Σq` are rounded to f16 as ggml stores
//! them, and kept here as `f32`.

use half::f16;

use super::kernels::BLOCK;

/// A vector quantized to Q8_1 blocks (a Q8_0 block is the same without the
/// sum).
#[derive(Debug, Clone, Default)]
pub struct Q8Blocks {
    values: Vec<i8>,
    scales: Vec<f32>,
    sums: Vec<f32>,
}

impl Q8Blocks {
    /// Creates empty blocks with room for `capacity` values.
    pub fn with_capacity(capacity: usize) -> Self {
        let blocks = capacity.div_ceil(BLOCK);
        Self {
            values: Vec::with_capacity(blocks * BLOCK),
            scales: Vec::with_capacity(blocks),
            sums: Vec::with_capacity(blocks),
        }
    }

    /// Quantizes `x`; a length that is not a whole number of blocks leaves
    /// the blocks empty, since no 8-bit kernel can use them.
    pub fn quantize(&mut self, x: &[f32]) {
        self.values.clear();
        self.scales.clear();
        self.sums.clear();
        if x.len() % BLOCK != 0 {
            return;
        }

        for block in x.chunks_exact(BLOCK) {
            let max = block.iter().fold(0.0f32, |max, value| max.max(value.abs()));
            let scale = max / 127.0;
            let inverse = if max != 0.0 { 127.0 / max } else { 0.0 };

            let mut sum = 0i32;
            for &value in block {
                let quantized = round_ties_even_small(value * inverse) as i8;
                sum += i32::from(quantized);
                self.values.push(quantized);
            }

            self.scales.push(f16::from_f32(scale).to_f32());
            self.sums.push(f16::from_f32(scale * sum as f32).to_f32());
        }
    }

    /// The quantized values, 32 per block.
    pub fn values(&self) -> &[i8] {
        &self.values
    }

    /// The scale `d` of each block.
    pub fn scales(&self) -> &[f32] {
        &self.scales
    }

    /// `d * Σq` of each block (Q8_1's `s`).
    pub fn sums(&self) -> &[f32] {
        &self.sums
    }

    /// Number of quantized values; 0 when the input did not fill whole
    /// blocks.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Rounds `value` to the nearest integer, ties to even, for `|value|` up
/// to 2^22. Adding and subtracting 1.5 * 2^23 leaves no fraction bits, so
/// the addition rounds in the processor's default mode, which is ties to
/// even. It equals `f32::round_ties_even` there, which without SSE4.1
/// compiles to a library call per value.
#[inline]
fn round_ties_even_small(value: f32) -> f32 {
    const SHIFT: f32 = 12_582_912.0;
    (value + SHIFT) - SHIFT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_rounds_to_block_scale() {
        let mut x: Vec<f32> = (0..32).map(|i| i as f32 - 16.0).collect();
        x[5] = 0.5 * 16.0 / 127.0 * 3.0;
        let mut blocks = Q8Blocks::default();
        blocks.quantize(&x);

        assert_eq!(blocks.scales(), &[f16::from_f32(16.0 / 127.0).to_f32()]);
        assert_eq!(blocks.values()[0], -127);
        assert_eq!(blocks.values()[31], 119);
        // 1.5 rounds to the even 2.
        assert_eq!(blocks.values()[5], 2);
        let sum: i32 = blocks.values().iter().map(|&q| i32::from(q)).sum();
        assert_eq!(blocks.sums(), &[f16::from_f32(16.0 / 127.0 * sum as f32).to_f32()]);
    }

    #[test]
    fn small_rounding_equals_round_ties_even() {
        let mut value = -130.0f32;
        while value <= 130.0 {
            assert_eq!(round_ties_even_small(value), value.round_ties_even(), "{value}");
            value += 0.125;
        }
        for value in [0.5, 1.5, 2.5, -0.5, -2.5, 126.5, -127.5, 0.499_999_97, 4_194_303.5] {
            assert_eq!(round_ties_even_small(value), value.round_ties_even(), "{value}");
        }
    }

    #[test]
    fn quantize_keeps_zero_blocks_and_skips_partial_blocks() {
        let mut blocks = Q8Blocks::default();
        blocks.quantize(&[0.0; 32]);
        assert_eq!(blocks.values(), &[0; 32]);
        assert_eq!(blocks.scales(), &[0.0]);

        blocks.quantize(&[1.0; 33]);
        assert!(blocks.is_empty());
    }
}
