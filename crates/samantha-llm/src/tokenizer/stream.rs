//! Incremental decoding for streamed output.

use super::{Tokenizer, TokenizerError};

/// Turns a stream of token ids into text pieces that are always whole
/// UTF-8 characters.
///
/// Byte-level BPE can split one character (an emoji, a CJK character) over
/// several tokens. Decoding such a prefix yields U+FFFD, so a piece is held
/// back until the text decoded so far no longer ends in one.
#[derive(Debug, Default)]
pub struct StreamDecoder {
    ids: Vec<u32>,

    /// Start of the ids decoded for context, so that a token's leading
    /// space is decoded as in the whole text.
    prefix_start: usize,

    /// Ids before this index have been emitted.
    emitted_end: usize,
}

impl StreamDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one token and returns the text that is now complete, if any.
    pub fn push(&mut self, tokenizer: &Tokenizer, id: u32) -> Result<Option<String>, TokenizerError> {
        self.ids.push(id);

        let before = tokenizer.decode(&self.ids[self.prefix_start..self.emitted_end])?;
        let after = tokenizer.decode(&self.ids[self.prefix_start..])?;
        if after.ends_with('\u{FFFD}') || after.len() <= before.len() {
            return Ok(None);
        }

        let Some(piece) = after.get(before.len()..) else {
            return Ok(None);
        };
        let piece = piece.to_owned();

        self.prefix_start = self.emitted_end;
        self.emitted_end = self.ids.len();
        Ok(Some(piece))
    }

    /// Returns whatever is still held back, replacing broken bytes.
    pub fn finish(&mut self, tokenizer: &Tokenizer) -> Result<Option<String>, TokenizerError> {
        let before = tokenizer.decode(&self.ids[self.prefix_start..self.emitted_end])?;
        let after = tokenizer.decode(&self.ids[self.prefix_start..])?;
        self.prefix_start = self.ids.len();
        self.emitted_end = self.ids.len();

        Ok(after.get(before.len()..).filter(|piece| !piece.is_empty()).map(str::to_owned))
    }
}
