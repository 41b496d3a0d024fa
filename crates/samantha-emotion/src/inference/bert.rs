//! The encoder stack on the plain-f32 path: embeddings and layers.

use std::ops::Range;

use super::InferenceError;
use super::isa::Isa;
use super::layer::{FastLayer, Scratch};
use super::math::LayerNorm;
use super::weights::{layer_norm, tensor_values};
use crate::encoder::Bert;
use crate::encoder::config::EncoderConfig;

/// Copy of a burn [`Bert`] for inference on one sequence at a time.
pub struct FastBert {
    d_model: usize,
    vocab_size: usize,
    max_positions: usize,
    word: Vec<f32>,
    position: Vec<f32>,
    /// Row 0 of the token type table: every token is in segment 0.
    segment: Vec<f32>,
    norm: LayerNorm,
    layers: Vec<FastLayer>,
}

impl FastBert {
    /// Copies and packs the weights of `bert`.
    pub fn from_burn(bert: &Bert, config: &EncoderConfig) -> Result<Self, InferenceError> {
        let embeddings = &bert.embeddings;
        let d_model = config.d_model;
        let mut segment = tensor_values(embeddings.token_type.weight.val(), "embeddings.token_type")?;
        segment.truncate(d_model);

        let layers = bert
            .layers
            .iter()
            .enumerate()
            .map(|(index, layer)| FastLayer::from_burn(layer, config.layer_norm_eps, &format!("encoder.layer.{index}")))
            .collect::<Result<_, _>>()?;

        Ok(Self {
            d_model,
            vocab_size: config.vocab_size,
            max_positions: config.max_positions,
            word: tensor_values(embeddings.word.weight.val(), "embeddings.word")?,
            position: tensor_values(embeddings.position.weight.val(), "embeddings.position")?,
            segment,
            norm: layer_norm(&embeddings.norm, config.layer_norm_eps, "embeddings.norm")?,
            layers,
        })
    }

    pub fn d_model(&self) -> usize {
        self.d_model
    }

    pub fn layer_count(&self) -> usize {
        self.layers.len()
    }

    /// Returns the embedding output for `ids`, `[ids.len(), d_model]` row-major.
    ///
    /// # Errors
    ///
    /// [`InferenceError::TooManyTokens`] beyond the position table and
    /// [`InferenceError::TokenId`] for an id outside the vocabulary.
    pub fn embed_tokens(&self, ids: &[u32]) -> Result<Vec<f32>, InferenceError> {
        if ids.len() > self.max_positions {
            return Err(InferenceError::TooManyTokens {
                tokens: ids.len(),
                max_positions: self.max_positions,
            });
        }

        let d_model = self.d_model;
        let mut hidden = vec![0.0f32; ids.len() * d_model];
        for (position, (&id, row)) in ids.iter().zip(hidden.chunks_exact_mut(d_model)).enumerate() {
            let id = id as usize;
            if id >= self.vocab_size {
                return Err(InferenceError::TokenId {
                    id,
                    vocab_size: self.vocab_size,
                });
            }
            let word = &self.word[id * d_model..(id + 1) * d_model];
            let place = &self.position[position * d_model..(position + 1) * d_model];
            for (index, value) in row.iter_mut().enumerate() {
                *value = word[index] + place[index] + self.segment[index];
            }
        }
        self.norm.apply(&mut hidden);
        Ok(hidden)
    }

    /// Runs the layers in `layers` in place on `hidden`.
    ///
    /// # Panics
    ///
    /// When `layers` goes past the last layer, a programming error.
    pub fn run_layers(&self, isa: Isa, hidden: &mut [f32], layers: Range<usize>, scratch: &mut Scratch) {
        assert!(layers.end <= self.layers.len(), "layer range {layers:?} exceeds the {} layers", self.layers.len());
        for layer in &self.layers[layers] {
            layer.forward(isa, hidden, scratch);
        }
    }
}
