//! Builds burn-nn layers from Hugging Face tensors.

use burn::module::Param;
use burn::nn::{LayerNorm, LayerNormConfig, Linear};

use super::weights::{Weights, WeightsError};

/// Loads `{prefix}.weight` (`[d_output, d_input]` in PyTorch order) and
/// `{prefix}.bias` into a [`Linear`], whose weight is `[d_input, d_output]`.
pub fn load_linear(
    weights: &Weights<'_>,
    prefix: &str,
    d_input: usize,
    d_output: usize,
) -> Result<Linear, WeightsError> {
    let weight = weights.tensor::<2>(&format!("{prefix}.weight"), [d_output, d_input])?;
    let bias = weights.tensor::<1>(&format!("{prefix}.bias"), [d_output])?;
    Ok(Linear {
        weight: Param::from_tensor(weight.transpose()),
        bias: Some(Param::from_tensor(bias)),
    })
}

/// Loads `{prefix}.weight` and `{prefix}.bias` into a [`LayerNorm`].
pub fn load_layer_norm(
    weights: &Weights<'_>,
    prefix: &str,
    d_model: usize,
    epsilon: f64,
) -> Result<LayerNorm, WeightsError> {
    let gamma = weights.tensor::<1>(&format!("{prefix}.weight"), [d_model])?;
    let beta = weights.tensor::<1>(&format!("{prefix}.bias"), [d_model])?;
    let mut norm = LayerNormConfig::new(d_model)
        .with_epsilon(epsilon)
        .init(weights.device());
    norm.gamma = Param::from_tensor(gamma);
    norm.beta = Some(Param::from_tensor(beta));
    Ok(norm)
}
