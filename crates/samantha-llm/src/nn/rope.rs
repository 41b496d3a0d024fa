//! Rotary position encoding in the GGUF layout.
//!
//! llama.cpp's converter permutes the query and key weights of
//! llama-architecture models so that each rotated pair is two adjacent
//! values `(x[2i], x[2i+1])`, not the two halves of the head as in the
//! Hugging Face layout. Pair `i` at position `p` turns by `p * base^(-2i/d)`.

use burn::tensor::{Device, Tensor, TensorData};

/// Cosine and sine tables for every position up to a maximum.
#[derive(Debug, Clone)]
pub struct RotaryEncoding {
    cos: Tensor<2>,
    sin: Tensor<2>,
    max_positions: usize,
}

impl RotaryEncoding {
    /// Builds tables for `max_positions` positions and heads of `head_dim`.
    ///
    /// # Panics
    /// Panics when `head_dim` is odd or `base` is not above 1.
    pub fn new(head_dim: usize, base: f64, max_positions: usize, device: &Device) -> Self {
        assert!(head_dim % 2 == 0, "rotary head dimension must be even, got {head_dim}");
        assert!(base > 1.0, "rotary base frequency must be above 1, got {base}");

        let pairs = head_dim / 2;
        let mut cos = Vec::with_capacity(max_positions * pairs);
        let mut sin = Vec::with_capacity(max_positions * pairs);
        for position in 0..max_positions {
            for pair in 0..pairs {
                let frequency = base.powf(-2.0 * pair as f64 / head_dim as f64);
                let angle = position as f64 * frequency;
                cos.push(angle.cos() as f32);
                sin.push(angle.sin() as f32);
            }
        }

        Self {
            cos: Tensor::from_data(TensorData::new(cos, [max_positions, pairs]), device),
            sin: Tensor::from_data(TensorData::new(sin, [max_positions, pairs]), device),
            max_positions,
        }
    }

    pub fn max_positions(&self) -> usize {
        self.max_positions
    }

    /// Rotates `input` whose first position is `start`.
    ///
    /// # Shapes
    /// - input: `[batch, heads, positions, head_dim]`
    /// - output: same as the input
    pub fn apply(&self, input: Tensor<4>, start: usize) -> Tensor<4> {
        let [batch, heads, positions, head_dim] = input.dims();
        let pairs = head_dim / 2;
        assert!(
            start + positions <= self.max_positions,
            "positions {start}..{} exceed the rotary table of {}",
            start + positions,
            self.max_positions
        );

        let cos = self.cos.clone().slice([start..start + positions, 0..pairs]).reshape([1, 1, positions, pairs, 1]);
        let sin = self.sin.clone().slice([start..start + positions, 0..pairs]).reshape([1, 1, positions, pairs, 1]);

        let pairs_view = input.reshape([batch, heads, positions, pairs, 2]);
        let even = pairs_view.clone().slice([0..batch, 0..heads, 0..positions, 0..pairs, 0..1]);
        let odd = pairs_view.slice([0..batch, 0..heads, 0..positions, 0..pairs, 1..2]);

        let rotated_even = even.clone() * cos.clone() - odd.clone() * sin.clone();
        let rotated_odd = even * sin + odd * cos;

        Tensor::cat(vec![rotated_even, rotated_odd], 4).reshape([batch, heads, positions, head_dim])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_adjacent_pairs() {
        let device = Device::flex();
        let rope = RotaryEncoding::new(4, 10000.0, 8, &device);
        let input = Tensor::from_data(TensorData::new(vec![1.0f32, 0.0, 1.0, 0.0], [1, 1, 1, 4]), &device);

        let output = rope.apply(input, 3).into_data().try_into_vec::<f32>().unwrap();

        // Pair 0 turns by 3 radians, pair 1 by 3 / 100.
        let expected = [3.0f32.cos(), 3.0f32.sin(), 0.03f32.cos(), 0.03f32.sin()];
        for (value, expected) in output.iter().zip(expected) {
            assert!((value - expected).abs() < 1e-5, "{value} vs {expected}");
        }
    }

    #[test]
    fn position_zero_is_identity() {
        let device = Device::flex();
        let rope = RotaryEncoding::new(4, 10000.0, 2, &device);
        let values = vec![0.5f32, -1.0, 2.0, 3.0];
        let input = Tensor::from_data(TensorData::new(values.clone(), [1, 1, 1, 4]), &device);

        assert_eq!(rope.apply(input, 0).into_data().try_into_vec::<f32>().unwrap(), values);
    }
}
