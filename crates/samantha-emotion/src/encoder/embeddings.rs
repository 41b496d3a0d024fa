//! Token, position and segment embeddings followed by a layer norm.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig};
use burn::tensor::{Device, Int, Tensor};

use super::params::load_layer_norm;
use super::weights::{Weights, WeightsError};

#[derive(Config, Debug)]
pub struct EmbeddingsConfig {
    pub vocab_size: usize,
    pub max_positions: usize,
    pub type_vocab_size: usize,
    pub d_model: usize,
    #[config(default = 1e-12)]
    pub layer_norm_eps: f64,
}

/// BERT input embeddings. Every token gets segment 0, as sentence-transformers
/// does for single sentences.
#[derive(Module, Debug)]
pub struct Embeddings {
    pub word: Embedding,
    pub position: Embedding,
    pub token_type: Embedding,
    pub norm: LayerNorm,
}

impl EmbeddingsConfig {
    /// Builds embeddings with random weights.
    pub fn init(&self, device: &Device) -> Embeddings {
        assert!(self.type_vocab_size > 0, "type_vocab_size must be at least 1");
        assert!(self.max_positions > 0, "max_positions must be at least 1");
        Embeddings {
            word: EmbeddingConfig::new(self.vocab_size, self.d_model).init(device),
            position: EmbeddingConfig::new(self.max_positions, self.d_model).init(device),
            token_type: EmbeddingConfig::new(self.type_vocab_size, self.d_model).init(device),
            norm: LayerNormConfig::new(self.d_model)
                .with_epsilon(self.layer_norm_eps)
                .init(device),
        }
    }

    /// Loads the `embeddings.*` tensors of a BERT checkpoint.
    pub fn load(&self, weights: &Weights<'_>) -> Result<Embeddings, WeightsError> {
        let table = |name: &str, rows: usize| -> Result<Embedding, WeightsError> {
            let weight = weights.tensor::<2>(&format!("embeddings.{name}.weight"), [rows, self.d_model])?;
            Ok(Embedding {
                weight: Param::from_tensor(weight),
            })
        };
        Ok(Embeddings {
            word: table("word_embeddings", self.vocab_size)?,
            position: table("position_embeddings", self.max_positions)?,
            token_type: table("token_type_embeddings", self.type_vocab_size)?,
            norm: load_layer_norm(weights, "embeddings.LayerNorm", self.d_model, self.layer_norm_eps)?,
        })
    }
}

impl Embeddings {
    /// Embeds token ids.
    ///
    /// # Shapes
    /// - input_ids: `[batch, seq]`
    /// - output: `[batch, seq, d_model]`
    pub fn forward(&self, input_ids: Tensor<2, Int>) -> Tensor<3> {
        let _span = tracing::trace_span!("embeddings").entered();
        let [_, seq] = input_ids.dims();
        let [max_positions, d_model] = self.position.weight.dims();
        assert!(
            seq <= max_positions,
            "sequence of {seq} tokens exceeds the {max_positions} positions of the model"
        );
        let device = input_ids.device();

        let words = self.word.forward(input_ids);
        let positions = Tensor::<1, Int>::arange(0..seq as i64, &device).reshape([1, seq]);
        let positions = self.position.forward(positions);
        let segment = self
            .token_type
            .weight
            .val()
            .slice([0..1])
            .reshape([1, 1, d_model]);

        self.norm.forward(words + positions + segment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn tiny(device: &Device) -> Embeddings {
        device.seed(7);
        EmbeddingsConfig::new(10, 6, 2, 4).init(device)
    }

    #[test]
    fn output_shape() {
        let device = Device::flex();
        let embeddings = tiny(&device);
        let ids = Tensor::<2, Int>::from_data([[1, 2, 3], [4, 5, 0]], &device);
        assert_eq!(embeddings.forward(ids).dims(), [2, 3, 4]);
    }

    #[test]
    fn value_matches_hand_computation() {
        let device = Device::flex();
        let mut embeddings = tiny(&device);
        let word = Tensor::<2>::from_data(TensorData::new((0..40).map(|v| v as f32 * 0.1).collect::<Vec<_>>(), [10, 4]), &device);
        let position = Tensor::<2>::from_data(TensorData::new(vec![0.5f32; 24], [6, 4]), &device);
        let segment = Tensor::<2>::from_data([[1.0f32, 0.0, -1.0, 0.0], [9.0, 9.0, 9.0, 9.0]], &device);
        embeddings.word.weight = Param::from_tensor(word);
        embeddings.position.weight = Param::from_tensor(position);
        embeddings.token_type.weight = Param::from_tensor(segment);

        let ids = Tensor::<2, Int>::from_data([[2]], &device);
        let output = embeddings.forward(ids).into_data().try_to_vec::<f32>().unwrap();

        // Token 2 is [0.8, 0.9, 1.0, 1.1]; plus 0.5 and segment 0 gives
        // [2.3, 1.4, 0.5, 1.6], whose mean is 1.45 and variance 0.4125.
        let raw = [2.3f32, 1.4, 0.5, 1.6];
        let std = (0.4125f32 + 1e-12).sqrt();
        for (got, x) in output.iter().zip(raw) {
            assert!((got - (x - 1.45) / std).abs() < 1e-5, "{output:?}");
        }
    }

    #[test]
    #[should_panic(expected = "exceeds the 6 positions")]
    fn too_long_sequence_panics() {
        let device = Device::flex();
        let embeddings = tiny(&device);
        let ids = Tensor::<2, Int>::zeros([1, 7], &device);
        let _ = embeddings.forward(ids);
    }
}
