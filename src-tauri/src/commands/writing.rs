//! The writing studio: generate, and keep drafts with versions.

use samantha_store::{Draft, DraftDocument, DraftId, DraftVersion};
use tauri::State;
use tauri::ipc::Channel;

use crate::commands::history::ExportedFile;
use crate::error::CommandError;
use crate::files;
use crate::state::AppState;
use crate::writing::{self, WritingOutcome, WritingRequest};

/// Generates the text of a studio request, streaming it into `on_text`.
#[tauri::command(rename_all = "snake_case")]
pub async fn writing_generate(
    state: State<'_, AppState>,
    request: WritingRequest,
    on_text: Channel<String>,
) -> Result<WritingOutcome, CommandError> {
    let models = state.ready_models()?;
    let settings = state.settings().await?;
    let cancel = state.begin_generation()?;

    let result = tauri::async_runtime::spawn_blocking(move || {
        writing::write(&models.engine, &settings, &request, &cancel, &mut |piece| {
            if let Err(error) = on_text.send(piece.to_owned()) {
                tracing::warn!(%error, "writing text not delivered");
            }
        })
    })
    .await;
    state.end_generation();

    Ok(result??)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn drafts_list(state: State<'_, AppState>) -> Result<Vec<Draft>, CommandError> {
    Ok(state.store.list_drafts().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn draft_open(state: State<'_, AppState>, draft: DraftId) -> Result<DraftDocument, CommandError> {
    Ok(state.store.draft(draft).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn draft_create(state: State<'_, AppState>, title: String, content: String) -> Result<Draft, CommandError> {
    Ok(state.store.create_draft(title.trim(), &content, None).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn draft_save_version(
    state: State<'_, AppState>,
    draft: DraftId,
    content: String,
    note: Option<String>,
) -> Result<DraftVersion, CommandError> {
    Ok(state.store.add_draft_version(draft, &content, note.as_deref()).await?)
}

/// Writes a draft's latest version as Markdown to the data folder's `exports/`.
#[tauri::command(rename_all = "snake_case")]
pub async fn draft_export(state: State<'_, AppState>, draft: DraftId) -> Result<ExportedFile, CommandError> {
    let markdown = state.store.export_draft_markdown(draft).await?;
    let path = files::write_export(state.data_dir.root(), "samantha-draft", "md", &markdown)?;
    Ok(ExportedFile { path: path.display().to_string() })
}
