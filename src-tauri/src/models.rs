//! Loading the language and emotion models off the UI thread, and the
//! state the page polls while they load.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use burn::tensor::Device;
use samantha_emotion::EmotionClassifier;
use samantha_llm::{Engine, EngineOptions};
use samantha_mind::{Companion, CompanionParts, CompanionSettings, MeaningRecall, Recall};
use samantha_models::catalog::{MINILM_DIR, SMOLLM2_GGUF};
use samantha_store::Store;
use serde::Serialize;

use crate::settings::AppSettings;

/// The conversation engine over the loaded models.
pub struct LoadedModels {
    pub companion: Companion,
    /// Whether the emotion model loaded; replies work without it.
    pub has_emotion: bool,
}

/// Life-cycle state of the models.
#[derive(Clone)]
pub enum ModelState {
    Loading,
    Missing(Vec<String>),
    Ready(Arc<LoadedModels>),
    Failed(String),
}

/// The page's view of [`ModelState`].
#[derive(Debug, Clone, Serialize)]
pub struct ModelStatus {
    /// `loading`, `missing`, `ready` or `failed`.
    pub state: &'static str,
    /// Ids of the models still to fetch, when `state` is `missing`.
    pub missing: Vec<String>,
    /// Reason loading failed, when `state` is `failed`.
    pub error: Option<String>,
    /// Name and backend of the loaded language model.
    pub model: Option<String>,
    pub backend: Option<String>,
    /// Whether messages get an emotion label.
    pub emotion: bool,
}

/// Shared slot holding the current [`ModelState`].
#[derive(Clone)]
pub struct ModelSlot(Arc<RwLock<ModelState>>);

impl Default for ModelSlot {
    fn default() -> Self {
        Self(Arc::new(RwLock::new(ModelState::Loading)))
    }
}

impl ModelSlot {
    pub fn get(&self) -> ModelState {
        match self.0.read() {
            Ok(state) => state.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set(&self, state: ModelState) {
        match self.0.write() {
            Ok(mut slot) => *slot = state,
            Err(poisoned) => *poisoned.into_inner() = state,
        }
    }

    pub fn status(&self) -> ModelStatus {
        let mut status = ModelStatus {
            state: "loading",
            missing: Vec::new(),
            error: None,
            model: None,
            backend: None,
            emotion: false,
        };
        match self.get() {
            ModelState::Loading => {}
            ModelState::Missing(missing) => {
                status.state = "missing";
                status.missing = missing;
            }
            ModelState::Failed(error) => {
                status.state = "failed";
                status.error = Some(error);
            }
            ModelState::Ready(models) => {
                status.state = "ready";
                let engine = models.companion.engine();
                status.model = Some(engine.name().to_owned());
                status.backend = Some(engine.backend().name().to_owned());
                status.emotion = models.has_emotion;
            }
        }
        status
    }
}

/// Errors raised while loading the models.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("failed to load the language model {path}: {source}")]
    Engine { path: PathBuf, source: samantha_llm::EngineError },
}

/// Ids of the default models whose main file is absent. Presence is
/// enough here because `samantha setup` checks every sha256 when it
/// installs; a corrupt file shows up as a load error instead.
pub fn missing_models(models_dir: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if !models_dir.join(SMOLLM2_GGUF).is_file() {
        missing.push(samantha_models::catalog::SMOLLM2.id.to_owned());
    }
    if !models_dir.join(MINILM_DIR).join("model.safetensors").is_file() {
        missing.push(samantha_models::catalog::MINILM.id.to_owned());
    }
    let whisper = samantha_speech::DEFAULT_MODEL;
    if whisper.locate(models_dir).is_err() {
        missing.push(whisper.setup_id.to_owned());
    }
    missing
}

/// Loads the language model and the emotion model with `settings`, and
/// builds the conversation engine over them and `store`.
pub fn load(models_dir: &Path, settings: &AppSettings, store: Store, runtime: tokio::runtime::Handle) -> Result<LoadedModels, LoadError> {
    let started = Instant::now();
    let path = settings.model_path.clone().unwrap_or_else(|| models_dir.join(SMOLLM2_GGUF));
    let options = EngineOptions {
        backend: settings.backend.choice(),
        ..EngineOptions::default()
    };
    let engine = Engine::load(&path, &options).map_err(|source| LoadError::Engine { path: path.clone(), source })?;
    tracing::info!(model = engine.name(), backend = %engine.backend(), seconds = started.elapsed().as_secs_f32(), "language model loaded");

    let encoder = models_dir.join(samantha_emotion::encoder::MODEL_FOLDER);
    let assets = samantha_emotion::emotion::assets::default_assets_dir();
    let emotion = match EmotionClassifier::load(&encoder, &assets, &Device::flex()) {
        Ok(classifier) => Some(Arc::new(classifier)),
        Err(error) => {
            tracing::warn!(%error, encoder = %encoder.display(), assets = %assets.display(), "emotion model not loaded; messages get no emotion");
            None
        }
    };

    let has_emotion = emotion.is_some();
    let recall: Arc<dyn Recall> = Arc::new(MeaningRecall::start(store.clone(), models_dir, runtime.clone()));
    let parts = CompanionParts {
        engine: Arc::new(engine),
        emotion,
        store,
        runtime,
        recall: Some(recall),
    };
    let companion = Companion::new(parts, settings.companion_settings(CompanionSettings::default()));
    Ok(LoadedModels { companion, has_emotion })
}
