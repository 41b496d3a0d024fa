//! Emotion classification of one message or a batch of texts.

use std::path::Path;

use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};

use super::assets::{AssetsError, Manifest, check_base_model};
use super::head::{EmotionHead, EmotionHeadConfig};
use super::label::EMOTION_COUNT;
use super::scores::EmotionScores;
use crate::encoder::pooling::l2_normalize;
use crate::encoder::weights::WeightsFile;
use crate::encoder::{Encoder, EncoderError, pool_texts, require_files};
use crate::inference::{FastEmotionHead, InferenceError, Scratch, TokenSum};

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
    #[error(transparent)]
    Inference(#[from] InferenceError),
}

/// The emotion of a text and its sentence embedding, from one pass through
/// the shared lower layers.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub emotion: EmotionScores,
    /// L2-normalised sentence embedding, equal to [`Encoder::embed`]'s.
    pub embedding: Vec<f32>,
}

/// Encoder plus fine-tuned head.
///
/// The burn head is the reference; [`EmotionClassifier::probabilities`] runs
/// a packed copy of it on the encoder's inference path.
pub struct EmotionClassifier {
    encoder: Encoder,
    head: EmotionHead,
    fast_head: FastEmotionHead,
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
        let fast_head = FastEmotionHead::from_burn(&head, manifest.frozen_layers, encoder.config().layer_norm_eps)?;
        Ok(Self {
            encoder,
            head,
            fast_head,
            manifest,
        })
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

    /// Classifies one message and embeds it, sharing the frozen layers
    /// between the two. Empty or blank text is neutral and still gets the
    /// embedding [`Encoder::embed`] gives it.
    pub fn analyze(&self, text: &str) -> Result<Analysis, EmotionError> {
        let _span = tracing::debug_span!("analyze").entered();
        let mut scratch = Scratch::default();
        let (probabilities, embedding) = self.run(text, true, &mut scratch)?;

        let emotion = if text.trim().is_empty() {
            EmotionScores::neutral()
        } else {
            EmotionScores::from_probabilities(probabilities, self.thresholds())
        };
        Ok(Analysis {
            emotion,
            embedding: embedding.unwrap_or_default(),
        })
    }

    /// Returns the probability of each label for each text, on the
    /// inference path, one text at a time at its exact length.
    pub fn probabilities(&self, texts: &[&str]) -> Result<Vec<[f32; EMOTION_COUNT]>, EmotionError> {
        let _span = tracing::debug_span!("classify", texts = texts.len()).entered();
        let mut scratch = Scratch::default();
        texts
            .iter()
            .map(|text| Ok(self.run(text, false, &mut scratch)?.0))
            .collect()
    }

    /// Runs the frozen layers once per window, then the head, and with
    /// `embed` also the base model's top layers.
    fn run(
        &self,
        text: &str,
        embed: bool,
        scratch: &mut Scratch,
    ) -> Result<([f32; EMOTION_COUNT], Option<Vec<f32>>), EmotionError> {
        let fast = self.encoder.fast();
        let isa = self.encoder.isa();
        let frozen = self.manifest.frozen_layers;
        let d_model = fast.d_model();

        let mut emotion_sum = TokenSum::new(d_model);
        let mut embedding_sum = TokenSum::new(d_model);
        for window in self.encoder.tokenizer().windows(text).map_err(EncoderError::from)? {
            let mut hidden = fast.embed_tokens(&window)?;
            fast.run_layers(isa, &mut hidden, 0..frozen, scratch);

            if embed {
                let mut base = hidden.clone();
                fast.run_layers(isa, &mut base, frozen..fast.layer_count(), scratch);
                embedding_sum.add(&base);
            }

            self.fast_head.encode(isa, &mut hidden, scratch);
            emotion_sum.add(&hidden);
        }

        let logits = self.fast_head.classify(isa, &emotion_sum.mean());
        let probabilities = logits.map(|logit| 1.0 / (1.0 + (-logit).exp()));
        let embedding = embed.then(|| {
            let mut vector = embedding_sum.mean();
            l2_normalize(&mut vector);
            vector
        });
        Ok((probabilities, embedding))
    }

    /// Returns the probability of each label for each text through the burn
    /// modules, in padded batches: the reference that the inference path is
    /// checked against.
    pub fn probabilities_reference(&self, texts: &[&str]) -> Result<Vec<[f32; EMOTION_COUNT]>, EmotionError> {
        let _span = tracing::debug_span!("classify_reference", texts = texts.len()).entered();
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
