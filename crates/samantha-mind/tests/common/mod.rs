//! A companion over the real models and a temporary SQLite file.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use burn::tensor::Device;
use samantha_emotion::EmotionClassifier;
use samantha_emotion::emotion::assets::default_assets_dir;
use samantha_emotion::encoder::MODEL_FOLDER;
use samantha_llm::{BackendChoice, Engine, EngineOptions, SamplingParams};
use samantha_mind::{Companion, CompanionParts, CompanionSettings, MeaningRecall, Recall};
use samantha_models::DataDir;
use samantha_models::catalog::SMOLLM2_GGUF;
use samantha_store::Store;
use tokio::runtime::Runtime;

fn models_dir() -> PathBuf {
    let models = DataDir::resolve().expect("data directory").models();
    let gguf = models.join(SMOLLM2_GGUF);
    assert!(
        gguf.exists(),
        "{} is missing: run `samantha setup` (or set SAMANTHA_HOME) before these tests",
        gguf.display()
    );
    models
}

/// Returns one engine on the CPU backend, shared by the tests of a binary.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let options = EngineOptions {
                backend: BackendChoice::Cpu,
                ..EngineOptions::default()
            };
            Arc::new(Engine::load(&models_dir().join(SMOLLM2_GGUF), &options).expect("the SmolLM2 model loads"))
        })
        .clone()
}

/// Returns the emotion classifier, shared by the tests of a binary.
pub fn classifier() -> Arc<EmotionClassifier> {
    static CLASSIFIER: OnceLock<Arc<EmotionClassifier>> = OnceLock::new();
    CLASSIFIER
        .get_or_init(|| {
            let encoder = models_dir().join(MODEL_FOLDER);
            let classifier = EmotionClassifier::load(&encoder, &default_assets_dir(), &Device::flex())
                .expect("the emotion model loads");
            Arc::new(classifier)
        })
        .clone()
}

/// A companion on a fresh database, with its runtime and folder.
pub struct Fixture {
    pub companion: Companion,
    pub store: Store,
    pub runtime: Runtime,
    pub dir: tempfile::TempDir,
}

/// Builds a companion with greedy decoding and `max_tokens` per reply.
pub fn fixture(max_tokens: usize) -> Fixture {
    build(max_tokens, false).0
}

/// Builds a companion that also recalls by meaning, with its recall.
pub fn fixture_with_meaning(max_tokens: usize) -> (Fixture, Arc<MeaningRecall>) {
    let (fixture, recall) = build(max_tokens, true);
    (fixture, recall.expect("recall by meaning"))
}

fn build(max_tokens: usize, meaning: bool) -> (Fixture, Option<Arc<MeaningRecall>>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let store = runtime
        .block_on(Store::open(dir.path().join("samantha.db")))
        .expect("database opens");

    let settings = CompanionSettings {
        max_tokens,
        sampling: SamplingParams {
            temperature: 0.0,
            repetition_penalty: 1.0,
            ..SamplingParams::default()
        },
        ..CompanionSettings::default()
    };
    let recall = meaning.then(|| Arc::new(MeaningRecall::start(store.clone(), &models_dir(), runtime.handle().clone())));
    let parts = CompanionParts {
        engine: engine(),
        emotion: Some(classifier()),
        store: store.clone(),
        runtime: runtime.handle().clone(),
        recall: recall.clone().map(|recall| recall as Arc<dyn Recall>),
    };
    let fixture = Fixture {
        companion: Companion::new(parts, settings),
        store,
        runtime,
        dir,
    };
    (fixture, recall)
}
