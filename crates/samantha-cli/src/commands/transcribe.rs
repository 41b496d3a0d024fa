//! `samantha transcribe FILE`: print the text spoken in an audio file.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::whisper_args::WhisperArgs;

#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// Audio file: WAV, FLAC, MP3 or Ogg Vorbis, any sample rate and channel count.
    #[arg(value_name = "FILE")]
    file: PathBuf,

    #[command(flatten)]
    whisper: WhisperArgs,

    /// Print the transcript with language, segments and timings as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: TranscribeArgs) -> anyhow::Result<()> {
    let mut transcriber = args.whisper.load()?;
    let transcript = transcriber.transcribe_file(&args.file)?;
    let mut stdout = std::io::stdout().lock();

    if args.json {
        writeln!(stdout, "{}", serde_json::to_string_pretty(&transcript)?)?;
        return Ok(());
    }

    if transcriber.is_multilingual()
        && let Some(language) = &transcript.language
    {
        eprintln!("language: {language}");
    }
    if transcript.text.is_empty() {
        eprintln!("no speech found in {}", args.file.display());
    } else {
        writeln!(stdout, "{}", transcript.text)?;
    }
    Ok(())
}
