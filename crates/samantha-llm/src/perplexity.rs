//! Perplexity of a text under the model.

use crate::engine::Engine;
use crate::generate::GenerateError;

/// The result of [`perplexity`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Perplexity {
    pub value: f64,

    /// Number of tokens predicted (all but the first).
    pub predicted: usize,
}

/// Computes the perplexity of `tokens`: each token from the second on is
/// predicted from all tokens before it, within windows of the model's
/// context length.
///
/// # Errors
/// [`GenerateError::EmptyPrompt`] when there are fewer than two tokens.
pub fn perplexity(engine: &Engine, tokens: &[u32]) -> Result<Perplexity, GenerateError> {
    if tokens.len() < 2 {
        return Err(GenerateError::EmptyPrompt);
    }

    let window = engine.max_context();
    let mut negative_log_likelihood = 0.0f64;
    let mut predicted = 0usize;

    // Windows overlap by one token so that every token after the first is
    // predicted exactly once.
    let mut start = 0;
    while start + 1 < tokens.len() {
        let end = (start + window).min(tokens.len());
        let chunk = &tokens[start..end];

        let mut cache = engine.model().new_cache(chunk.len(), engine.device());
        let logits = engine.model().forward_all(chunk, &mut cache, engine.device());

        for (position, row) in logits.iter().enumerate().take(chunk.len() - 1) {
            negative_log_likelihood -= log_softmax_at(row, chunk[position + 1] as usize);
            predicted += 1;
        }
        start = end - 1;
    }

    Ok(Perplexity {
        value: (negative_log_likelihood / predicted as f64).exp(),
        predicted,
    })
}

fn log_softmax_at(logits: &[f32], index: usize) -> f64 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let sum: f64 = logits.iter().map(|&logit| (logit as f64 - max).exp()).sum();
    logits[index] as f64 - max - sum.ln()
}
