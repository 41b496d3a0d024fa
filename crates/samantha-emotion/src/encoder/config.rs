//! Model configuration: `config.json` as Hugging Face writes it, and the
//! checked runtime configuration the layers are built from.

use std::path::Path;

use serde::Deserialize;

/// Errors raised while reading or checking `config.json`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("failed to read the model configuration {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid model configuration {path}: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("unsupported model configuration: {field} is {found}, expected {expected}")]
    Unsupported {
        field: &'static str,
        expected: &'static str,
        found: String,
    },
}

/// The fields of a BERT `config.json` that the encoder uses; other fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct BertConfigFile {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub position_embedding_type: Option<String>,
    #[serde(default)]
    pub model_type: Option<String>,
}

impl BertConfigFile {
    /// Reads `config.json` from `path`.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.display().to_string(),
            source,
        })
    }

    /// Checks the fields this implementation supports and converts them.
    pub fn to_runtime(&self) -> Result<EncoderConfig, ConfigError> {
        if self.hidden_act != "gelu" {
            return Err(ConfigError::Unsupported {
                field: "hidden_act",
                expected: "gelu",
                found: self.hidden_act.clone(),
            });
        }
        if let Some(kind) = &self.position_embedding_type
            && kind != "absolute"
        {
            return Err(ConfigError::Unsupported {
                field: "position_embedding_type",
                expected: "absolute",
                found: kind.clone(),
            });
        }
        if let Some(kind) = &self.model_type
            && kind != "bert"
        {
            return Err(ConfigError::Unsupported {
                field: "model_type",
                expected: "bert",
                found: kind.clone(),
            });
        }
        if self.num_attention_heads == 0 || self.hidden_size % self.num_attention_heads != 0 {
            return Err(ConfigError::Unsupported {
                field: "num_attention_heads",
                expected: "a non-zero divisor of hidden_size",
                found: format!("{} for hidden_size {}", self.num_attention_heads, self.hidden_size),
            });
        }

        Ok(EncoderConfig {
            vocab_size: self.vocab_size,
            d_model: self.hidden_size,
            n_layers: self.num_hidden_layers,
            n_heads: self.num_attention_heads,
            d_ff: self.intermediate_size,
            max_positions: self.max_position_embeddings,
            type_vocab_size: self.type_vocab_size,
            layer_norm_eps: self.layer_norm_eps,
        })
    }
}

/// Checked encoder dimensions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncoderConfig {
    pub vocab_size: usize,
    pub d_model: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub d_ff: usize,
    pub max_positions: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
}

impl EncoderConfig {
    /// Returns a small configuration for tests: 2 layers, width 8, 2 heads.
    pub fn tiny() -> Self {
        Self {
            vocab_size: 20,
            d_model: 8,
            n_layers: 2,
            n_heads: 2,
            d_ff: 16,
            max_positions: 16,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minilm_json() -> &'static str {
        r#"{"architectures":["BertModel"],"hidden_act":"gelu","hidden_size":384,
            "intermediate_size":1536,"layer_norm_eps":1e-12,"max_position_embeddings":512,
            "model_type":"bert","num_attention_heads":12,"num_hidden_layers":6,
            "position_embedding_type":"absolute","type_vocab_size":2,"vocab_size":30522}"#
    }

    #[test]
    fn minilm_config_converts() {
        let file: BertConfigFile = serde_json::from_str(minilm_json()).unwrap();
        let config = file.to_runtime().unwrap();
        assert_eq!(config.d_model, 384);
        assert_eq!(config.n_layers, 6);
        assert_eq!(config.n_heads, 12);
        assert_eq!(config.d_ff, 1536);
        assert_eq!(config.max_positions, 512);
    }

    #[test]
    fn unsupported_activation_is_rejected() {
        let mut file: BertConfigFile = serde_json::from_str(minilm_json()).unwrap();
        file.hidden_act = "relu".into();
        let error = file.to_runtime().unwrap_err().to_string();
        assert!(error.contains("hidden_act is relu, expected gelu"), "{error}");
    }

    #[test]
    fn heads_must_divide_width() {
        let mut file: BertConfigFile = serde_json::from_str(minilm_json()).unwrap();
        file.num_attention_heads = 5;
        let error = file.to_runtime().unwrap_err().to_string();
        assert!(error.contains("num_attention_heads"), "{error}");
    }
}
