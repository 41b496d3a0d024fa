//! Speech made with espeak-ng for tests and benchmarks.
//!
//! Synthetic speech is reproducible and needs no recordings in the
//! repository. espeak-ng writes 22050 Hz mono WAV; sox converts it to other
//! rates, channel counts and formats. Both must be installed
//! (`apt-get install espeak-ng sox libsox-fmt-all`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// English sentences without numbers and with American spelling, so that
/// Whisper's number formatting and spelling cannot count as errors.
pub const SENTENCES: &[&str] = &[
    "The weather is lovely this morning.",
    "Please turn off the lights before you leave.",
    "I would like a cup of coffee with milk.",
    "My sister lives in a small house near the sea.",
    "We should go for a walk in the park later.",
    "Can you remind me to call my mother tonight?",
    "The train to the city leaves in a few minutes.",
    "She reads a book every evening before bed.",
    "The children are playing in the garden.",
    "I forgot my keys at the office again.",
    "Do you remember the song we heard yesterday?",
    "The kitchen smells of fresh bread and butter.",
    "He opened the window to let in some air.",
    "Tell me something interesting about the moon.",
    "The meeting was moved to next Tuesday afternoon.",
    "I feel a little tired after the long trip.",
    "Let us cook dinner together this weekend.",
    "The dog is sleeping under the kitchen table.",
    "Thank you for listening to me today.",
    "Where did you put the letter from the bank?",
    "It is raining and the streets are empty.",
    "Music always helps me to relax after work.",
    "Our neighbors are painting their front door green.",
    "I am learning to play the piano this year.",
];

/// One synthesized utterance on disk.
#[derive(Debug, Clone)]
pub struct Utterance {
    pub text: &'static str,
    pub path: PathBuf,
    /// espeak-ng voice, such as `en-us`.
    pub voice: String,
    /// Speaking rate in words per minute.
    pub words_per_minute: u32,
}

/// Voices and rates cycled through the sentences.
const VOICES: &[&str] = &["en-us", "en-gb", "en-us+f3", "en-gb-x-rp"];
const RATES: &[u32] = &[150, 165, 140, 175];

/// Output formats cycled through the sentences: (extension, rate in Hz, channels).
const FORMATS: &[(&str, u32, u32)] = &[
    ("wav", 16_000, 1),
    ("flac", 44_100, 2),
    ("mp3", 48_000, 2),
    ("ogg", 22_050, 1),
    ("wav", 8_000, 1),
    ("wav", 48_000, 2),
];

/// Errors raised while making speech.
#[derive(Debug, thiserror::Error)]
pub enum SynthesisError {
    #[error(
        "could not run {program}; install it with `apt-get install espeak-ng sox libsox-fmt-all`"
    )]
    Spawn {
        program: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error("{program} failed on {path}: {stderr}")]
    Failed {
        program: &'static str,
        path: PathBuf,
        stderr: String,
    },
}

fn run(program: &'static str, args: &[&str], path: &Path) -> Result<(), SynthesisError> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|source| SynthesisError::Spawn { program, source })?;
    if output.status.success() {
        return Ok(());
    }
    Err(SynthesisError::Failed {
        program,
        path: path.to_path_buf(),
        stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    })
}

/// Speaks `text` with espeak-ng into `output` (22050 Hz mono WAV).
pub fn speak(
    text: &str,
    voice: &str,
    words_per_minute: u32,
    output: &Path,
) -> Result<(), SynthesisError> {
    let rate = words_per_minute.to_string();
    let path = output.to_string_lossy();
    run(
        "espeak-ng",
        &["-v", voice, "-s", &rate, "-w", &path, text],
        output,
    )
}

/// Converts `input` with sox into `output`, whose extension picks the format.
pub fn convert_audio(
    input: &Path,
    output: &Path,
    sample_rate: u32,
    channels: u32,
) -> Result<(), SynthesisError> {
    let rate = sample_rate.to_string();
    let channels = channels.to_string();
    let input_path = input.to_string_lossy();
    let output_path = output.to_string_lossy();
    run(
        "sox",
        &[&input_path, "-r", &rate, "-c", &channels, &output_path],
        output,
    )
}

/// Voices, speaking rates and file formats of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorpusStyle<'a> {
    /// Four voices, four speaking rates and six file formats in turn.
    Mixed,
    /// One voice and rate, as 16 kHz mono WAV.
    Uniform {
        voice: &'a str,
        words_per_minute: u32,
    },
}

/// Synthesizes every sentence of [`SENTENCES`] in `dir`.
pub fn synthesize_corpus(dir: &Path, style: CorpusStyle) -> Result<Vec<Utterance>, SynthesisError> {
    let mut utterances = Vec::with_capacity(SENTENCES.len());
    for (index, text) in SENTENCES.iter().enumerate() {
        let (voice, words_per_minute, (extension, sample_rate, channels)) = match style {
            CorpusStyle::Mixed => (
                VOICES[index % VOICES.len()].to_owned(),
                RATES[index % RATES.len()],
                FORMATS[index % FORMATS.len()],
            ),
            CorpusStyle::Uniform {
                voice,
                words_per_minute,
            } => (voice.to_owned(), words_per_minute, ("wav", 16_000, 1)),
        };

        let spoken = dir.join(format!("sentence-{index:02}-espeak.wav"));
        speak(text, &voice, words_per_minute, &spoken)?;
        let path = dir.join(format!("sentence-{index:02}.{extension}"));
        convert_audio(&spoken, &path, sample_rate, channels)?;

        utterances.push(Utterance {
            text,
            path,
            voice,
            words_per_minute,
        });
    }
    Ok(utterances)
}

/// Text of the benchmark utterance; espeak-ng `en-us` at 150 words per
/// minute speaks it in about four seconds.
pub const FOUR_SECOND_TEXT: &str =
    "Could you remind me tomorrow morning to water the plants in the garden?";
