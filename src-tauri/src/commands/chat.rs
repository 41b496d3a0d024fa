//! Chat: send a message, stop or regenerate the reply. Replies stream
//! into a channel as samantha-mind releases text; the turn runs on a
//! blocking thread because the companion blocks on the store's runtime.

use samantha_mind::{TurnEvent, TurnOutcome, TurnRequest};
use samantha_store::ConversationId;
use tauri::State;
use tauri::ipc::Channel;

use crate::error::CommandError;
use crate::state::AppState;

/// Target of a turn: a new message, or the last one again.
enum Target {
    Message(TurnRequest),
    Regenerate(ConversationId),
}

#[tauri::command(rename_all = "snake_case")]
pub async fn chat_send(
    state: State<'_, AppState>,
    conversation: Option<ConversationId>,
    text: String,
    on_event: Channel<TurnEvent>,
) -> Result<TurnOutcome, CommandError> {
    run_turn(&state, Target::Message(TurnRequest { conversation, text }), on_event).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn chat_regenerate(
    state: State<'_, AppState>,
    conversation: ConversationId,
    on_event: Channel<TurnEvent>,
) -> Result<TurnOutcome, CommandError> {
    run_turn(&state, Target::Regenerate(conversation), on_event).await
}

/// Stops the reply being written; returns whether one was running.
#[tauri::command(rename_all = "snake_case")]
pub fn chat_stop(state: State<'_, AppState>) -> bool {
    state.stop_generation()
}

async fn run_turn(state: &AppState, target: Target, on_event: Channel<TurnEvent>) -> Result<TurnOutcome, CommandError> {
    let models = state.ready_models()?;
    let settings = state.settings().await?;
    let companion = models.companion.clone();
    companion.set_settings(settings.companion_settings(companion.settings()))?;
    let cancel = state.begin_generation()?;

    let result = tauri::async_runtime::spawn_blocking(move || {
        let mut send = |event: TurnEvent| {
            if let Err(error) = on_event.send(event) {
                tracing::warn!(%error, "chat event not delivered");
            }
        };
        match target {
            Target::Message(request) => companion.reply(&request, &cancel, &mut send),
            Target::Regenerate(conversation) => companion.regenerate(conversation, &cancel, &mut send),
        }
    })
    .await;
    state.end_generation();

    Ok(result??)
}
