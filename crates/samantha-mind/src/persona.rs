//! Samantha's persona: a name and the text that opens every system message.
//!
//! Both are stored in the database's settings, so the app and the CLI share
//! one persona; `{name}` in the text is replaced by the name.

use samantha_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

/// Settings key of the persona's name.
pub const NAME_KEY: &str = "persona.name";

/// Settings key of the persona's text.
pub const TEXT_KEY: &str = "persona.text";

/// Name used when none is stored.
pub const DEFAULT_NAME: &str = "Samantha";

/// Persona text used when none is stored.
pub const DEFAULT_TEXT: &str = "You are {name}, a warm and curious companion. \
You are honest that you are an AI running on this computer, and you never pretend to be human. \
You listen closely, remember what the user shares with you, and use it kindly. \
Answer in a few natural sentences, then ask one gentle question back.";

/// Maximum persona text length, in characters; the persona is sent with
/// every message, so it must leave room for the conversation.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// Maximum persona name length, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// An editable persona.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Persona {
    pub name: String,
    pub text: String,
}

/// A persona that cannot be saved.
#[derive(Debug, thiserror::Error)]
pub enum PersonaError {
    #[error("the persona name is empty; give a name such as \"{DEFAULT_NAME}\"")]
    EmptyName,

    #[error("the persona name has {chars} characters; the maximum is {MAX_NAME_CHARS}")]
    NameTooLong { chars: usize },

    #[error("the persona text is empty; write a few sentences about who the companion is, or reset it")]
    EmptyText,

    #[error("the persona text has {chars} characters; the maximum is {MAX_TEXT_CHARS}, so shorten it")]
    TextTooLong { chars: usize },

    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Default for Persona {
    fn default() -> Self {
        Self {
            name: DEFAULT_NAME.to_owned(),
            text: DEFAULT_TEXT.to_owned(),
        }
    }
}

impl Persona {
    /// Reads the stored persona, or the default for missing parts.
    pub async fn load(store: &Store) -> Result<Self, StoreError> {
        let name = store.setting(NAME_KEY).await?.unwrap_or_else(|| DEFAULT_NAME.to_owned());
        let text = store.setting(TEXT_KEY).await?.unwrap_or_else(|| DEFAULT_TEXT.to_owned());
        Ok(Self { name, text })
    }

    /// Checks and stores the persona.
    pub async fn save(&self, store: &Store) -> Result<(), PersonaError> {
        self.validate()?;
        store.set_setting(NAME_KEY, self.name.trim()).await?;
        store.set_setting(TEXT_KEY, self.text.trim()).await?;
        Ok(())
    }

    /// Checks the name and text against the limits.
    pub fn validate(&self) -> Result<(), PersonaError> {
        let name_chars = self.name.trim().chars().count();
        if name_chars == 0 {
            return Err(PersonaError::EmptyName);
        }
        if name_chars > MAX_NAME_CHARS {
            return Err(PersonaError::NameTooLong { chars: name_chars });
        }

        let text_chars = self.text.trim().chars().count();
        if text_chars == 0 {
            return Err(PersonaError::EmptyText);
        }
        if text_chars > MAX_TEXT_CHARS {
            return Err(PersonaError::TextTooLong { chars: text_chars });
        }
        Ok(())
    }

    /// Returns the text with `{name}` replaced by the name.
    pub fn system_text(&self) -> String {
        self.text.replace("{name}", self.name.trim())
    }
}
