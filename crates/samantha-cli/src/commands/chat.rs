//! `samantha chat`: an interactive conversation in the terminal.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use samantha_llm::CancelToken;
use samantha_mind::{TurnEvent, TurnRequest};
use samantha_store::ConversationId;

use super::ask::print_event;
use super::companion;
use super::emotion::ModelArgs as EmotionArgs;
use super::model_args::ModelArgs;

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Continue this conversation instead of starting a new one.
    #[arg(long, value_name = "ID")]
    conversation: Option<i64>,

    #[command(flatten)]
    model: ModelArgs,

    #[command(flatten)]
    emotion: EmotionArgs,
}

pub fn run(args: ChatArgs, db: Option<&Path>) -> anyhow::Result<()> {
    let loaded = companion::load(&args.model, Some(&args.emotion), db)?;
    let mut conversation = args.conversation.map(ConversationId);
    if let Some(id) = conversation {
        loaded.runtime.block_on(loaded.companion.store().conversation(id))?;
    }

    // Ctrl-C during a reply stops the reply; at the prompt it ends the chat.
    let cancel = CancelToken::new();
    let generating = Arc::new(AtomicBool::new(false));
    {
        let cancel = cancel.clone();
        let generating = generating.clone();
        ctrlc::set_handler(move || {
            if generating.load(Ordering::SeqCst) {
                cancel.cancel();
            } else {
                eprintln!();
                std::process::exit(130);
            }
        })?;
    }

    eprintln!("Samantha is here. Type a message and press Enter; Ctrl-C stops a reply, Ctrl-D or /quit ends.");
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    let mut line = String::new();
    loop {
        eprint!("> ");
        line.clear();
        if stdin.lock().read_line(&mut line)? == 0 {
            break;
        }

        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if text == "/quit" || text == "/exit" {
            break;
        }

        cancel.reset();
        generating.store(true, Ordering::SeqCst);
        let request = TurnRequest {
            conversation,
            text: text.to_owned(),
        };
        let mut saved_in = None;
        let result = loaded.companion.reply(&request, &cancel, &mut |event| {
            if let TurnEvent::UserSaved { conversation, .. } = &event {
                saved_in = Some(*conversation);
            }
            print_event(&event, &mut stdout);
        });
        generating.store(false, Ordering::SeqCst);
        writeln!(stdout)?;

        // The message is saved before generation starts, so a failed reply
        // still continues the conversation it started.
        if saved_in.is_some() {
            conversation = saved_in;
        }
        if let Err(error) = result {
            eprintln!("error: {error:#}");
        }
        stdout.flush()?;
    }

    loaded.finish();
    if let Some(id) = conversation {
        eprintln!("saved as conversation {id}; `samantha history show {id}` shows it");
    }
    Ok(())
}
