//! The error every command returns. It reaches the page as its message.

use serde::{Serialize, Serializer};

/// Errors raised by the commands; the page receives the message only.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Store(#[from] samantha_store::StoreError),

    #[error("the models are still loading; try again in a moment")]
    ModelsLoading,

    #[error("the models are not installed yet; open the setup screen to fetch them")]
    ModelsMissing,

    #[error("the models failed to load: {0}")]
    ModelsFailed(String),

    #[error("a reply is already being written; stop it first")]
    Busy,

    #[error(transparent)]
    Mind(#[from] samantha_mind::MindError),

    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),

    #[error(transparent)]
    Speech(#[from] crate::speech::SpeechError),

    #[error(transparent)]
    Setup(#[from] crate::model_setup::ModelSetupError),

    #[error(transparent)]
    Files(#[from] crate::files::FilesError),

    #[error("the background task failed: {0}")]
    Task(#[from] tauri::Error),
}

impl Serialize for CommandError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
