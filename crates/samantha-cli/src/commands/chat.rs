//! `samantha chat`: an interactive conversation in the terminal.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use samantha_llm::CancelToken;
use samantha_store::ConversationId;

use super::model_args::ModelArgs;
use super::reply::Session;
use super::store;

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Continue this conversation instead of starting a new one.
    #[arg(long, value_name = "ID")]
    conversation: Option<i64>,

    #[command(flatten)]
    model: ModelArgs,
}

pub fn run(args: ChatArgs, db: Option<&Path>) -> anyhow::Result<()> {
    let runtime = store::runtime()?;
    let store = runtime.block_on(store::open(db))?;
    let conversation = args.conversation.map(ConversationId);
    if let Some(id) = conversation {
        runtime.block_on(store.conversation(id))?;
    }
    let engine = args.model.load_engine()?;

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

    let mut session = Session {
        engine: &engine,
        store: &store,
        runtime: &runtime,
        args: &args.model,
        conversation,
    };

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
        let result = session.exchange(text, &cancel, &mut stdout);
        generating.store(false, Ordering::SeqCst);

        if let Err(error) = result {
            eprintln!("error: {error:#}");
        }
        stdout.flush()?;
    }

    if let Some(id) = session.conversation {
        eprintln!("saved as conversation {id}; `samantha history show {id}` shows it");
    }
    Ok(())
}
