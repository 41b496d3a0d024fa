//! One conversation turn over the language model and the store.
//!
//! TODO: replace this module with `samantha_mind::Companion::reply` and
//! `regenerate` once that crate is on main. Until then it follows the
//! CLI's exchange: the user's message is committed first, then the reply is
//! streamed into the store as it is written.

use samantha_emotion::EmotionClassifier;
use samantha_llm::{CancelToken, ChatMessage, Engine, GenerationRequest, Role, StopReason};
use samantha_store::{ConversationId, Emotion, EmotionLabel, EmotionScores, Message, MessageId, MessageStatus, Store, StoreError};
use tokio::runtime::Handle;

use crate::settings::AppSettings;

/// Characters of the first message used as a new conversation's title.
const TITLE_CHARS: usize = 60;

/// Errors raised during a turn.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    #[error(transparent)]
    Store(#[from] StoreError),

    #[error("failed to build the prompt: {0}")]
    Prompt(#[from] samantha_llm::ChatPromptError),

    #[error("generation failed: {0}")]
    Generate(#[from] samantha_llm::GenerateError),

    #[error("the message is empty")]
    EmptyMessage,

    #[error("conversation {0} has no message from the user to reply to")]
    NothingToRegenerate(ConversationId),
}

/// Progress of a turn, in order.
#[derive(Debug, Clone)]
pub enum TurnEvent {
    UserSaved { conversation: ConversationId, message: Message },
    Emotion { message: MessageId, emotion: Emotion },
    Token(String),
    Finished { message: Message, stop: StopReason },
}

/// The parts a turn uses.
pub struct TurnParts<'a> {
    pub engine: &'a Engine,
    pub emotion: Option<&'a EmotionClassifier>,
    pub store: &'a Store,
    pub runtime: &'a Handle,
    pub settings: &'a AppSettings,
}

impl TurnParts<'_> {
    /// Saves `text` (in a new conversation when `conversation` is `None`),
    /// labels its emotion and streams the reply.
    pub fn reply(
        &self,
        conversation: Option<ConversationId>,
        text: &str,
        cancel: &CancelToken,
        on_event: &mut dyn FnMut(TurnEvent),
    ) -> Result<Message, TurnError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(TurnError::EmptyMessage);
        }

        let conversation = match conversation {
            Some(id) => id,
            None => {
                let title: String = text.chars().take(TITLE_CHARS).collect();
                let created = self.runtime.block_on(self.store.create_conversation(title.trim(), &self.settings.persona_name))?;
                created.id
            }
        };

        // The user's words are committed before the model runs, so that
        // nothing typed is lost if generation fails.
        let message = self.runtime.block_on(self.store.append_user_message(conversation, text, None))?;
        on_event(TurnEvent::UserSaved { conversation, message: message.clone() });

        if let Some(emotion) = self.classify(text) {
            self.runtime.block_on(self.store.set_message_emotion(message.id, Some(emotion)))?;
            on_event(TurnEvent::Emotion { message: message.id, emotion });
        }

        self.generate(conversation, cancel, on_event)
    }

    /// Writes a new reply to the last user message of `conversation`.
    ///
    /// TODO: the earlier reply stays in the store until the store can
    /// replace a message; the prompt leaves it out.
    pub fn regenerate(
        &self,
        conversation: ConversationId,
        cancel: &CancelToken,
        on_event: &mut dyn FnMut(TurnEvent),
    ) -> Result<Message, TurnError> {
        let messages = self.runtime.block_on(self.store.messages(conversation))?;
        if !messages.iter().any(|message| message.role == samantha_store::Role::User) {
            return Err(TurnError::NothingToRegenerate(conversation));
        }
        self.generate(conversation, cancel, on_event)
    }

    fn classify(&self, text: &str) -> Option<Emotion> {
        let classifier = self.emotion?;
        match classifier.classify(text) {
            Ok(scores) => to_store_emotion(&scores),
            Err(error) => {
                tracing::warn!(%error, "emotion classification failed");
                None
            }
        }
    }

    fn generate(&self, conversation: ConversationId, cancel: &CancelToken, on_event: &mut dyn FnMut(TurnEvent)) -> Result<Message, TurnError> {
        let max_tokens = self.settings.max_tokens as usize;
        let request = GenerationRequest {
            prompt: self.prompt(conversation, max_tokens)?,
            max_tokens,
            sampling: self.settings.sampling(),
            stop_tokens: self.engine.stop_tokens().to_vec(),
        };

        let mut writer = self.runtime.block_on(self.store.start_reply(conversation, self.engine.name()))?;
        let mut save_error = None;
        let mut sink = |piece: &str| {
            on_event(TurnEvent::Token(piece.to_owned()));
            if save_error.is_none()
                && let Err(error) = self.runtime.block_on(writer.push(piece))
            {
                save_error = Some(error);
            }
        };

        let generation = match self.engine.generate(&request, cancel, &mut sink) {
            Ok(generation) => generation,
            Err(error) => {
                if let Err(interrupt_error) = self.runtime.block_on(writer.interrupt(None)) {
                    tracing::warn!(%interrupt_error, "failed to mark the reply interrupted");
                }
                return Err(error.into());
            }
        };

        let token_count = generation.tokens.len() as u32;
        let message = if generation.stop == StopReason::Cancelled {
            self.runtime.block_on(writer.interrupt(Some(token_count)))?
        } else {
            self.runtime.block_on(writer.finish(token_count))?
        };
        if let Some(error) = save_error {
            return Err(error.into());
        }

        on_event(TurnEvent::Finished { message: message.clone(), stop: generation.stop });
        Ok(message)
    }

    /// Builds the prompt from the persona and the turns up to the last user
    /// message, dropping the oldest turns until the reply fits.
    fn prompt(&self, conversation: ConversationId, max_tokens: usize) -> Result<Vec<u32>, TurnError> {
        let stored = self.runtime.block_on(self.store.messages(conversation))?;
        let last_user = stored.iter().rposition(|message| message.role == samantha_store::Role::User);
        let mut turns: Vec<ChatMessage> = stored
            .iter()
            .take(last_user.map_or(stored.len(), |index| index + 1))
            .filter(|message| !(message.status == MessageStatus::Interrupted && message.content.is_empty()))
            .map(|message| {
                let role = match message.role {
                    samantha_store::Role::System => Role::System,
                    samantha_store::Role::User => Role::User,
                    samantha_store::Role::Assistant => Role::Assistant,
                };
                ChatMessage::new(role, message.content.clone())
            })
            .collect();

        let budget = self.engine.max_context().saturating_sub(max_tokens).max(1);
        loop {
            let mut messages = vec![ChatMessage::new(Role::System, self.settings.system_prompt())];
            messages.extend(turns.iter().cloned());
            let prompt = self.engine.chat_prompt(&messages)?;

            if prompt.len() <= budget || turns.len() <= 1 {
                return Ok(prompt);
            }
            turns.remove(0);
        }
    }
}

/// Converts the classifier's result to the store's type; both use the same
/// seven label names.
pub fn to_store_emotion(result: &samantha_emotion::EmotionScores) -> Option<Emotion> {
    let mut scores = EmotionScores::default();
    for (emotion, score) in result.scores {
        let label: EmotionLabel = emotion.as_str().parse().ok()?;
        let slot = match label {
            EmotionLabel::Anger => &mut scores.anger,
            EmotionLabel::Disgust => &mut scores.disgust,
            EmotionLabel::Fear => &mut scores.fear,
            EmotionLabel::Joy => &mut scores.joy,
            EmotionLabel::Neutral => &mut scores.neutral,
            EmotionLabel::Sadness => &mut scores.sadness,
            EmotionLabel::Surprise => &mut scores.surprise,
        };
        *slot = score;
    }
    let label = result.label.as_str().parse().ok()?;
    Some(Emotion { label, scores })
}
