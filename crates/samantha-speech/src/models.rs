//! The Whisper models that setup installs and the ggml files made from them.
//!
//! `samantha setup` extracts each CTranslate2 model below
//! `models/whisper/<name>/`; [`WhisperModel::ensure_ggml`] then converts it
//! into `models/whisper/ggml-<name>.bin`. The conversion is deterministic,
//! so the ggml file's sha256 is pinned here and checked after every
//! conversion and before a conversion is skipped.

use std::path::{Path, PathBuf};

use samantha_models::hash::sha256_file;

use crate::convert::{self, ConvertError};

/// One Whisper model: where setup puts its CTranslate2 files and where its
/// ggml file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WhisperModel {
    /// Short name used by `--whisper`, such as `tiny.en`.
    pub name: &'static str,

    /// Id of the model in the setup catalog, such as `whisper-tiny.en`.
    pub setup_id: &'static str,

    /// Files of the CTranslate2 `model.bin`, concatenated in this order.
    pub model_parts: &'static [&'static str],

    /// The Hugging Face tokenizer file shipped with the model.
    pub tokenizer: &'static str,

    /// Path of the converted ggml file below the models folder.
    pub ggml_file: &'static str,

    /// Expected sha256 of the converted ggml file, lowercase hex.
    pub ggml_sha256: &'static str,

    /// True when the model covers languages other than English.
    pub multilingual: bool,
}

pub const TINY_EN: WhisperModel = WhisperModel {
    name: "tiny.en",
    setup_id: "whisper-tiny.en",
    model_parts: &["whisper/tiny.en/model.bin"],
    tokenizer: "whisper/tiny.en/tokenizer.json",
    ggml_file: "whisper/ggml-tiny.en.bin",
    ggml_sha256: "7e297419e9f77fd73c654bccd648b094fab2fb90f6084d2436b6535280d73bd6",
    multilingual: false,
};

pub const BASE: WhisperModel = WhisperModel {
    name: "base",
    setup_id: "whisper-base",
    model_parts: &[
        "whisper/base/model.bin.part1",
        "whisper/base/model.bin.part2",
    ],
    tokenizer: "whisper/base/tokenizer.json",
    ggml_file: "whisper/ggml-base.bin",
    ggml_sha256: "9ed90e556ad832f4e2fc5849cdc4dfc5c334bbbe29c0f2a653351b1104253b08",
    multilingual: true,
};

/// Every Whisper model that setup can install.
pub const WHISPER_MODELS: &[WhisperModel] = &[TINY_EN, BASE];

/// The model that `samantha transcribe` and `samantha listen` use by default.
pub const DEFAULT_MODEL: WhisperModel = TINY_EN;

/// Finds a model by its short name (`tiny.en`) or setup id (`whisper-tiny.en`).
pub fn find_whisper_model(name: &str) -> Option<&'static WhisperModel> {
    WHISPER_MODELS
        .iter()
        .find(|model| model.name == name || model.setup_id == name)
}

/// Errors raised while locating or preparing a Whisper model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(
        "Whisper model {name} is not installed: {path} is missing; run `samantha setup{with}` to install it"
    )]
    NotInstalled {
        name: &'static str,
        path: PathBuf,
        with: String,
    },

    #[error(
        "converted model {path} has sha256 {actual}, expected {expected}; the converter or its input changed, \
         delete the file and run `samantha setup` again"
    )]
    Checksum {
        path: PathBuf,
        expected: &'static str,
        actual: String,
    },

    #[error("could not read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("conversion of Whisper model {name} to ggml failed")]
    Convert {
        name: &'static str,
        #[source]
        source: ConvertError,
    },
}

/// Outcome of [`WhisperModel::ensure_ggml`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GgmlStatus {
    /// The ggml file was there with the pinned sha256.
    AlreadyPresent,

    /// The ggml file was written by the converter.
    Converted,
}

impl WhisperModel {
    pub fn ggml_path(&self, models_dir: &Path) -> PathBuf {
        models_dir.join(self.ggml_file)
    }

    fn setup_hint(&self) -> String {
        let default = samantha_models::find_model(self.setup_id).is_some_and(|model| model.default);
        if default {
            String::new()
        } else {
            format!(" --with {}", self.setup_id)
        }
    }

    /// Returns the ggml file's path, or an error telling how to install it.
    pub fn locate(&self, models_dir: &Path) -> Result<PathBuf, ModelError> {
        let path = self.ggml_path(models_dir);
        if path.is_file() {
            return Ok(path);
        }
        Err(ModelError::NotInstalled {
            name: self.name,
            path,
            with: self.setup_hint(),
        })
    }

    /// Converts the installed CTranslate2 files into the ggml file unless a
    /// ggml file with the pinned sha256 is already there.
    pub fn ensure_ggml(&self, models_dir: &Path) -> Result<GgmlStatus, ModelError> {
        let output = self.ggml_path(models_dir);
        if output.is_file() && self.checksum(&output)? == self.ggml_sha256 {
            tracing::info!(path = %output.display(), "ggml model present");
            return Ok(GgmlStatus::AlreadyPresent);
        }

        let parts: Vec<PathBuf> = self
            .model_parts
            .iter()
            .map(|part| models_dir.join(part))
            .collect();
        for part in &parts {
            if !part.is_file() {
                return Err(ModelError::NotInstalled {
                    name: self.name,
                    path: part.clone(),
                    with: self.setup_hint(),
                });
            }
        }

        let started = std::time::Instant::now();
        convert::convert(&parts, &models_dir.join(self.tokenizer), &output).map_err(|source| {
            ModelError::Convert {
                name: self.name,
                source,
            }
        })?;
        tracing::info!(
            model = self.name,
            seconds = started.elapsed().as_secs_f64(),
            "converted to ggml"
        );

        let actual = self.checksum(&output)?;
        if actual != self.ggml_sha256 {
            // A file with an unexpected hash must not be loaded later.
            let _ = std::fs::remove_file(&output);
            return Err(ModelError::Checksum {
                path: output,
                expected: self.ggml_sha256,
                actual,
            });
        }
        Ok(GgmlStatus::Converted)
    }

    fn checksum(&self, path: &Path) -> Result<String, ModelError> {
        sha256_file(path).map_err(|source| ModelError::Read {
            path: path.to_path_buf(),
            source,
        })
    }
}
