//! Batches of cached features for the Learner.
//!
//! A data set item is a whole batch of row indices of similar length, made
//! once from the seed. The data loader then shuffles the order of batches
//! every epoch. Grouping rows by length keeps padding small, so little work
//! is wasted.

use std::sync::Arc;

use burn::data::dataloader::batcher::Batcher;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::cache::FeatureCache;
use crate::emotion::EMOTION_COUNT;

/// One training or validation batch.
#[derive(Debug, Clone)]
pub struct FeatureBatch {
    /// Frozen-layer output, `[batch, seq, d_model]`.
    pub hidden: Tensor<3>,
    /// 1 for tokens, 0 for padding, `[batch, seq]`.
    pub mask: Tensor<2>,
    /// 1 where the label is gold, `[batch, 7]`.
    pub targets: Tensor<2, Int>,
}

/// Groups the rows of `cache` into batches of about `batch_size` rows of
/// similar length, in an order drawn from `seed`.
pub fn length_buckets(cache: &FeatureCache, rows: &[usize], batch_size: usize, seed: u64) -> Vec<Vec<usize>> {
    assert!(batch_size > 0, "batch_size must be at least 1");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut order = rows.to_vec();
    order.shuffle(&mut rng);
    // A stable sort keeps the shuffled order among rows of equal length.
    order.sort_by_key(|index| cache.tokens(*index));
    let mut buckets: Vec<Vec<usize>> = order.chunks(batch_size).map(<[usize]>::to_vec).collect();
    buckets.shuffle(&mut rng);
    buckets
}

/// Turns bucket items into [`FeatureBatch`]es.
#[derive(Clone)]
pub struct FeatureBatcher {
    pub cache: Arc<FeatureCache>,
    pub labels: Arc<Vec<[bool; EMOTION_COUNT]>>,
}

impl FeatureBatcher {
    /// Builds the batch for `rows` on `device`.
    pub fn make(&self, rows: &[usize], device: &Device) -> FeatureBatch {
        let d_model = self.cache.d_model;
        let batch = rows.len();
        let seq = rows.iter().map(|row| self.cache.tokens(*row)).max().unwrap_or(1);
        let mut hidden = vec![0.0f32; batch * seq * d_model];
        let mut mask = vec![0.0f32; batch * seq];
        let mut targets = vec![0i64; batch * EMOTION_COUNT];

        for (position, row) in rows.iter().enumerate() {
            let values = self.cache.row(*row);
            let start = position * seq * d_model;
            for (slot, value) in hidden[start..start + values.len()].iter_mut().zip(values) {
                *slot = value.to_f32();
            }
            for token in 0..self.cache.tokens(*row) {
                mask[position * seq + token] = 1.0;
            }
            for (label, gold) in self.labels[*row].iter().enumerate() {
                targets[position * EMOTION_COUNT + label] = i64::from(*gold);
            }
        }

        FeatureBatch {
            hidden: Tensor::from_data(TensorData::new(hidden, [batch, seq, d_model]), device),
            mask: Tensor::from_data(TensorData::new(mask, [batch, seq]), device),
            targets: Tensor::from_data(TensorData::new(targets, [batch, EMOTION_COUNT]), device),
        }
    }
}

impl Batcher<Vec<usize>, FeatureBatch> for FeatureBatcher {
    fn batch(&self, items: Vec<Vec<usize>>, device: &Device) -> FeatureBatch {
        let rows: Vec<usize> = items.into_iter().flatten().collect();
        self.make(&rows, device)
    }
}
