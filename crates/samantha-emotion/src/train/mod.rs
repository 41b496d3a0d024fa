//! Fine-tunes the emotion head on GoEmotions (Ekman labels) with burn's
//! Learner.
//!
//! The lower encoder layers stay frozen: their output is computed once per
//! split and cached on disk, so each epoch runs only the top layers and the
//! classifier. Training uses AdamW with a linear warm-up and linear decay,
//! multi-label binary cross-entropy, and stops early when dev macro-F1 (at
//! a 0.5 threshold) stops improving. The best epoch's weights are kept, the
//! per-label thresholds are chosen on dev, and the result is written as the
//! emotion assets together with a report.

pub mod batch;
pub mod cache;
pub mod plot;
pub mod progress;
pub mod step;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::InMemDataset;
use burn::lr_scheduler::linear::LinearLrSchedulerConfig;
use burn::lr_scheduler::sequential::SequentialLrSchedulerConfig;
use burn::lr_scheduler::LrSchedulerConfig;
use burn::module::Module;
use burn::optim::AdamWConfig;
use burn::store::ModuleRecord;
use burn::tensor::Device;
use burn::tensor::activation::sigmoid;
use burn::train::checkpoint::{Checkpointer, FileCheckpointer, KeepLastNCheckpoints};
use burn::train::metric::store::{Aggregate, Direction, Split as MetricSplit};
use burn::train::metric::{ClassReduction, FBetaScoreMetric, LossMetric, Metric};
use burn::train::{Learner, LearnerSummary, MetricEarlyStoppingStrategy, StoppingCondition, SupervisedTraining};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde_json::json;

use self::batch::{FeatureBatcher, length_buckets};
use self::cache::{CacheError, FeatureCache, cache_path};
use self::plot::{Series, curves_svg};
use self::progress::ProgressRenderer;
use self::step::HeadTrainer;
use crate::data::{DataError, Example, Split, read_split, split_path};
use crate::emotion::assets::{AssetsError, METRICS_FILE, Manifest, WEIGHTS_FILE, label_names, sha256_file, write_head};
use crate::emotion::head::EmotionHeadConfig;
use crate::emotion::{EMOTION_COUNT, EmotionClassifier, EmotionError};
use crate::encoder::{Encoder, EncoderError, WeightsFile};
use crate::metrics::{choose_thresholds, evaluate};
use crate::report::{RecordedMetrics, evaluate_examples, render};

/// Errors raised while training.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Encoder(#[from] EncoderError),
    #[error(transparent)]
    Emotion(#[from] EmotionError),
    #[error(transparent)]
    Assets(#[from] AssetsError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("invalid learning-rate schedule: {message}")]
    Schedule { message: String },
    #[error("training failed: {message}")]
    Learner { message: String },
    #[error("no training summary in {path}: {message}")]
    Summary { path: PathBuf, message: String },
    #[error("failed to restore the checkpoint of epoch {epoch}: {message}")]
    Checkpoint { epoch: usize, message: String },
    #[error("failed to write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("invalid training options: {message}")]
    Options { message: String },
}

/// Settings of one training run.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// GoEmotions folder that contains `ekman/`.
    pub data_dir: PathBuf,
    /// Base encoder folder.
    pub encoder_dir: PathBuf,
    /// Output folder for the assets, the report and the curves.
    pub out_dir: PathBuf,
    /// Learner artifacts: checkpoints and metric logs.
    pub work_dir: PathBuf,
    /// Frozen-layer feature caches.
    pub cache_dir: PathBuf,
    pub seed: u64,
    /// Maximum number of epochs; early stopping may end the run sooner.
    pub epochs: usize,
    pub batch_size: usize,
    /// Peak learning rate, reached after the warm-up.
    pub learning_rate: f64,
    /// Share of all steps spent warming up.
    pub warmup: f64,
    /// Epochs without dev macro-F1 improvement before stopping.
    pub patience: usize,
    pub frozen_layers: usize,
    /// Tokens per training row, special tokens included.
    pub max_tokens: usize,
    pub dropout: f64,
    pub weight_decay: f32,
    /// Train on this many rows drawn from the seed instead of all of them.
    pub train_limit: Option<usize>,
    /// Skip the final evaluation of the test split.
    pub skip_test: bool,
}

/// Outcome of a training run.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    pub epochs_run: usize,
    pub best_epoch: usize,
    pub train_rows: usize,
    pub dev_macro_f1: f64,
    pub test_macro_f1: Option<f64>,
    pub seconds: f64,
    pub report: String,
}

fn load_cache(
    options: &TrainOptions,
    encoder: &Encoder,
    split: Split,
    examples: &[Example],
    base_sha: &str,
) -> Result<FeatureCache, TrainError> {
    let split_sha = sha256_file(&split_path(&options.data_dir, split))?;
    let frozen = options.frozen_layers.to_string();
    let max_tokens = options.max_tokens.to_string();
    let window = encoder.tokenizer().window().to_string();
    let path = cache_path(
        &options.cache_dir,
        split.as_str(),
        &["features-v1", base_sha, &split_sha, &frozen, &max_tokens, &window],
    );
    if path.is_file() {
        tracing::info!(path = %path.display(), "reading cached features");
        return Ok(FeatureCache::read(&path)?);
    }
    let started = Instant::now();
    let texts: Vec<&str> = examples.iter().map(|example| example.text.as_str()).collect();
    let cache = FeatureCache::build(encoder, &texts, options.frozen_layers, options.max_tokens)?;
    cache.write(&path)?;
    eprintln!(
        "cached layers 0..{} for {} {} rows in {:.0} s",
        options.frozen_layers,
        examples.len(),
        split.as_str(),
        started.elapsed().as_secs_f64()
    );
    Ok(cache)
}

fn schedule(options: &TrainOptions, steps: usize) -> Result<burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler, TrainError> {
    let warmup = ((steps as f64 * options.warmup).round() as usize).clamp(1, steps.saturating_sub(1).max(1));
    let floor = options.learning_rate * 1e-3;
    let rise = LinearLrSchedulerConfig::new(floor, options.learning_rate, warmup);
    let fall = LinearLrSchedulerConfig::new(options.learning_rate, floor, steps.saturating_sub(warmup).max(1));
    SequentialLrSchedulerConfig::new(vec![LrSchedulerConfig::Linear(rise), LrSchedulerConfig::Linear(fall)], vec![warmup])
        .init()
        .map_err(|message| TrainError::Schedule { message })
}

fn check(options: &TrainOptions) -> Result<(), TrainError> {
    let invalid = |message: &str| Err(TrainError::Options { message: message.to_string() });
    if options.epochs == 0 {
        return invalid("epochs must be at least 1");
    }
    if options.batch_size == 0 {
        return invalid("batch size must be at least 1");
    }
    if !(options.learning_rate > 0.0 && options.learning_rate <= 1.0) {
        return invalid("learning rate must be in (0, 1]");
    }
    if !(0.0..1.0).contains(&options.warmup) {
        return invalid("warm-up share must be in [0, 1)");
    }
    if options.max_tokens < 3 {
        return invalid("max tokens must be at least 3");
    }
    Ok(())
}

fn write_file(path: &Path, text: &str) -> Result<(), TrainError> {
    std::fs::write(path, text).map_err(|source| TrainError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Trains the head, writes the assets and the report into `out_dir`.
pub fn train(options: &TrainOptions) -> Result<TrainSummary, TrainError> {
    check(options)?;
    let started = Instant::now();
    let device = Device::flex();
    device.seed(options.seed);

    let encoder = Encoder::load(&options.encoder_dir, &device)?;
    if options.frozen_layers >= encoder.config().n_layers {
        return Err(TrainError::Options {
            message: format!(
                "frozen layers ({}) must be fewer than the encoder's {} layers",
                options.frozen_layers,
                encoder.config().n_layers
            ),
        });
    }
    let train_examples = read_split(&options.data_dir, Split::Train)?;
    let dev_examples = read_split(&options.data_dir, Split::Dev)?;
    let base_sha = sha256_file(&options.encoder_dir.join("model.safetensors"))?;

    let train_cache = Arc::new(load_cache(options, &encoder, Split::Train, &train_examples, &base_sha)?);
    let dev_cache = Arc::new(load_cache(options, &encoder, Split::Dev, &dev_examples, &base_sha)?);

    let mut train_rows: Vec<usize> = (0..train_examples.len()).collect();
    if let Some(limit) = options.train_limit {
        train_rows.shuffle(&mut StdRng::seed_from_u64(options.seed));
        train_rows.truncate(limit.min(train_rows.len()));
    }
    let dev_rows: Vec<usize> = (0..dev_examples.len()).collect();
    let train_buckets = length_buckets(&train_cache, &train_rows, options.batch_size, options.seed);
    let dev_buckets = length_buckets(&dev_cache, &dev_rows, options.batch_size * 4, options.seed);
    let steps = train_buckets.len() * options.epochs;

    let train_batcher = FeatureBatcher {
        cache: train_cache.clone(),
        labels: Arc::new(train_examples.iter().map(|e| e.labels).collect()),
    };
    let dev_labels: Vec<[bool; EMOTION_COUNT]> = dev_examples.iter().map(|e| e.labels).collect();
    let dev_batcher = FeatureBatcher {
        cache: dev_cache.clone(),
        labels: Arc::new(dev_labels.clone()),
    };
    let train_loader = DataLoaderBuilder::new(train_batcher)
        .batch_size(1)
        .shuffle(options.seed)
        .build(InMemDataset::new(train_buckets));
    let dev_loader = DataLoaderBuilder::new(dev_batcher.clone())
        .batch_size(1)
        .build(InMemDataset::new(dev_buckets.clone()));

    let train_device = device.clone().autodiff();
    let base_file = WeightsFile::read(&options.encoder_dir.join("model.safetensors")).map_err(EncoderError::from)?;
    let head = EmotionHeadConfig::new(options.frozen_layers)
        .with_dropout(options.dropout)
        .init_from_base(encoder.config(), &base_file.reader(&train_device).map_err(EncoderError::from)?)
        .map_err(EncoderError::from)?;
    let model = HeadTrainer { head };
    let optimizer = AdamWConfig::new().with_weight_decay(options.weight_decay).init();

    let f1 = FBetaScoreMetric::multilabel(1.0, 0.5, ClassReduction::Macro);
    let loss = LossMetric::new();
    let (f1_name, loss_name) = (f1.name().to_string(), loss.name().to_string());
    let early_stopping = MetricEarlyStoppingStrategy::new(
        &f1,
        Aggregate::Mean,
        Direction::Highest,
        MetricSplit::Valid,
        StoppingCondition::NoImprovementSince {
            n_epochs: options.patience,
        },
    );

    if options.work_dir.exists() {
        // Stale checkpoints and logs of an earlier run would mix into this one.
        std::fs::remove_dir_all(&options.work_dir).map_err(|source| TrainError::Write {
            path: options.work_dir.clone(),
            source,
        })?;
    }
    let training = SupervisedTraining::new(&options.work_dir, train_loader, dev_loader)
        .metric_train_numeric(LossMetric::new())
        .metric_valid_numeric(LossMetric::new())
        .metric_train_numeric(FBetaScoreMetric::multilabel(1.0, 0.5, ClassReduction::Macro))
        .metric_valid_numeric(FBetaScoreMetric::multilabel(1.0, 0.5, ClassReduction::Macro))
        .with_default_checkpointers()
        .with_checkpointing_strategy(KeepLastNCheckpoints::new(options.epochs))
        .early_stopping(early_stopping)
        .with_application_logger(None)
        .renderer(Box::new(ProgressRenderer::new()))
        .num_epochs(options.epochs);

    eprintln!(
        "training layers {}..{} and the classifier on {} rows, {} batches per epoch, up to {} epochs",
        options.frozen_layers,
        encoder.config().n_layers,
        train_rows.len(),
        steps / options.epochs,
        options.epochs
    );
    let result = training.launch(Learner::new(model, optimizer, schedule(options, steps)?));
    if let Some(error) = result.error {
        return Err(TrainError::Learner { message: error.to_string() });
    }

    let summary = LearnerSummary::new(&options.work_dir, &[loss_name.as_str(), f1_name.as_str()]).map_err(|message| {
        TrainError::Summary {
            path: options.work_dir.clone(),
            message,
        }
    })?;
    let curve = |split: &[burn::train::MetricSummary], name: &str| -> Vec<(f64, f64)> {
        split
            .iter()
            .find(|metric| metric.name == name)
            .map(|metric| metric.entries.iter().map(|e| (e.step as f64, e.value)).collect())
            .unwrap_or_default()
    };
    let train_loss = curve(&summary.metrics.train, &loss_name);
    let dev_loss = curve(&summary.metrics.valid, &loss_name);
    let train_f1 = curve(&summary.metrics.train, &f1_name);
    let dev_f1 = curve(&summary.metrics.valid, &f1_name);
    let best_epoch = dev_f1
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(epoch, _)| *epoch as usize)
        .unwrap_or(summary.epochs);

    let checkpointer = FileCheckpointer::new(options.work_dir.join("checkpoint"), "model");
    let record: ModuleRecord = checkpointer.restore(best_epoch).map_err(|error| TrainError::Checkpoint {
        epoch: best_epoch,
        message: format!("{error:?}"),
    })?;
    let model = result.model.load_record(record).valid();

    // Thresholds come from the best epoch's dev probabilities on the cache.
    let mut dev_probabilities = vec![[0.0f32; EMOTION_COUNT]; dev_examples.len()];
    for bucket in &dev_buckets {
        let batch = dev_batcher.make(bucket, &device);
        let logits = model.head.forward(batch.hidden, batch.mask);
        let values = sigmoid(logits)
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|error| TrainError::Learner { message: format!("{error:?}") })?;
        for (row, chunk) in bucket.iter().zip(values.chunks_exact(EMOTION_COUNT)) {
            dev_probabilities[*row] = std::array::from_fn(|label| chunk[label]);
        }
    }
    let thresholds = choose_thresholds(&dev_probabilities, &dev_labels);
    let cached_dev = evaluate(&dev_probabilities, &dev_labels, &thresholds);
    eprintln!(
        "best epoch {best_epoch}: dev macro-F1 {:.4} on cached features with thresholds {thresholds:?}",
        cached_dev.macro_f1
    );

    std::fs::create_dir_all(&options.out_dir).map_err(|source| TrainError::Write {
        path: options.out_dir.clone(),
        source,
    })?;
    write_head(&model.head, options.frozen_layers, &options.out_dir.join(WEIGHTS_FILE))?;
    let manifest = Manifest {
        base_model: "all-MiniLM-L6-v2".to_string(),
        base_model_sha256: base_sha,
        frozen_layers: options.frozen_layers,
        labels: label_names(),
        thresholds,
        weights: WEIGHTS_FILE.to_string(),
        dtype: "f16".to_string(),
        training: json!({
            "data": "GoEmotions ekman train, early stopping and thresholds on dev",
            "seed": options.seed,
            "max_epochs": options.epochs,
            "epochs_run": summary.epochs,
            "best_epoch": best_epoch,
            "train_rows": train_rows.len(),
            "batch_size": options.batch_size,
            "optimizer": "AdamW",
            "weight_decay": options.weight_decay,
            "learning_rate": options.learning_rate,
            "schedule": format!("linear warm-up over {:.0}% of steps, then linear decay", options.warmup * 100.0),
            "loss": "binary cross-entropy on sigmoid outputs (multi-label)",
            "dropout": options.dropout,
            "max_tokens": options.max_tokens,
        }),
    };
    manifest.write(&options.out_dir)?;

    // The shipped (f16) assets are scored through the full pipeline.
    let classifier = EmotionClassifier::load(&options.encoder_dir, &options.out_dir, &device)?;
    let dev = evaluate_examples(&classifier, &dev_examples)?;
    let mut report = format!(
        "Emotion head: layers {}..{} of all-MiniLM-L6-v2 and a linear classifier\n\
         seed {}, {} training rows, {} epochs run, best epoch {best_epoch}, {:.1} minutes\n\
         thresholds (dev): {}\n\n",
        options.frozen_layers,
        encoder.config().n_layers,
        options.seed,
        train_rows.len(),
        summary.epochs,
        started.elapsed().as_secs_f64() / 60.0,
        label_names()
            .iter()
            .zip(thresholds)
            .map(|(name, t)| format!("{name} {t:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    report.push_str(&render(&dev, "GoEmotions ekman dev"));

    let mut test_macro_f1 = None;
    if !options.skip_test {
        let test_examples = read_split(&options.data_dir, Split::Test)?;
        let test = evaluate_examples(&classifier, &test_examples)?;
        report.push('\n');
        report.push_str(&render(&test, "GoEmotions ekman test"));
        test_macro_f1 = Some(test.macro_f1);
        let recorded = RecordedMetrics {
            dev_macro_f1: dev.macro_f1,
            test_macro_f1: test.macro_f1,
            test_rows: test.rows,
        };
        let path = options.out_dir.join(METRICS_FILE);
        recorded.write(&path).map_err(|source| TrainError::Write { path, source })?;
    }

    write_file(&options.out_dir.join("report.txt"), &report)?;
    let svg = curves_svg(
        &[
            Series { name: "train", color: "#1f77b4", points: train_loss },
            Series { name: "dev", color: "#ff7f0e", points: dev_loss },
        ],
        &[
            Series { name: "train", color: "#1f77b4", points: train_f1 },
            Series { name: "dev", color: "#ff7f0e", points: dev_f1 },
        ],
    );
    write_file(&options.out_dir.join("curves.svg"), &svg)?;

    Ok(TrainSummary {
        epochs_run: summary.epochs,
        best_epoch,
        train_rows: train_rows.len(),
        dev_macro_f1: dev.macro_f1,
        test_macro_f1,
        seconds: started.elapsed().as_secs_f64(),
        report,
    })
}
