//! The writing studio's generation.
//!
//! TODO: replace this module with `samantha_mind::Companion::write` once
//! that crate is on main; the modes and their prompts belong there.

use samantha_llm::{CancelToken, ChatMessage, Engine, GenerationRequest, Role, StopReason};
use serde::{Deserialize, Serialize};

use crate::settings::AppSettings;

/// Kind of text the studio writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WritingMode {
    Poem,
    Draft,
    Continue,
    Rewrite,
}

/// A request from the studio: the prompt, and for `continue` and `rewrite`
/// the text to work on.
#[derive(Debug, Clone, Deserialize)]
pub struct WritingRequest {
    pub mode: WritingMode,
    pub prompt: String,
    #[serde(default)]
    pub source: String,
}

/// Errors raised while writing.
#[derive(Debug, thiserror::Error)]
pub enum WritingError {
    #[error("the prompt is empty")]
    EmptyPrompt,

    #[error("{0:?} needs the text to work on")]
    MissingSource(WritingMode),

    #[error("failed to build the prompt: {0}")]
    Prompt(#[from] samantha_llm::ChatPromptError),

    #[error("generation failed: {0}")]
    Generate(#[from] samantha_llm::GenerateError),
}

/// The finished text.
#[derive(Debug, Clone, Serialize)]
pub struct WritingOutcome {
    pub text: String,
    /// Whether the user stopped it before the end.
    pub stopped: bool,
}

/// Generates the text `request` describes, sending it to `on_text` as it streams.
pub fn write(
    engine: &Engine,
    settings: &AppSettings,
    request: &WritingRequest,
    cancel: &CancelToken,
    on_text: &mut dyn FnMut(&str),
) -> Result<WritingOutcome, WritingError> {
    let instruction = instruction(request)?;
    let messages = [
        ChatMessage::new(Role::System, settings.system_prompt()),
        ChatMessage::new(Role::User, instruction),
    ];
    let generation_request = GenerationRequest {
        prompt: engine.chat_prompt(&messages)?,
        max_tokens: settings.max_tokens as usize,
        sampling: settings.sampling(),
        stop_tokens: engine.stop_tokens().to_vec(),
    };

    let mut sink = |piece: &str| on_text(piece);
    let generation = engine.generate(&generation_request, cancel, &mut sink)?;
    Ok(WritingOutcome {
        text: generation.text,
        stopped: generation.stop == StopReason::Cancelled,
    })
}

fn instruction(request: &WritingRequest) -> Result<String, WritingError> {
    let prompt = request.prompt.trim();
    let source = request.source.trim();
    match request.mode {
        WritingMode::Poem | WritingMode::Draft if prompt.is_empty() => Err(WritingError::EmptyPrompt),
        WritingMode::Poem => Ok(format!("Write a short poem about {prompt}.")),
        WritingMode::Draft => Ok(format!("Write a first draft: {prompt}")),
        WritingMode::Continue | WritingMode::Rewrite if source.is_empty() => Err(WritingError::MissingSource(request.mode)),
        WritingMode::Continue => Ok(format!("Continue this text in the same voice. {prompt}\n\n{source}")),
        WritingMode::Rewrite => Ok(format!("Rewrite this text. {prompt}\n\n{source}")),
    }
}
