//! State shared by every command.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use samantha_llm::CancelToken;
use samantha_models::DataDir;
use samantha_store::Store;

use crate::error::CommandError;
use crate::models::{LoadedModels, ModelSlot, ModelState};
use crate::settings::AppSettings;
use crate::speech::Speech;

/// Everything the commands share; Tauri keeps one per app.
pub struct AppState {
    pub data_dir: DataDir,
    pub store: Store,
    /// Handle of the runtime the store was opened on, for blocking threads.
    pub runtime: tokio::runtime::Handle,
    pub models: ModelSlot,
    pub speech: Speech,
    generation: Mutex<Option<CancelToken>>,
}

impl AppState {
    pub fn new(data_dir: DataDir, store: Store, runtime: tokio::runtime::Handle) -> Self {
        Self {
            data_dir,
            store,
            runtime,
            models: ModelSlot::default(),
            speech: Speech::default(),
            generation: Mutex::new(None),
        }
    }

    pub fn models_dir(&self) -> PathBuf {
        self.data_dir.models()
    }

    /// Returns the loaded models, or the reason they cannot be used yet.
    pub fn ready_models(&self) -> Result<Arc<LoadedModels>, CommandError> {
        match self.models.get() {
            ModelState::Ready(models) => Ok(models),
            ModelState::Loading => Err(CommandError::ModelsLoading),
            ModelState::Missing(_) => Err(CommandError::ModelsMissing),
            ModelState::Failed(error) => Err(CommandError::ModelsFailed(error)),
        }
    }

    pub async fn settings(&self) -> Result<AppSettings, CommandError> {
        Ok(AppSettings::load(&self.store).await?)
    }

    /// Registers a new generation; only one runs at a time because the
    /// model is used by one thread at a time.
    pub fn begin_generation(&self) -> Result<CancelToken, CommandError> {
        let mut slot = lock(&self.generation);
        if slot.is_some() {
            return Err(CommandError::Busy);
        }
        let cancel = CancelToken::new();
        *slot = Some(cancel.clone());
        Ok(cancel)
    }

    pub fn end_generation(&self) {
        *lock(&self.generation) = None;
    }

    /// Stops the running generation, if any; returns whether one was running.
    pub fn stop_generation(&self) -> bool {
        match lock(&self.generation).as_ref() {
            Some(cancel) => {
                cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// Starts loading the models on a thread of its own, unless some are
    /// missing. The window stays usable meanwhile.
    pub fn start_loading(&self) {
        let slot = self.models.clone();
        let store = self.store.clone();
        let runtime = self.runtime.clone();
        let models_dir = self.models_dir();
        slot.set(ModelState::Loading);

        let spawned = std::thread::Builder::new().name("model-loader".to_owned()).spawn(move || {
            let missing = crate::models::missing_models(&models_dir);
            if !missing.is_empty() {
                tracing::info!(?missing, "models missing; waiting for setup");
                slot.set(ModelState::Missing(missing));
                return;
            }

            let settings = match runtime.block_on(AppSettings::load(&store)) {
                Ok(settings) => settings,
                Err(error) => {
                    slot.set(ModelState::Failed(error.to_string()));
                    return;
                }
            };
            match crate::models::load(&models_dir, &settings, store, runtime) {
                Ok(models) => slot.set(ModelState::Ready(Arc::new(models))),
                Err(error) => {
                    tracing::error!(%error, "model loading failed");
                    slot.set(ModelState::Failed(error.to_string()));
                }
            }
        });
        if let Err(error) = spawned {
            self.models.set(ModelState::Failed(format!("failed to start the loader thread: {error}")));
        }
    }
}

/// Locks `mutex`, recovering the data if a thread panicked while holding it.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
