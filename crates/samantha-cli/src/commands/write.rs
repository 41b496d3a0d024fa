//! `samantha write`: poems and drafts with Samantha, saved as drafts.

use std::io::Write;
use std::path::Path;

use clap::{Args, ValueEnum};
use samantha_llm::CancelToken;
use samantha_mind::{RewriteStyle, WritingMode, WritingRequest};
use samantha_store::DraftId;

use super::companion;
use super::model_args::ModelArgs;

#[derive(Debug, Args)]
pub struct WriteArgs {
    /// Kind of text to write.
    #[arg(value_enum)]
    mode: ModeArg,

    /// Subject of a poem or draft, or extra instructions for `continue`.
    #[arg(default_value = "")]
    subject: String,

    /// Draft to continue or rewrite, as printed by `samantha drafts list`;
    /// the result is saved as its next version.
    #[arg(long, value_name = "ID")]
    draft: Option<i64>,

    /// Style of a `rewrite`.
    #[arg(long, value_enum, default_value_t = StyleArg::Shorter)]
    style: StyleArg,

    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    /// A short poem about the subject.
    Poem,
    /// A first draft in prose about the subject.
    Draft,
    /// The next part of a draft.
    Continue,
    /// The draft rewritten in another style.
    Rewrite,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StyleArg {
    Shorter,
    Warmer,
    MoreFormal,
}

pub fn run(args: WriteArgs, db: Option<&Path>) -> anyhow::Result<()> {
    let mode = match args.mode {
        ModeArg::Poem => WritingMode::Poem,
        ModeArg::Draft => WritingMode::Draft,
        ModeArg::Continue => WritingMode::Continue,
        ModeArg::Rewrite => WritingMode::Rewrite(match args.style {
            StyleArg::Shorter => RewriteStyle::Shorter,
            StyleArg::Warmer => RewriteStyle::Warmer,
            StyleArg::MoreFormal => RewriteStyle::MoreFormal,
        }),
    };
    let request = request(mode, args.subject, args.draft.map(DraftId));

    // Writing needs no emotion model.
    let loaded = companion::load(&args.model, None, db)?;

    let cancel = CancelToken::new();
    let handler_cancel = cancel.clone();
    ctrlc::set_handler(move || handler_cancel.cancel())?;

    let mut stdout = std::io::stdout().lock();
    let outcome = loaded.companion.write(&request, &cancel, &mut |text| {
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    })?;
    writeln!(stdout)?;

    eprintln!("saved as draft {} version {}", outcome.draft, outcome.version);
    Ok(())
}

fn request(mode: WritingMode, prompt: String, draft: Option<DraftId>) -> WritingRequest {
    WritingRequest {
        mode,
        prompt,
        draft,
        source: None,
    }
}
