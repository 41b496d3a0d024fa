//! SwiGLU feed-forward network.

use burn::module::Module;
use burn::tensor::activation::silu;
use burn::tensor::{Device, Tensor};

use super::{Linear, LinearConfig, SeededInit};

/// Configuration of an [`Mlp`].
#[derive(Debug, Clone, Copy)]
pub struct MlpConfig {
    pub d_model: usize,
    pub d_hidden: usize,
}

impl MlpConfig {
    pub(crate) fn init(&self, init: &mut SeededInit, device: &Device) -> Mlp {
        self.init_with(
            LinearConfig::new(self.d_model, self.d_hidden).init(init, device),
            LinearConfig::new(self.d_model, self.d_hidden).init(init, device),
            LinearConfig::new(self.d_hidden, self.d_model).init(init, device),
        )
    }

    pub fn init_with(&self, gate: Linear, up: Linear, down: Linear) -> Mlp {
        assert!(self.d_model > 0 && self.d_hidden > 0, "MLP sizes must be non-zero: {self:?}");
        Mlp { gate, up, down }
    }
}

/// `down(silu(gate(x)) * up(x))`.
#[derive(Module, Debug)]
pub struct Mlp {
    gate: Linear,
    up: Linear,
    down: Linear,
}

impl Mlp {
    pub fn gate(&self) -> &Linear {
        &self.gate
    }

    pub fn up(&self) -> &Linear {
        &self.up
    }

    pub fn down(&self) -> &Linear {
        &self.down
    }

    /// # Shapes
    /// - input: `[batch, positions, d_model]`
    /// - output: `[batch, positions, d_model]`
    pub fn forward(&self, input: Tensor<3>) -> Tensor<3> {
        let gate = silu(self.gate.forward(input.clone()));
        self.down.forward(gate * self.up.forward(input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_keeps_model_width() {
        let device = Device::flex();
        let mut init = SeededInit::new(8);
        let mlp = MlpConfig { d_model: 8, d_hidden: 12 }.init(&mut init, &device);

        let output = mlp.forward(init.tensor([2, 3, 8], 1.0, &device));

        assert_eq!(output.dims(), [2, 3, 8]);
        assert!(output.into_data().try_into_vec::<f32>().unwrap().iter().all(|v| v.is_finite()));
    }
}
