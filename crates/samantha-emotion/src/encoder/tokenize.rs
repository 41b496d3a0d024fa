//! WordPiece tokenization through `tokenizer.json`, split into windows that
//! fit the encoder.

use std::path::Path;

use tokenizers::Tokenizer;

/// Tokens per window, special tokens included: sentence-transformers'
/// `max_seq_length` for all-MiniLM-L6-v2.
pub const DEFAULT_WINDOW_TOKENS: usize = 256;

/// Errors raised while loading the tokenizer or encoding text.
#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    #[error("failed to load the tokenizer {path}: {source}")]
    Load {
        path: String,
        source: tokenizers::Error,
    },
    #[error("the tokenizer {path} has no {token} token")]
    MissingSpecial { path: String, token: &'static str },
    #[error("failed to tokenize the text: {source}")]
    Encode { source: tokenizers::Error },
}

/// A BERT tokenizer that returns `[CLS] … [SEP]` windows of at most `window` tokens.
pub struct TextTokenizer {
    tokenizer: Tokenizer,
    cls: u32,
    sep: u32,
    window: usize,
}

impl TextTokenizer {
    /// Loads `tokenizer.json`. Its own truncation and padding are turned off
    /// because windows are cut and padded here.
    pub fn load(path: &Path, window: usize) -> Result<Self, TokenizeError> {
        assert!(window >= 3, "a window needs room for [CLS], [SEP] and one token");
        let display = path.display().to_string();
        let mut tokenizer = Tokenizer::from_file(path).map_err(|source| TokenizeError::Load {
            path: display.clone(),
            source,
        })?;
        tokenizer
            .with_truncation(None)
            .map_err(|source| TokenizeError::Load { path: display.clone(), source })?;
        tokenizer.with_padding(None);

        let special = |token: &'static str| {
            tokenizer
                .token_to_id(token)
                .ok_or_else(|| TokenizeError::MissingSpecial { path: display.clone(), token })
        };
        let cls = special("[CLS]")?;
        let sep = special("[SEP]")?;
        Ok(Self { tokenizer, cls, sep, window })
    }

    pub fn window(&self) -> usize {
        self.window
    }

    /// Splits `text` into windows of token ids, each starting with `[CLS]` and
    /// ending with `[SEP]`. Empty text gives the single window `[CLS] [SEP]`.
    pub fn windows(&self, text: &str) -> Result<Vec<Vec<u32>>, TokenizeError> {
        let encoding = self
            .tokenizer
            .encode(text, false)
            .map_err(|source| TokenizeError::Encode { source })?;
        let ids = encoding.get_ids();
        let content = self.window - 2;
        if ids.is_empty() {
            return Ok(vec![vec![self.cls, self.sep]]);
        }

        let windows = ids
            .chunks(content)
            .map(|chunk| {
                let mut window = Vec::with_capacity(chunk.len() + 2);
                window.push(self.cls);
                window.extend_from_slice(chunk);
                window.push(self.sep);
                window
            })
            .collect();
        Ok(windows)
    }
}
