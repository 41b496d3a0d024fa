//! Multi-head self-attention with the post-attention residual and layer norm
//! (BERT's `attention.self` and `attention.output`).

use burn::config::Config;
use burn::module::Module;
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor};

use super::params::{load_layer_norm, load_linear};
use super::weights::{Weights, WeightsError};

/// Value added to the attention scores of padding keys; large enough that
/// their softmax weight is exactly zero in f32.
pub const MASKED_SCORE: f32 = -1.0e9;

#[derive(Config, Debug)]
pub struct SelfAttentionConfig {
    pub d_model: usize,
    pub n_heads: usize,
    #[config(default = 1e-12)]
    pub layer_norm_eps: f64,
}

#[derive(Module, Debug)]
pub struct SelfAttention {
    pub query: Linear,
    pub key: Linear,
    pub value: Linear,
    pub output: Linear,
    pub norm: LayerNorm,
    pub n_heads: usize,
}

impl SelfAttentionConfig {
    fn check(&self) {
        assert!(self.n_heads > 0, "n_heads must be at least 1");
        assert!(
            self.d_model % self.n_heads == 0,
            "d_model {} must be divisible by n_heads {}",
            self.d_model,
            self.n_heads
        );
    }

    /// Builds the layer with random weights.
    pub fn init(&self, device: &Device) -> SelfAttention {
        self.check();
        let linear = || LinearConfig::new(self.d_model, self.d_model).init(device);
        SelfAttention {
            query: linear(),
            key: linear(),
            value: linear(),
            output: linear(),
            norm: LayerNormConfig::new(self.d_model)
                .with_epsilon(self.layer_norm_eps)
                .init(device),
            n_heads: self.n_heads,
        }
    }

    /// Loads `{prefix}.self.{query,key,value}` and `{prefix}.output.{dense,LayerNorm}`.
    pub fn load(&self, weights: &Weights<'_>, prefix: &str) -> Result<SelfAttention, WeightsError> {
        self.check();
        let d = self.d_model;
        Ok(SelfAttention {
            query: load_linear(weights, &format!("{prefix}.self.query"), d, d)?,
            key: load_linear(weights, &format!("{prefix}.self.key"), d, d)?,
            value: load_linear(weights, &format!("{prefix}.self.value"), d, d)?,
            output: load_linear(weights, &format!("{prefix}.output.dense"), d, d)?,
            norm: load_layer_norm(weights, &format!("{prefix}.output.LayerNorm"), d, self.layer_norm_eps)?,
            n_heads: self.n_heads,
        })
    }
}

impl SelfAttention {
    /// Attends over the sequence and applies the residual and layer norm.
    ///
    /// # Shapes
    /// - input: `[batch, seq, d_model]`
    /// - mask_bias: `[batch, 1, 1, seq]`, 0 for tokens and [`MASKED_SCORE`] for padding
    /// - output: `[batch, seq, d_model]`
    pub fn forward(&self, input: Tensor<3>, mask_bias: Tensor<4>) -> Tensor<3> {
        let [batch, seq, d_model] = input.dims();
        let d_head = d_model / self.n_heads;
        // The projections run as plain 2D matrix products over all tokens.
        let rows = input.clone().reshape([batch * seq, d_model]);
        let split_heads = |x: Tensor<2>| x.reshape([batch, seq, self.n_heads, d_head]).swap_dims(1, 2);

        let query = split_heads(self.query.forward(rows.clone()));
        let key = split_heads(self.key.forward(rows.clone()));
        let value = split_heads(self.value.forward(rows));

        let scores = query.matmul(key.swap_dims(2, 3)) / (d_head as f64).sqrt();
        let weights = softmax(scores + mask_bias, 3);
        let context = weights
            .matmul(value)
            .swap_dims(1, 2)
            .reshape([batch * seq, d_model]);
        let projected = self.output.forward(context).reshape([batch, seq, d_model]);

        self.norm.forward(input + projected)
    }
}

/// Builds the additive attention bias from a `[batch, seq]` mask of 1 (token) and 0 (padding).
///
/// # Shapes
/// - mask: `[batch, seq]`
/// - output: `[batch, 1, 1, seq]`
pub fn mask_bias(mask: Tensor<2>) -> Tensor<4> {
    let [batch, seq] = mask.dims();
    ((mask - 1.0) * (-MASKED_SCORE)).reshape([batch, 1, 1, seq])
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Param;
    use burn::tensor::TensorData;

    fn tiny(device: &Device) -> SelfAttention {
        device.seed(11);
        SelfAttentionConfig::new(8, 2).init(device)
    }

    fn identity(device: &Device) -> Linear {
        Linear {
            weight: Param::from_tensor(Tensor::eye(8, device)),
            bias: Some(Param::from_tensor(Tensor::zeros([8], device))),
        }
    }

    #[test]
    fn output_shape() {
        let device = Device::flex();
        let attention = tiny(&device);
        let input = Tensor::<3>::random([2, 5, 8], burn::tensor::Distribution::Default, &device);
        let mask = Tensor::<2>::ones([2, 5], &device);
        assert_eq!(attention.forward(input, mask_bias(mask)).dims(), [2, 5, 8]);
    }

    #[test]
    fn padding_does_not_change_tokens() {
        let device = Device::flex();
        let attention = tiny(&device);
        let input = Tensor::<3>::random([1, 4, 8], burn::tensor::Distribution::Default, &device);
        let padded_mask = Tensor::<2>::from_data([[1.0f32, 1.0, 0.0, 0.0]], &device);
        let padded = attention.forward(input.clone(), mask_bias(padded_mask));
        let short = attention.forward(input.slice([0..1, 0..2]), mask_bias(Tensor::ones([1, 2], &device)));

        let padded = padded.slice([0..1, 0..2]).into_data().try_to_vec::<f32>().unwrap();
        let short = short.into_data().try_to_vec::<f32>().unwrap();
        for (a, b) in padded.iter().zip(&short) {
            assert!((a - b).abs() < 1e-5, "{padded:?} vs {short:?}");
        }
    }

    #[test]
    fn single_token_attends_to_itself() {
        // One token: the softmax weight is 1, so with identity value and output
        // projections the result is layer_norm(x + x).
        let device = Device::flex();
        let mut attention = tiny(&device);
        attention.value = identity(&device);
        attention.output = identity(&device);
        let values: Vec<f32> = (0..8).map(|v| v as f32).collect();
        let input = Tensor::<3>::from_data(TensorData::new(values.clone(), [1, 1, 8]), &device);
        let output = attention
            .forward(input, mask_bias(Tensor::ones([1, 1], &device)))
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();

        // 2x for x = 0..7 has mean 7 and variance 21.
        let std = 21.0f32.sqrt();
        for (got, x) in output.iter().zip(values) {
            assert!((got - (2.0 * x - 7.0) / std).abs() < 1e-5, "{output:?}");
        }
    }

    #[test]
    #[should_panic(expected = "d_model 8 must be divisible by n_heads 3")]
    fn heads_must_divide_width() {
        let _ = SelfAttentionConfig::new(8, 3).init(&Device::flex());
    }
}
