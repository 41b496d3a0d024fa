//! Token embedding table.

use std::sync::Arc;

use burn::module::{Module, Param};
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::{SeededInit, WeightMatrix};
use crate::quant::PackedMatrix;

/// Configuration of an [`Embedding`] table.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddingConfig {
    pub vocab_size: usize,
    pub d_model: usize,
}

impl EmbeddingConfig {
    pub fn new(vocab_size: usize, d_model: usize) -> Self {
        Self { vocab_size, d_model }
    }

    pub(crate) fn init(&self, init: &mut SeededInit, device: &Device) -> Embedding {
        assert!(self.vocab_size > 0 && self.d_model > 0, "embedding needs non-zero sizes, got {self:?}");
        self.init_with(init.embedding_matrix(self.vocab_size, self.d_model, 1.0, device))
    }

    /// Creates a table around a loaded `[vocab_size, d_model]` weight.
    ///
    /// # Panics
    /// Panics when the weight's shape differs from the configuration.
    pub fn init_with(&self, weight: WeightMatrix) -> Embedding {
        let shape = match &weight {
            WeightMatrix::Dense(tensor) => tensor.dims(),
            WeightMatrix::Packed(matrix) => [matrix.rows(), matrix.cols()],
        };
        assert_eq!(
            shape,
            [self.vocab_size, self.d_model],
            "embedding weight has shape {shape:?}, expected [{}, {}]",
            self.vocab_size,
            self.d_model
        );

        match weight {
            WeightMatrix::Dense(tensor) => Embedding {
                weight: Some(Param::from_tensor(tensor)),
                packed: None,
            },
            WeightMatrix::Packed(matrix) => Embedding {
                weight: None,
                packed: Some(matrix),
            },
        }
    }
}

/// Maps token ids to vectors.
#[derive(Module, Debug)]
pub struct Embedding {
    weight: Option<Param<Tensor<2>>>,

    #[module(skip)]
    packed: Option<Arc<PackedMatrix>>,
}

impl Embedding {
    /// Looks up the vectors of `tokens`.
    ///
    /// # Shapes
    /// - tokens: `[batch, positions]`
    /// - output: `[batch, positions, d_model]`
    pub fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        let [batch, positions] = tokens.dims();

        match (&self.weight, &self.packed) {
            (Some(weight), _) => {
                let weight = weight.val();
                let d_model = weight.dims()[1];
                weight.select(0, tokens.reshape([batch * positions])).reshape([batch, positions, d_model])
            }
            (None, Some(packed)) => {
                let device = tokens.device();
                let ids = tokens.into_data().convert::<i64>().try_into_vec::<i64>().expect("token ids are integers");
                let d_model = packed.cols();

                let mut values = vec![0.0f32; ids.len() * d_model];
                for (&id, row) in ids.iter().zip(values.chunks_exact_mut(d_model)) {
                    packed.dequantize_row(id as usize, row);
                }
                Tensor::from_data(TensorData::new(values, [batch, positions, d_model]), &device)
            }
            (None, None) => unreachable!("an embedding always has a weight"),
        }
    }

    /// Returns the quantized table, or `None` for a dense one.
    pub fn packed(&self) -> Option<&Arc<PackedMatrix>> {
        self.packed.as_ref()
    }

    /// The same weight, for an output head tied to the embedding.
    pub fn weight(&self) -> WeightMatrix {
        match (&self.weight, &self.packed) {
            (Some(weight), _) => WeightMatrix::Dense(weight.val()),
            (None, Some(packed)) => WeightMatrix::Packed(packed.clone()),
            (None, None) => unreachable!("an embedding always has a weight"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_returns_rows() {
        let device = Device::flex();
        let weight = Tensor::from_data(TensorData::new((0..12).map(|v| v as f32).collect::<Vec<_>>(), [4, 3]), &device);
        let embedding = EmbeddingConfig::new(4, 3).init_with(WeightMatrix::Dense(weight));

        let tokens = Tensor::<2, Int>::from_data(TensorData::new(vec![2i64, 0], [1, 2]), &device);
        let output = embedding.forward(tokens);

        assert_eq!(output.dims(), [1, 2, 3]);
        assert_eq!(output.into_data().try_into_vec::<f32>().unwrap(), vec![6.0, 7.0, 8.0, 0.0, 1.0, 2.0]);
    }
}
