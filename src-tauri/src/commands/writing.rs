//! The writing studio: generate, and keep drafts with versions.

use samantha_store::{Draft, DraftDocument, DraftId};
use tauri::State;
use tauri::ipc::Channel;

use crate::commands::history::ExportedFile;
use crate::error::CommandError;
use crate::files;
use crate::state::AppState;
use samantha_mind::{WritingOutcome, WritingRequest};

/// Generates the text of a studio request, streaming it into `on_text`;
/// samantha-mind saves it as a new draft or the draft's next version.
#[tauri::command(rename_all = "snake_case")]
pub async fn writing_generate(
    state: State<'_, AppState>,
    request: WritingRequest,
    on_text: Channel<String>,
) -> Result<WritingOutcome, CommandError> {
    let models = state.ready_models()?;
    let settings = state.settings().await?;
    let companion = models.companion.clone();
    companion.set_settings(settings.companion_settings(companion.settings()))?;
    let cancel = state.begin_generation()?;

    let result = tauri::async_runtime::spawn_blocking(move || {
        companion.write(&request, &cancel, &mut |piece| {
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

/// Writes a draft's latest version as Markdown to the data folder's `exports/`.
#[tauri::command(rename_all = "snake_case")]
pub async fn draft_export(state: State<'_, AppState>, draft: DraftId) -> Result<ExportedFile, CommandError> {
    let markdown = state.store.export_draft_markdown(draft).await?;
    let path = files::write_export(state.data_dir.root(), "samantha-draft", "md", &markdown)?;
    Ok(ExportedFile { path: path.display().to_string() })
}
