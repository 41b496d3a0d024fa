//! The emotion head as a Learner model: multi-label binary cross-entropy on
//! the seven logits.

use burn::module::Module;
use burn::nn::loss::BinaryCrossEntropyLossConfig;
use burn::tensor::activation::sigmoid;
use burn::train::{InferenceStep, MultiLabelClassificationOutput, TrainOutput, TrainStep};

use super::batch::FeatureBatch;
use crate::emotion::head::EmotionHead;

#[derive(Module, Debug)]
pub struct HeadTrainer {
    pub head: EmotionHead,
}

impl HeadTrainer {
    /// Computes the loss and the per-label probabilities of a batch.
    pub fn forward_batch(&self, batch: FeatureBatch) -> MultiLabelClassificationOutput {
        let logits = self.head.forward(batch.hidden, batch.mask);
        let loss = BinaryCrossEntropyLossConfig::new()
            .with_logits(true)
            .init(&logits.device())
            .forward(logits.clone(), batch.targets.clone());
        MultiLabelClassificationOutput::new(loss, sigmoid(logits), batch.targets)
    }
}

impl TrainStep for HeadTrainer {
    type Input = FeatureBatch;
    type Output = MultiLabelClassificationOutput;

    fn step(&self, batch: FeatureBatch) -> TrainOutput<MultiLabelClassificationOutput> {
        let output = self.forward_batch(batch);
        let gradients = output.loss.backward();
        TrainOutput::new(self, gradients, output)
    }
}

impl InferenceStep for HeadTrainer {
    type Input = FeatureBatch;
    type Output = MultiLabelClassificationOutput;

    fn step(&self, batch: FeatureBatch) -> MultiLabelClassificationOutput {
        self.forward_batch(batch)
    }
}
