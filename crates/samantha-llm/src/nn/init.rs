//! Seeded random weights for tests and tiny configurations.

use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A seeded source of small random weights, so that layer tests and tiny
/// models are the same on every run and every backend.
pub(crate) struct SeededInit {
    rng: StdRng,
}

impl SeededInit {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Returns `count` values drawn uniformly from `[-scale, scale]`.
    pub fn values(&mut self, count: usize, scale: f32) -> Vec<f32> {
        (0..count).map(|_| self.rng.random_range(-scale..=scale)).collect()
    }

    pub fn tensor<const D: usize>(&mut self, shape: [usize; D], scale: f32, device: &Device) -> Tensor<D> {
        let count = shape.iter().product();
        Tensor::from_data(TensorData::new(self.values(count, scale), shape), device)
    }
}
