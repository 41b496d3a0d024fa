//! The Llama decoder: embedding, blocks, final norm and output head.

use std::sync::Arc;

use burn::module::Module;
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::cache::KvCache;
use crate::config::LlamaConfig;
use crate::fused::FusedDecoder;
use crate::nn::{
    DecoderBlock, Embedding, EmbeddingConfig, Linear, LinearConfig, RmsNorm, RmsNormConfig, RotaryEncoding,
    SeededInit, SeededPacking,
};

/// A Llama-architecture decoder.
#[derive(Module, Debug)]
pub struct Llama {
    embedding: Embedding,
    blocks: Vec<DecoderBlock>,
    norm: RmsNorm,
    head: Linear,

    #[module(skip)]
    rope: RotaryEncoding,
    #[module(skip)]
    config: LlamaConfig,

    /// The fused CPU decode path over the same packed weights; `None` when
    /// any matrix is dense.
    #[module(skip)]
    fused: Option<Arc<FusedDecoder>>,
}

impl Llama {
    /// Assembles a model from loaded layers.
    ///
    /// # Panics
    /// Panics when the number of blocks differs from the configuration.
    pub fn from_parts(
        config: LlamaConfig,
        embedding: Embedding,
        blocks: Vec<DecoderBlock>,
        norm: RmsNorm,
        head: Linear,
        max_context: usize,
        device: &Device,
    ) -> Self {
        assert_eq!(blocks.len(), config.layers, "model has {} blocks, configuration says {}", blocks.len(), config.layers);
        let positions = max_context.min(config.context_length);
        let fused = FusedDecoder::from_modules(config, &embedding, &blocks, &norm, &head, positions).map(Arc::new);

        Self {
            embedding,
            blocks,
            norm,
            head,
            rope: RotaryEncoding::new(config.head_dim, config.rope_base, positions, device),
            config,
            fused,
        }
    }

    /// Builds a model with seeded random weights and a tied head.
    pub fn seeded(config: LlamaConfig, seed: u64, device: &Device) -> Self {
        Self::seeded_with(config, SeededInit::new(seed), device)
    }

    /// Builds a model with seeded random weights quantized to `packing`'s
    /// block types, as a GGUF file on the CPU backend would load.
    ///
    /// # Panics
    /// Panics when a matrix's input size is not a whole number of blocks.
    pub fn seeded_packed(config: LlamaConfig, seed: u64, packing: SeededPacking, device: &Device) -> Self {
        Self::seeded_with(config, SeededInit::packed(seed, packing), device)
    }

    fn seeded_with(config: LlamaConfig, mut init: SeededInit, device: &Device) -> Self {
        config.validate().expect("seeded models use valid configurations");

        let embedding = EmbeddingConfig::new(config.vocab_size, config.d_model).init(&mut init, device);
        let blocks = (0..config.layers).map(|_| config.block().init(&mut init, device)).collect();
        let norm = RmsNormConfig::new(config.d_model, config.norm_epsilon).init(device);
        let head = LinearConfig::new(config.d_model, config.vocab_size).init_with(embedding.weight());

        Self::from_parts(config, embedding, blocks, norm, head, config.context_length, device)
    }

    pub fn config(&self) -> &LlamaConfig {
        &self.config
    }

    /// Returns the maximum sequence length this instance can process: the smaller of the
    /// trained context and the size of the rotary tables.
    pub fn max_context(&self) -> usize {
        self.rope.max_positions()
    }

    /// Returns the fused CPU decode path, present when every matrix is packed.
    pub fn fused(&self) -> Option<&FusedDecoder> {
        self.fused.as_deref()
    }

    /// Creates an empty cache for up to `capacity` positions: in host
    /// memory when the fused CPU path exists, so that it continues from
    /// the prompt pass, and as device tensors otherwise.
    pub fn new_cache(&self, capacity: usize, device: &Device) -> KvCache {
        let capacity = capacity.min(self.max_context());
        match &self.fused {
            Some(fused) => fused.new_cache(capacity),
            None => KvCache::new(self.config.layers, self.config.kv_heads, capacity, self.config.head_dim, device),
        }
    }

    /// Runs the blocks over new tokens and returns the normalised hidden
    /// states.
    ///
    /// # Shapes
    /// - tokens: `[1, positions]`
    /// - output: `[1, positions, d_model]`
    pub fn forward_hidden(&self, tokens: &[u32], cache: &mut KvCache, device: &Device) -> Tensor<3> {
        let ids: Vec<i64> = tokens.iter().map(|&id| i64::from(id)).collect();
        let tokens = Tensor::<2, Int>::from_data(TensorData::new(ids, [1, tokens.len()]), device);

        let mut hidden = self.embedding.forward(tokens);
        for (index, block) in self.blocks.iter().enumerate() {
            let _span = tracing::trace_span!("block", index).entered();
            hidden = block.forward(hidden, &self.rope, cache.layer_mut(index));
        }
        self.norm.forward(hidden)
    }

    /// Logits of one hidden state.
    ///
    /// # Shapes
    /// - hidden: `[1, 1, d_model]`
    /// - output: `vocab_size` values
    pub fn logits(&self, hidden: Tensor<3>) -> Vec<f32> {
        self.head.forward(hidden).into_data().try_into_vec::<f32>().expect("logits are f32")
    }

    /// Feeds `tokens` and returns the logits after the last one.
    pub fn forward_last(&self, tokens: &[u32], cache: &mut KvCache, device: &Device) -> Vec<f32> {
        let hidden = self.forward_hidden(tokens, cache, device);
        let [batch, positions, d_model] = hidden.dims();
        self.logits(hidden.slice([0..batch, positions - 1..positions, 0..d_model]))
    }

    /// Feeds `tokens` and returns the logits after every one of them.
    ///
    /// The head runs one position at a time so that a quantized head is
    /// never expanded to `f32` as a whole.
    pub fn forward_all(&self, tokens: &[u32], cache: &mut KvCache, device: &Device) -> Vec<Vec<f32>> {
        let hidden = self.forward_hidden(tokens, cache, device);
        let [batch, positions, d_model] = hidden.dims();

        (0..positions)
            .map(|position| self.logits(hidden.clone().slice([0..batch, position..position + 1, 0..d_model])))
            .collect()
    }
}
