//! One turn: the user's message is saved, its emotion detected, facts
//! written to memory, the prompt built and the reply streamed and saved.

use samantha_llm::{CancelToken, GenerationRequest};
use samantha_store::{ConversationId, Emotion, Memory, Message, MessageId, Role, Store};

use crate::companion::Companion;
use crate::error::MindError;
use crate::events::{ReplyStop, TurnEvent, TurnOutcome};
use crate::facts::extract_facts;
use crate::persona::Persona;
use crate::postprocess::{FilterStop, ReplyFilter, Verdict};
use crate::safety::{self, Crisis};

/// Characters of the first message used as a new conversation's title.
const TITLE_CHARS: usize = 60;

/// Maximum length, in characters, of a message that facts are taken from.
const MAX_FACT_SOURCE_CHARS: usize = 2_000;

/// Model name stored with the fixed safety replies.
const SAFETY_MODEL: &str = "safety-reply";

/// A message to reply to.
#[derive(Debug, Clone)]
pub struct TurnRequest {
    /// The conversation to continue; `None` starts a new one.
    pub conversation: Option<ConversationId>,
    pub text: String,
}

/// A user message committed to the store and not yet replied to.
#[derive(Debug, Clone)]
pub struct SavedMessage {
    pub conversation: ConversationId,
    pub message: Message,
}

impl TurnRequest {
    /// Commits the message, starting a new conversation when none is given.
    ///
    /// This needs only the store, so a caller can save what the user wrote
    /// before loading any model and keep it when loading fails.
    pub async fn save(&self, store: &Store) -> Result<SavedMessage, MindError> {
        if self.text.trim().is_empty() {
            return Err(MindError::EmptyMessage);
        }

        let conversation = match self.conversation {
            Some(id) => store.conversation(id).await?.id,
            None => {
                let title: String = self.text.trim().chars().take(TITLE_CHARS).collect();
                let persona = Persona::load(store).await?;
                store.create_conversation(title.trim(), &persona.name).await?.id
            }
        };

        let message = store.append_user_message(conversation, &self.text, None).await?;
        Ok(SavedMessage { conversation, message })
    }
}

impl Companion {
    /// Saves the user's message and streams Samantha's reply to `on_event`.
    ///
    /// The message is committed before anything else runs, so it is kept
    /// whatever fails later. `cancel` stops the reply; what was shown is saved
    /// as an interrupted reply.
    pub fn reply(
        &self,
        request: &TurnRequest,
        cancel: &CancelToken,
        on_event: &mut dyn FnMut(TurnEvent),
    ) -> Result<TurnOutcome, MindError> {
        let saved = self.runtime.block_on(request.save(&self.store))?;
        self.reply_to_saved(&saved, cancel, on_event)
    }

    /// Streams Samantha's reply to a message that [`TurnRequest::save`]
    /// committed, as [`Companion::reply`] does after saving.
    pub fn reply_to_saved(
        &self,
        saved: &SavedMessage,
        cancel: &CancelToken,
        on_event: &mut dyn FnMut(TurnEvent),
    ) -> Result<TurnOutcome, MindError> {
        let conversation = saved.conversation;
        let message = &saved.message;
        on_event(TurnEvent::UserSaved {
            conversation,
            message: message.id,
        });
        self.recall.stored();

        let emotion = self.classify_and_store(message, on_event);

        // A message about self-harm gets the fixed reply and is not mined
        // for facts: "I'm planning to ..." there is no plan to remember.
        let memories_added = if safety::check_message(&message.content).is_some() {
            Vec::new()
        } else {
            self.write_memories(message)
        };

        self.respond(conversation, message, emotion, memories_added, cancel, on_event)
    }

    /// Replaces the conversation's last reply with a new one for the same
    /// user message.
    pub fn regenerate(
        &self,
        conversation: ConversationId,
        cancel: &CancelToken,
        on_event: &mut dyn FnMut(TurnEvent),
    ) -> Result<TurnOutcome, MindError> {
        let mut messages = self.runtime.block_on(self.store.messages(conversation))?;

        while let Some(last) = messages.last() {
            if last.role == Role::User {
                break;
            }
            self.runtime.block_on(self.store.delete_message(last.id))?;
            messages.pop();
        }

        let Some(message) = messages.pop() else {
            return Err(MindError::NothingToRegenerate(conversation.0));
        };
        let emotion = message.emotion;
        self.respond(conversation, &message, emotion, Vec::new(), cancel, on_event)
    }

    /// Generates and saves the reply to `message`, the conversation's latest.
    fn respond(
        &self,
        conversation: ConversationId,
        message: &Message,
        emotion: Option<Emotion>,
        memories_added: Vec<Memory>,
        cancel: &CancelToken,
        on_event: &mut dyn FnMut(TurnEvent),
    ) -> Result<TurnOutcome, MindError> {
        let outcome = |reply_message: MessageId, reply: String, stop: ReplyStop, crisis: Option<Crisis>| TurnOutcome {
            conversation,
            user_message: message.id,
            reply_message,
            reply,
            stop,
            emotion,
            crisis,
            memories_added: memories_added.clone(),
        };

        if let Some(crisis) = safety::check_message(&message.content) {
            tracing::info!(conversation = %conversation, message = %message.id, ?crisis, "safety reply sent");
            let text = safety::crisis_reply(crisis);
            let reply = self.save_fixed_reply(conversation, text, on_event)?;
            return Ok(outcome(reply, text.to_owned(), ReplyStop::Safety, Some(crisis)));
        }

        let turns = self.turns(conversation)?;
        let knowledge = self.knowledge(&message.content, Some(conversation), Some(message.id))?;
        let plan = self.plan(&turns, emotion.map(|emotion| emotion.label), &knowledge)?;
        tracing::debug!(
            prompt_tokens = plan.tokens.len(),
            turns_kept = plan.turns_kept,
            turns_dropped = plan.turns_dropped,
            memories = plan.memories.len(),
            moments = plan.moments.len(),
            "prompt built"
        );

        let settings = self.settings();
        let request = GenerationRequest {
            prompt: plan.tokens,
            max_tokens: settings.max_tokens,
            sampling: settings.sampling,
            stop_tokens: self.engine.stop_tokens().to_vec(),
        };
        let (reply, text, stop) = self.stream_reply(conversation, &request, cancel, on_event)?;
        self.recall.stored();
        Ok(outcome(reply, text, stop, None))
    }

    /// Runs the model through the reply filter, sending released text to
    /// `on_event` and to the store as it comes.
    fn stream_reply(
        &self,
        conversation: ConversationId,
        request: &GenerationRequest,
        cancel: &CancelToken,
        on_event: &mut dyn FnMut(TurnEvent),
    ) -> Result<(MessageId, String, ReplyStop), MindError> {
        let mut writer = self
            .runtime
            .block_on(self.store.start_reply(conversation, self.engine.name()))?;
        let reply_id = writer.message_id();

        let control_texts = self.engine.tokenizer().control_texts().to_vec();
        let mut filter = ReplyFilter::new(control_texts).with_screen(Box::new(|sentence: &str| safety::check_output(sentence).is_some()));

        // The model stops on this token: the user's cancel and the filter's
        // verdict both trigger it.
        let stop = CancelToken::new();
        let mut save_error = None;
        let mut emit = |text: &str| {
            on_event(TurnEvent::Text { text: text.to_owned() });
            if save_error.is_none()
                && let Err(error) = self.runtime.block_on(writer.push(text))
            {
                save_error = Some(error);
            }
        };

        let generation = {
            let mut sink = |piece: &str| {
                if cancel.is_cancelled() || filter.push(piece, &mut emit) != Verdict::Continue {
                    stop.cancel();
                }
            };
            self.engine.generate(request, &stop, &mut sink)
        };

        let generation = match generation {
            Ok(generation) => generation,
            Err(error) => {
                let _ = self.runtime.block_on(writer.interrupt(None));
                return Err(error.into());
            }
        };

        let cancelled = cancel.is_cancelled() && filter.stopped().is_none();
        let reason = ReplyStop::from_generation(generation.stop, filter.stopped(), cancelled);
        let mut text = filter.finish(generation.stop, &mut emit);

        if filter.stopped() == Some(FilterStop::Screened) {
            let fixed = safety::crisis_reply(Crisis::SelfHarm);
            let addition = if text.is_empty() { fixed.to_owned() } else { format!("\n\n{fixed}") };
            emit(&addition);
            text.push_str(&addition);
        }
        drop(emit);

        let tokens = generation.tokens.len() as u32;
        if reason == ReplyStop::Cancelled {
            self.runtime.block_on(writer.interrupt(Some(tokens)))?;
        } else {
            self.runtime.block_on(writer.finish(tokens))?;
        }
        if let Some(error) = save_error {
            return Err(error.into());
        }

        on_event(TurnEvent::Finished {
            message: reply_id,
            stop: reason,
        });
        Ok((reply_id, text, reason))
    }

    fn save_fixed_reply(
        &self,
        conversation: ConversationId,
        text: &str,
        on_event: &mut dyn FnMut(TurnEvent),
    ) -> Result<MessageId, MindError> {
        let mut writer = self.runtime.block_on(self.store.start_reply(conversation, SAFETY_MODEL))?;
        let id = writer.message_id();
        self.runtime.block_on(writer.push(text))?;
        self.runtime.block_on(writer.finish(0))?;

        on_event(TurnEvent::Text { text: text.to_owned() });
        on_event(TurnEvent::Finished {
            message: id,
            stop: ReplyStop::Safety,
        });
        Ok(id)
    }

    fn classify_and_store(&self, message: &Message, on_event: &mut dyn FnMut(TurnEvent)) -> Option<Emotion> {
        let emotion = self.detect_emotion(&message.content)?;
        if let Err(error) = self
            .runtime
            .block_on(self.store.set_message_emotion(message.id, Some(emotion)))
        {
            tracing::warn!(%error, message = %message.id, "could not save the message's emotion");
        }
        on_event(TurnEvent::Emotion {
            message: message.id,
            emotion,
        });
        Some(emotion)
    }

    /// Stores the facts the message states about the user, skipping those
    /// already remembered. Failures are logged, never raised: the reply
    /// matters more than the memory.
    fn write_memories(&self, message: &Message) -> Vec<Memory> {
        // Facts come from conversational sentences; a pasted document would
        // yield fragments, and one too long for a prompt is never replied to.
        if message.content.chars().count() > MAX_FACT_SOURCE_CHARS {
            return Vec::new();
        }
        let facts = extract_facts(&message.content);
        if facts.is_empty() {
            return Vec::new();
        }

        match self.runtime.block_on(add_new_memories(&self.store, &facts, message.id)) {
            Ok(added) => {
                if !added.is_empty() {
                    tracing::info!(message = %message.id, count = added.len(), "memories written");
                    self.recall.stored();
                }
                added
            }
            Err(error) => {
                tracing::warn!(%error, message = %message.id, "could not write memories");
                Vec::new()
            }
        }
    }
}

async fn add_new_memories(store: &Store, facts: &[String], source: MessageId) -> Result<Vec<Memory>, samantha_store::StoreError> {
    let known = store.list_memories(false).await?;
    let mut added = Vec::new();
    for fact in facts {
        let duplicate = known.iter().any(|memory| memory.content.eq_ignore_ascii_case(fact));
        if !duplicate {
            added.push(store.add_memory(fact, Some(source)).await?);
        }
    }
    Ok(added)
}
