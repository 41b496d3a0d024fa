//! Samantha's voice: a Llama-architecture language model in burn, loaded
//! from a GGUF file, with its tokenizer, chat template and streaming
//! generation.

pub mod cache;
pub mod config;
pub mod fused;
pub mod loader;
pub mod model;
pub mod nn;
pub mod quant;

pub use cache::KvCache;
pub use config::{ConfigError, InvalidConfig, LlamaConfig};
pub use fused::{DecodeError, DecodeScratch, FusedDecoder};
pub use loader::{WeightLayout, load_llama};
pub use model::Llama;
pub mod sampling;
pub mod template;
pub mod tokenizer;

pub use sampling::{Sampler, SamplingError, SamplingParams};
pub use template::{ChatMessage, ChatTemplate, Role, TemplateError};
pub use tokenizer::{StreamDecoder, Tokenizer, TokenizerError};
pub mod backend;
pub mod engine;
pub mod generate;
pub mod perplexity;

pub use backend::{BackendChoice, BackendError, BackendKind, configure_threads, select_backend};
pub use engine::{ChatPromptError, Engine, EngineError, EngineOptions, TemplateChoice};
pub use generate::{CancelToken, GenerateError, Generation, GenerationRequest, StopReason, TokenSink};
pub use perplexity::{Perplexity, perplexity};
