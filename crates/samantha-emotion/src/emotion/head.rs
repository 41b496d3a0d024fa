//! The trainable part of the emotion model: the top encoder layers, mean
//! pooling, dropout and a linear classifier over the seven labels.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

use super::label::EMOTION_COUNT;
use crate::encoder::attention::mask_bias;
use crate::encoder::bert::layer_config;
use crate::encoder::config::EncoderConfig;
use crate::encoder::layer::EncoderLayer;
use crate::encoder::params::load_linear;
use crate::encoder::pooling::mean_pool;
use crate::encoder::weights::{Weights, WeightsError};

/// Name prefix of the classifier tensors in the assets file.
pub const CLASSIFIER_PREFIX: &str = "classifier";

#[derive(Config, Debug)]
pub struct EmotionHeadConfig {
    /// Index of the first encoder layer that belongs to the head; the layers
    /// below it stay frozen in the base encoder.
    pub first_layer: usize,
    #[config(default = 0.1)]
    pub dropout: f64,
}

#[derive(Module, Debug)]
pub struct EmotionHead {
    pub layers: Vec<EncoderLayer>,
    pub dropout: Dropout,
    pub classifier: Linear,
}

impl EmotionHeadConfig {
    fn check(&self, config: &EncoderConfig) {
        assert!(
            self.first_layer < config.n_layers,
            "first_layer {} must be below the {} layers of the encoder",
            self.first_layer,
            config.n_layers
        );
    }

    /// Builds a head from the base checkpoint's top layers and a random
    /// classifier, on the device of `weights`.
    ///
    /// NOTE: to train the head, read `weights` on an autodiff device. burn
    /// 0.22 keeps a parameter's autodiff context when a module is moved, so
    /// parameters built on a plain device are not tracked after the Learner
    /// moves them.
    pub fn init_from_base(&self, config: &EncoderConfig, weights: &Weights<'_>) -> Result<EmotionHead, WeightsError> {
        self.check(config);
        let layer = layer_config(config);
        Ok(EmotionHead {
            layers: (self.first_layer..config.n_layers)
                .map(|index| layer.load(weights, index))
                .collect::<Result<_, _>>()?,
            dropout: DropoutConfig::new(self.dropout).init(),
            classifier: LinearConfig::new(config.d_model, EMOTION_COUNT).init(weights.device()),
        })
    }

    /// Builds a head with random weights, for tests.
    pub fn init(&self, config: &EncoderConfig, device: &Device) -> EmotionHead {
        self.check(config);
        EmotionHead {
            layers: (self.first_layer..config.n_layers)
                .map(|_| layer_config(config).init(device))
                .collect(),
            dropout: DropoutConfig::new(self.dropout).init(),
            classifier: LinearConfig::new(config.d_model, EMOTION_COUNT).init(device),
        }
    }

    /// Loads the layers `encoder.layer.{first_layer..}` and the classifier.
    pub fn load(&self, config: &EncoderConfig, weights: &Weights<'_>) -> Result<EmotionHead, WeightsError> {
        self.check(config);
        let layer = layer_config(config);
        Ok(EmotionHead {
            layers: (self.first_layer..config.n_layers)
                .map(|index| layer.load(weights, index))
                .collect::<Result<_, _>>()?,
            dropout: DropoutConfig::new(self.dropout).init(),
            classifier: load_linear(weights, CLASSIFIER_PREFIX, config.d_model, EMOTION_COUNT)?,
        })
    }
}

impl EmotionHead {
    /// Runs the head's encoder layers on the frozen layers' output.
    ///
    /// # Shapes
    /// - hidden: `[batch, seq, d_model]`
    /// - mask: `[batch, seq]`
    /// - output: `[batch, seq, d_model]`
    pub fn encode(&self, hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<3> {
        let bias = mask_bias(mask);
        let mut hidden = hidden;
        for layer in &self.layers {
            hidden = layer.forward(hidden, bias.clone());
        }
        hidden
    }

    /// Maps pooled sentence vectors to label logits.
    ///
    /// # Shapes
    /// - pooled: `[batch, d_model]`
    /// - output: `[batch, 7]`
    pub fn classify(&self, pooled: Tensor<2>) -> Tensor<2> {
        self.classifier.forward(self.dropout.forward(pooled))
    }

    /// Encodes, mean-pools and classifies.
    ///
    /// # Shapes
    /// - hidden: `[batch, seq, d_model]`
    /// - mask: `[batch, seq]`
    /// - output: `[batch, 7]`
    pub fn forward(&self, hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
        let encoded = self.encode(hidden, mask.clone());
        self.classify(mean_pool(encoded, mask))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

    #[test]
    fn logits_shape() {
        let device = Device::flex();
        device.seed(9);
        let config = EncoderConfig::tiny();
        let head = EmotionHeadConfig::new(1).init(&config, &device);
        assert_eq!(head.layers.len(), 1);
        let hidden = Tensor::<3>::random([3, 4, 8], Distribution::Default, &device);
        let mask = Tensor::<2>::ones([3, 4], &device);
        assert_eq!(head.forward(hidden, mask).dims(), [3, 7]);
    }

    #[test]
    fn padding_does_not_change_logits() {
        let device = Device::flex();
        device.seed(10);
        let config = EncoderConfig::tiny();
        let head = EmotionHeadConfig::new(1).init(&config, &device);
        let hidden = Tensor::<3>::random([1, 4, 8], Distribution::Default, &device);
        let padded = head.forward(hidden.clone(), Tensor::from_data([[1.0f32, 1.0, 0.0, 0.0]], &device));
        let short = head.forward(hidden.slice([0..1, 0..2]), Tensor::ones([1, 2], &device));
        let padded = padded.into_data().try_to_vec::<f32>().unwrap();
        let short = short.into_data().try_to_vec::<f32>().unwrap();
        for (a, b) in padded.iter().zip(&short) {
            assert!((a - b).abs() < 1e-5);
        }
    }

    #[test]
    #[should_panic(expected = "first_layer 2 must be below the 2 layers")]
    fn first_layer_is_checked() {
        let _ = EmotionHeadConfig::new(2).init(&EncoderConfig::tiny(), &Device::flex());
    }
}
