//! Chat: send a message, stop or regenerate the reply. Replies stream
//! into a channel token by token; generation runs on a blocking thread.

use samantha_store::{ConversationId, Emotion, Message, MessageId};
use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;

use crate::error::CommandError;
use crate::state::AppState;
use crate::turn::{TurnEvent, TurnParts};

/// A turn's progress as the page receives it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChatEvent {
    UserSaved { conversation: ConversationId, message: Message },
    Emotion { message: MessageId, emotion: Emotion },
    Token { text: String },
    Finished { message: Message, stopped: bool },
}

impl From<TurnEvent> for ChatEvent {
    fn from(event: TurnEvent) -> Self {
        match event {
            TurnEvent::UserSaved { conversation, message } => Self::UserSaved { conversation, message },
            TurnEvent::Emotion { message, emotion } => Self::Emotion { message, emotion },
            TurnEvent::Token(text) => Self::Token { text },
            TurnEvent::Finished { message, stop } => Self::Finished {
                message,
                stopped: stop == samantha_llm::StopReason::Cancelled,
            },
        }
    }
}

/// Target of a turn: a new message, or the last one again.
enum Target {
    Message { conversation: Option<ConversationId>, text: String },
    Regenerate { conversation: ConversationId },
}

#[tauri::command(rename_all = "snake_case")]
pub async fn chat_send(
    state: State<'_, AppState>,
    conversation: Option<ConversationId>,
    text: String,
    on_event: Channel<ChatEvent>,
) -> Result<Message, CommandError> {
    run_turn(&state, Target::Message { conversation, text }, on_event).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn chat_regenerate(
    state: State<'_, AppState>,
    conversation: ConversationId,
    on_event: Channel<ChatEvent>,
) -> Result<Message, CommandError> {
    run_turn(&state, Target::Regenerate { conversation }, on_event).await
}

/// Stops the reply being written; returns whether one was running.
#[tauri::command(rename_all = "snake_case")]
pub fn chat_stop(state: State<'_, AppState>) -> bool {
    state.stop_generation()
}

async fn run_turn(state: &AppState, target: Target, on_event: Channel<ChatEvent>) -> Result<Message, CommandError> {
    let models = state.ready_models()?;
    let settings = state.settings().await?;
    let cancel = state.begin_generation()?;
    let store = state.store.clone();
    let runtime = state.runtime.clone();

    let result = tauri::async_runtime::spawn_blocking(move || {
        let parts = TurnParts {
            engine: &models.engine,
            emotion: models.emotion.as_deref(),
            store: &store,
            runtime: &runtime,
            settings: &settings,
        };
        let mut send = |event: TurnEvent| {
            if let Err(error) = on_event.send(ChatEvent::from(event)) {
                tracing::warn!(%error, "chat event not delivered");
            }
        };
        match target {
            Target::Message { conversation, text } => parts.reply(conversation, &text, &cancel, &mut send),
            Target::Regenerate { conversation } => parts.regenerate(conversation, &cancel, &mut send),
        }
    })
    .await;
    state.end_generation();

    Ok(result??)
}
