//! History: list, search, open, rename, delete, export and import.

use samantha_store::{Conversation, ConversationId, HistoryExport, ImportSummary, Message, Role};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::CommandError;
use crate::files;
use crate::state::AppState;

/// Most search results returned.
const SEARCH_LIMIT: u32 = 50;

/// A conversation in the History list.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationItem {
    pub conversation: Conversation,
    pub message_count: i64,
    /// UTC day of the last message, `YYYY-MM-DD`, for grouping by date.
    pub day: String,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub conversation_id: ConversationId,
    pub conversation_title: String,
    pub role: Role,
    pub created_at: String,
    /// Matching passage with the matched words in `[` `]`.
    pub snippet: String,
}

/// A conversation with all its messages.
#[derive(Debug, Clone, Serialize)]
pub struct OpenConversation {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
}

/// File format of an export.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Markdown,
}

/// Rows an import added.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedCounts {
    pub conversations: usize,
    pub messages: usize,
}

/// Path of a written export.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedFile {
    pub path: String,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn history_list(state: State<'_, AppState>) -> Result<Vec<ConversationItem>, CommandError> {
    let summaries = state.store.list_conversations().await?;
    Ok(summaries
        .into_iter()
        .map(|summary| ConversationItem {
            day: summary.conversation.updated_at.date(),
            conversation: summary.conversation,
            message_count: summary.message_count,
        })
        .collect())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn history_search(state: State<'_, AppState>, query: String) -> Result<Vec<SearchResult>, CommandError> {
    let hits = state.store.search_messages(&query, SEARCH_LIMIT).await?;
    Ok(hits
        .into_iter()
        .map(|hit| SearchResult {
            conversation_id: hit.conversation_id,
            conversation_title: hit.conversation_title,
            role: hit.role,
            created_at: hit.created_at.to_rfc3339(),
            snippet: hit.snippet,
        })
        .collect())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn history_open(state: State<'_, AppState>, conversation: ConversationId) -> Result<OpenConversation, CommandError> {
    Ok(OpenConversation {
        conversation: state.store.conversation(conversation).await?,
        messages: state.store.messages(conversation).await?,
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn history_rename(state: State<'_, AppState>, conversation: ConversationId, title: String) -> Result<(), CommandError> {
    Ok(state.store.rename_conversation(conversation, title.trim()).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn history_delete(state: State<'_, AppState>, conversation: ConversationId) -> Result<(), CommandError> {
    Ok(state.store.delete_conversation(conversation).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn history_delete_all(state: State<'_, AppState>) -> Result<(), CommandError> {
    Ok(state.store.delete_all().await?)
}

/// Exports one conversation, or all of them when `conversation` is `None`,
/// to a file in the data folder's `exports/`.
#[tauri::command(rename_all = "snake_case")]
pub async fn history_export(
    state: State<'_, AppState>,
    conversation: Option<ConversationId>,
    format: ExportFormat,
) -> Result<ExportedFile, CommandError> {
    let export = match conversation {
        Some(id) => state.store.export_conversation(id).await?,
        None => state.store.export_all().await?,
    };
    let (contents, extension) = match format {
        ExportFormat::Json => (export.to_json()?, "json"),
        ExportFormat::Markdown => (export.to_markdown(), "md"),
    };

    let path = files::write_export(state.data_dir.root(), "samantha-history", extension, &contents)?;
    Ok(ExportedFile { path: path.display().to_string() })
}

/// Imports a history file's text, as written by an export.
#[tauri::command(rename_all = "snake_case")]
pub async fn history_import(state: State<'_, AppState>, json: String) -> Result<ImportedCounts, CommandError> {
    let export = HistoryExport::from_json(&json)?;
    let ImportSummary { conversations, messages } = state.store.import(&export).await?;
    Ok(ImportedCounts { conversations, messages })
}
