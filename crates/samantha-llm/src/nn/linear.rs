//! A bias-free linear layer whose weight is either a burn tensor or a
//! matrix of quantized blocks.

use std::sync::Arc;

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor, TensorData};

use super::SeededInit;
use crate::quant::PackedMatrix;

/// Maximum number of rows (batch times positions) that the packed path
/// multiplies one vector at a time. Larger inputs expand the weight to
/// `f32` for one matrix product, because that is faster for prompts.
const PACKED_MATVEC_MAX_ROWS: usize = 4;

/// The weight of a [`Linear`] layer, `[d_output, d_input]`.
#[derive(Debug, Clone)]
pub enum WeightMatrix {
    /// Dense `f32` on the layer's device (GPU backends, tests).
    Dense(Tensor<2>),

    /// Quantized blocks on the CPU, multiplied without expanding them.
    Packed(Arc<PackedMatrix>),
}

/// Configuration of a [`Linear`] layer.
#[derive(Debug, Clone, Copy)]
pub struct LinearConfig {
    pub d_input: usize,
    pub d_output: usize,
}

impl LinearConfig {
    pub fn new(d_input: usize, d_output: usize) -> Self {
        Self { d_input, d_output }
    }

    /// Creates a layer with seeded random weights.
    pub(crate) fn init(&self, init: &mut SeededInit, device: &Device) -> Linear {
        assert!(self.d_input > 0, "linear layer needs a non-zero input size, got {self:?}");
        assert!(self.d_output > 0, "linear layer needs a non-zero output size, got {self:?}");
        let scale = 1.0 / (self.d_input as f32).sqrt();
        self.init_with(init.matrix(self.d_output, self.d_input, scale, device))
    }

    /// Creates a layer around a loaded weight.
    ///
    /// # Panics
    /// Panics when the weight's shape differs from the configuration; the
    /// loader checks shapes first and reports them as errors.
    pub fn init_with(&self, weight: WeightMatrix) -> Linear {
        let shape = match &weight {
            WeightMatrix::Dense(tensor) => tensor.dims(),
            WeightMatrix::Packed(matrix) => [matrix.rows(), matrix.cols()],
        };
        assert_eq!(
            shape,
            [self.d_output, self.d_input],
            "linear weight has shape {shape:?}, expected [{}, {}]",
            self.d_output,
            self.d_input
        );

        match weight {
            WeightMatrix::Dense(tensor) => Linear {
                weight: Some(Param::from_tensor(tensor)),
                packed: None,
            },
            WeightMatrix::Packed(matrix) => Linear {
                weight: None,
                packed: Some(matrix),
            },
        }
    }
}

/// `y = x Wᵀ`, with `W` of shape `[d_output, d_input]`.
#[derive(Module, Debug)]
pub struct Linear {
    weight: Option<Param<Tensor<2>>>,

    #[module(skip)]
    packed: Option<Arc<PackedMatrix>>,
}

impl Linear {
    /// Applies the layer.
    ///
    /// # Shapes
    /// - input: `[batch, positions, d_input]`
    /// - output: `[batch, positions, d_output]`
    pub fn forward(&self, input: Tensor<3>) -> Tensor<3> {
        match (&self.weight, &self.packed) {
            (Some(weight), _) => matmul_transposed(input, weight.val()),
            (None, Some(packed)) => forward_packed(packed, input),
            (None, None) => unreachable!("a linear layer always has a weight"),
        }
    }

    /// Returns the quantized weight, or `None` for a dense layer.
    pub fn packed(&self) -> Option<&Arc<PackedMatrix>> {
        self.packed.as_ref()
    }

    /// Returns the weight as a dense `f32` tensor on `device`.
    pub fn dense_weight(&self, device: &Device) -> Tensor<2> {
        match (&self.weight, &self.packed) {
            (Some(weight), _) => weight.val(),
            (None, Some(packed)) => {
                Tensor::from_data(TensorData::new(packed.dequantize(), [packed.rows(), packed.cols()]), device)
            }
            (None, None) => unreachable!("a linear layer always has a weight"),
        }
    }
}

fn matmul_transposed(input: Tensor<3>, weight: Tensor<2>) -> Tensor<3> {
    input.matmul(weight.transpose().unsqueeze_dim(0))
}

fn forward_packed(packed: &PackedMatrix, input: Tensor<3>) -> Tensor<3> {
    let [batch, positions, d_input] = input.dims();
    let device = input.device();
    let rows = batch * positions;

    if rows > PACKED_MATVEC_MAX_ROWS {
        let weight = Tensor::from_data(TensorData::new(packed.dequantize(), [packed.rows(), d_input]), &device);
        return matmul_transposed(input, weight);
    }

    let values = input.into_data().try_into_vec::<f32>().expect("activations are f32");
    let mut output = vec![0.0f32; rows * packed.rows()];
    for (x, out) in values.chunks_exact(d_input).zip(output.chunks_exact_mut(packed.rows())) {
        packed.matvec(x, out);
    }

    Tensor::from_data(TensorData::new(output, [batch, positions, packed.rows()]), &device)
}

#[cfg(test)]
mod tests {
    use samantha_gguf::GgmlType;
    use samantha_gguf::quantize::quantize;

    use super::*;

    #[test]
    fn dense_forward_matches_hand_computation() {
        let device = Device::flex();
        let weight = Tensor::from_data(TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]), &device);
        let layer = LinearConfig::new(3, 2).init_with(WeightMatrix::Dense(weight));

        let input = Tensor::from_data(TensorData::new(vec![1.0f32, 0.0, -1.0], [1, 1, 3]), &device);
        let output = layer.forward(input).into_data().try_into_vec::<f32>().unwrap();

        assert_eq!(output, vec![-2.0, -2.0]);
    }

    #[test]
    fn packed_forward_matches_dense_for_short_and_long_inputs() {
        let device = Device::flex();
        let mut init = SeededInit::new(11);
        let (d_input, d_output) = (64, 48);

        let values = init.values(d_input * d_output, 0.5);
        let packed = Arc::new(PackedMatrix::owned(quantize(GgmlType::Q8_0, &values), GgmlType::Q8_0, d_output, d_input));
        let dense = Tensor::from_data(TensorData::new(packed.dequantize(), [d_output, d_input]), &device);

        let config = LinearConfig::new(d_input, d_output);
        let packed_layer = config.init_with(WeightMatrix::Packed(packed));
        let dense_layer = config.init_with(WeightMatrix::Dense(dense));

        for positions in [1, 7] {
            let input = init.tensor([1, positions, d_input], 1.0, &device);
            let expected = dense_layer.forward(input.clone()).into_data().try_into_vec::<f32>().unwrap();
            let actual = packed_layer.forward(input).into_data().try_into_vec::<f32>().unwrap();

            for (a, e) in actual.iter().zip(&expected) {
                assert!((a - e).abs() < 1e-4, "{positions} positions: {a} vs {e}");
            }
        }
    }
}
