//! Speech: the microphone with level and transcript events, and the
//! transcription of an audio file the page uploads.

use tauri::State;
use tauri::ipc::{Channel, InvokeBody, Request};

use crate::error::CommandError;
use crate::speech::{MicEvent, SpeechError};
use crate::state::AppState;

/// Header carrying the uploaded file's name, for its extension.
const FILE_NAME_HEADER: &str = "x-file-name";

/// Extensions the decoder reads.
const AUDIO_EXTENSIONS: &[&str] = &["wav", "flac", "mp3", "ogg"];

#[tauri::command(rename_all = "snake_case")]
pub async fn mic_start(state: State<'_, AppState>, on_event: Channel<MicEvent>) -> Result<(), CommandError> {
    let device = state.settings().await?.microphone;
    let models_dir = state.models_dir();

    state.speech.start(models_dir, device, move |event| {
        if let Err(error) = on_event.send(event) {
            tracing::warn!(%error, "microphone event not delivered");
        }
    })?;
    Ok(())
}

/// Stops recording; the transcript then arrives on the start channel.
#[tauri::command(rename_all = "snake_case")]
pub fn mic_stop(state: State<'_, AppState>) -> bool {
    state.speech.stop()
}

/// Transcribes the audio file sent as the raw request body.
#[tauri::command(rename_all = "snake_case")]
pub async fn transcribe_upload(state: State<'_, AppState>, request: Request<'_>) -> Result<String, CommandError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(SpeechError::NotAudioBody.into());
    };
    let extension = request
        .headers()
        .get(FILE_NAME_HEADER)
        .and_then(|name| name.to_str().ok())
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .filter(|extension| AUDIO_EXTENSIONS.contains(&extension.as_str()))
        .ok_or(SpeechError::UnsupportedFile)?;

    let folder = tempfile::tempdir().map_err(|source| SpeechError::TempFile { path: std::env::temp_dir(), source })?;
    let path = folder.path().join(format!("upload.{extension}"));
    std::fs::write(&path, bytes).map_err(|source| SpeechError::TempFile { path: path.clone(), source })?;

    let models_dir = state.models_dir();
    let speech = state.speech.clone();
    let text = tauri::async_runtime::spawn_blocking(move || speech.transcribe_file(&models_dir, &path)).await??;

    // The folder is removed only after the transcription has read the file.
    drop(folder);
    Ok(text)
}
