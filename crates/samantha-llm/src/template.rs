//! Chat prompts rendered from the model's own Jinja template.

use std::path::PathBuf;

use minijinja::{Environment, ErrorKind, context};
use samantha_gguf::{GgufFile, Value};
use serde::Serialize;

/// ChatML, the format SmolLM2 and many small models are trained on. It is
/// used only when asked for, as the fallback for files without a usable
/// template.
pub const CHATML_TEMPLATE: &str = "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

const TEMPLATE_NAME: &str = "chat";

/// Errors raised while loading or rendering a chat template.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{path} has no tokenizer.chat_template; pass `--template chatml` to use the ChatML fallback")]
    Missing { path: PathBuf },

    #[error("the chat template of {source_name} is invalid: {reason}; pass `--template chatml` to use the ChatML fallback")]
    Invalid { source_name: String, reason: String },

    #[error("the chat template of {source_name} failed to render: {reason}")]
    Render { source_name: String, reason: String },
}

/// Author of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
        }
    }
}

/// A compiled chat template.
pub struct ChatTemplate {
    environment: Environment<'static>,
    source_name: String,
    bos_token: String,
    eos_token: String,
}

impl std::fmt::Debug for ChatTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatTemplate").field("source", &self.source_name).finish()
    }
}

impl ChatTemplate {
    /// Compiles the file's `tokenizer.chat_template`.
    ///
    /// # Errors
    /// [`TemplateError::Missing`] when the file has none and
    /// [`TemplateError::Invalid`] when it does not compile.
    pub fn from_gguf(file: &GgufFile) -> Result<Self, TemplateError> {
        let source = file
            .get("tokenizer.chat_template")
            .and_then(Value::as_str)
            .ok_or_else(|| TemplateError::Missing {
                path: file.path().to_path_buf(),
            })?;

        let token_text = |key: &str| -> String {
            let id = file.get(key).and_then(Value::as_u64);
            let tokens = file.get("tokenizer.ggml.tokens").and_then(Value::as_array);
            match (id, tokens) {
                (Some(id), Some(tokens)) => tokens.get(id as usize).and_then(Value::as_str).unwrap_or("").to_owned(),
                _ => String::new(),
            }
        };

        Self::compile(
            source.to_owned(),
            file.path().display().to_string(),
            token_text("tokenizer.ggml.bos_token_id"),
            token_text("tokenizer.ggml.eos_token_id"),
        )
    }

    /// Compiles the ChatML fallback.
    pub fn chatml() -> Self {
        Self::compile(CHATML_TEMPLATE.to_owned(), "the ChatML fallback".to_owned(), String::new(), "<|im_end|>".to_owned())
            .expect("the built-in ChatML template compiles")
    }

    fn compile(source: String, source_name: String, bos_token: String, eos_token: String) -> Result<Self, TemplateError> {
        let mut environment = Environment::new();
        environment.set_trim_blocks(true);
        environment.set_lstrip_blocks(true);

        // Hugging Face templates call `raise_exception` to reject input.
        environment.add_function("raise_exception", |message: String| -> Result<String, minijinja::Error> {
            Err(minijinja::Error::new(ErrorKind::InvalidOperation, message))
        });

        environment
            .add_template_owned(TEMPLATE_NAME, source)
            .map_err(|error| TemplateError::Invalid {
                source_name: source_name.clone(),
                reason: error.to_string(),
            })?;

        Ok(Self {
            environment,
            source_name,
            bos_token,
            eos_token,
        })
    }

    /// Renders `messages`, ending with the opening of the assistant's turn
    /// when `add_generation_prompt` is set.
    pub fn render(&self, messages: &[ChatMessage], add_generation_prompt: bool) -> Result<String, TemplateError> {
        let render_error = |error: minijinja::Error| TemplateError::Render {
            source_name: self.source_name.clone(),
            reason: error.to_string(),
        };

        let template = self.environment.get_template(TEMPLATE_NAME).map_err(render_error)?;
        template
            .render(context! {
                messages => messages,
                add_generation_prompt => add_generation_prompt,
                bos_token => self.bos_token,
                eos_token => self.eos_token,
            })
            .map_err(render_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatml_renders_turns_and_generation_prompt() {
        let template = ChatTemplate::chatml();
        let messages = [ChatMessage::new(Role::System, "Be kind."), ChatMessage::new(Role::User, "Hi")];

        let text = template.render(&messages, true).unwrap();

        assert_eq!(text, "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    #[test]
    fn invalid_template_is_reported() {
        let error = ChatTemplate::compile("{% for x in %}".into(), "test.gguf".into(), String::new(), String::new()).unwrap_err();

        assert!(matches!(error, TemplateError::Invalid { .. }));
        assert!(error.to_string().contains("test.gguf"));
        assert!(error.to_string().contains("--template chatml"));
    }

    #[test]
    fn raise_exception_fails_rendering() {
        let template =
            ChatTemplate::compile("{{ raise_exception('no system role') }}".into(), "t".into(), String::new(), String::new()).unwrap();

        let error = template.render(&[], true).unwrap_err();
        assert!(error.to_string().contains("no system role"));
    }
}
