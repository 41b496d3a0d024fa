//! Model hyper-parameters, read from GGUF metadata.

use std::path::PathBuf;

use samantha_gguf::GgufFile;

use crate::nn::{AttentionConfig, DecoderBlockConfig};

/// Maximum context the rotary tables and caches are built for unless the
/// caller requests more. The file's own limit still applies.
pub const DEFAULT_MAX_CONTEXT: usize = 8192;

/// Errors raised while reading or checking a model configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Gguf(#[from] samantha_gguf::GgufError),

    #[error(
        "{path}: architecture {architecture:?} is not supported; only llama-architecture GGUF files \
         (SmolLM2, TinyLlama, Llama 3.2 and similar) can be loaded"
    )]
    UnsupportedArchitecture { path: PathBuf, architecture: String },

    #[error("{path}: invalid model configuration: {problem}")]
    Invalid { path: PathBuf, problem: InvalidConfig },
}

/// Sizes or constants of a model configuration that do not fit together.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvalidConfig {
    #[error("{0} is 0")]
    ZeroSize(&'static str),

    #[error("{heads} heads cannot share {kv_heads} key/value heads evenly")]
    UnevenHeads { heads: usize, kv_heads: usize },

    #[error("head dimension {0} is odd; rotary encoding needs pairs")]
    OddHeadDim(usize),

    #[error("rotary encoding covers {rotary} of {head_dim} head dimensions; partial rotary encoding is not supported")]
    PartialRotary { rotary: usize, head_dim: usize },

    #[error("RMS norm epsilon {0} is not positive")]
    NormEpsilon(f64),

    #[error("rotary base frequency {0} is not above 1")]
    RopeBase(f64),
}

/// Hyper-parameters of a Llama-architecture decoder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LlamaConfig {
    pub vocab_size: usize,
    pub d_model: usize,
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub d_hidden: usize,
    pub norm_epsilon: f64,
    pub rope_base: f64,

    /// Context length the model was trained for.
    pub context_length: usize,
}

impl LlamaConfig {
    /// Reads the configuration from the `llama.*` metadata keys.
    ///
    /// # Errors
    /// Returns an error naming the file and the key when a key is missing,
    /// has the wrong type, or the values do not fit together.
    pub fn from_gguf(file: &GgufFile) -> Result<Self, ConfigError> {
        let architecture = file.get_str("general.architecture")?;
        if architecture != "llama" {
            return Err(ConfigError::UnsupportedArchitecture {
                path: file.path().to_path_buf(),
                architecture: architecture.to_owned(),
            });
        }

        let key = |name: &str| -> Result<usize, ConfigError> { Ok(file.get_u64(&format!("llama.{name}"))? as usize) };

        let d_model = key("embedding_length")?;
        let heads = key("attention.head_count")?;
        let kv_heads = match file.get("llama.attention.head_count_kv") {
            Some(_) => key("attention.head_count_kv")?,
            None => heads,
        };
        let head_dim = match file.get("llama.attention.key_length") {
            Some(_) => key("attention.key_length")?,
            None if heads > 0 => d_model / heads,
            None => 0,
        };
        let vocab_size = match file.get("llama.vocab_size") {
            Some(_) => key("vocab_size")?,
            None => file.get_array("tokenizer.ggml.tokens")?.len(),
        };
        let rope_base = match file.get("llama.rope.freq_base") {
            Some(_) => file.get_f64("llama.rope.freq_base")?,
            None => 10_000.0,
        };

        let config = Self {
            vocab_size,
            d_model,
            layers: key("block_count")?,
            heads,
            kv_heads,
            head_dim,
            d_hidden: key("feed_forward_length")?,
            norm_epsilon: file.get_f64("llama.attention.layer_norm_rms_epsilon")?,
            rope_base,
            context_length: key("context_length")?,
        };

        if let Some(rotary) = file.get("llama.rope.dimension_count").and_then(|v| v.as_u64())
            && rotary as usize != config.head_dim
        {
            return Err(ConfigError::Invalid {
                path: file.path().to_path_buf(),
                problem: InvalidConfig::PartialRotary {
                    rotary: rotary as usize,
                    head_dim: config.head_dim,
                },
            });
        }

        config.validate().map_err(|problem| ConfigError::Invalid {
            path: file.path().to_path_buf(),
            problem,
        })?;
        Ok(config)
    }

    /// Checks that the sizes fit together, returning the first problem.
    pub fn validate(&self) -> Result<(), InvalidConfig> {
        let sizes = [
            ("vocab_size", self.vocab_size),
            ("embedding_length", self.d_model),
            ("block_count", self.layers),
            ("head_count", self.heads),
            ("head_count_kv", self.kv_heads),
            ("head dimension", self.head_dim),
            ("feed_forward_length", self.d_hidden),
            ("context_length", self.context_length),
        ];
        if let Some((name, _)) = sizes.iter().find(|(_, value)| *value == 0) {
            return Err(InvalidConfig::ZeroSize(name));
        }

        if self.heads % self.kv_heads != 0 {
            return Err(InvalidConfig::UnevenHeads {
                heads: self.heads,
                kv_heads: self.kv_heads,
            });
        }
        if self.head_dim % 2 != 0 {
            return Err(InvalidConfig::OddHeadDim(self.head_dim));
        }
        if !(self.norm_epsilon > 0.0) {
            return Err(InvalidConfig::NormEpsilon(self.norm_epsilon));
        }
        if !(self.rope_base > 1.0) {
            return Err(InvalidConfig::RopeBase(self.rope_base));
        }
        Ok(())
    }

    pub fn block(&self) -> DecoderBlockConfig {
        DecoderBlockConfig {
            attention: AttentionConfig {
                d_model: self.d_model,
                heads: self.heads,
                kv_heads: self.kv_heads,
                head_dim: self.head_dim,
            },
            d_hidden: self.d_hidden,
            norm_epsilon: self.norm_epsilon,
        }
    }

    /// A configuration small enough for unit tests.
    pub fn tiny(vocab_size: usize) -> Self {
        Self {
            vocab_size,
            d_model: 32,
            layers: 2,
            heads: 4,
            kv_heads: 2,
            head_dim: 8,
            d_hidden: 64,
            norm_epsilon: 1e-5,
            rope_base: 10_000.0,
            context_length: 64,
        }
    }
}
