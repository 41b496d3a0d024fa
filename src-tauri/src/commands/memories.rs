//! Memories: list and forget.

use samantha_store::{Memory, MemoryId};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn memories_list(state: State<'_, AppState>) -> Result<Vec<Memory>, CommandError> {
    Ok(state.store.list_memories(false).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn memory_forget(state: State<'_, AppState>, memory: MemoryId) -> Result<(), CommandError> {
    Ok(state.store.forget_memory(memory).await?)
}
