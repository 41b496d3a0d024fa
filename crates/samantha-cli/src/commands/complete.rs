//! `samantha complete`: continue raw text with no chat template.

use std::io::Write;

use clap::Args;
use samantha_llm::{CancelToken, GenerationRequest};

use super::model_args::ModelArgs;

#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// Continue the text as it is, with no chat template (the only mode for now).
    #[arg(long, required = true)]
    raw: bool,

    /// The text to continue.
    text: String,

    #[command(flatten)]
    model: ModelArgs,
}

pub fn run(args: CompleteArgs) -> anyhow::Result<()> {
    debug_assert!(args.raw);
    args.model.check()?;
    let engine = args.model.load_engine()?;
    let prompt = engine.raw_prompt(&args.text)?;

    let cancel = CancelToken::new();
    let handler_cancel = cancel.clone();
    ctrlc::set_handler(move || handler_cancel.cancel())?;

    let request = GenerationRequest {
        prompt,
        max_tokens: args.model.max_tokens,
        sampling: args.model.sampling(),
        stop_tokens: engine.stop_tokens().to_vec(),
    };

    let mut stdout = std::io::stdout().lock();
    let mut sink = |piece: &str| {
        let _ = stdout.write_all(piece.as_bytes());
        let _ = stdout.flush();
    };
    let generation = engine.generate(&request, &cancel, &mut sink)?;
    drop(sink);
    writeln!(stdout)?;

    tracing::info!(tokens = generation.tokens.len(), stop = ?generation.stop, "completion done");
    Ok(())
}
