//! A plain progress bar on standard error for the Learner, in place of
//! burn's terminal UI.

use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation, MetricsRendererTraining,
};
use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::MetricDefinition;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// Shows one bar per split and epoch, and prints one line when a split ends
/// (the only output when standard error is not a terminal).
pub struct ProgressRenderer {
    bar: Option<ProgressBar>,
    split: String,
    started: Option<Instant>,
    epoch: usize,
    epochs: usize,
}

impl ProgressRenderer {
    pub fn new() -> Self {
        Self {
            bar: None,
            split: String::new(),
            started: None,
            epoch: 1,
            epochs: 0,
        }
    }
}

impl Default for ProgressRenderer {
    fn default() -> Self {
        Self::new()
    }
}

impl MetricsRendererTraining for ProgressRenderer {
    fn update_train(&mut self, _state: MetricState) {}

    fn update_valid(&mut self, _state: MetricState) {}

    fn on_train_end(
        &mut self,
        _summary: Option<burn::train::LearnerSummary>,
    ) -> Result<(), Box<dyn core::error::Error>> {
        Ok(())
    }
}

impl MetricsRendererEvaluation for ProgressRenderer {
    fn update_test(&mut self, _name: EvaluationName, _state: MetricState) {}
}

impl TrainingProgressLogger for ProgressRenderer {
    fn start(&mut self, total_epochs: usize, starting_epoch: usize, _total_items: Option<usize>, _label: Option<&str>) {
        self.epochs = total_epochs;
        self.epoch = starting_epoch.max(1);
    }

    fn update_epoch(&mut self, epoch: usize) {
        self.epoch = epoch + 1;
    }

    fn start_split(&mut self, split: &str, total_items: usize) {
        let bar = ProgressBar::new(total_items as u64);
        let template = format!(
            "epoch {}/{} {split:<5} {{wide_bar}} {{pos}}/{{len}} batches, {{elapsed}} elapsed, {{eta}} left",
            self.epoch, self.epochs
        );
        bar.set_style(ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()));
        self.bar = Some(bar);
        self.split = split.to_string();
        self.started = Some(Instant::now());
    }

    fn update_split(&mut self, items_processed: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(items_processed as u64);
        }
    }

    fn end_split(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            let seconds = self.started.map(|t| t.elapsed().as_secs_f64()).unwrap_or(0.0);
            eprintln!(
                "epoch {}/{} {}: {} batches in {seconds:.0} s",
                self.epoch,
                self.epochs,
                self.split,
                bar.position()
            );
        }
    }

    fn end(&mut self) {
        self.end_split();
    }

    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for ProgressRenderer {
    fn start_global_progress(&mut self, _total_tests: usize) {}

    fn start_test(&mut self, _name: &str, _total_items: usize) {}

    fn update_test_progress(&mut self, _items_processed: usize) {}

    fn end_test(&mut self) {}

    fn end_global_progress(&mut self) {}

    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRenderer for ProgressRenderer {
    fn manual_close(&mut self) {
        self.end_split();
    }

    fn register_metric(&mut self, _definition: MetricDefinition) {}
}
