//! Buffers of the fused prompt pass, for one chunk of positions.

use crate::config::LlamaConfig;
use crate::quant::{Activations, PreparedInput};

/// Every intermediate matrix of the prompt pass over up to `positions`
/// positions, each row-major `[positions, width]`.
#[derive(Debug)]
pub(super) struct PromptBuffers {
    pub hidden: Vec<f32>,
    pub normed: Vec<f32>,
    pub model_inputs: Vec<PreparedInput>,
    pub query: Vec<f32>,
    pub key: Vec<f32>,
    pub value: Vec<f32>,
    pub context: Vec<f32>,
    pub context_inputs: Vec<PreparedInput>,
    pub projected: Vec<f32>,
    pub gate: Vec<f32>,
    pub up: Vec<f32>,
    pub hidden_inputs: Vec<PreparedInput>,

    /// `[positions, head_dim / 2]` cosines and sines of the rotary angles.
    pub cos: Vec<f32>,
    pub sin: Vec<f32>,
}

impl PromptBuffers {
    /// Allocates buffers for `positions` positions of `config`.
    pub fn new(config: &LlamaConfig, positions: usize, activations: Activations) -> Self {
        let q_dim = config.heads * config.head_dim;
        let kv_dim = config.kv_heads * config.head_dim;
        let pairs = config.head_dim / 2;
        let inputs = |width| (0..positions).map(|_| PreparedInput::with_activations(width, activations)).collect();

        Self {
            hidden: vec![0.0; positions * config.d_model],
            normed: vec![0.0; positions * config.d_model],
            model_inputs: inputs(config.d_model),
            query: vec![0.0; positions * q_dim],
            key: vec![0.0; positions * kv_dim],
            value: vec![0.0; positions * kv_dim],
            context: vec![0.0; positions * q_dim],
            context_inputs: inputs(q_dim),
            projected: vec![0.0; positions * config.d_model],
            gate: vec![0.0; positions * config.d_hidden],
            up: vec![0.0; positions * config.d_hidden],
            hidden_inputs: inputs(config.d_hidden),
            cos: vec![0.0; positions * pairs],
            sin: vec![0.0; positions * pairs],
        }
    }
}

/// Prepares each row of `x` (`[inputs.len(), width]`) as one input.
pub(super) fn prepare_rows(inputs: &mut [PreparedInput], x: &[f32]) {
    let width = x.len() / inputs.len();
    for (input, row) in inputs.iter_mut().zip(x.chunks_exact(width)) {
        input.set(row);
    }
}
