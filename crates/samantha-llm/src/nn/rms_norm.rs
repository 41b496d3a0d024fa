//! Root-mean-square layer normalisation.

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor};

/// Configuration of an [`RmsNorm`] layer.
#[derive(Debug, Clone, Copy)]
pub struct RmsNormConfig {
    pub d_model: usize,
    pub epsilon: f64,
}

impl RmsNormConfig {
    pub fn new(d_model: usize, epsilon: f64) -> Self {
        Self { d_model, epsilon }
    }

    /// Creates a layer with unit gains.
    pub fn init(&self, device: &Device) -> RmsNorm {
        self.init_with(Tensor::ones([self.d_model], device))
    }

    /// Creates a layer around a loaded gain vector.
    ///
    /// # Panics
    /// Panics on a non-positive epsilon or a gain of the wrong length.
    pub fn init_with(&self, gain: Tensor<1>) -> RmsNorm {
        assert!(self.epsilon > 0.0, "RMS norm epsilon must be positive, got {}", self.epsilon);
        assert_eq!(gain.dims(), [self.d_model], "RMS norm gain has the wrong length");

        RmsNorm {
            gain: Param::from_tensor(gain),
            epsilon: self.epsilon,
        }
    }
}

/// `y = x / sqrt(mean(x²) + ε) * g`.
#[derive(Module, Debug)]
pub struct RmsNorm {
    gain: Param<Tensor<1>>,

    #[module(skip)]
    epsilon: f64,
}

impl RmsNorm {
    /// Returns the gain vector on the host.
    pub fn gain_values(&self) -> Vec<f32> {
        self.gain.val().into_data().try_into_vec::<f32>().expect("RMS norm gains are f32")
    }

    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// Normalises over the last dimension.
    ///
    /// # Shapes
    /// - input: `[batch, positions, d_model]`
    /// - output: same as the input
    pub fn forward(&self, input: Tensor<3>) -> Tensor<3> {
        let mean_square = input.clone().square().mean_dim(2);
        let scale = mean_square.add_scalar(self.epsilon).sqrt().recip();
        input * scale * self.gain.val().unsqueeze()
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::TensorData;

    use super::*;

    #[test]
    fn normalises_to_unit_rms() {
        let device = Device::flex();
        let norm = RmsNormConfig::new(4, 1e-6).init(&device);
        let input = Tensor::from_data(TensorData::new(vec![1.0f32, -2.0, 3.0, -4.0], [1, 1, 4]), &device);

        let output = norm.forward(input).into_data().try_into_vec::<f32>().unwrap();

        let rms = (30.0f32 / 4.0).sqrt();
        for (value, expected) in output.iter().zip([1.0, -2.0, 3.0, -4.0]) {
            assert!((value - expected / rms).abs() < 1e-5);
        }
    }
}
