//! Token-by-token generation with streaming and cancellation.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::cache::KvCache;
use crate::engine::Engine;
use crate::fused::{DecodeError, DecodeScratch, FusedDecoder};
use crate::model::Llama;
use crate::sampling::{Sampler, SamplingError, SamplingParams};
use crate::tokenizer::{StreamDecoder, TokenizerError};

/// Errors raised before or during generation.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("the prompt is empty; give some text to continue")]
    EmptyPrompt,

    #[error(
        "the prompt has {prompt_tokens} tokens but the model's context holds {context}; shorten the prompt"
    )]
    ContextOverflow { prompt_tokens: usize, context: usize },

    #[error("invalid sampling settings: {0}")]
    InvalidSampling(SamplingError),

    #[error(transparent)]
    Tokenizer(#[from] TokenizerError),

    #[error("decoding failed: {0}")]
    Decode(#[from] DecodeError),
}

/// A request to continue a token sequence.
#[derive(Debug, Clone)]
pub struct GenerationRequest {
    pub prompt: Vec<u32>,
    pub max_tokens: usize,
    pub sampling: SamplingParams,

    /// Tokens that end the reply; they are not part of the output.
    pub stop_tokens: Vec<u32>,
}

/// Reason generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The model produced a stop token.
    EndOfTurn,
    MaxTokens,

    /// The context window is full.
    ContextFull,

    /// A [`CancelToken`] was triggered.
    Cancelled,
}

/// The outcome of one generation.
#[derive(Debug, Clone)]
pub struct Generation {
    pub tokens: Vec<u32>,
    pub text: String,
    pub stop: StopReason,
    pub prompt_tokens: usize,

    /// Time to process the prompt and produce the first token.
    pub time_to_first_token: Duration,
    pub total_time: Duration,
}

/// Stops a running generation from another thread.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Clears the flag so the token can be used for the next reply.
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Something that receives text as it is generated.
pub trait TokenSink {
    /// Receives a piece of text made of whole characters.
    fn piece(&mut self, text: &str);
}

impl<F: FnMut(&str)> TokenSink for F {
    fn piece(&mut self, text: &str) {
        self(text)
    }
}

impl TokenSink for std::sync::mpsc::Sender<String> {
    fn piece(&mut self, text: &str) {
        // A closed receiver is ignored, so generation continues and the
        // caller still gets the whole result.
        let _ = self.send(text.to_owned());
    }
}

/// Computes the logits after the prompt and after each further token:
/// through the fused CPU path when the model has one, through the burn
/// modules otherwise.
enum NextToken<'a> {
    Fused { decoder: &'a FusedDecoder, scratch: DecodeScratch },
    Burn,
}

impl<'a> NextToken<'a> {
    fn new(model: &'a Llama, capacity: usize) -> Self {
        match model.fused() {
            Some(decoder) => Self::Fused {
                decoder,
                scratch: decoder.new_scratch(capacity),
            },
            None => Self::Burn,
        }
    }

    fn prompt(&mut self, engine: &Engine, prompt: &[u32], cache: &mut KvCache, logits: &mut Vec<f32>) -> Result<(), DecodeError> {
        match self {
            Self::Fused { decoder, scratch } => {
                logits.resize(engine.model().config().vocab_size, 0.0);
                decoder.prefill(prompt, cache, scratch, logits)
            }
            Self::Burn => {
                *logits = engine.model().forward_last(prompt, cache, engine.device());
                Ok(())
            }
        }
    }

    fn run(&mut self, engine: &Engine, token: u32, cache: &mut KvCache, logits: &mut Vec<f32>) -> Result<(), DecodeError> {
        match self {
            Self::Fused { decoder, scratch } => decoder.decode(token, cache, scratch, logits),
            Self::Burn => {
                *logits = engine.model().forward_last(&[token], cache, engine.device());
                Ok(())
            }
        }
    }
}

pub(crate) fn generate(
    engine: &Engine,
    request: &GenerationRequest,
    cancel: &CancelToken,
    sink: &mut dyn TokenSink,
) -> Result<Generation, GenerateError> {
    if request.prompt.is_empty() {
        return Err(GenerateError::EmptyPrompt);
    }
    request.sampling.validate().map_err(GenerateError::InvalidSampling)?;

    let context = engine.model().max_context();
    if request.prompt.len() >= context {
        return Err(GenerateError::ContextOverflow {
            prompt_tokens: request.prompt.len(),
            context,
        });
    }

    let started = Instant::now();
    let capacity = (request.prompt.len() + request.max_tokens).min(context);
    let mut cache = engine.model().new_cache(capacity, engine.device());
    let mut step = NextToken::new(engine.model(), cache.capacity());
    let mut sampler = Sampler::new(request.sampling);
    let mut decoder = StreamDecoder::new();

    let mut history = request.prompt.clone();
    let mut output = Vec::new();
    let mut text = String::new();
    let mut time_to_first_token = None;

    let mut logits = Vec::new();
    step.prompt(engine, &request.prompt, &mut cache, &mut logits)?;
    let stop = loop {
        if cancel.is_cancelled() {
            break StopReason::Cancelled;
        }
        if output.len() >= request.max_tokens {
            break StopReason::MaxTokens;
        }

        let token = sampler.sample(&mut logits, &history);
        time_to_first_token.get_or_insert_with(|| started.elapsed());
        if request.stop_tokens.contains(&token) {
            break StopReason::EndOfTurn;
        }

        output.push(token);
        history.push(token);
        if let Some(piece) = decoder.push(engine.tokenizer(), token)? {
            sink.piece(&piece);
            text.push_str(&piece);
        }

        if cache.len() >= cache.capacity() {
            break if output.len() >= request.max_tokens { StopReason::MaxTokens } else { StopReason::ContextFull };
        }
        if output.len() < request.max_tokens && !cancel.is_cancelled() {
            step.run(engine, token, &mut cache, &mut logits)?;
        }
    };

    if let Some(piece) = decoder.finish(engine.tokenizer())? {
        sink.piece(&piece);
        text.push_str(&piece);
    }

    Ok(Generation {
        tokens: output,
        text,
        stop,
        prompt_tokens: request.prompt.len(),
        time_to_first_token: time_to_first_token.unwrap_or_else(|| started.elapsed()),
        total_time: started.elapsed(),
    })
}
