//! Errors of the fused decode path.

/// Errors raised by [`FusedDecoder::decode`](super::FusedDecoder::decode)
/// and [`FusedDecoder::prefill`](super::FusedDecoder::prefill).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("token id {token} is outside the vocabulary of {vocab_size} tokens")]
    TokenOutOfRange { token: u32, vocab_size: usize },

    #[error("the prompt is empty; give at least one token")]
    EmptyPrompt,

    #[error("the prompt has {tokens} tokens but the KV cache has room for {free}; create a larger cache for this request")]
    PromptTooLong { tokens: usize, free: usize },

    #[error("the KV cache is full at {capacity} positions; create a larger cache for this request")]
    CacheFull { capacity: usize },

    #[error("position {position} is beyond the {max_positions} positions of the rotary tables; lower the request's length")]
    PositionOutOfRange { position: usize, max_positions: usize },

    #[error("the KV cache lives on a device; the fused CPU path needs a cache from `Llama::new_cache` on the CPU backend")]
    DeviceCache,

    #[error("the KV cache has {actual} layers but the model has {expected}")]
    LayerCount { expected: usize, actual: usize },

    #[error("the decode buffers hold {scratch} positions but the KV cache holds {capacity}; create them with `FusedDecoder::new_scratch` for this cache")]
    ScratchTooSmall { scratch: usize, capacity: usize },

    #[error("the logits buffer has {actual} values but the vocabulary has {expected}")]
    LogitsLength { expected: usize, actual: usize },
}
