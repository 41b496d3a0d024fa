//! The prompt of one reply, fitted to a token budget.
//!
//! The system message comes first: the persona, the guidance for the
//! detected emotion, then what is stored about the user (memories,
//! then moments recalled from earlier conversations). Recent turns follow,
//! newest kept first. When the whole does not fit, recalled items beyond the
//! memory budget are left out, then the oldest turns are dropped. The
//! latest user message is always kept.

use samantha_llm::{ChatMessage, Engine, Role};
use serde::Serialize;

use crate::error::MindError;

/// Every turn is at least one token, and English text averages about four
/// characters per token, so turns beyond this many characters per token of
/// budget cannot fit and are not even rendered.
const MAX_CHARS_PER_TOKEN: usize = 8;

/// Facts and moments about the user for the system message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Knowledge {
    /// Facts about the user, most relevant first.
    pub memories: Vec<String>,

    /// Earlier messages, most relevant first, each with its date.
    pub moments: Vec<Moment>,
}

/// A message recalled from an earlier conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moment {
    /// Day it was written, `YYYY-MM-DD`.
    pub date: String,
    /// Author role: `user` or `assistant`.
    pub speaker: String,
    pub text: String,
}

/// Token limits of a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Most tokens of the whole prompt.
    pub prompt: usize,
    /// Most tokens spent on memories and moments.
    pub knowledge: usize,
}

/// The prompt of one reply and what went into it.
#[derive(Debug, Clone, Serialize)]
pub struct PromptPlan {
    /// The rendered chat template.
    pub text: String,
    #[serde(skip)]
    pub tokens: Vec<u32>,
    pub system: String,
    pub memories: Vec<String>,
    pub moments: Vec<Moment>,
    pub turns_kept: usize,
    pub turns_dropped: usize,
    pub budget: usize,
}

/// Renders the prompt for `turns` (oldest first, the latest user message
/// last) within `budget`.
pub fn fit_prompt(
    engine: &Engine,
    head: &str,
    knowledge: &Knowledge,
    turns: &[ChatMessage],
    budget: Budget,
) -> Result<PromptPlan, MindError> {
    let (mut system, mut memories, mut moments) = system_message(engine, head, knowledge, budget.knowledge)?;

    let render = |system: &str, kept: &[ChatMessage]| -> Result<Vec<u32>, MindError> {
        let mut messages = Vec::with_capacity(kept.len() + 1);
        messages.push(ChatMessage::new(Role::System, system));
        messages.extend(kept.iter().cloned());
        Ok(engine.chat_prompt(&messages)?)
    };

    // Turns that could never fit are cut before any rendering.
    let char_cap = budget.prompt.saturating_mul(MAX_CHARS_PER_TOKEN);
    let mut chars = 0;
    let mut candidates = 0;
    for turn in turns.iter().rev() {
        chars += turn.content.chars().count();
        if chars > char_cap && candidates > 0 {
            break;
        }
        candidates += 1;
    }

    let latest = &turns[turns.len().saturating_sub(1)..];
    if render(&system, latest)?.len() > budget.prompt {
        // A long message leaves no room for knowledge; the message wins.
        system = head.trim().to_owned();
        memories.clear();
        moments.clear();

        let alone = render(&system, latest)?;
        if alone.len() > budget.prompt {
            return Err(MindError::MessageTooLong {
                tokens: alone.len(),
                budget: budget.prompt,
            });
        }
    }

    let fits = |count: usize| -> Result<Option<Vec<u32>>, MindError> {
        let tokens = render(&system, &turns[turns.len() - count..])?;
        Ok((tokens.len() <= budget.prompt).then_some(tokens))
    };

    // The latest message fits, as checked above.
    let mut best = (latest.len(), render(&system, latest)?);

    // More turns never make the prompt shorter, so the longest suffix that
    // fits is found by binary search, with the latest message always kept.
    let (mut low, mut high) = (best.0, candidates.max(best.0));
    while low < high {
        let middle = (low + high).div_ceil(2);
        match fits(middle)? {
            Some(tokens) => {
                best = (middle, tokens);
                low = middle;
            }
            None => high = middle - 1,
        }
    }

    let (kept, tokens) = best;
    let mut messages = vec![ChatMessage::new(Role::System, system.clone())];
    messages.extend(turns[turns.len() - kept..].iter().cloned());
    let text = engine.chat_prompt_text(&messages)?;

    Ok(PromptPlan {
        text,
        tokens,
        system,
        memories,
        moments,
        turns_kept: kept,
        turns_dropped: turns.len() - kept,
        budget: budget.prompt,
    })
}

/// Builds the system message, adding knowledge in order of relevance while
/// it stays within `knowledge_budget` tokens.
fn system_message(
    engine: &Engine,
    head: &str,
    knowledge: &Knowledge,
    knowledge_budget: usize,
) -> Result<(String, Vec<String>, Vec<Moment>), MindError> {
    let count = |text: &str| -> Result<usize, MindError> {
        Ok(engine.tokenizer().encode_text(text)?.len())
    };

    let mut used = 0;
    let mut memories = Vec::new();
    for memory in &knowledge.memories {
        let cost = count(memory)? + 2;
        if used + cost > knowledge_budget {
            break;
        }
        used += cost;
        memories.push(memory.clone());
    }

    let mut moments = Vec::new();
    for moment in &knowledge.moments {
        let cost = count(&moment.text)? + 8;
        if used + cost > knowledge_budget {
            break;
        }
        used += cost;
        moments.push(moment.clone());
    }

    let mut system = head.trim().to_owned();
    if !memories.is_empty() {
        system.push_str("\n\nWhat you know about the user from earlier conversations:");
        for memory in &memories {
            system.push_str("\n- ");
            system.push_str(memory);
        }
    }
    if !moments.is_empty() {
        system.push_str("\n\nMoments you remember from earlier conversations:");
        for moment in &moments {
            system.push_str(&format!("\n- On {}, the {} said: \"{}\"", moment.date, moment.speaker, moment.text));
        }
    }
    if !memories.is_empty() || !moments.is_empty() {
        system.push_str("\nUse these only when they help the reply.");
    }

    Ok((system, memories, moments))
}
