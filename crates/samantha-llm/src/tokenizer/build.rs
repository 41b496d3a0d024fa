//! Assembling a `tokenizers::Tokenizer` from GGUF metadata.

use std::path::PathBuf;

use samantha_gguf::{GgufFile, Value};
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::BPE;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, PreTokenizerWrapper, SplitDelimiterBehavior};

use super::{SpecialTokens, Tokenizer};

/// llama.cpp's token type for control tokens (`LLAMA_TOKEN_TYPE_CONTROL`).
const TOKEN_TYPE_CONTROL: i64 = 3;

/// llama.cpp's token type for user-defined tokens.
const TOKEN_TYPE_USER_DEFINED: i64 = 4;

/// The Llama 3 split pattern: contractions, letters, numbers of up to three
/// digits, punctuation runs and whitespace.
const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Errors raised while building or running a tokenizer.
#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    #[error(transparent)]
    Gguf(#[from] samantha_gguf::GgufError),

    #[error(
        "{path}: tokenizer model {model:?} is not supported; byte-level BPE models (\"gpt2\") are, \
         as used by SmolLM2 and Llama 3"
    )]
    UnsupportedModel { path: PathBuf, model: String },

    #[error("{path}: pre-tokenizer {pre:?} is not supported; known ones: smollm, starcoder, refact, gpt2, default, llama-bpe")]
    UnsupportedPreTokenizer { path: PathBuf, pre: String },

    #[error("{path}: invalid tokenizer metadata: {reason}")]
    Invalid { path: PathBuf, reason: String },

    #[error("could not encode {chars} characters: {cause}")]
    Encode { chars: usize, cause: tokenizers::Error },

    #[error("could not decode {ids} token ids: {cause}")]
    Decode { ids: usize, cause: tokenizers::Error },
}

pub(super) fn from_gguf(file: &GgufFile) -> Result<Tokenizer, TokenizerError> {
    let path = file.path().to_path_buf();
    let invalid = |reason: String| TokenizerError::Invalid {
        path: path.clone(),
        reason,
    };

    let model = file.get_str("tokenizer.ggml.model")?;
    if model != "gpt2" {
        return Err(TokenizerError::UnsupportedModel {
            path,
            model: model.to_owned(),
        });
    }

    let tokens = file.get_string_array("tokenizer.ggml.tokens")?;
    let merges = file.get_string_array("tokenizer.ggml.merges")?;
    let token_types: Vec<i64> = match file.get("tokenizer.ggml.token_type") {
        Some(Value::Array(values)) => values.iter().map(|v| v.as_i64().unwrap_or(1)).collect(),
        _ => vec![1; tokens.len()],
    };

    let vocab: tokenizers::models::bpe::Vocab = tokens.iter().enumerate().map(|(id, text)| ((*text).to_owned(), id as u32)).collect();
    if vocab.len() != tokens.len() {
        return Err(invalid(format!("{} tokens but only {} distinct texts", tokens.len(), vocab.len())));
    }

    let mut merge_pairs = Vec::with_capacity(merges.len());
    for (index, merge) in merges.iter().enumerate() {
        let (left, right) = merge
            .split_once(' ')
            .ok_or_else(|| invalid(format!("merge {index} ({merge:?}) is not two tokens separated by a space")))?;
        merge_pairs.push((left.to_owned(), right.to_owned()));
    }

    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merge_pairs)
        .build()
        .map_err(|source| invalid(format!("BPE model: {source}")))?;

    let pre = file.get("tokenizer.ggml.pre").and_then(Value::as_str).unwrap_or("default");
    let pre_tokenizer = pre_tokenizer_for(pre).ok_or_else(|| TokenizerError::UnsupportedPreTokenizer {
        path: path.clone(),
        pre: pre.to_owned(),
    })?;

    let mut pipeline = tokenizers::Tokenizer::new(bpe);
    pipeline.with_pre_tokenizer(Some(pre_tokenizer));
    pipeline.with_decoder(Some(ByteLevelDecoder::default()));

    let mut control_texts = Vec::new();
    let mut added = Vec::new();
    for (id, text) in tokens.iter().enumerate() {
        let ty = token_types.get(id).copied().unwrap_or(1);
        if ty == TOKEN_TYPE_CONTROL || ty == TOKEN_TYPE_USER_DEFINED {
            added.push(AddedToken::from((*text).to_owned(), ty == TOKEN_TYPE_CONTROL));
            if ty == TOKEN_TYPE_CONTROL && !text.is_empty() {
                control_texts.push((*text).to_owned());
            }
        }
    }
    pipeline.add_special_tokens(&added);

    let mut text = pipeline.clone();
    text.set_encode_special_tokens(true);

    let token_id = |key: &str| -> Result<Option<u32>, TokenizerError> {
        match file.get(key) {
            None => Ok(None),
            Some(_) => {
                let id = file.get_u64(key)?;
                if id as usize >= tokens.len() {
                    return Err(invalid(format!("{key} is {id}, outside the vocabulary of {}", tokens.len())));
                }
                Ok(Some(id as u32))
            }
        }
    };

    let special = SpecialTokens {
        bos: token_id("tokenizer.ggml.bos_token_id")?,
        eos: token_id("tokenizer.ggml.eos_token_id")?,
        add_bos: file.get("tokenizer.ggml.add_bos_token").and_then(Value::as_bool).unwrap_or(false),
    };

    Ok(Tokenizer {
        template: pipeline,
        text,
        special,
        control_texts,
    })
}

/// Maps llama.cpp's pre-tokenizer names to the matching pipeline.
fn pre_tokenizer_for(name: &str) -> Option<PreTokenizerWrapper> {
    let byte_level = |use_regex: bool| ByteLevel::new(false, true, use_regex);

    let wrapper = match name {
        // Every digit on its own, then GPT-2's split.
        "smollm" | "starcoder" | "refact" => PreTokenizerWrapper::Sequence(Sequence::new(vec![
            PreTokenizerWrapper::Digits(Digits::new(true)),
            PreTokenizerWrapper::ByteLevel(byte_level(true)),
        ])),
        "gpt2" | "default" => PreTokenizerWrapper::ByteLevel(byte_level(true)),
        "llama-bpe" | "llama3" => {
            let split = Split::new(SplitPattern::Regex(LLAMA3_PATTERN.to_owned()), SplitDelimiterBehavior::Isolated, false)
                .ok()?;
            PreTokenizerWrapper::Sequence(Sequence::new(vec![
                PreTokenizerWrapper::Split(split),
                PreTokenizerWrapper::ByteLevel(byte_level(false)),
            ]))
        }
        _ => return None,
    };
    Some(wrapper)
}
