//! One decode step through the whole layer stack.

use super::attention::{self, HeadLayout};
use super::error::DecodeError;
use super::math;
use super::precision::KvPrecision;
use super::scratch::DecodeScratch;
use super::weights::{LayerWeights, ModelWeights};
use crate::cache::KvCache;
use crate::config::LlamaConfig;
use crate::nn::{DecoderBlock, Embedding, Linear, RmsNorm};
use crate::quant::Activations;

/// The fused CPU decode path of one model.
#[derive(Debug)]
pub struct FusedDecoder {
    pub(super) config: LlamaConfig,
    pub(super) weights: ModelWeights,

    /// `base^(-2i/head_dim)` for each rotated pair, in `f64` as the burn
    /// path's rotary tables compute it, so both paths use the same angles.
    frequencies: Vec<f64>,
    pub(super) max_positions: usize,
}

impl FusedDecoder {
    /// Builds the fused path over the model's layers.
    ///
    /// Returns `None` when any matrix is dense, since only packed weights
    /// have CPU kernels here.
    pub fn from_modules(
        config: LlamaConfig,
        embedding: &Embedding,
        blocks: &[DecoderBlock],
        norm: &RmsNorm,
        head: &Linear,
        max_positions: usize,
    ) -> Option<Self> {
        let weights = ModelWeights::from_modules(embedding, blocks, norm, head)?;
        let frequencies = (0..config.head_dim / 2)
            .map(|pair| config.rope_base.powf(-2.0 * pair as f64 / config.head_dim as f64))
            .collect();

        Some(Self {
            config,
            weights,
            frequencies,
            max_positions,
        })
    }

    /// Creates a host KV cache that both the burn prompt pass and this path
    /// use.
    pub fn new_cache(&self, capacity: usize) -> KvCache {
        KvCache::host(self.config.layers, self.config.kv_heads, capacity, self.config.head_dim)
    }

    /// Allocates the buffers for decoding into a cache of `capacity`
    /// positions, with activations rounded to 8 bits before the Q4_1 and
    /// Q8_0 products as llama.cpp rounds them.
    pub fn new_scratch(&self, capacity: usize) -> DecodeScratch {
        self.new_scratch_with(capacity, Activations::Int8)
    }

    /// Allocates the buffers for decoding into a cache of `capacity`
    /// positions; [`Activations::Exact`] computes what the burn path
    /// computes.
    pub fn new_scratch_with(&self, capacity: usize, activations: Activations) -> DecodeScratch {
        DecodeScratch::new(&self.config, capacity, activations)
    }

    /// Runs `token` at the next free position of `cache` and writes the
    /// logits of the following token into `logits`.
    ///
    /// # Shapes
    /// - token: one id, below `vocab_size`
    /// - cache: `layers` host layers, one position appended to each
    /// - logits: `[vocab_size]`, overwritten
    ///
    /// # Errors
    /// Returns an error, before changing the cache, when the token is out
    /// of range, the cache is full or on a device, or a buffer has the
    /// wrong size.
    pub fn decode(
        &self,
        token: u32,
        cache: &mut KvCache,
        scratch: &mut DecodeScratch,
        logits: &mut [f32],
    ) -> Result<(), DecodeError> {
        let position = self.check(token, cache, scratch, logits)?;
        let _span = tracing::trace_span!("fused_decode", token, position).entered();

        self.weights.embedding.dequantize_row(token as usize, &mut scratch.hidden);
        self.rotary_angles(position, &mut scratch.cos, &mut scratch.sin);

        for (index, layer) in self.weights.layers.iter().enumerate() {
            let _span = tracing::trace_span!("block", index).entered();
            self.attention_step(layer, cache, index, scratch)?;
            self.mlp_step(layer, scratch);
        }

        let epsilon = self.config.norm_epsilon as f32;
        math::rms_norm(&scratch.hidden, &self.weights.norm, epsilon, &mut scratch.normed);
        scratch.model_input.set(&scratch.normed);
        self.weights.head.matvec_prepared(&scratch.model_input, logits);
        Ok(())
    }

    fn check(&self, token: u32, cache: &KvCache, scratch: &DecodeScratch, logits: &[f32]) -> Result<usize, DecodeError> {
        self.check_token(token)?;
        self.check_buffers(cache, scratch, logits)?;

        let position = cache.len();
        if position >= cache.capacity() {
            return Err(DecodeError::CacheFull { capacity: cache.capacity() });
        }
        if position >= self.max_positions {
            return Err(DecodeError::PositionOutOfRange {
                position,
                max_positions: self.max_positions,
            });
        }
        Ok(position)
    }

    pub(super) fn check_token(&self, token: u32) -> Result<(), DecodeError> {
        let vocab_size = self.config.vocab_size;
        if token as usize >= vocab_size {
            return Err(DecodeError::TokenOutOfRange { token, vocab_size });
        }
        Ok(())
    }

    /// Checks the logits length and that `cache` and `scratch` belong to
    /// this model's CPU path.
    pub(super) fn check_buffers(&self, cache: &KvCache, scratch: &DecodeScratch, logits: &[f32]) -> Result<(), DecodeError> {
        let vocab_size = self.config.vocab_size;
        if logits.len() != vocab_size {
            return Err(DecodeError::LogitsLength {
                expected: vocab_size,
                actual: logits.len(),
            });
        }
        if !cache.is_host() {
            return Err(DecodeError::DeviceCache);
        }
        if cache.layers() != self.config.layers {
            return Err(DecodeError::LayerCount {
                expected: self.config.layers,
                actual: cache.layers(),
            });
        }
        if scratch.capacity() < cache.capacity() {
            return Err(DecodeError::ScratchTooSmall {
                scratch: scratch.capacity(),
                capacity: cache.capacity(),
            });
        }
        Ok(())
    }

    /// Writes the cosine and sine of each rotated pair's angle at
    /// `position`.
    pub(super) fn rotary_angles(&self, position: usize, cos: &mut [f32], sin: &mut [f32]) {
        for ((cos, sin), frequency) in cos.iter_mut().zip(sin).zip(&self.frequencies) {
            let angle = position as f64 * frequency;
            *cos = angle.cos() as f32;
            *sin = angle.sin() as f32;
        }
    }

    pub(super) fn head_layout(&self) -> HeadLayout {
        HeadLayout {
            heads: self.config.heads,
            kv_heads: self.config.kv_heads,
            head_dim: self.config.head_dim,
        }
    }

    /// `hidden += output(attention(rope(query(norm(hidden))), cache))`.
    fn attention_step(
        &self,
        layer: &LayerWeights,
        cache: &mut KvCache,
        index: usize,
        scratch: &mut DecodeScratch,
    ) -> Result<(), DecodeError> {
        let head_dim = self.config.head_dim;
        let epsilon = self.config.norm_epsilon as f32;

        math::rms_norm(&scratch.hidden, &layer.attention_norm, epsilon, &mut scratch.normed);
        scratch.model_input.set(&scratch.normed);
        layer.query.matvec_prepared(&scratch.model_input, &mut scratch.query);
        layer.key.matvec_prepared(&scratch.model_input, &mut scratch.key);
        layer.value.matvec_prepared(&scratch.model_input, &mut scratch.value);

        math::rotate_pairs(&mut scratch.query, head_dim, &scratch.cos, &scratch.sin);
        math::rotate_pairs(&mut scratch.key, head_dim, &scratch.cos, &scratch.sin);
        let precision = KvPrecision::for_activations(scratch.activations);
        precision.round(&mut scratch.key);
        precision.round(&mut scratch.value);

        let layer_cache = cache.layer_mut(index);
        let capacity = layer_cache.capacity();
        let len = layer_cache.len() + 1;
        let (keys, values) = layer_cache.push_host(&scratch.key, &scratch.value).ok_or(DecodeError::DeviceCache)?;

        attention::attend(self.head_layout(), &scratch.query, keys, values, capacity, len, &mut scratch.scores, &mut scratch.context);

        scratch.context_input.set(&scratch.context);
        layer.output.matvec_prepared(&scratch.context_input, &mut scratch.projected);
        math::add_assign(&mut scratch.hidden, &scratch.projected);
        Ok(())
    }

    /// `hidden += down(silu(gate(norm(hidden))) * up(norm(hidden)))`.
    fn mlp_step(&self, layer: &LayerWeights, scratch: &mut DecodeScratch) {
        let epsilon = self.config.norm_epsilon as f32;

        math::rms_norm(&scratch.hidden, &layer.mlp_norm, epsilon, &mut scratch.normed);
        scratch.model_input.set(&scratch.normed);
        layer.gate.matvec_prepared(&scratch.model_input, &mut scratch.gate);
        layer.up.matvec_prepared(&scratch.model_input, &mut scratch.up);

        math::silu_mul(&mut scratch.gate, &scratch.up);
        scratch.hidden_input.set(&scratch.gate);
        layer.down.matvec_prepared(&scratch.hidden_input, &mut scratch.projected);
        math::add_assign(&mut scratch.hidden, &scratch.projected);
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Device;
    use samantha_gguf::GgmlType;

    use super::*;
    use crate::model::Llama;
    use crate::nn::SeededPacking;

    const VOCAB: usize = 96;

    fn packed_model(device: &Device) -> Llama {
        let packing = SeededPacking {
            matrices: GgmlType::Q4_1,
            embedding: GgmlType::Q8_0,
        };
        Llama::seeded_packed(LlamaConfig::tiny(VOCAB), 7, packing, device)
    }

    fn max_difference(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max)
    }

    /// Feeds `prompt` through burn into two caches, then decodes `tokens`
    /// through burn on one and the fused path on the other, and returns
    /// the largest logit difference of each step.
    fn compare_paths(prompt: &[u32], tokens: &[u32]) -> Vec<f32> {
        let device = Device::flex();
        let model = packed_model(&device);
        let fused = model.fused().expect("a packed model has a fused path");

        let mut burn_cache = model.new_cache(16, &device);
        let mut fused_cache = model.new_cache(16, &device);
        if !prompt.is_empty() {
            let burn_logits = model.forward_last(prompt, &mut burn_cache, &device);
            let fused_logits = model.forward_last(prompt, &mut fused_cache, &device);
            assert_eq!(burn_logits, fused_logits);
        }

        let mut scratch = fused.new_scratch_with(fused_cache.capacity(), Activations::Exact);
        let mut logits = vec![0.0; VOCAB];
        let mut differences = Vec::new();
        for &token in tokens {
            let expected = model.forward_last(&[token], &mut burn_cache, &device);
            fused.decode(token, &mut fused_cache, &mut scratch, &mut logits).unwrap();
            differences.push(max_difference(&expected, &logits));
        }

        assert_eq!(fused_cache.len(), burn_cache.len());
        differences
    }

    #[test]
    fn fused_matches_burn_after_long_prompt() {
        // Six prompt positions take burn's dense matrix-product branch.
        for (step, difference) in compare_paths(&[3, 17, 42, 5, 77, 12], &[8, 61, 2, 90, 33]).iter().enumerate() {
            assert!(*difference < 1e-4, "step {step}: logits differ by {difference}");
        }
    }

    #[test]
    fn fused_matches_burn_after_short_prompt() {
        for (step, difference) in compare_paths(&[3, 17], &[8, 61, 2]).iter().enumerate() {
            assert!(*difference < 1e-4, "step {step}: logits differ by {difference}");
        }
    }

    #[test]
    fn fused_matches_burn_from_empty_cache() {
        for (step, difference) in compare_paths(&[], &[1, 2, 3, 4]).iter().enumerate() {
            assert!(*difference < 1e-4, "step {step}: logits differ by {difference}");
        }
    }

    #[test]
    fn fused_same_on_two_threads() {
        let device = Device::flex();
        let model = packed_model(&device);
        let fused = model.fused().unwrap();

        let run = || {
            let mut cache = model.new_cache(8, &device);
            let mut scratch = fused.new_scratch(8);
            let mut logits = vec![0.0; VOCAB];
            for token in [4, 9, 50] {
                fused.decode(token, &mut cache, &mut scratch, &mut logits).unwrap();
            }
            logits
        };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();

        assert_eq!(pool.install(run), run());
    }

    #[test]
    fn dense_model_has_no_fused_path() {
        let device = Device::flex();
        let model = Llama::seeded(LlamaConfig::tiny(VOCAB), 7, &device);

        assert!(model.fused().is_none());
        assert!(!model.new_cache(4, &device).is_host());
    }

    #[test]
    fn decode_rejects_bad_inputs_without_touching_cache() {
        let device = Device::flex();
        let model = packed_model(&device);
        let fused = model.fused().unwrap();
        let mut cache = model.new_cache(2, &device);
        let mut scratch = fused.new_scratch(2);
        let mut logits = vec![0.0; VOCAB];

        assert_eq!(
            fused.decode(VOCAB as u32, &mut cache, &mut scratch, &mut logits),
            Err(DecodeError::TokenOutOfRange { token: VOCAB as u32, vocab_size: VOCAB })
        );
        assert_eq!(
            fused.decode(1, &mut cache, &mut scratch, &mut logits[..10]),
            Err(DecodeError::LogitsLength { expected: VOCAB, actual: 10 })
        );
        assert_eq!(
            fused.decode(1, &mut cache, &mut fused.new_scratch(1), &mut logits),
            Err(DecodeError::ScratchTooSmall { scratch: 1, capacity: 2 })
        );
        let mut device_cache = KvCache::new(2, 2, 2, 8, &device);
        assert_eq!(fused.decode(1, &mut device_cache, &mut scratch, &mut logits), Err(DecodeError::DeviceCache));
        assert_eq!(cache.len(), 0);

        fused.decode(1, &mut cache, &mut scratch, &mut logits).unwrap();
        fused.decode(2, &mut cache, &mut scratch, &mut logits).unwrap();
        assert_eq!(fused.decode(3, &mut cache, &mut scratch, &mut logits), Err(DecodeError::CacheFull { capacity: 2 }));
        assert_eq!(cache.len(), 2);
    }
}
