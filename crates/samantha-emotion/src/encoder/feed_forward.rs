//! Position-wise feed-forward block with exact (erf) GELU, residual and layer
//! norm (BERT's `intermediate` and `output`).

use burn::config::Config;
use burn::module::Module;
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::gelu;
use burn::tensor::{Device, Tensor};

use super::params::{load_layer_norm, load_linear};
use super::weights::{Weights, WeightsError};

#[derive(Config, Debug)]
pub struct FeedForwardConfig {
    pub d_model: usize,
    pub d_ff: usize,
    #[config(default = 1e-12)]
    pub layer_norm_eps: f64,
}

#[derive(Module, Debug)]
pub struct FeedForward {
    pub intermediate: Linear,
    pub output: Linear,
    pub norm: LayerNorm,
}

impl FeedForwardConfig {
    /// Builds the block with random weights.
    pub fn init(&self, device: &Device) -> FeedForward {
        assert!(self.d_ff > 0, "d_ff must be at least 1");
        FeedForward {
            intermediate: LinearConfig::new(self.d_model, self.d_ff).init(device),
            output: LinearConfig::new(self.d_ff, self.d_model).init(device),
            norm: LayerNormConfig::new(self.d_model)
                .with_epsilon(self.layer_norm_eps)
                .init(device),
        }
    }

    /// Loads `{prefix}.intermediate.dense` and `{prefix}.output.{dense,LayerNorm}`.
    pub fn load(&self, weights: &Weights<'_>, prefix: &str) -> Result<FeedForward, WeightsError> {
        Ok(FeedForward {
            intermediate: load_linear(weights, &format!("{prefix}.intermediate.dense"), self.d_model, self.d_ff)?,
            output: load_linear(weights, &format!("{prefix}.output.dense"), self.d_ff, self.d_model)?,
            norm: load_layer_norm(weights, &format!("{prefix}.output.LayerNorm"), self.d_model, self.layer_norm_eps)?,
        })
    }
}

impl FeedForward {
    /// # Shapes
    /// - input: `[batch, seq, d_model]`
    /// - output: `[batch, seq, d_model]`
    pub fn forward(&self, input: Tensor<3>) -> Tensor<3> {
        let [batch, seq, d_model] = input.dims();
        // The projections run as plain 2D matrix products over all tokens.
        let rows = input.clone().reshape([batch * seq, d_model]);
        let hidden = gelu(self.intermediate.forward(rows));
        let projected = self.output.forward(hidden).reshape([batch, seq, d_model]);
        self.norm.forward(input + projected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Param;
    use burn::tensor::TensorData;

    #[test]
    fn output_shape() {
        let device = Device::flex();
        device.seed(3);
        let block = FeedForwardConfig::new(8, 16).init(&device);
        let input = Tensor::<3>::zeros([2, 3, 8], &device);
        assert_eq!(block.forward(input).dims(), [2, 3, 8]);
    }

    #[test]
    fn gelu_value_matches_hand_computation() {
        // Zero input weights and a bias of 1 give gelu(1) = 0.8413447 in each of
        // the 16 units; output weights of 1/16 average them back to 0.8413447.
        let device = Device::flex();
        let mut block = FeedForwardConfig::new(8, 16).init(&device);
        block.intermediate = Linear {
            weight: Param::from_tensor(Tensor::zeros([8, 16], &device)),
            bias: Some(Param::from_tensor(Tensor::ones([16], &device))),
        };
        block.output = Linear {
            weight: Param::from_tensor(Tensor::ones([16, 8], &device) / 16.0),
            bias: Some(Param::from_tensor(Tensor::zeros([8], &device))),
        };
        let values: Vec<f32> = (0..8).map(|v| v as f32).collect();
        let input = Tensor::<3>::from_data(TensorData::new(values.clone(), [1, 1, 8]), &device);

        let output = block.forward(input).into_data().try_to_vec::<f32>().unwrap();

        // x + 0.8413447 is normalised like x = 0..7: mean 3.5, variance 5.25.
        let std = 5.25f32.sqrt();
        for (got, x) in output.iter().zip(values) {
            assert!((got - (x - 3.5) / std).abs() < 1e-5, "{output:?}");
        }
        let hidden = gelu(Tensor::<1>::from_data([1.0f32], &device)).into_data().try_to_vec::<f32>().unwrap();
        assert!((hidden[0] - 0.841_344_7).abs() < 1e-6, "{hidden:?}");
    }
}
