//! The emotion head on the plain-f32 path: fine-tuned top layers and the
//! linear classifier.

use super::InferenceError;
use super::isa::Isa;
use super::layer::{FastLayer, Scratch};
use super::matmul::{PackedMatrix, Rows, matmul};
use super::weights::DenseWeights;
use crate::emotion::EMOTION_COUNT;
use crate::emotion::head::EmotionHead;

/// Copy of a burn [`EmotionHead`] for inference.
pub struct FastEmotionHead {
    layers: Vec<FastLayer>,
    classifier: PackedMatrix,
    classifier_bias: Vec<f32>,
}

impl FastEmotionHead {
    /// Copies and packs the head's layers and classifier.
    pub fn from_burn(head: &EmotionHead, first_layer: usize, layer_norm_eps: f64) -> Result<Self, InferenceError> {
        let layers = head
            .layers
            .iter()
            .enumerate()
            .map(|(offset, layer)| FastLayer::from_burn(layer, layer_norm_eps, &format!("head.layer.{}", first_layer + offset)))
            .collect::<Result<_, _>>()?;
        let classifier = DenseWeights::from_burn(&head.classifier, "head.classifier")?;
        Ok(Self {
            layers,
            classifier: classifier.pack(),
            classifier_bias: classifier.bias,
        })
    }

    /// Runs the head's layers in place on the frozen layers' output.
    pub fn encode(&self, isa: Isa, hidden: &mut [f32], scratch: &mut Scratch) {
        for layer in &self.layers {
            layer.forward(isa, hidden, scratch);
        }
    }

    /// Maps a mean-pooled vector to the seven label logits.
    pub fn classify(&self, isa: Isa, pooled: &[f32]) -> [f32; EMOTION_COUNT] {
        let mut logits = [0.0f32; EMOTION_COUNT];
        matmul(isa, Rows::new(pooled, 1, pooled.len()), &self.classifier, Some(&self.classifier_bias), Rows::new_mut(&mut logits, 1, EMOTION_COUNT));
        logits
    }
}
