//! Errors of the conversation engine.

use samantha_llm::{ChatPromptError, GenerateError, TemplateError, TokenizerError};
use samantha_store::StoreError;

use crate::persona::PersonaError;

/// Failure of a turn or of a piece of writing. Whatever the user wrote was
/// saved before any of these can happen.
#[derive(Debug, thiserror::Error)]
pub enum MindError {
    #[error("the message is empty; type something for Samantha to reply to")]
    EmptyMessage,

    #[error(
        "the message is {tokens} tokens long, but a prompt may hold at most {budget}; \
         it was saved, so split it into shorter messages"
    )]
    MessageTooLong { tokens: usize, budget: usize },

    #[error(
        "the text is {tokens} tokens long, but a prompt may hold at most {budget}; \
         nothing was saved, so shorten it and try again"
    )]
    TextTooLong { tokens: usize, budget: usize },

    #[error("conversation {0} has no user message to reply to")]
    NothingToRegenerate(i64),

    #[error(
        "nothing was written or saved, because the request speaks of suicide or self-harm; \
         the reply shown points to people who can help"
    )]
    WritingDeclined,

    #[error("{mode} needs text to work on: pass a draft id or the text itself")]
    MissingSource { mode: &'static str },

    #[error("the prompt budget of {budget} tokens must be at least {minimum} and below the model's context of {context}")]
    InvalidBudget { budget: usize, minimum: usize, context: usize },

    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Persona(#[from] PersonaError),

    #[error(transparent)]
    Generate(#[from] GenerateError),

    #[error(transparent)]
    Prompt(#[from] ChatPromptError),

    #[error(transparent)]
    Template(#[from] TemplateError),

    #[error(transparent)]
    Tokenizer(#[from] TokenizerError),

    #[error("recall failed: {0}")]
    Recall(#[source] crate::recall::RecallError),
}
