//! Mood: emotion counts by day and the messages behind one point.

use samantha_store::{EmotionDay, EmotionLabel, Message};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn mood_days(state: State<'_, AppState>) -> Result<Vec<EmotionDay>, CommandError> {
    Ok(state.store.stats().await?.emotions_per_day)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mood_messages(state: State<'_, AppState>, day: String, label: EmotionLabel) -> Result<Vec<Message>, CommandError> {
    Ok(state.store.messages_with_emotion(&day, label).await?)
}
