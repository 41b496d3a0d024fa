//! One BERT layer on plain f32 buffers: self-attention with residual and
//! layer norm, then the GELU feed-forward block with residual and layer norm.

use super::InferenceError;
use super::isa::Isa;
use super::math::{LayerNorm, gelu, softmax};
use super::matmul::{PackedMatrix, Rows, matmul};
use super::weights::{DenseWeights, layer_norm};
use crate::encoder::layer::EncoderLayer;

/// Weights of one layer, packed for [`matmul`].
pub struct FastLayer {
    d_model: usize,
    n_heads: usize,
    /// Query, key and value projections side by side: `[d_model, 3 * d_model]`.
    qkv: PackedMatrix,
    qkv_bias: Vec<f32>,
    attention_output: PackedMatrix,
    attention_output_bias: Vec<f32>,
    attention_norm: LayerNorm,
    intermediate: PackedMatrix,
    intermediate_bias: Vec<f32>,
    output: PackedMatrix,
    output_bias: Vec<f32>,
    output_norm: LayerNorm,
}

/// Buffers reused across the layers of one sequence.
#[derive(Default)]
pub struct Scratch {
    qkv: Vec<f32>,
    scores: Vec<f32>,
    context: Vec<f32>,
    projected: Vec<f32>,
    intermediate: Vec<f32>,
    keys: PackedMatrix,
    values: PackedMatrix,
}

fn resize(buffer: &mut Vec<f32>, length: usize) {
    buffer.clear();
    buffer.resize(length, 0.0);
}

impl FastLayer {
    /// Copies and packs the weights of a burn layer.
    pub fn from_burn(layer: &EncoderLayer, layer_norm_eps: f64, name: &str) -> Result<Self, InferenceError> {
        let attention = &layer.attention;
        let query = DenseWeights::from_burn(&attention.query, &format!("{name}.query"))?;
        let key = DenseWeights::from_burn(&attention.key, &format!("{name}.key"))?;
        let value = DenseWeights::from_burn(&attention.value, &format!("{name}.value"))?;
        let d_model = query.d_input;

        // Row k of the fused matrix is row k of query, key and value in turn.
        let mut fused = Vec::with_capacity(d_model * 3 * d_model);
        for row in 0..d_model {
            for part in [&query, &key, &value] {
                fused.extend_from_slice(&part.weight[row * d_model..(row + 1) * d_model]);
            }
        }
        let qkv_bias = [query.bias.as_slice(), &key.bias, &value.bias].concat();

        let attention_output = DenseWeights::from_burn(&attention.output, &format!("{name}.attention_output"))?;
        let intermediate = DenseWeights::from_burn(&layer.feed_forward.intermediate, &format!("{name}.intermediate"))?;
        let output = DenseWeights::from_burn(&layer.feed_forward.output, &format!("{name}.output"))?;

        Ok(Self {
            d_model,
            n_heads: attention.n_heads,
            qkv: PackedMatrix::from_row_major(&fused, d_model, 3 * d_model),
            qkv_bias,
            attention_output: attention_output.pack(),
            attention_output_bias: attention_output.bias,
            attention_norm: layer_norm(&attention.norm, layer_norm_eps, &format!("{name}.attention_norm"))?,
            intermediate: intermediate.pack(),
            intermediate_bias: intermediate.bias,
            output: output.pack(),
            output_bias: output.bias,
            output_norm: layer_norm(&layer.feed_forward.norm, layer_norm_eps, &format!("{name}.output_norm"))?,
        })
    }

    /// Runs the layer in place on `hidden`, `[tokens, d_model]` row-major,
    /// where every token attends to every other (no padding).
    pub fn forward(&self, isa: Isa, hidden: &mut [f32], scratch: &mut Scratch) {
        let d_model = self.d_model;
        let tokens = hidden.len() / d_model;
        let d_head = d_model / self.n_heads;
        let scale = 1.0 / (d_head as f32).sqrt();

        resize(&mut scratch.qkv, tokens * 3 * d_model);
        matmul(isa, Rows::new(hidden, tokens, d_model), &self.qkv, Some(&self.qkv_bias), Rows::new_mut(&mut scratch.qkv, tokens, 3 * d_model));

        resize(&mut scratch.scores, tokens * tokens);
        resize(&mut scratch.context, tokens * d_model);
        let qkv = &scratch.qkv;
        let stride = 3 * d_model;
        for head in 0..self.n_heads {
            let query = head * d_head;
            let key = d_model + head * d_head;
            let value = 2 * d_model + head * d_head;

            // scores = Q_h K_hᵀ, with K_hᵀ packed as a `[d_head, tokens]` matrix.
            scratch.keys.repack(d_head, tokens, |row, column| qkv[column * stride + key + row]);
            matmul(isa, Rows::new(&qkv[query..], tokens, stride), &scratch.keys, None, Rows::new_mut(&mut scratch.scores, tokens, tokens));
            for row in scratch.scores.chunks_exact_mut(tokens) {
                softmax(isa, row, scale);
            }

            // context_h = softmax(scores) V_h, written into the head's columns.
            scratch.values.repack(tokens, d_head, |row, column| qkv[row * stride + value + column]);
            matmul(isa, Rows::new(&scratch.scores, tokens, tokens), &scratch.values, None, Rows::new_mut(&mut scratch.context[query..], tokens, d_model));
        }

        resize(&mut scratch.projected, tokens * d_model);
        matmul(isa, Rows::new(&scratch.context, tokens, d_model), &self.attention_output, Some(&self.attention_output_bias), Rows::new_mut(&mut scratch.projected, tokens, d_model));
        add_in_place(hidden, &scratch.projected);
        self.attention_norm.apply(hidden);

        let d_ff = self.intermediate.columns();
        resize(&mut scratch.intermediate, tokens * d_ff);
        matmul(isa, Rows::new(hidden, tokens, d_model), &self.intermediate, Some(&self.intermediate_bias), Rows::new_mut(&mut scratch.intermediate, tokens, d_ff));
        gelu(isa, &mut scratch.intermediate);
        matmul(isa, Rows::new(&scratch.intermediate, tokens, d_ff), &self.output, Some(&self.output_bias), Rows::new_mut(&mut scratch.projected, tokens, d_model));
        add_in_place(hidden, &scratch.projected);
        self.output_norm.apply(hidden);
    }
}

fn add_in_place(target: &mut [f32], addend: &[f32]) {
    for (value, add) in target.iter_mut().zip(addend) {
        *value += add;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::attention::mask_bias;
    use crate::encoder::layer::EncoderLayerConfig;
    use burn::tensor::{Device, Distribution, Tensor};

    #[test]
    fn matches_burn_layer() {
        let device = Device::flex();
        device.seed(21);
        let burn_layer = EncoderLayerConfig::new(64, 4, 128).init(&device);
        let fast = FastLayer::from_burn(&burn_layer, 1e-12, "layer").unwrap();

        let tokens = 7;
        let input = Tensor::<3>::random([1, tokens, 64], Distribution::Normal(0.0, 1.0), &device);
        let values = input.clone().into_data().try_to_vec::<f32>().unwrap();
        let expected = burn_layer
            .forward(input, mask_bias(Tensor::ones([1, tokens], &device)))
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();

        for isa in Isa::supported() {
            let mut hidden = values.clone();
            fast.forward(isa, &mut hidden, &mut Scratch::default());
            let max_difference = hidden.iter().zip(&expected).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
            assert!(max_difference < 1e-4, "{isa:?}: max difference {max_difference}");
        }

        // The check itself can fail: a different input gives a different output.
        let mut other = values;
        other[0] += 1.0;
        fast.forward(Isa::Portable, &mut other, &mut Scratch::default());
        assert!(other.iter().zip(&expected).any(|(a, b)| (a - b).abs() > 1e-3));
    }
}
