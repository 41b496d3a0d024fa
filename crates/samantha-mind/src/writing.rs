//! The writing studio: poems, drafts, continuations and rewrites, each a
//! prompt template with its own sampling preset, saved as draft versions.

use samantha_llm::{CancelToken, ChatMessage, GenerationRequest, Role, SamplingParams};
use samantha_store::{DraftId, DraftVersion};
use serde::{Deserialize, Serialize};

use crate::companion::Companion;
use crate::error::MindError;
use crate::events::ReplyStop;
use crate::postprocess::{ReplyFilter, Verdict};
use crate::safety;

/// Characters of the prompt or source used as a new draft's title.
const TITLE_CHARS: usize = 60;

/// Change a rewrite makes to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewriteStyle {
    Shorter,
    Warmer,
    MoreFormal,
}

/// Kind of text the studio writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", content = "style", rename_all = "snake_case")]
pub enum WritingMode {
    Poem,
    Draft,
    Continue,
    Rewrite(RewriteStyle),
}

impl WritingMode {
    /// Name used in version notes and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Poem => "poem",
            Self::Draft => "draft",
            Self::Continue => "continue",
            Self::Rewrite(RewriteStyle::Shorter) => "rewrite shorter",
            Self::Rewrite(RewriteStyle::Warmer) => "rewrite warmer",
            Self::Rewrite(RewriteStyle::MoreFormal) => "rewrite more formal",
        }
    }

    fn needs_source(self) -> bool {
        matches!(self, Self::Continue | Self::Rewrite(_))
    }
}

/// One request to the studio.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WritingRequest {
    pub mode: WritingMode,

    /// The subject of a poem or draft, or extra instructions for the other
    /// modes; may be empty for those.
    pub prompt: String,

    /// Draft to work on: its latest version is the source, and the result
    /// becomes its next version.
    pub draft: Option<DraftId>,

    /// Text to continue or rewrite when no draft is given.
    pub source: Option<String>,
}

/// The saved result of a request.
#[derive(Debug, Clone, Serialize)]
pub struct WritingOutcome {
    pub draft: DraftId,
    pub version: i64,
    /// The new text alone; for a continuation, without the source.
    pub text: String,
    /// The whole saved version.
    pub content: String,
    pub stop: ReplyStop,
}

/// Instructions, sampling and length of one mode.
struct Preset {
    instruction: String,
    sampling: SamplingParams,
    max_tokens: usize,
}

fn preset(mode: WritingMode, prompt: &str, source: &str, seed: u64) -> Preset {
    let sampling = |temperature: f32, repetition_penalty: f32| SamplingParams {
        temperature,
        top_k: 50,
        top_p: 0.95,
        min_p: 0.05,
        repetition_penalty,
        seed,
    };
    let extra = if prompt.trim().is_empty() {
        String::new()
    } else {
        format!("\nAlso: {}", prompt.trim())
    };

    match mode {
        WritingMode::Poem => Preset {
            instruction: format!(
                "Write a short poem of eight to twelve lines about: {}\nWrite only the poem, with no title and no explanation.",
                prompt.trim()
            ),
            sampling: sampling(0.8, 1.15),
            max_tokens: 160,
        },
        WritingMode::Draft => Preset {
            instruction: format!(
                "Write a first draft in plain prose of: {}\nWrite only the draft, in two or three short paragraphs.",
                prompt.trim()
            ),
            sampling: sampling(0.7, 1.1),
            max_tokens: 320,
        },
        WritingMode::Continue => Preset {
            instruction: format!(
                "Continue the text below in the same voice and form. Write only the continuation.{extra}\n\n{source}"
            ),
            sampling: sampling(0.8, 1.1),
            max_tokens: 200,
        },
        WritingMode::Rewrite(style) => {
            let goal = match style {
                RewriteStyle::Shorter => "shorter, keeping what matters most",
                RewriteStyle::Warmer => "warmer and kinder in tone",
                RewriteStyle::MoreFormal => "more formal, as for a letter to someone you do not know",
            };
            Preset {
                instruction: format!(
                    "Rewrite the text below to make it {goal}. Keep its meaning. Write only the rewritten text.{extra}\n\n{source}"
                ),
                sampling: sampling(0.4, 1.1),
                max_tokens: 300,
            }
        }
    }
}

impl Companion {
    /// Writes with the studio, streaming released text to `on_text`, and
    /// saves the result as a new draft or as the draft's next version.
    pub fn write(
        &self,
        request: &WritingRequest,
        cancel: &CancelToken,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<WritingOutcome, MindError> {
        let source = self.writing_source(request)?;
        if !request.mode.needs_source() && request.prompt.trim().is_empty() {
            return Err(MindError::EmptyMessage);
        }

        // A request about suicide or self-harm gets the fixed reply, and
        // nothing is written or saved.
        let crisis = safety::check_message(&request.prompt).or_else(|| safety::check_message(&source));
        if let Some(crisis) = crisis {
            on_text(safety::crisis_reply(crisis));
            return Err(MindError::WritingDeclined);
        }

        let persona = self.persona()?;
        let seed = self.settings().sampling.seed;
        let preset = preset(request.mode, &request.prompt, &source, seed);
        let system = format!(
            "You are {}, a writer who helps a friend write. Your writing is vivid, concrete and plain.",
            persona.name.trim()
        );
        let messages = [
            ChatMessage::new(Role::System, system),
            ChatMessage::new(Role::User, preset.instruction),
        ];
        let prompt = self.engine.chat_prompt(&messages)?;
        if prompt.len() + preset.max_tokens >= self.engine.max_context() {
            return Err(MindError::TextTooLong {
                tokens: prompt.len(),
                budget: self.engine.max_context() - preset.max_tokens,
            });
        }

        let generation_request = GenerationRequest {
            prompt,
            max_tokens: preset.max_tokens,
            sampling: preset.sampling,
            stop_tokens: self.engine.stop_tokens().to_vec(),
        };

        let control_texts = self.engine.tokenizer().control_texts().to_vec();
        let mut filter = ReplyFilter::new(control_texts).with_screen(Box::new(|sentence: &str| safety::check_output(sentence).is_some()));
        let stop = CancelToken::new();
        let generation = {
            let mut sink = |piece: &str| {
                if cancel.is_cancelled() || filter.push(piece, on_text) != Verdict::Continue {
                    stop.cancel();
                }
            };
            self.engine.generate(&generation_request, &stop, &mut sink)?
        };

        let cancelled = cancel.is_cancelled() && filter.stopped().is_none();
        let reason = ReplyStop::from_generation(generation.stop, filter.stopped(), cancelled);
        let text = filter.finish(generation.stop, on_text);

        let content = match request.mode {
            WritingMode::Continue => join_continuation(&source, &text),
            _ => text.clone(),
        };
        let saved = self.save_writing(request, &source, &content)?;
        tracing::info!(draft = %saved.draft_id, version = saved.version, mode = request.mode.name(), "writing saved");

        Ok(WritingOutcome {
            draft: saved.draft_id,
            version: saved.version,
            text,
            content,
            stop: reason,
        })
    }

    /// Returns the text a continuation or rewrite works on.
    fn writing_source(&self, request: &WritingRequest) -> Result<String, MindError> {
        if let Some(draft) = request.draft {
            let document = self.runtime.block_on(self.store.draft(draft))?;
            return Ok(document.versions.last().map(|version| version.content.clone()).unwrap_or_default());
        }
        match (&request.source, request.mode.needs_source()) {
            (Some(source), _) if !source.trim().is_empty() => Ok(source.trim().to_owned()),
            (_, true) => Err(MindError::MissingSource {
                mode: request.mode.name(),
            }),
            (_, false) => Ok(String::new()),
        }
    }

    fn save_writing(&self, request: &WritingRequest, source: &str, content: &str) -> Result<DraftVersion, MindError> {
        let note = Some(request.mode.name());
        if let Some(draft) = request.draft {
            return Ok(self.runtime.block_on(self.store.add_draft_version(draft, content, note))?);
        }

        let title_source = if request.prompt.trim().is_empty() { source } else { request.prompt.as_str() };
        let title: String = title_source.trim().chars().take(TITLE_CHARS).collect();
        let draft = self.runtime.block_on(self.store.create_draft(title.trim(), content, None))?;
        let document = self.runtime.block_on(self.store.draft(draft.id))?;
        let first = document.versions.into_iter().next_back();
        first.ok_or_else(|| MindError::Store(samantha_store::StoreError::DraftNotFound(draft.id.0)))
    }
}

/// Appends a continuation to its source: on a new line when the source is
/// verse, otherwise after a space.
fn join_continuation(source: &str, continuation: &str) -> String {
    let source = source.trim_end();
    if continuation.is_empty() {
        return source.to_owned();
    }
    let separator = if source.contains('\n') { "\n" } else { " " };
    format!("{source}{separator}{continuation}")
}
