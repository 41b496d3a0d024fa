//! The app's settings, kept as key-value rows in the store's settings table.

use std::path::PathBuf;

use samantha_llm::BackendChoice;
use samantha_mind::{CompanionSettings, Persona, PersonaError};
use samantha_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

/// Languages the interface is translated into.
pub const LANGUAGES: &[&str] = &["en", "zh-CN"];

const TEMPERATURE_RANGE: std::ops::RangeInclusive<f32> = 0.0..=2.0;
const MAX_TOKENS_RANGE: std::ops::RangeInclusive<u32> = 1..=2048;

/// Errors raised while reading or validating settings.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Persona(#[from] PersonaError),

    #[error("invalid setting {key}: {reason}")]
    Invalid { key: &'static str, reason: String },
}

/// Device the language model runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    #[default]
    Auto,
    Cpu,
    Wgpu,
}

impl Backend {
    pub fn choice(self) -> BackendChoice {
        match self {
            Self::Auto => BackendChoice::Auto,
            Self::Cpu => BackendChoice::Cpu,
            Self::Wgpu => BackendChoice::Wgpu,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::Wgpu => "wgpu",
        }
    }
}

/// Every setting the Settings view edits. The persona is the one
/// samantha-mind keeps in the store; the rest are the app's own keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppSettings {
    pub persona_name: String,
    pub persona_text: String,
    /// GGUF file of the language model; the installed SmolLM2 when `None`.
    pub model_path: Option<PathBuf>,
    pub temperature: f32,
    pub max_tokens: u32,
    pub backend: Backend,
    /// Input device name; the system default when `None`.
    pub microphone: Option<String>,
    /// Interface language, one of [`LANGUAGES`].
    pub language: String,
}

impl Default for AppSettings {
    fn default() -> Self {
        let persona = Persona::default();
        Self {
            persona_name: persona.name,
            persona_text: persona.text,
            model_path: None,
            temperature: 0.7,
            max_tokens: 256,
            backend: Backend::Auto,
            microphone: None,
            language: "en".to_owned(),
        }
    }
}

mod keys {
    pub const MODEL_PATH: &str = "app.model.path";
    pub const TEMPERATURE: &str = "app.sampling.temperature";
    pub const MAX_TOKENS: &str = "app.sampling.max_tokens";
    pub const BACKEND: &str = "app.backend";
    pub const MICROPHONE: &str = "app.microphone";
    pub const LANGUAGE: &str = "app.language";
}

impl AppSettings {
    /// Reads the settings, using the default for every key never saved or
    /// no longer valid.
    pub async fn load(store: &Store) -> Result<Self, SettingsError> {
        let defaults = Self::default();
        let text = |value: Option<String>| value.filter(|value| !value.trim().is_empty());

        let persona = Persona::load(store).await?;
        let settings = Self {
            persona_name: persona.name,
            persona_text: persona.text,
            model_path: text(store.setting(keys::MODEL_PATH).await?).map(PathBuf::from),
            temperature: store
                .setting(keys::TEMPERATURE)
                .await?
                .and_then(|value| value.parse().ok())
                .filter(|value| TEMPERATURE_RANGE.contains(value))
                .unwrap_or(defaults.temperature),
            max_tokens: store
                .setting(keys::MAX_TOKENS)
                .await?
                .and_then(|value| value.parse().ok())
                .filter(|value| MAX_TOKENS_RANGE.contains(value))
                .unwrap_or(defaults.max_tokens),
            backend: match store.setting(keys::BACKEND).await?.as_deref() {
                Some("cpu") => Backend::Cpu,
                Some("wgpu") => Backend::Wgpu,
                _ => Backend::Auto,
            },
            microphone: text(store.setting(keys::MICROPHONE).await?),
            language: store
                .setting(keys::LANGUAGE)
                .await?
                .filter(|value| LANGUAGES.contains(&value.as_str()))
                .unwrap_or(defaults.language),
        };
        Ok(settings)
    }

    /// Checks every value, then saves them all.
    pub async fn save(&self, store: &Store) -> Result<(), SettingsError> {
        self.validate()?;

        let model_path = self.model_path.as_ref().map(|path| path.display().to_string()).unwrap_or_default();
        let persona = Persona {
            name: self.persona_name.clone(),
            text: self.persona_text.clone(),
        };
        persona.save(store).await?;

        let rows = [
            (keys::MODEL_PATH, model_path),
            (keys::TEMPERATURE, self.temperature.to_string()),
            (keys::MAX_TOKENS, self.max_tokens.to_string()),
            (keys::BACKEND, self.backend.as_str().to_owned()),
            (keys::MICROPHONE, self.microphone.clone().unwrap_or_default()),
            (keys::LANGUAGE, self.language.clone()),
        ];
        for (key, value) in rows {
            store.set_setting(key, &value).await?;
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if !TEMPERATURE_RANGE.contains(&self.temperature) {
            return Err(SettingsError::Invalid {
                key: "temperature",
                reason: format!("{} is outside 0 to 2", self.temperature),
            });
        }
        if !MAX_TOKENS_RANGE.contains(&self.max_tokens) {
            return Err(SettingsError::Invalid {
                key: "max tokens",
                reason: format!("{} is outside 1 to 2048", self.max_tokens),
            });
        }
        if let Some(path) = &self.model_path
            && !path.is_file()
        {
            return Err(SettingsError::Invalid {
                key: "model file",
                reason: format!("{} is not a file", path.display()),
            });
        }
        if !LANGUAGES.contains(&self.language.as_str()) {
            return Err(SettingsError::Invalid {
                key: "language",
                reason: format!("{:?} is not one of {}", self.language, LANGUAGES.join(", ")),
            });
        }
        Ok(())
    }

    /// Applies the saved reply length and temperature to `current`, with a
    /// new seed so that regenerating gives another reply.
    pub fn companion_settings(&self, current: CompanionSettings) -> CompanionSettings {
        let mut settings = current;
        settings.max_tokens = self.max_tokens as usize;
        settings.sampling.temperature = self.temperature;
        settings.sampling.seed = samantha_store::Timestamp::now().millis().unsigned_abs();
        settings
    }
}
