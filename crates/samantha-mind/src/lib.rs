//! Samantha's mind: the conversation engine shared by the CLI and the app.
//!
//! A turn goes message → emotion → memory writing → recall → prompt within
//! a token budget → streamed, filtered reply → saved. A message about
//! suicide or self-harm gets a fixed reply instead of model output. The
//! writing studio uses the same model and filter for poems and drafts.
//!
//! [`Companion`]'s methods block on the store's runtime, so call them from
//! a plain thread (or `spawn_blocking`), never from an async task.

mod companion;
mod error;
mod events;
pub mod facts;
pub mod guidance;
mod meaning;
pub mod persona;
pub mod postprocess;
mod prompt;
mod recall;
pub mod safety;
mod turn;
mod writing;

pub use companion::{Companion, CompanionParts, CompanionSettings, MIN_PROMPT_BUDGET, to_store_emotion};
pub use error::MindError;
pub use events::{ReplyStop, TurnEvent, TurnOutcome};
pub use meaning::MeaningRecall;
pub use persona::{Persona, PersonaError};
pub use prompt::{Budget, Knowledge, Moment, PromptPlan};
pub use recall::{KeywordRecall, Recall, RecallError};
pub use turn::{SavedMessage, TurnRequest};
pub use writing::{RewriteStyle, WritingMode, WritingOutcome, WritingRequest};
