//! Mean pooling over the attention mask and L2 normalisation, as in
//! sentence-transformers' `Pooling(mean)` followed by `Normalize`.

use burn::tensor::Tensor;

/// Sums the token vectors of each sequence where the mask is 1.
///
/// # Shapes
/// - hidden: `[batch, seq, d_model]`
/// - mask: `[batch, seq]`
/// - output: `[batch, d_model]`
pub fn masked_sum(hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
    let [batch, seq, d_model] = hidden.dims();
    let weighted = hidden * mask.reshape([batch, seq, 1]);
    weighted.sum_dim(1).reshape([batch, d_model])
}

/// Averages the token vectors of each sequence where the mask is 1.
///
/// # Shapes
/// - hidden: `[batch, seq, d_model]`
/// - mask: `[batch, seq]`
/// - output: `[batch, d_model]`
pub fn mean_pool(hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
    let [batch, _] = mask.dims();
    let counts = mask.clone().sum_dim(1).clamp_min(1e-9).reshape([batch, 1]);
    masked_sum(hidden, mask) / counts
}

/// Scales a vector to unit length; the zero vector stays zero.
pub fn l2_normalize(vector: &mut [f32]) {
    let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
    for value in vector.iter_mut() {
        *value /= norm;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    #[test]
    fn mean_ignores_padding() {
        let device = Device::flex();
        let hidden = Tensor::<3>::from_data([[[1.0f32, 2.0], [3.0, 4.0], [100.0, 100.0]]], &device);
        let mask = Tensor::<2>::from_data([[1.0f32, 1.0, 0.0]], &device);
        let pooled = mean_pool(hidden, mask).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(pooled, vec![2.0, 3.0]);
    }

    #[test]
    fn normalize_gives_unit_length() {
        let mut vector = vec![3.0f32, 4.0];
        l2_normalize(&mut vector);
        assert_eq!(vector, vec![0.6, 0.8]);

        let mut zero = vec![0.0f32; 3];
        l2_normalize(&mut zero);
        assert_eq!(zero, vec![0.0; 3]);
    }
}
