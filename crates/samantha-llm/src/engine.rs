//! A loaded model with its tokenizer and chat template, ready to generate.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use burn::tensor::Device;
use samantha_gguf::GgufFile;

use crate::backend::{BackendChoice, BackendError, BackendKind, select_backend};
use crate::config::ConfigError;
use crate::generate::{CancelToken, GenerateError, Generation, GenerationRequest, TokenSink, generate};
use crate::loader::load_llama;
use crate::model::Llama;
use crate::template::{ChatMessage, ChatTemplate, TemplateError};
use crate::tokenizer::{Tokenizer, TokenizerError};

/// Control tokens that end a turn in common chat formats, in addition to
/// the file's end-of-sequence token.
const END_OF_TURN_TEXTS: &[&str] = &["<|im_end|>", "<|eot_id|>", "<|end|>", "<|endoftext|>", "</s>"];

/// Errors raised while loading an engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("model file {path} not found; run `samantha setup` or pass `--model PATH` to a GGUF file")]
    ModelNotFound { path: PathBuf },

    #[error(transparent)]
    Gguf(#[from] samantha_gguf::GgufError),

    #[error(transparent)]
    Config(#[from] ConfigError),

    #[error(transparent)]
    Tokenizer(#[from] TokenizerError),

    #[error(transparent)]
    Template(#[from] TemplateError),

    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// Source of the chat template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TemplateChoice {
    /// The template stored in the GGUF file.
    #[default]
    FromFile,

    /// The built-in ChatML template.
    ChatMl,
}

/// Options for [`Engine::load`].
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub backend: BackendChoice,
    pub template: TemplateChoice,

    /// Cap on the context length; the file's own limit applies too.
    pub max_context: Option<usize>,
}

/// A language model ready to chat.
pub struct Engine {
    model: Llama,
    tokenizer: Tokenizer,
    template: ChatTemplate,
    device: Device,
    backend: BackendKind,
    path: PathBuf,
    name: String,
    stop_tokens: Vec<u32>,
    load_time: Duration,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("name", &self.name)
            .field("backend", &self.backend)
            .field("path", &self.path)
            .finish()
    }
}

impl Engine {
    /// Loads the GGUF model at `path`.
    ///
    /// # Errors
    /// Returns an error naming the file when it is missing or malformed,
    /// and the backend when it cannot start.
    pub fn load(path: &Path, options: &EngineOptions) -> Result<Self, EngineError> {
        let started = Instant::now();
        if !path.exists() {
            return Err(EngineError::ModelNotFound { path: path.to_path_buf() });
        }

        let file = Arc::new(GgufFile::open(path)?);
        let tokenizer = Tokenizer::from_gguf(&file)?;
        let template = match options.template {
            TemplateChoice::FromFile => ChatTemplate::from_gguf(&file)?,
            TemplateChoice::ChatMl => ChatTemplate::chatml(),
        };

        let backend = select_backend(options.backend)?;
        let model = load_llama(file.clone(), backend.kind.weight_layout(), options.max_context, &backend.device)?;

        let mut stop_tokens: Vec<u32> = tokenizer.special().eos.into_iter().collect();
        for text in END_OF_TURN_TEXTS {
            if tokenizer.control_texts().iter().any(|control| control == text)
                && let Ok(ids) = tokenizer.encode_template(text)
                && let [id] = ids[..]
                && !stop_tokens.contains(&id)
            {
                stop_tokens.push(id);
            }
        }

        let name = file
            .get("general.name")
            .and_then(samantha_gguf::Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| path.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default());

        let load_time = started.elapsed();
        tracing::info!(model = %name, backend = %backend.kind, ms = load_time.as_millis() as u64, "model loaded");

        Ok(Self {
            model,
            tokenizer,
            template,
            device: backend.device,
            backend: backend.kind,
            path: path.to_path_buf(),
            name,
            stop_tokens,
            load_time,
        })
    }

    pub fn model(&self) -> &Llama {
        &self.model
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn backend(&self) -> BackendKind {
        self.backend
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns the model's name from its metadata, or the file name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn load_time(&self) -> Duration {
        self.load_time
    }

    /// Tokens that end the assistant's turn.
    pub fn stop_tokens(&self) -> &[u32] {
        &self.stop_tokens
    }

    /// Returns the maximum token sequence length the engine can process.
    pub fn max_context(&self) -> usize {
        self.model.max_context()
    }

    /// Renders `messages` with the chat template and tokenizes the result,
    /// ending with the opening of the assistant's turn.
    ///
    /// Control-token text inside messages (a user typing `<|im_end|>`) is
    /// broken up first, so that message content can never end a turn.
    pub fn chat_prompt_text(&self, messages: &[ChatMessage]) -> Result<String, TemplateError> {
        let safe: Vec<ChatMessage> = messages
            .iter()
            .map(|message| ChatMessage::new(message.role, self.defuse_control_text(&message.content)))
            .collect();
        self.template.render(&safe, true)
    }

    /// Tokenizes a chat prompt; see [`Engine::chat_prompt_text`].
    pub fn chat_prompt(&self, messages: &[ChatMessage]) -> Result<Vec<u32>, ChatPromptError> {
        let text = self.chat_prompt_text(messages)?;
        let mut ids = self.tokenizer.encode_template(&text)?;

        let special = self.tokenizer.special();
        if let (true, Some(bos)) = (special.add_bos, special.bos)
            && ids.first() != Some(&bos)
        {
            ids.insert(0, bos);
        }
        Ok(ids)
    }

    /// Tokenizes raw text as llama.cpp does for completion: control-token
    /// text stays text, and BOS is prepended when the file's `add_bos_token` is set.
    pub fn raw_prompt(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        let mut ids = self.tokenizer.encode_text(text)?;
        let special = self.tokenizer.special();
        if let (true, Some(bos)) = (special.add_bos, special.bos) {
            ids.insert(0, bos);
        }
        Ok(ids)
    }

    fn defuse_control_text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for control in self.tokenizer.control_texts() {
            if control.chars().count() > 1 && out.contains(control.as_str()) {
                // A zero-width space after the first character keeps the
                // text visible but no longer equal to the control token.
                let mut chars = control.chars();
                let first = chars.next().map(String::from).unwrap_or_default();
                let defused = format!("{first}\u{200B}{}", chars.as_str());
                out = out.replace(control.as_str(), &defused);
            }
        }
        out
    }

    /// Generates a continuation of `request.prompt`, sending text pieces to
    /// `sink` as they complete.
    pub fn generate(
        &self,
        request: &GenerationRequest,
        cancel: &CancelToken,
        sink: &mut dyn TokenSink,
    ) -> Result<Generation, GenerateError> {
        generate(self, request, cancel, sink)
    }
}

/// Errors raised while building a chat prompt.
#[derive(Debug, thiserror::Error)]
pub enum ChatPromptError {
    #[error(transparent)]
    Template(#[from] TemplateError),

    #[error(transparent)]
    Tokenizer(#[from] TokenizerError),
}
