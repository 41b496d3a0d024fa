//! Settings: read and save; a change of model or backend reloads the models.

use samantha_speech::InputDeviceInfo;
use serde::Serialize;
use tauri::State;

use crate::error::CommandError;
use crate::settings::AppSettings;
use crate::speech::SpeechError;
use crate::state::AppState;

/// An input device the Settings view offers.
#[derive(Debug, Clone, Serialize)]
pub struct Microphone {
    pub name: String,
    pub is_default: bool,
}

impl From<InputDeviceInfo> for Microphone {
    fn from(device: InputDeviceInfo) -> Self {
        Self { name: device.name, is_default: device.is_default }
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings_get(state: State<'_, AppState>) -> Result<AppSettings, CommandError> {
    state.settings().await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings_save(state: State<'_, AppState>, settings: AppSettings) -> Result<AppSettings, CommandError> {
    let before = state.settings().await?;
    settings.save(&state.store).await?;

    if before.model_path != settings.model_path || before.backend != settings.backend {
        tracing::info!("model settings changed; reloading the models");
        state.start_loading();
    }
    state.settings().await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn microphones_list() -> Result<Vec<Microphone>, CommandError> {
    let devices = tauri::async_runtime::spawn_blocking(samantha_speech::list_input_devices).await?;
    let devices = devices.map_err(SpeechError::Capture)?;
    Ok(devices.into_iter().map(Microphone::from).collect())
}
