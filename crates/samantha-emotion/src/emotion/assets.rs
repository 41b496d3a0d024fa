//! The shipped emotion assets: the fine-tuned top layers and classifier in
//! f16 safetensors, and a manifest with the thresholds and the base model's
//! sha256.

use std::io::Read;
use std::path::{Path, PathBuf};

use burn::nn::{LayerNorm, Linear};
use safetensors::Dtype;
use safetensors::tensor::TensorView;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::head::{CLASSIFIER_PREFIX, EmotionHead};
use super::label::{EMOTION_COUNT, Emotion};

/// Manifest file name inside the assets folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Weights file name inside the assets folder.
pub const WEIGHTS_FILE: &str = "head.safetensors";
/// Evaluation record written next to the assets by training and evaluation.
pub const METRICS_FILE: &str = "metrics.json";

/// Returns the assets folder committed with this repository: the one next
/// to the crate's sources when they still exist, otherwise `assets/emotion`
/// under the current directory.
///
/// NOTE: the first path is fixed at build time, so a binary moved away from
/// its checkout and run elsewhere needs `--assets` or
/// `SAMANTHA_EMOTION_ASSETS`.
pub fn default_assets_dir() -> PathBuf {
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/emotion");
    if built.join(MANIFEST_FILE).is_file() {
        return built;
    }

    let relative = Path::new("assets/emotion");
    if relative.join(MANIFEST_FILE).is_file() {
        return relative.to_path_buf();
    }
    built
}

/// Errors raised while reading or writing the assets.
#[derive(Debug, thiserror::Error)]
pub enum AssetsError {
    #[error("failed to read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("failed to write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("invalid manifest {path}: {source}")]
    Manifest { path: PathBuf, source: serde_json::Error },
    #[error("manifest {path} lists labels {found:?}, expected {expected:?}")]
    Labels {
        path: PathBuf,
        expected: Vec<String>,
        found: Vec<String>,
    },
    #[error(
        "the emotion assets were trained on a base model with sha256 {expected}, but {path} has sha256 {found}; reinstall the models with `samantha setup`"
    )]
    BaseModel {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("failed to serialise the head weights: {source}")]
    Serialize { source: safetensors::SafeTensorError },
    #[error("failed to read a head tensor: {message}")]
    Tensor { message: String },
}

/// The assets manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Name of the base encoder.
    pub base_model: String,
    /// sha256 of the base encoder's `model.safetensors`.
    pub base_model_sha256: String,
    /// Encoder layers taken unchanged from the base model; the head contains the rest.
    pub frozen_layers: usize,
    /// Label names in output order.
    pub labels: Vec<String>,
    /// Decision threshold per label, chosen on the dev split.
    pub thresholds: [f32; EMOTION_COUNT],
    /// Weights file, relative to the assets folder.
    pub weights: String,
    /// Storage type of the weights.
    pub dtype: String,
    /// Training settings and outcome of the head.
    pub training: serde_json::Value,
}

impl Manifest {
    /// Reads and checks `manifest.json` in `dir`.
    pub fn read(dir: &Path) -> Result<Self, AssetsError> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| AssetsError::Read {
            path: path.clone(),
            source,
        })?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|source| AssetsError::Manifest {
            path: path.clone(),
            source,
        })?;

        let expected: Vec<String> = Emotion::ALL.iter().map(|e| e.as_str().to_string()).collect();
        if manifest.labels != expected {
            return Err(AssetsError::Labels {
                path,
                expected,
                found: manifest.labels,
            });
        }
        Ok(manifest)
    }

    /// Writes `manifest.json` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), AssetsError> {
        let path = dir.join(MANIFEST_FILE);
        let text = serde_json::to_string_pretty(self).map_err(|source| AssetsError::Manifest {
            path: path.clone(),
            source,
        })?;
        std::fs::write(&path, text + "\n").map_err(|source| AssetsError::Write { path, source })
    }
}

/// Label names in output order.
pub fn label_names() -> Vec<String> {
    Emotion::ALL.iter().map(|e| e.as_str().to_string()).collect()
}

/// Returns the lowercase hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String, AssetsError> {
    let mut file = std::fs::File::open(path).map_err(|source| AssetsError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer).map_err(|source| AssetsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// Checks that `model` is the file the assets were trained on.
pub fn check_base_model(manifest: &Manifest, model: &Path) -> Result<(), AssetsError> {
    let found = sha256_file(model)?;
    if found != manifest.base_model_sha256 {
        return Err(AssetsError::BaseModel {
            path: model.to_path_buf(),
            expected: manifest.base_model_sha256.clone(),
            found,
        });
    }
    Ok(())
}

/// A named tensor in PyTorch layout.
struct NamedTensor {
    name: String,
    shape: Vec<usize>,
    values: Vec<f32>,
}

fn values<const D: usize>(tensor: burn::tensor::Tensor<D>) -> Result<Vec<f32>, AssetsError> {
    tensor
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|error| AssetsError::Tensor { message: format!("{error:?}") })
}

fn push_linear(out: &mut Vec<NamedTensor>, prefix: &str, linear: &Linear) -> Result<(), AssetsError> {
    let [d_input, d_output] = linear.weight.dims();
    out.push(NamedTensor {
        name: format!("{prefix}.weight"),
        shape: vec![d_output, d_input],
        values: values(linear.weight.val().transpose())?,
    });
    if let Some(bias) = &linear.bias {
        out.push(NamedTensor {
            name: format!("{prefix}.bias"),
            shape: vec![d_output],
            values: values(bias.val())?,
        });
    }
    Ok(())
}

fn push_norm(out: &mut Vec<NamedTensor>, prefix: &str, norm: &LayerNorm) -> Result<(), AssetsError> {
    let [d_model] = norm.gamma.dims();
    out.push(NamedTensor {
        name: format!("{prefix}.weight"),
        shape: vec![d_model],
        values: values(norm.gamma.val())?,
    });
    if let Some(beta) = &norm.beta {
        out.push(NamedTensor {
            name: format!("{prefix}.bias"),
            shape: vec![d_model],
            values: values(beta.val())?,
        });
    }
    Ok(())
}

/// Writes the head's layers (named `encoder.layer.{first_layer + i}.*` as in
/// the base checkpoint) and classifier to `path` in f16.
pub fn write_head(head: &EmotionHead, first_layer: usize, path: &Path) -> Result<(), AssetsError> {
    let mut tensors = Vec::new();
    for (offset, layer) in head.layers.iter().enumerate() {
        let prefix = format!("encoder.layer.{}", first_layer + offset);
        let attention = &layer.attention;
        push_linear(&mut tensors, &format!("{prefix}.attention.self.query"), &attention.query)?;
        push_linear(&mut tensors, &format!("{prefix}.attention.self.key"), &attention.key)?;
        push_linear(&mut tensors, &format!("{prefix}.attention.self.value"), &attention.value)?;
        push_linear(&mut tensors, &format!("{prefix}.attention.output.dense"), &attention.output)?;
        push_norm(&mut tensors, &format!("{prefix}.attention.output.LayerNorm"), &attention.norm)?;
        let feed_forward = &layer.feed_forward;
        push_linear(&mut tensors, &format!("{prefix}.intermediate.dense"), &feed_forward.intermediate)?;
        push_linear(&mut tensors, &format!("{prefix}.output.dense"), &feed_forward.output)?;
        push_norm(&mut tensors, &format!("{prefix}.output.LayerNorm"), &feed_forward.norm)?;
    }
    push_linear(&mut tensors, CLASSIFIER_PREFIX, &head.classifier)?;

    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|tensor| {
            tensor
                .values
                .iter()
                .flat_map(|value| half::f16::from_f32(*value).to_le_bytes())
                .collect()
        })
        .collect();
    let views = tensors
        .iter()
        .zip(&bytes)
        .map(|(tensor, data)| {
            TensorView::new(Dtype::F16, tensor.shape.clone(), data)
                .map(|view| (tensor.name.clone(), view))
                .map_err(|source| AssetsError::Serialize { source })
        })
        .collect::<Result<Vec<_>, _>>()?;
    safetensors::serialize_to_file(views, None, path).map_err(|source| AssetsError::Serialize { source })
}
