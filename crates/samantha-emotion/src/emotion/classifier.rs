//! Emotion classification of one message or a batch of texts.

use std::path::Path;

use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};

use super::assets::{AssetsError, Manifest, check_base_model};
use super::head::{EmotionHead, EmotionHeadConfig};
use super::label::EMOTION_COUNT;
use super::scores::EmotionScores;
use crate::encoder::weights::WeightsFile;
use crate::encoder::{Encoder, EncoderError, pool_texts, require_files};

/// Errors raised while loading or running the classifier.
#[derive(Debug, thiserror::Error)]
pub enum EmotionError {
    #[error(transparent)]
    Encoder(#[from] EncoderError),
    #[error(transparent)]
    Assets(#[from] AssetsError),
    #[error(
        "the emotion assets keep {frozen} frozen layers, but the encoder has only {layers}"
    )]
    LayerCount { frozen: usize, layers: usize },
    #[error("failed to read the classifier output: {message}")]
    Output { message: String },
}

/// Encoder plus fine-tuned head.
pub struct EmotionClassifier {
    encoder: Encoder,
    head: EmotionHead,
    manifest: Manifest,
}

impl EmotionClassifier {
    /// Loads the base encoder from `encoder_dir` and the fine-tuned head from
    /// `assets_dir`, after checking that the encoder is the one the head was
    /// trained on.
    pub fn load(encoder_dir: &Path, assets_dir: &Path, device: &Device) -> Result<Self, EmotionError> {
        let _span = tracing::debug_span!("emotion_load").entered();
        let encoder = Encoder::load(encoder_dir, device)?;
        let manifest = Manifest::read(assets_dir)?;
        check_base_model(&manifest, &encoder_dir.join("model.safetensors"))?;
        require_files(assets_dir, &[manifest.weights.as_str()])?;

        let layers = encoder.config().n_layers;
        if manifest.frozen_layers >= layers {
            return Err(EmotionError::LayerCount {
                frozen: manifest.frozen_layers,
                layers,
            });
        }
        let file = WeightsFile::read(&assets_dir.join(&manifest.weights)).map_err(EncoderError::from)?;
        let reader = file.reader(device).map_err(EncoderError::from)?;
        let head = EmotionHeadConfig::new(manifest.frozen_layers)
            .load(encoder.config(), &reader)
            .map_err(EncoderError::from)?;
        Ok(Self { encoder, head, manifest })
    }

    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Decision threshold per label.
    pub fn thresholds(&self) -> &[f32; EMOTION_COUNT] {
        &self.manifest.thresholds
    }

    /// Classifies one message. Empty or blank text is neutral.
    pub fn classify(&self, text: &str) -> Result<EmotionScores, EmotionError> {
        if text.trim().is_empty() {
            return Ok(EmotionScores::neutral());
        }
        let probabilities = self.probabilities(&[text])?;
        Ok(EmotionScores::from_probabilities(probabilities[0], self.thresholds()))
    }

    /// Returns the probability of each label for each text.
    pub fn probabilities(&self, texts: &[&str]) -> Result<Vec<[f32; EMOTION_COUNT]>, EmotionError> {
        let _span = tracing::debug_span!("classify", texts = texts.len()).entered();
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let frozen = self.manifest.frozen_layers;
        let bert = self.encoder.bert();
        let pooled = pool_texts(self.encoder.tokenizer(), texts, self.encoder.device(), |batch| {
            let hidden = bert.forward_layers(batch.ids.clone(), batch.mask.clone(), 0..frozen);
            self.head.encode(hidden, batch.mask.clone())
        })?;

        let d_model = self.encoder.config().d_model;
        let flat: Vec<f32> = pooled.into_iter().flatten().collect();
        let pooled = Tensor::<2>::from_data(TensorData::new(flat, [texts.len(), d_model]), self.encoder.device());
        let probabilities = sigmoid(self.head.classify(pooled))
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|error| EmotionError::Output { message: format!("{error:?}") })?;

        Ok(probabilities
            .chunks_exact(EMOTION_COUNT)
            .map(|row| std::array::from_fn(|index| row[index]))
            .collect())
    }
}
