//! Copies weights out of the burn modules into plain f32 buffers.

use burn::nn::{LayerNorm as BurnLayerNorm, Linear};
use burn::tensor::Tensor;

use super::InferenceError;
use super::math::LayerNorm;
use super::matmul::PackedMatrix;

/// Returns the values of a burn tensor in row-major order.
pub fn tensor_values<const D: usize>(tensor: Tensor<D>, name: &str) -> Result<Vec<f32>, InferenceError> {
    tensor.into_data().try_to_vec::<f32>().map_err(|error| InferenceError::Weights {
        name: name.to_string(),
        message: format!("{error:?}"),
    })
}

/// A linear layer's weight (`[d_input, d_output]`, as burn stores it) and bias.
pub struct DenseWeights {
    pub d_input: usize,
    pub d_output: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

impl DenseWeights {
    pub fn from_burn(linear: &Linear, name: &str) -> Result<Self, InferenceError> {
        let [d_input, d_output] = linear.weight.dims();
        let weight = tensor_values(linear.weight.val(), name)?;
        let bias = match &linear.bias {
            Some(bias) => tensor_values(bias.val(), name)?,
            None => vec![0.0; d_output],
        };
        Ok(Self { d_input, d_output, weight, bias })
    }

    pub fn pack(&self) -> PackedMatrix {
        PackedMatrix::from_row_major(&self.weight, self.d_input, self.d_output)
    }
}

/// Copies a burn layer norm.
pub fn layer_norm(norm: &BurnLayerNorm, epsilon: f64, name: &str) -> Result<LayerNorm, InferenceError> {
    let gamma = tensor_values(norm.gamma.val(), name)?;
    let beta = match &norm.beta {
        Some(beta) => tensor_values(beta.val(), name)?,
        None => vec![0.0; gamma.len()],
    };
    Ok(LayerNorm {
        gamma,
        beta,
        epsilon: epsilon as f32,
    })
}
