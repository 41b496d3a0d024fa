//! Tokenization from GGUF metadata.
//!
//! The pipeline is built from the `tokenizer.ggml.*` keys: the vocabulary
//! and merges give a byte-level BPE model, `tokenizer.ggml.pre` picks the
//! pre-tokenizer (how text is split before merging), and control tokens
//! become special added tokens so that they never appear in decoded text.

mod build;
mod stream;

pub use build::TokenizerError;
pub use stream::StreamDecoder;

use samantha_gguf::GgufFile;

/// Token ids of the special tokens a model declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialTokens {
    pub bos: Option<u32>,
    pub eos: Option<u32>,

    /// Whether llama.cpp prepends `bos` when it tokenizes a prompt.
    pub add_bos: bool,
}

/// A tokenizer for one model.
///
/// It holds two `tokenizers::Tokenizer` pipelines that differ only in how
/// they treat control-token text such as `<|im_end|>`: the template pipeline
/// turns it into control tokens, the text pipeline keeps it as plain text,
/// so that nothing a user types can end a turn.
pub struct Tokenizer {
    template: tokenizers::Tokenizer,
    text: tokenizers::Tokenizer,
    special: SpecialTokens,
    control_texts: Vec<String>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("vocab_size", &self.vocab_size())
            .field("special", &self.special)
            .finish()
    }
}

impl Tokenizer {
    /// Builds the tokenizer described by the file's metadata.
    ///
    /// # Errors
    /// Returns an error naming the file and key when the tokenizer model or
    /// pre-tokenizer is unsupported or the vocabulary is malformed.
    pub fn from_gguf(file: &GgufFile) -> Result<Self, TokenizerError> {
        build::from_gguf(file)
    }

    pub fn special(&self) -> SpecialTokens {
        self.special
    }

    pub fn vocab_size(&self) -> usize {
        self.text.get_vocab_size(true)
    }

    /// Texts of the control tokens, such as `<|im_start|>`.
    pub fn control_texts(&self) -> &[String] {
        &self.control_texts
    }

    /// Encodes user text; control-token text in it stays plain text.
    pub fn encode_text(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        encode(&self.text, text)
    }

    /// Encodes a rendered chat template; control-token text becomes control
    /// tokens.
    pub fn encode_template(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        encode(&self.template, text)
    }

    /// Decodes ids to text, leaving out control tokens.
    pub fn decode(&self, ids: &[u32]) -> Result<String, TokenizerError> {
        self.text.decode(ids, true).map_err(|source| TokenizerError::Decode {
            ids: ids.len(),
            cause: source,
        })
    }

    /// Returns the text of one token as the vocabulary stores it.
    pub fn token_text(&self, id: u32) -> Option<String> {
        self.text.id_to_token(id)
    }
}

fn encode(pipeline: &tokenizers::Tokenizer, text: &str) -> Result<Vec<u32>, TokenizerError> {
    let encoding = pipeline.encode(text, false).map_err(|source| TokenizerError::Encode {
        chars: text.chars().count(),
        cause: source,
    })?;
    Ok(encoding.get_ids().to_vec())
}
