//! Events a turn reports while it runs, and its outcome.

use samantha_store::{ConversationId, Emotion, Memory, MessageId};
use serde::Serialize;

use crate::postprocess::FilterStop;
use crate::safety::Crisis;
use samantha_llm::StopReason;

/// Progress of one turn, in order: the user's message is saved, its emotion
/// is known, reply text streams, and the reply is saved.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TurnEvent {
    UserSaved {
        conversation: ConversationId,
        message: MessageId,
    },
    Emotion {
        message: MessageId,
        emotion: Emotion,
    },
    /// Reply text, whole sentences or lines except at a stop.
    Text { text: String },
    Finished {
        message: MessageId,
        stop: ReplyStop,
    },
}

/// Reason a reply ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyStop {
    /// The model ended its turn.
    EndOfTurn,
    /// The reply reached its token limit and ends at its last whole sentence.
    MaxTokens,
    /// The context window filled up.
    ContextFull,
    /// The user stopped it.
    Cancelled,
    /// The model started repeating itself.
    RepetitionLoop,
    /// The model wrote a control token of the chat template.
    ControlToken,
    /// The safety check replaced or ended the reply.
    Safety,
}

impl ReplyStop {
    pub(crate) fn from_generation(reason: StopReason, filter: Option<FilterStop>, cancelled: bool) -> Self {
        if cancelled {
            return Self::Cancelled;
        }
        match filter {
            Some(FilterStop::RepetitionLoop) => Self::RepetitionLoop,
            Some(FilterStop::ControlToken) => Self::ControlToken,
            Some(FilterStop::Screened) => Self::Safety,
            None => match reason {
                StopReason::EndOfTurn => Self::EndOfTurn,
                StopReason::MaxTokens => Self::MaxTokens,
                StopReason::ContextFull => Self::ContextFull,
                StopReason::Cancelled => Self::Cancelled,
            },
        }
    }
}

/// The result of a finished turn.
#[derive(Debug, Clone, Serialize)]
pub struct TurnOutcome {
    pub conversation: ConversationId,
    pub user_message: MessageId,
    pub reply_message: MessageId,
    pub reply: String,
    pub stop: ReplyStop,
    pub emotion: Option<Emotion>,
    /// Set when the message was about self-harm and got the fixed reply.
    pub crisis: Option<Crisis>,
    /// Memories written from this message.
    pub memories_added: Vec<Memory>,
}
