//! `samantha ask`: one message, one reply.

use std::io::Write;
use std::path::Path;

use clap::Args;
use samantha_llm::CancelToken;
use samantha_store::ConversationId;

use super::model_args::ModelArgs;
use super::reply::Session;
use super::store;

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The message to send.
    message: String,

    /// Continue this conversation instead of starting a new one.
    #[arg(long, value_name = "ID")]
    conversation: Option<i64>,

    #[command(flatten)]
    model: ModelArgs,
}

pub fn run(args: AskArgs, db: Option<&Path>) -> anyhow::Result<()> {
    if args.message.trim().is_empty() {
        anyhow::bail!("the message is empty; pass some text for Samantha to reply to");
    }

    let runtime = store::runtime()?;
    let store = runtime.block_on(store::open(db))?;
    let conversation = args.conversation.map(ConversationId);
    if let Some(id) = conversation {
        runtime.block_on(store.conversation(id))?;
    }
    let engine = args.model.load_engine()?;

    // Ctrl-C stops the reply; what was written so far is kept.
    let cancel = CancelToken::new();
    let handler_cancel = cancel.clone();
    ctrlc::set_handler(move || handler_cancel.cancel())?;

    let mut session = Session {
        engine: &engine,
        store: &store,
        runtime: &runtime,
        args: &args.model,
        conversation,
    };
    let mut stdout = std::io::stdout().lock();
    session.exchange(&args.message, &cancel, &mut stdout)?;
    stdout.flush()?;

    if let Some(id) = session.conversation {
        tracing::info!(conversation = %id, "exchange saved");
    }
    Ok(())
}
