//! `samantha ask`: one message, one reply.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context;
use clap::Args;
use samantha_llm::CancelToken;
use samantha_mind::{TurnEvent, TurnRequest};
use samantha_store::ConversationId;

use super::companion;
use super::emotion::ModelArgs as EmotionArgs;
use super::model_args::ModelArgs;

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The message to send; `-` reads it from standard input, for text too
    /// long for the command line.
    message: String,

    /// Continue this conversation instead of starting a new one.
    #[arg(long, value_name = "ID")]
    conversation: Option<i64>,

    #[command(flatten)]
    model: ModelArgs,

    #[command(flatten)]
    emotion: EmotionArgs,
}

pub fn run(mut args: AskArgs, db: Option<&Path>) -> anyhow::Result<()> {
    if args.message == "-" {
        let mut message = String::new();
        std::io::stdin()
            .read_to_string(&mut message)
            .context("could not read the message from standard input; it must be UTF-8 text")?;
        args.message = message;
    }
    if args.message.trim().is_empty() {
        anyhow::bail!("the message is empty; pass some text for Samantha to reply to");
    }

    let request = TurnRequest {
        conversation: args.conversation.map(ConversationId),
        text: args.message,
    };
    let (loaded, saved) = companion::save_then_load(&request, &args.model, Some(&args.emotion), db)?;

    // Ctrl-C stops the reply; what was written so far is kept.
    let cancel = CancelToken::new();
    let handler_cancel = cancel.clone();
    ctrlc::set_handler(move || handler_cancel.cancel())?;

    let mut stdout = std::io::stdout().lock();
    let id = saved.conversation;
    let outcome = loaded
        .companion
        .reply_to_saved(&saved, &cancel, &mut |event| print_event(&event, &mut stdout))
        .with_context(|| format!("your message was saved in conversation {id}, but Samantha could not reply"))?;
    writeln!(stdout)?;
    stdout.flush()?;
    loaded.finish();

    tracing::info!(conversation = %outcome.conversation, stop = ?outcome.stop, "exchange saved");
    Ok(())
}

/// Prints reply text to `out` and the rest of the turn to the log.
pub fn print_event(event: &TurnEvent, out: &mut dyn Write) {
    match event {
        TurnEvent::Text { text } => {
            // A closed stdout must not stop the reply from being saved.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
        TurnEvent::Emotion { emotion, .. } => tracing::info!(label = %emotion.label, "emotion detected"),
        TurnEvent::UserSaved { conversation, message } => {
            tracing::debug!(%conversation, %message, "message saved");
        }
        TurnEvent::Finished { stop, .. } => tracing::debug!(?stop, "reply finished"),
    }
}
