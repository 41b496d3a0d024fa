//! The companion: the models, the store and the settings one conversation
//! engine needs, shared by the CLI and the app.

use std::sync::{Arc, PoisonError, RwLock};

use samantha_emotion::EmotionClassifier;
use samantha_llm::{ChatMessage, Engine, Role, SamplingParams};
use samantha_store::{ConversationId, Emotion, EmotionLabel, EmotionScores, MessageId, MessageStatus, RecallItem, Store};
use tokio::runtime::Handle;

use crate::error::MindError;
use crate::facts::is_self_statement;
use crate::guidance::guidance;
use crate::persona::Persona;
use crate::prompt::{Budget, Knowledge, Moment, PromptPlan, fit_prompt};
use crate::recall::{KeywordRecall, Recall};

/// Recalled moments below which recent statements about the user are added.
const MIN_MOMENTS: usize = 3;

/// Maximum number of recent other conversations searched for statements about the user.
const RECENT_CONVERSATIONS: usize = 5;

/// Smallest prompt budget accepted, in tokens: room for the persona and a
/// short message.
pub const MIN_PROMPT_BUDGET: usize = 256;

/// Everything a [`Companion`] is built from.
pub struct CompanionParts {
    pub engine: Arc<Engine>,

    /// The emotion classifier; without it every message counts as neutral.
    pub emotion: Option<Arc<EmotionClassifier>>,

    pub store: Store,

    /// Runtime that runs the store's queries. The companion's methods block
    /// on it, so they must be called from a thread that is not running an
    /// async task.
    pub runtime: Handle,

    /// Recall to use; `None` uses BM25 over the store.
    pub recall: Option<Arc<dyn Recall>>,
}

/// Limits and sampling of replies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompanionSettings {
    /// Maximum tokens of one reply.
    pub max_tokens: usize,
    pub sampling: SamplingParams,

    /// Maximum tokens of a prompt. Prompt processing time grows with it, so it
    /// stays well below the model's context by default.
    pub prompt_budget: usize,

    /// Maximum prompt tokens spent on memories and recalled moments.
    pub knowledge_budget: usize,

    /// Maximum items taken from recall per message.
    pub recall_limit: usize,
}

impl Default for CompanionSettings {
    fn default() -> Self {
        Self {
            max_tokens: 200,
            sampling: SamplingParams::default(),
            prompt_budget: 1536,
            knowledge_budget: 384,
            recall_limit: 6,
        }
    }
}

/// Samantha's conversation engine. Cloning is cheap and shares everything.
#[derive(Clone)]
pub struct Companion {
    pub(crate) engine: Arc<Engine>,
    pub(crate) emotion: Option<Arc<EmotionClassifier>>,
    pub(crate) store: Store,
    pub(crate) runtime: Handle,
    pub(crate) recall: Arc<dyn Recall>,
    settings: Arc<RwLock<CompanionSettings>>,
}

impl Companion {
    pub fn new(parts: CompanionParts, settings: CompanionSettings) -> Self {
        let recall = parts
            .recall
            .unwrap_or_else(|| Arc::new(KeywordRecall::new(parts.store.clone(), parts.runtime.clone())));
        Self {
            engine: parts.engine,
            emotion: parts.emotion,
            store: parts.store,
            runtime: parts.runtime,
            recall,
            settings: Arc::new(RwLock::new(settings)),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> CompanionSettings {
        *self.settings.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the settings for the next turns.
    pub fn set_settings(&self, settings: CompanionSettings) -> Result<(), MindError> {
        let context = self.engine.max_context();
        if settings.prompt_budget < MIN_PROMPT_BUDGET || settings.prompt_budget >= context {
            return Err(MindError::InvalidBudget {
                budget: settings.prompt_budget,
                minimum: MIN_PROMPT_BUDGET,
                context,
            });
        }
        *self.settings.write().unwrap_or_else(PoisonError::into_inner) = settings;
        Ok(())
    }

    /// Reads the persona from the store.
    pub fn persona(&self) -> Result<Persona, MindError> {
        Ok(self.runtime.block_on(Persona::load(&self.store))?)
    }

    /// Detects the emotion of `text`; `None` without a classifier or when
    /// classification fails (the failure is logged).
    pub fn detect_emotion(&self, text: &str) -> Option<Emotion> {
        let classifier = self.emotion.as_ref()?;
        match classifier.classify(text) {
            Ok(result) => Some(to_store_emotion(&result)),
            Err(error) => {
                tracing::warn!(%error, "emotion detection failed; the message counts as neutral");
                None
            }
        }
    }

    /// Builds the prompt a new message would get, without saving or
    /// generating anything. With `conversation`, its earlier turns come first.
    pub fn preview_prompt(&self, conversation: Option<ConversationId>, text: &str) -> Result<PromptPlan, MindError> {
        if text.trim().is_empty() {
            return Err(MindError::EmptyMessage);
        }

        let mut turns = match conversation {
            Some(id) => self.turns(id)?,
            None => Vec::new(),
        };
        turns.push(ChatMessage::new(Role::User, text));

        let emotion = self.detect_emotion(text).map(|emotion| emotion.label);
        let knowledge = self.knowledge(text, conversation, None)?;

        // A preview saves nothing, so its error must not say the text was
        // saved.
        self.plan(&turns, emotion, &knowledge).map_err(|error| match error {
            MindError::MessageTooLong { tokens, budget } => MindError::TextTooLong { tokens, budget },
            other => other,
        })
    }

    /// Returns the effective token budget: the setting, capped so that the reply
    /// still fits in the model's context.
    pub(crate) fn budget(&self) -> Budget {
        let settings = self.settings();
        let context_room = self.engine.max_context().saturating_sub(settings.max_tokens + 1);
        let prompt = settings.prompt_budget.min(context_room).max(1);
        Budget {
            prompt,
            knowledge: settings.knowledge_budget.min(prompt / 2),
        }
    }

    pub(crate) fn plan(
        &self,
        turns: &[ChatMessage],
        emotion: Option<EmotionLabel>,
        knowledge: &Knowledge,
    ) -> Result<PromptPlan, MindError> {
        let mut head = self.persona()?.system_text();
        if let Some(text) = emotion.and_then(guidance) {
            head.push_str("\n\n");
            head.push_str(text);
        }
        fit_prompt(&self.engine, &head, knowledge, turns, self.budget())
    }

    /// Returns the conversation's turns as chat messages, oldest first, without
    /// replies that were interrupted before any text.
    pub(crate) fn turns(&self, conversation: ConversationId) -> Result<Vec<ChatMessage>, MindError> {
        let stored = self.runtime.block_on(self.store.messages(conversation))?;
        let turns = stored
            .iter()
            .filter(|message| !(message.status == MessageStatus::Interrupted && message.content.trim().is_empty()))
            .map(|message| {
                let role = match message.role {
                    samantha_store::Role::System => Role::System,
                    samantha_store::Role::User => Role::User,
                    samantha_store::Role::Assistant => Role::Assistant,
                };
                ChatMessage::new(role, message.content.clone())
            })
            .collect();
        Ok(turns)
    }

    /// Gathers the stored knowledge relevant to `text`: recalled memories
    /// first, then pinned and recent ones, and recalled user messages from
    /// other conversations. Memories written from `current` are left out,
    /// because that message is in the prompt already.
    pub(crate) fn knowledge(
        &self,
        text: &str,
        conversation: Option<ConversationId>,
        current: Option<MessageId>,
    ) -> Result<Knowledge, MindError> {
        let limit = self.settings().recall_limit;
        let recalled = match self.recall.recall(text, limit) {
            Ok(recalled) => recalled,
            Err(error) => {
                tracing::warn!(%error, "recall failed; replying without recalled moments");
                Vec::new()
            }
        };

        // A forgotten fact must not come back through the message it was
        // written from.
        let all_memories = self.runtime.block_on(self.store.list_memories(true))?;
        let forgotten_sources: Vec<MessageId> = all_memories
            .iter()
            .filter(|memory| memory.forgotten)
            .filter_map(|memory| memory.source_message_id)
            .collect();

        let mut knowledge = Knowledge::default();
        let mut seen_memories = Vec::new();
        for item in &recalled {
            match item.item {
                RecallItem::Memory { id, .. } => {
                    seen_memories.push(id);
                    knowledge.memories.push(item.content.clone());
                }
                RecallItem::Message { id, conversation_id, role } => {
                    let same_conversation = Some(conversation_id) == conversation;
                    let duplicate = knowledge.moments.iter().any(|known| known.text == item.content);
                    let forgotten = forgotten_sources.contains(&id);
                    if !same_conversation && !duplicate && !forgotten && role == samantha_store::Role::User {
                        knowledge.moments.push(Moment {
                            date: item.created_at.date(),
                            speaker: "user".to_owned(),
                            text: item.content.clone(),
                        });
                    }
                }
            }
        }

        if knowledge.moments.len() < MIN_MOMENTS {
            let missing = MIN_MOMENTS - knowledge.moments.len();
            for moment in self.recent_self_statements(conversation, missing, &forgotten_sources)? {
                if !knowledge.moments.iter().any(|known| known.text == moment.text) {
                    knowledge.moments.push(moment);
                }
            }
        }

        // The list is pinned first, then newest first; the prompt builder
        // stops adding when the knowledge budget is spent.
        for memory in all_memories.into_iter().filter(|memory| !memory.forgotten) {
            let from_current = current.is_some() && memory.source_message_id == current;
            if seen_memories.contains(&memory.id) || from_current {
                continue;
            }
            knowledge.memories.push(memory.content);
        }
        knowledge.memories.dedup();
        Ok(knowledge)
    }
}

impl Companion {
    /// Returns up to `count` recent user messages from other conversations
    /// that state something about the user, newest first. They back up
    /// recall when a question shares no word with an earlier message.
    fn recent_self_statements(
        &self,
        conversation: Option<ConversationId>,
        count: usize,
        excluded: &[MessageId],
    ) -> Result<Vec<Moment>, MindError> {
        let summaries = self.runtime.block_on(self.store.list_conversations())?;
        let mut moments = Vec::new();

        let others = summaries
            .iter()
            .filter(|summary| Some(summary.conversation.id) != conversation)
            .take(RECENT_CONVERSATIONS);
        for summary in others {
            let messages = self.runtime.block_on(self.store.messages(summary.conversation.id))?;
            let statements = messages
                .iter()
                .rev()
                .filter(|message| message.role == samantha_store::Role::User && !excluded.contains(&message.id))
                .filter(|message| is_self_statement(&message.content));
            for message in statements {
                moments.push(Moment {
                    date: message.created_at.date(),
                    speaker: "user".to_owned(),
                    text: message.content.clone(),
                });
                if moments.len() == count {
                    return Ok(moments);
                }
            }
        }
        Ok(moments)
    }
}

/// Converts the classifier's result into the store's emotion type.
pub fn to_store_emotion(result: &samantha_emotion::EmotionScores) -> Emotion {
    let mut scores = EmotionScores::default();
    for (emotion, score) in result.scores {
        let slot = match emotion {
            samantha_emotion::Emotion::Anger => &mut scores.anger,
            samantha_emotion::Emotion::Disgust => &mut scores.disgust,
            samantha_emotion::Emotion::Fear => &mut scores.fear,
            samantha_emotion::Emotion::Joy => &mut scores.joy,
            samantha_emotion::Emotion::Neutral => &mut scores.neutral,
            samantha_emotion::Emotion::Sadness => &mut scores.sadness,
            samantha_emotion::Emotion::Surprise => &mut scores.surprise,
        };
        *slot = score;
    }

    let label = match result.label {
        samantha_emotion::Emotion::Anger => EmotionLabel::Anger,
        samantha_emotion::Emotion::Disgust => EmotionLabel::Disgust,
        samantha_emotion::Emotion::Fear => EmotionLabel::Fear,
        samantha_emotion::Emotion::Joy => EmotionLabel::Joy,
        samantha_emotion::Emotion::Neutral => EmotionLabel::Neutral,
        samantha_emotion::Emotion::Sadness => EmotionLabel::Sadness,
        samantha_emotion::Emotion::Surprise => EmotionLabel::Surprise,
    };
    Emotion { label, scores }
}
