//! The fused prompt pass: a chunk of positions at a time through the
//! packed kernels.
//!
//! Each matrix multiplies every position of a chunk while its weights are
//! in cache ([`PackedMatrix::matmul_prepared`]), and each position's
//! products, norms and attention are computed as a decode step computes
//! them. So a prompt rounds its activations to 8-bit blocks and its keys
//! and values to f16 where decoding does, as llama.cpp does for both, and
//! it never expands a weight matrix to `f32`.
//!
//! [`PackedMatrix::matmul_prepared`]: crate::quant::PackedMatrix::matmul_prepared

use super::attention;
use super::decoder::FusedDecoder;
use super::error::DecodeError;
use super::math;
use super::precision::KvPrecision;
use super::prompt_buffers::{PromptBuffers, prepare_rows};
use super::scratch::DecodeScratch;
use super::weights::LayerWeights;
use crate::cache::KvCache;

/// Positions per chunk: enough to read each weight block once for many
/// positions, few enough that the chunk's buffers stay near 2 MiB for
/// SmolLM2-135M.
const PROMPT_CHUNK: usize = 64;

impl FusedDecoder {
    /// Runs `tokens` at the next free positions of `cache` and writes the
    /// logits after the last one into `logits`.
    ///
    /// Activations and the KV cache precision follow `scratch`, as in
    /// [`FusedDecoder::decode`].
    ///
    /// # Shapes
    /// - tokens: `[positions]`, ids below `vocab_size`
    /// - cache: `layers` host layers, `positions` positions appended to
    ///   each
    /// - logits: `[vocab_size]`, overwritten
    ///
    /// # Errors
    /// Returns an error, before changing the cache, when the prompt is
    /// empty, a token is out of range, the cache has too little room or
    /// lives on a device, or a buffer has the wrong size.
    pub fn prefill(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        scratch: &mut DecodeScratch,
        logits: &mut [f32],
    ) -> Result<(), DecodeError> {
        self.check_prompt(tokens, cache, scratch, logits)?;
        let _span = tracing::trace_span!("fused_prefill", positions = tokens.len(), start = cache.len()).entered();

        let chunk = tokens.len().min(PROMPT_CHUNK);
        let mut buffers = PromptBuffers::new(&self.config, chunk, scratch.activations());
        for tokens in tokens.chunks(PROMPT_CHUNK) {
            self.prefill_chunk(tokens, cache, scratch, &mut buffers)?;
        }

        let d_model = self.config.d_model;
        let last = (tokens.len() - 1) % PROMPT_CHUNK;
        scratch.hidden.copy_from_slice(&buffers.hidden[last * d_model..(last + 1) * d_model]);

        let epsilon = self.config.norm_epsilon as f32;
        math::rms_norm(&scratch.hidden, &self.weights.norm, epsilon, &mut scratch.normed);
        scratch.model_input.set(&scratch.normed);
        self.weights.head.matvec_prepared(&scratch.model_input, logits);
        Ok(())
    }

    fn check_prompt(&self, tokens: &[u32], cache: &KvCache, scratch: &DecodeScratch, logits: &[f32]) -> Result<(), DecodeError> {
        if tokens.is_empty() {
            return Err(DecodeError::EmptyPrompt);
        }
        for &token in tokens {
            self.check_token(token)?;
        }
        self.check_buffers(cache, scratch, logits)?;

        let free = cache.capacity() - cache.len();
        if tokens.len() > free {
            return Err(DecodeError::PromptTooLong { tokens: tokens.len(), free });
        }
        let last_position = cache.len() + tokens.len() - 1;
        if last_position >= self.max_positions {
            return Err(DecodeError::PositionOutOfRange {
                position: last_position,
                max_positions: self.max_positions,
            });
        }
        Ok(())
    }

    /// Runs one chunk of at most [`PROMPT_CHUNK`] tokens through every
    /// block, leaving the final hidden states in `buffers.hidden`.
    fn prefill_chunk(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        scratch: &mut DecodeScratch,
        buffers: &mut PromptBuffers,
    ) -> Result<(), DecodeError> {
        let start = cache.len();
        let d_model = self.config.d_model;
        let pairs = self.config.head_dim / 2;

        for (&token, row) in tokens.iter().zip(buffers.hidden.chunks_exact_mut(d_model)) {
            self.weights.embedding.dequantize_row(token as usize, row);
        }
        let angles = buffers.cos.chunks_exact_mut(pairs).zip(buffers.sin.chunks_exact_mut(pairs));
        for (offset, (cos, sin)) in angles.take(tokens.len()).enumerate() {
            self.rotary_angles(start + offset, cos, sin);
        }

        for (index, layer) in self.weights.layers.iter().enumerate() {
            let _span = tracing::trace_span!("block", index).entered();
            self.attention_chunk(layer, cache, index, tokens.len(), scratch, buffers)?;
            self.mlp_chunk(layer, tokens.len(), buffers);
        }
        Ok(())
    }

    /// `hidden += output(attention(rope(query(norm(hidden))), cache))` for
    /// the first `positions` rows.
    fn attention_chunk(
        &self,
        layer: &LayerWeights,
        cache: &mut KvCache,
        index: usize,
        positions: usize,
        scratch: &mut DecodeScratch,
        buffers: &mut PromptBuffers,
    ) -> Result<(), DecodeError> {
        let d_model = self.config.d_model;
        let head_dim = self.config.head_dim;
        let q_dim = self.config.heads * head_dim;
        let kv_dim = self.config.kv_heads * head_dim;
        let pairs = head_dim / 2;
        let b = buffers;

        self.norm_rows(&b.hidden[..positions * d_model], &layer.attention_norm, &mut b.normed);
        let inputs = &mut b.model_inputs[..positions];
        prepare_rows(inputs, &b.normed[..positions * d_model]);
        layer.query.matmul_prepared(inputs, &mut b.query[..positions * q_dim]);
        layer.key.matmul_prepared(inputs, &mut b.key[..positions * kv_dim]);
        layer.value.matmul_prepared(inputs, &mut b.value[..positions * kv_dim]);

        for position in 0..positions {
            let cos = &b.cos[position * pairs..(position + 1) * pairs];
            let sin = &b.sin[position * pairs..(position + 1) * pairs];
            math::rotate_pairs(&mut b.query[position * q_dim..(position + 1) * q_dim], head_dim, cos, sin);
            math::rotate_pairs(&mut b.key[position * kv_dim..(position + 1) * kv_dim], head_dim, cos, sin);
        }
        let precision = KvPrecision::for_activations(scratch.activations());
        precision.round(&mut b.key[..positions * kv_dim]);
        precision.round(&mut b.value[..positions * kv_dim]);

        let layer_cache = cache.layer_mut(index);
        let capacity = layer_cache.capacity();
        let start = layer_cache.len();
        let (keys, values) = layer_cache
            .extend_host(&b.key[..positions * kv_dim], &b.value[..positions * kv_dim])
            .ok_or(DecodeError::DeviceCache)?;

        // Position `start + p` attends to itself and every earlier one.
        let rows = b.query.chunks_exact(q_dim).zip(b.context.chunks_exact_mut(q_dim)).take(positions);
        for (position, (query, context)) in rows.enumerate() {
            let len = start + position + 1;
            attention::attend(self.head_layout(), query, keys, values, capacity, len, &mut scratch.scores, context);
        }

        let inputs = &mut b.context_inputs[..positions];
        prepare_rows(inputs, &b.context[..positions * q_dim]);
        layer.output.matmul_prepared(inputs, &mut b.projected[..positions * d_model]);
        math::add_assign(&mut b.hidden[..positions * d_model], &b.projected[..positions * d_model]);
        Ok(())
    }

    /// `hidden += down(silu(gate(norm(hidden))) * up(norm(hidden)))` for
    /// the first `positions` rows.
    fn mlp_chunk(&self, layer: &LayerWeights, positions: usize, buffers: &mut PromptBuffers) {
        let d_model = self.config.d_model;
        let d_hidden = self.config.d_hidden;
        let b = buffers;

        self.norm_rows(&b.hidden[..positions * d_model], &layer.mlp_norm, &mut b.normed);
        let inputs = &mut b.model_inputs[..positions];
        prepare_rows(inputs, &b.normed[..positions * d_model]);
        layer.gate.matmul_prepared(inputs, &mut b.gate[..positions * d_hidden]);
        layer.up.matmul_prepared(inputs, &mut b.up[..positions * d_hidden]);

        math::silu_mul(&mut b.gate[..positions * d_hidden], &b.up[..positions * d_hidden]);
        let inputs = &mut b.hidden_inputs[..positions];
        prepare_rows(inputs, &b.gate[..positions * d_hidden]);
        layer.down.matmul_prepared(inputs, &mut b.projected[..positions * d_model]);
        math::add_assign(&mut b.hidden[..positions * d_model], &b.projected[..positions * d_model]);
    }

    /// RMS-normalises each `d_model` row of `hidden` into `normed`.
    fn norm_rows(&self, hidden: &[f32], gain: &[f32], normed: &mut [f32]) {
        let d_model = self.config.d_model;
        let epsilon = self.config.norm_epsilon as f32;
        for (x, out) in hidden.chunks_exact(d_model).zip(normed.chunks_exact_mut(d_model)) {
            math::rms_norm(x, gain, epsilon, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Device;
    use samantha_gguf::GgmlType;

    use super::*;
    use crate::config::LlamaConfig;
    use crate::model::Llama;
    use crate::nn::SeededPacking;
    use crate::quant::Activations;

    const VOCAB: usize = 96;

    /// Builds a tiny packed model whose context fits three prompt chunks.
    fn packed_model(device: &Device) -> Llama {
        let packing = SeededPacking {
            matrices: GgmlType::Q4_1,
            embedding: GgmlType::Q8_0,
        };
        let config = LlamaConfig {
            context_length: 160,
            ..LlamaConfig::tiny(VOCAB)
        };
        Llama::seeded_packed(config, 11, packing, device)
    }

    fn prompt(len: usize) -> Vec<u32> {
        (0..len).map(|i| ((i * 37 + 5) % VOCAB) as u32).collect()
    }

    fn max_difference(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max)
    }

    #[test]
    fn exact_prefill_matches_burn() {
        let device = Device::flex();
        let model = packed_model(&device);
        let fused = model.fused().unwrap();

        // 130 positions span three chunks; 6 take one partial chunk.
        for len in [1, 6, 130] {
            let tokens = prompt(len);
            let mut burn_cache = model.new_cache(len + 3, &device);
            let mut fused_cache = model.new_cache(len + 3, &device);
            let mut scratch = fused.new_scratch_with(fused_cache.capacity(), Activations::Exact);
            let mut logits = vec![0.0; VOCAB];

            let expected = model.forward_last(&tokens, &mut burn_cache, &device);
            fused.prefill(&tokens, &mut fused_cache, &mut scratch, &mut logits).unwrap();
            let difference = max_difference(&expected, &logits);
            assert!(difference < 1e-4, "{len} positions: logits differ by {difference}");
            assert_eq!(fused_cache.len(), len);

            // Decoding continues from the cache the prompt pass filled.
            for token in [8, 61, 2] {
                let expected = model.forward_last(&[token], &mut burn_cache, &device);
                fused.decode(token, &mut fused_cache, &mut scratch, &mut logits).unwrap();
                let difference = max_difference(&expected, &logits);
                assert!(difference < 1e-4, "{len} positions, then token {token}: logits differ by {difference}");
            }
        }
    }

    #[test]
    fn int8_prefill_equals_decoding_each_token() {
        let device = Device::flex();
        let model = packed_model(&device);
        let fused = model.fused().unwrap();
        let tokens = prompt(100);

        let mut stepped_cache = model.new_cache(101, &device);
        let mut scratch = fused.new_scratch(101);
        let mut stepped = vec![0.0; VOCAB];
        for &token in &tokens {
            fused.decode(token, &mut stepped_cache, &mut scratch, &mut stepped).unwrap();
        }

        let mut prefilled_cache = model.new_cache(101, &device);
        let mut prefilled = vec![0.0; VOCAB];
        fused.prefill(&tokens, &mut prefilled_cache, &mut scratch, &mut prefilled).unwrap();
        assert_eq!(prefilled, stepped);

        fused.decode(9, &mut stepped_cache, &mut scratch, &mut stepped).unwrap();
        fused.decode(9, &mut prefilled_cache, &mut scratch, &mut prefilled).unwrap();
        assert_eq!(prefilled, stepped, "decoding after the prompt pass differs");
    }

    #[test]
    fn prefill_same_on_two_threads() {
        let device = Device::flex();
        let model = packed_model(&device);
        let fused = model.fused().unwrap();
        let tokens = prompt(70);

        let run = || {
            let mut cache = model.new_cache(70, &device);
            let mut scratch = fused.new_scratch(70);
            let mut logits = vec![0.0; VOCAB];
            fused.prefill(&tokens, &mut cache, &mut scratch, &mut logits).unwrap();
            logits
        };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();

        assert_eq!(pool.install(run), run());
    }

    #[test]
    fn prefill_rejects_bad_inputs_without_touching_cache() {
        let device = Device::flex();
        let model = packed_model(&device);
        let fused = model.fused().unwrap();
        let mut cache = model.new_cache(4, &device);
        let mut scratch = fused.new_scratch(4);
        let mut logits = vec![0.0; VOCAB];

        assert_eq!(fused.prefill(&[], &mut cache, &mut scratch, &mut logits), Err(DecodeError::EmptyPrompt));
        assert_eq!(
            fused.prefill(&[1, VOCAB as u32], &mut cache, &mut scratch, &mut logits),
            Err(DecodeError::TokenOutOfRange { token: VOCAB as u32, vocab_size: VOCAB })
        );
        assert_eq!(
            fused.prefill(&[1, 2], &mut cache, &mut scratch, &mut logits[..5]),
            Err(DecodeError::LogitsLength { expected: VOCAB, actual: 5 })
        );
        assert_eq!(
            fused.prefill(&[1, 2, 3, 4, 5], &mut cache, &mut scratch, &mut logits),
            Err(DecodeError::PromptTooLong { tokens: 5, free: 4 })
        );
        let mut device_cache = KvCache::new(2, 2, 4, 8, &device);
        assert_eq!(fused.prefill(&[1], &mut device_cache, &mut scratch, &mut logits), Err(DecodeError::DeviceCache));
        assert_eq!(cache.len(), 0);

        fused.prefill(&[1, 2, 3], &mut cache, &mut scratch, &mut logits).unwrap();
        assert_eq!(
            fused.prefill(&[4, 5], &mut cache, &mut scratch, &mut logits),
            Err(DecodeError::PromptTooLong { tokens: 2, free: 1 })
        );
        assert_eq!(cache.len(), 3);
    }
}
