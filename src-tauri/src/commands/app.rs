//! Model status, first-run setup and facts about the app.

use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;

use crate::error::CommandError;
use crate::model_setup::{self, SetupProgress};
use crate::models::{ModelState, ModelStatus};
use crate::state::AppState;

/// Facts shown in Settings.
#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub data_folder: String,
    pub database: String,
    pub models_folder: String,
}

#[tauri::command(rename_all = "snake_case")]
pub fn model_status(state: State<'_, AppState>) -> ModelStatus {
    state.models.status()
}

#[tauri::command(rename_all = "snake_case")]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_folder: state.data_dir.root().display().to_string(),
        database: state.store.path().display().to_string(),
        models_folder: state.models_dir().display().to_string(),
    }
}

/// Fetches the missing models, reporting each step, then loads them.
#[tauri::command(rename_all = "snake_case")]
pub async fn setup_models(state: State<'_, AppState>, on_progress: Channel<SetupProgress>) -> Result<(), CommandError> {
    let models_dir = state.models_dir();
    state.models.set(ModelState::Loading);

    let result = tauri::async_runtime::spawn_blocking(move || {
        model_setup::install_defaults(&models_dir, &mut |progress| {
            if let Err(error) = on_progress.send(progress) {
                tracing::warn!(%error, "setup progress not delivered");
            }
        })
    })
    .await?;

    // Loading runs again either way, so the status reflects the files now
    // on disk.
    state.start_loading();
    Ok(result?)
}
