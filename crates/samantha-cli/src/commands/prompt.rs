//! `samantha prompt`: the prompt a message would be sent with, without
//! generating a reply.

use std::io::Write;
use std::path::Path;

use clap::Args;
use samantha_store::ConversationId;

use super::companion;
use super::emotion::ModelArgs as EmotionArgs;
use super::model_args::ModelArgs;
use super::terminal::escape_controls;

#[derive(Debug, Args)]
pub struct PromptArgs {
    /// The message to build a prompt for.
    message: String,

    /// Continue this conversation; by default the prompt is that of a new one.
    #[arg(long, value_name = "ID")]
    conversation: Option<i64>,

    /// Print the plan as JSON: the prompt text and what went into it.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    model: ModelArgs,

    #[command(flatten)]
    emotion: EmotionArgs,
}

pub fn run(args: PromptArgs, db: Option<&Path>) -> anyhow::Result<()> {
    let loaded = companion::load(&args.model, Some(&args.emotion), db)?;
    let plan = loaded
        .companion
        .preview_prompt(args.conversation.map(ConversationId), &args.message)?;

    let mut stdout = std::io::stdout().lock();
    if args.json {
        writeln!(stdout, "{}", serde_json::to_string_pretty(&plan)?)?;
    } else {
        write!(stdout, "{}", escape_controls(&plan.text))?;
        eprintln!(
            "{} tokens of {}; {} turns kept, {} dropped; {} memories, {} recalled moments",
            plan.tokens.len(),
            plan.budget,
            plan.turns_kept,
            plan.turns_dropped,
            plan.memories.len(),
            plan.moments.len()
        );
    }
    Ok(())
}
