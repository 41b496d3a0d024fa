//! One exchange: save the user's message, stream Samantha's reply to the
//! terminal and into the database as it is written.

use std::io::Write;

use anyhow::Context;
use samantha_llm::{CancelToken, ChatMessage, Engine, Generation, GenerationRequest, Role, StopReason};
use samantha_store::{ConversationId, MessageStatus, Store};
use tokio::runtime::Runtime;

use super::model_args::ModelArgs;
use super::persona::DEFAULT_PERSONA;

/// Characters of the first message used as a new conversation's title.
const TITLE_CHARS: usize = 60;

/// A conversation being continued in this process.
pub struct Session<'a> {
    pub engine: &'a Engine,
    pub store: &'a Store,
    pub runtime: &'a Runtime,
    pub args: &'a ModelArgs,
    pub conversation: Option<ConversationId>,
}

impl Session<'_> {
    /// Saves `text`, generates the reply and writes it to `out` as it streams.
    pub fn exchange(&mut self, text: &str, cancel: &CancelToken, out: &mut dyn Write) -> anyhow::Result<Generation> {
        let conversation = match self.conversation {
            Some(id) => id,
            None => {
                let title: String = text.chars().take(TITLE_CHARS).collect();
                let created = self.runtime.block_on(self.store.create_conversation(title.trim(), DEFAULT_PERSONA))?;
                self.conversation = Some(created.id);
                created.id
            }
        };

        // The user's words are committed before the model runs, so that
        // nothing typed is lost if generation fails or the process dies.
        self.runtime.block_on(self.store.append_user_message(conversation, text, None))?;

        let prompt = self.prompt(conversation)?;
        let request = GenerationRequest {
            prompt,
            max_tokens: self.args.max_tokens,
            sampling: self.args.sampling(),
            stop_tokens: self.engine.stop_tokens().to_vec(),
        };

        let mut writer = self.runtime.block_on(self.store.start_reply(conversation, self.engine.name()))?;
        let mut save_error = None;
        let mut sink = |piece: &str| {
            let _ = out.write_all(piece.as_bytes());
            let _ = out.flush();
            if save_error.is_none()
                && let Err(error) = self.runtime.block_on(writer.push(piece))
            {
                save_error = Some(error);
            }
        };

        let result = self.engine.generate(&request, cancel, &mut sink);
        let _ = writeln!(out);

        let generation = match result {
            Ok(generation) => generation,
            Err(error) => {
                let _ = self.runtime.block_on(writer.interrupt(None));
                return Err(error.into());
            }
        };

        let token_count = generation.tokens.len() as u32;
        if generation.stop == StopReason::Cancelled {
            self.runtime.block_on(writer.interrupt(Some(token_count)))?;
        } else {
            self.runtime.block_on(writer.finish(token_count))?;
        }

        if let Some(error) = save_error {
            return Err(error).context("the reply was shown but could not be saved in full");
        }
        Ok(generation)
    }

    /// Builds the prompt: persona, earlier turns and the new message,
    /// dropping the oldest turns until the reply fits in the context.
    fn prompt(&self, conversation: ConversationId) -> anyhow::Result<Vec<u32>> {
        let stored = self.runtime.block_on(self.store.messages(conversation))?;
        let mut turns: Vec<ChatMessage> = stored
            .iter()
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

        let budget = self.engine.max_context().saturating_sub(self.args.max_tokens).max(1);
        loop {
            let mut messages = vec![ChatMessage::new(Role::System, DEFAULT_PERSONA)];
            messages.extend(turns.iter().cloned());
            let prompt = self.engine.chat_prompt(&messages)?;

            if prompt.len() <= budget || turns.len() <= 1 {
                return Ok(prompt);
            }
            turns.remove(0);
        }
    }
}
