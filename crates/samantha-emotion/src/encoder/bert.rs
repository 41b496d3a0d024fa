//! The BERT encoder stack: embeddings and transformer layers.

use std::ops::Range;

use burn::module::Module;
use burn::tensor::{Device, Int, Tensor};

use super::attention::mask_bias;
use super::config::EncoderConfig;
use super::embeddings::{Embeddings, EmbeddingsConfig};
use super::layer::{EncoderLayer, EncoderLayerConfig};
use super::weights::{Weights, WeightsError};

#[derive(Module, Debug)]
pub struct Bert {
    pub embeddings: Embeddings,
    pub layers: Vec<EncoderLayer>,
}

fn embeddings_config(config: &EncoderConfig) -> EmbeddingsConfig {
    EmbeddingsConfig::new(config.vocab_size, config.max_positions, config.type_vocab_size, config.d_model)
        .with_layer_norm_eps(config.layer_norm_eps)
}

/// Returns the configuration shared by every layer of `config`.
pub fn layer_config(config: &EncoderConfig) -> EncoderLayerConfig {
    EncoderLayerConfig::new(config.d_model, config.n_heads, config.d_ff)
        .with_layer_norm_eps(config.layer_norm_eps)
}

impl Bert {
    /// Builds an encoder with random weights, for tests.
    pub fn init(config: &EncoderConfig, device: &Device) -> Self {
        Self {
            embeddings: embeddings_config(config).init(device),
            layers: (0..config.n_layers)
                .map(|_| layer_config(config).init(device))
                .collect(),
        }
    }

    /// Loads the embeddings and every layer from a BERT checkpoint.
    pub fn load(config: &EncoderConfig, weights: &Weights<'_>) -> Result<Self, WeightsError> {
        let layer = layer_config(config);
        Ok(Self {
            embeddings: embeddings_config(config).load(weights)?,
            layers: (0..config.n_layers)
                .map(|index| layer.load(weights, index))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Runs the embeddings and the layers in `layers`.
    ///
    /// # Shapes
    /// - input_ids: `[batch, seq]`
    /// - mask: `[batch, seq]`, 1 for tokens and 0 for padding
    /// - output: `[batch, seq, d_model]`
    pub fn forward_layers(&self, input_ids: Tensor<2, Int>, mask: Tensor<2>, layers: Range<usize>) -> Tensor<3> {
        assert!(
            layers.end <= self.layers.len(),
            "layer range {layers:?} exceeds the {} layers of the encoder",
            self.layers.len()
        );
        let bias = mask_bias(mask);
        let mut hidden = self.embeddings.forward(input_ids);
        for index in layers {
            let _span = tracing::trace_span!("encoder_layer", index).entered();
            hidden = self.layers[index].forward(hidden, bias.clone());
        }
        hidden
    }

    /// Runs the whole encoder.
    ///
    /// # Shapes
    /// - input_ids: `[batch, seq]`
    /// - mask: `[batch, seq]`
    /// - output: `[batch, seq, d_model]`
    pub fn forward(&self, input_ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        let layers = 0..self.layers.len();
        self.forward_layers(input_ids, mask, layers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_shape() {
        let device = Device::flex();
        device.seed(1);
        let bert = Bert::init(&EncoderConfig::tiny(), &device);
        let ids = Tensor::<2, Int>::from_data([[1, 5, 2, 0], [1, 7, 8, 2]], &device);
        let mask = Tensor::<2>::from_data([[1.0f32, 1.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]], &device);
        assert_eq!(bert.forward(ids, mask).dims(), [2, 4, 8]);
    }

    #[test]
    fn batched_padding_matches_single() {
        let device = Device::flex();
        device.seed(2);
        let bert = Bert::init(&EncoderConfig::tiny(), &device);
        let ids = Tensor::<2, Int>::from_data([[1, 5, 2, 0, 0], [1, 7, 8, 9, 2]], &device);
        let mask = Tensor::<2>::from_data([[1.0f32, 1.0, 1.0, 0.0, 0.0], [1.0; 5]], &device);
        let batched = bert.forward(ids, mask).slice([0..1, 0..3]);

        let single_ids = Tensor::<2, Int>::from_data([[1, 5, 2]], &device);
        let single = bert.forward(single_ids, Tensor::ones([1, 3], &device));

        let batched = batched.into_data().try_to_vec::<f32>().unwrap();
        let single = single.into_data().try_to_vec::<f32>().unwrap();
        for (a, b) in batched.iter().zip(&single) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
    }

    #[test]
    #[should_panic(expected = "exceeds the 2 layers")]
    fn layer_range_is_checked() {
        let device = Device::flex();
        let bert = Bert::init(&EncoderConfig::tiny(), &device);
        let ids = Tensor::<2, Int>::from_data([[1, 2]], &device);
        let _ = bert.forward_layers(ids, Tensor::ones([1, 2], &device), 0..3);
    }
}
