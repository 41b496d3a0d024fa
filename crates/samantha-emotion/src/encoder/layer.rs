//! One post-LN transformer layer: self-attention, then feed-forward.

use burn::config::Config;
use burn::module::Module;
use burn::tensor::{Device, Tensor};

use super::attention::{SelfAttention, SelfAttentionConfig};
use super::feed_forward::{FeedForward, FeedForwardConfig};
use super::weights::{Weights, WeightsError};

#[derive(Config, Debug)]
pub struct EncoderLayerConfig {
    pub d_model: usize,
    pub n_heads: usize,
    pub d_ff: usize,
    #[config(default = 1e-12)]
    pub layer_norm_eps: f64,
}

#[derive(Module, Debug)]
pub struct EncoderLayer {
    pub attention: SelfAttention,
    pub feed_forward: FeedForward,
}

impl EncoderLayerConfig {
    fn attention(&self) -> SelfAttentionConfig {
        SelfAttentionConfig::new(self.d_model, self.n_heads).with_layer_norm_eps(self.layer_norm_eps)
    }

    fn feed_forward(&self) -> FeedForwardConfig {
        FeedForwardConfig::new(self.d_model, self.d_ff).with_layer_norm_eps(self.layer_norm_eps)
    }

    /// Builds the layer with random weights.
    pub fn init(&self, device: &Device) -> EncoderLayer {
        EncoderLayer {
            attention: self.attention().init(device),
            feed_forward: self.feed_forward().init(device),
        }
    }

    /// Loads layer `index` from `encoder.layer.{index}.*`.
    pub fn load(&self, weights: &Weights<'_>, index: usize) -> Result<EncoderLayer, WeightsError> {
        let prefix = format!("encoder.layer.{index}");
        Ok(EncoderLayer {
            attention: self.attention().load(weights, &format!("{prefix}.attention"))?,
            feed_forward: self.feed_forward().load(weights, &prefix)?,
        })
    }
}

impl EncoderLayer {
    /// # Shapes
    /// - input: `[batch, seq, d_model]`
    /// - mask_bias: `[batch, 1, 1, seq]`
    /// - output: `[batch, seq, d_model]`
    pub fn forward(&self, input: Tensor<3>, mask_bias: Tensor<4>) -> Tensor<3> {
        let attended = self.attention.forward(input, mask_bias);
        self.feed_forward.forward(attended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::attention::mask_bias;
    use burn::tensor::Distribution;

    #[test]
    fn output_shape_and_padding() {
        let device = Device::flex();
        device.seed(5);
        let layer = EncoderLayerConfig::new(8, 2, 16).init(&device);
        let input = Tensor::<3>::random([1, 3, 8], Distribution::Default, &device);

        let mask = Tensor::<2>::from_data([[1.0f32, 1.0, 0.0]], &device);
        let padded = layer.forward(input.clone(), mask_bias(mask));
        assert_eq!(padded.dims(), [1, 3, 8]);

        let short = layer.forward(input.slice([0..1, 0..2]), mask_bias(Tensor::ones([1, 2], &device)));
        let padded = padded.slice([0..1, 0..2]).into_data().try_to_vec::<f32>().unwrap();
        let short = short.into_data().try_to_vec::<f32>().unwrap();
        for (a, b) in padded.iter().zip(&short) {
            assert!((a - b).abs() < 1e-5);
        }
    }

    #[test]
    fn output_rows_are_normalised() {
        // The layer ends in a layer norm with unit gamma and zero beta, so every
        // output row has mean 0 and variance 1.
        let device = Device::flex();
        device.seed(6);
        let layer = EncoderLayerConfig::new(8, 2, 16).init(&device);
        let input = Tensor::<3>::random([1, 2, 8], Distribution::Default, &device);
        let output = layer
            .forward(input, mask_bias(Tensor::ones([1, 2], &device)))
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        for row in output.chunks(8) {
            let mean = row.iter().sum::<f32>() / 8.0;
            let variance = row.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 8.0;
            assert!(mean.abs() < 1e-5, "{row:?}");
            assert!((variance - 1.0).abs() < 1e-3, "{row:?}");
        }
    }
}
