//! Helpers shared by the integration tests: locating the installed models.

#![allow(dead_code)]

use std::path::PathBuf;

use samantha_models::DataDir;
use samantha_speech::WhisperModel;

/// Returns the models folder of `$SAMANTHA_HOME` (or the default data dir).
pub fn models_dir() -> PathBuf {
    DataDir::resolve().expect("data directory").models()
}

/// Returns the ggml file of `model`, panicking with the setup command when
/// it is missing.
pub fn installed_ggml(model: &WhisperModel) -> PathBuf {
    let models = models_dir();
    match model.locate(&models) {
        Ok(path) => path,
        Err(error) => {
            panic!("{error} (tests read models from SAMANTHA_HOME or the default data directory)")
        }
    }
}

/// Returns whether the CTranslate2 files of `model` are installed.
pub fn ct2_installed(model: &WhisperModel) -> bool {
    let models = models_dir();
    model
        .model_parts
        .iter()
        .all(|part| models.join(part).is_file())
        && models.join(model.tokenizer).is_file()
}
