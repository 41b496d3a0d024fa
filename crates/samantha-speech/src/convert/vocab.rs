//! The token list that whisper.cpp reads, taken from a Hugging Face
//! `tokenizer.json` with a byte-level BPE model.
//!
//! Byte-level BPE (GPT-2's scheme, which Whisper uses) writes every byte as
//! a printable character: the bytes `!`..`~`, `¡`..`¬` and `®`..`ÿ` stand
//! for themselves, and the remaining 68 bytes map in order to U+0100 and up.
//! whisper.cpp stores each token as the raw bytes, so the mapping is undone.

use std::collections::BTreeMap;
use std::path::Path;

use super::ConvertError;

/// Returns the character that byte-level BPE uses for each byte value.
fn byte_to_char_table() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut next_extra = 0_u32;
    for byte in 0..=255_u8 {
        let printable = matches!(byte, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        let code = if printable {
            u32::from(byte)
        } else {
            let code = 256 + next_extra;
            next_extra += 1;
            code
        };
        table[usize::from(byte)] = char::from_u32(code).unwrap_or('\0');
    }
    table
}

/// Decodes one byte-level BPE token string back to its bytes, or `None`
/// when it contains a character outside the byte alphabet.
pub fn decode_token(token: &str, char_to_byte: &BTreeMap<char, u8>) -> Option<Vec<u8>> {
    token
        .chars()
        .map(|character| char_to_byte.get(&character).copied())
        .collect()
}

/// Maps each byte-level BPE character back to its byte.
pub fn char_to_byte_map() -> BTreeMap<char, u8> {
    byte_to_char_table()
        .iter()
        .enumerate()
        .map(|(byte, character)| (*character, byte as u8))
        .collect()
}

#[derive(serde::Deserialize)]
struct TokenizerFile {
    model: TokenizerModel,
}

#[derive(serde::Deserialize)]
struct TokenizerModel {
    #[serde(rename = "type")]
    kind: String,
    vocab: BTreeMap<String, u32>,
}

/// Reads the ordinary (non-added) tokens of `tokenizer.json` as bytes,
/// indexed by token id. Whisper's special tokens (`<|startoftranscript|>`
/// and later ids) are not included: whisper.cpp names those itself.
pub fn read_vocabulary(path: &Path) -> Result<Vec<Vec<u8>>, ConvertError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConvertError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |reason: String| ConvertError::Tokenizer {
        path: path.to_path_buf(),
        reason,
    };

    let file: TokenizerFile =
        serde_json::from_str(&text).map_err(|source| ConvertError::TokenizerJson {
            path: path.to_path_buf(),
            source,
        })?;
    if file.model.kind != "BPE" {
        return Err(invalid(format!(
            "model type is {}, expected BPE",
            file.model.kind
        )));
    }

    let mut by_id: Vec<Option<&str>> = vec![None; file.model.vocab.len()];
    for (token, &id) in &file.model.vocab {
        let slot = by_id.get_mut(id as usize).ok_or_else(|| {
            invalid(format!(
                "token id {id} is beyond the {} tokens of the vocabulary",
                file.model.vocab.len()
            ))
        })?;
        *slot = Some(token);
    }

    let char_to_byte = char_to_byte_map();
    let mut tokens = Vec::with_capacity(by_id.len());
    for (id, token) in by_id.iter().enumerate() {
        let token = token.ok_or_else(|| invalid(format!("token id {id} is missing")))?;
        let bytes = decode_token(token, &char_to_byte).ok_or_else(|| {
            invalid(format!(
                "token {id} ({token:?}) has a character outside byte-level BPE"
            ))
        })?;
        tokens.push(bytes);
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_table_is_a_bijection() {
        let map = char_to_byte_map();
        assert_eq!(map.len(), 256);
    }

    #[test]
    fn decode_token_maps_space_and_newline() {
        let map = char_to_byte_map();
        assert_eq!(decode_token("Ġthe", &map), Some(b" the".to_vec()));
        assert_eq!(decode_token("Ċ", &map), Some(b"\n".to_vec()));
        assert_eq!(
            decode_token("<|endoftext|>", &map),
            Some(b"<|endoftext|>".to_vec())
        );
    }

    #[test]
    fn decode_token_rejects_foreign_character() {
        let map = char_to_byte_map();
        assert_eq!(decode_token("\u{4e00}", &map), None);
    }

    #[test]
    fn decode_token_reads_utf8_bytes() {
        // "é" is 0xC3 0xA9 in UTF-8; both bytes are printable Latin-1 and stand for themselves.
        let map = char_to_byte_map();
        assert_eq!(decode_token("Ã©", &map), Some("é".as_bytes().to_vec()));
    }
}
