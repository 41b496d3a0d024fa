//! Buffers of the fused decode path, allocated once per generation.

use crate::config::LlamaConfig;
use crate::quant::{Activations, PreparedInput};

/// Every intermediate vector of one decode step, sized for one model and
/// one KV cache capacity, so that decoding a token allocates nothing.
#[derive(Debug, Clone)]
pub struct DecodeScratch {
    pub(super) hidden: Vec<f32>,
    pub(super) normed: Vec<f32>,
    pub(super) model_input: PreparedInput,
    pub(super) query: Vec<f32>,
    pub(super) key: Vec<f32>,
    pub(super) value: Vec<f32>,
    pub(super) context: Vec<f32>,
    pub(super) context_input: PreparedInput,
    pub(super) projected: Vec<f32>,
    pub(super) gate: Vec<f32>,
    pub(super) up: Vec<f32>,
    pub(super) hidden_input: PreparedInput,
    pub(super) scores: Vec<f32>,
    pub(super) cos: Vec<f32>,
    pub(super) sin: Vec<f32>,
    pub(super) activations: Activations,
}

impl DecodeScratch {
    /// Allocates buffers for `config` and a KV cache of `capacity`
    /// positions, with inputs to the packed kernels prepared as
    /// `activations` says.
    pub fn new(config: &LlamaConfig, capacity: usize, activations: Activations) -> Self {
        let q_dim = config.heads * config.head_dim;
        let kv_dim = config.kv_heads * config.head_dim;
        let pairs = config.head_dim / 2;

        Self {
            hidden: vec![0.0; config.d_model],
            normed: vec![0.0; config.d_model],
            model_input: PreparedInput::with_activations(config.d_model, activations),
            query: vec![0.0; q_dim],
            key: vec![0.0; kv_dim],
            value: vec![0.0; kv_dim],
            context: vec![0.0; q_dim],
            context_input: PreparedInput::with_activations(q_dim, activations),
            projected: vec![0.0; config.d_model],
            gate: vec![0.0; config.d_hidden],
            up: vec![0.0; config.d_hidden],
            hidden_input: PreparedInput::with_activations(config.d_hidden, activations),
            scores: vec![0.0; capacity],
            cos: vec![0.0; pairs],
            sin: vec![0.0; pairs],
            activations,
        }
    }

    /// Precision of the inputs to the packed kernels.
    pub fn activations(&self) -> Activations {
        self.activations
    }

    /// Number of cached positions these buffers can attend over.
    pub fn capacity(&self) -> usize {
        self.scores.len()
    }
}
