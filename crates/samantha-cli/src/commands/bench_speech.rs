//! `samantha bench speech`: speed and accuracy of speech recognition.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use samantha_speech::bench::{self, CorpusStyle, FOUR_SECOND_TEXT};
use samantha_speech::decode;
use samantha_speech::resample::{self, WHISPER_SAMPLE_RATE};
use samantha_speech::transcribe::FULL_AUDIO_CTX;
use samantha_speech::wer::corpus_word_error_rate;
use samantha_speech::{AudioContext, Decoding, TranscribeOptions, Transcriber};

use super::whisper_args::WhisperArgs;

#[derive(Debug, Args)]
pub struct SpeechBenchArgs {
    #[command(flatten)]
    whisper: WhisperArgs,

    /// Utterance to time; by default espeak-ng speaks a 4-second sentence.
    #[arg(long, value_name = "FILE")]
    audio: Option<PathBuf>,

    /// Sample rate of the simulated microphone recording, in Hz.
    #[arg(long, value_name = "HZ", default_value_t = 48_000)]
    capture_rate: u32,

    /// Timed runs per setting; the median is reported.
    #[arg(long, value_name = "N", default_value_t = 3)]
    runs: usize,

    /// Also measure word error rate and speed of several decoder settings
    /// on espeak-ng sentences and print them as a Markdown table.
    #[arg(long)]
    sweep: bool,

    /// Speak every sweep sentence with this espeak-ng voice (16 kHz mono WAV)
    /// instead of mixing voices, rates and formats.
    #[arg(long, value_name = "VOICE")]
    sweep_voice: Option<String>,

    /// Speaking rate for --sweep-voice, in words per minute.
    #[arg(long, value_name = "WPM", default_value_t = 160)]
    sweep_rate: u32,
}

pub fn speech(args: SpeechBenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.runs > 0, "--runs must be at least 1");
    let model_path = args.whisper.model_path()?;
    let mut transcriber = args.whisper.load()?;
    let chosen = args.whisper.options();

    if args.sweep {
        let style = match &args.sweep_voice {
            Some(voice) => CorpusStyle::Uniform {
                voice,
                words_per_minute: args.sweep_rate,
            },
            None => CorpusStyle::Mixed,
        };
        sweep(&mut transcriber, &chosen, style)?;
    }

    let temp = tempfile::tempdir().context("could not create a temporary folder")?;
    let audio_path = match &args.audio {
        Some(path) => path.clone(),
        None => {
            let path = temp.path().join("utterance.wav");
            bench::speak(FOUR_SECOND_TEXT, "en-us", 150, &path)?;
            path
        }
    };

    // The microphone delivers audio at the device rate; resampling to
    // 16 kHz happens after the end of speech and is timed with Whisper.
    let decoded = decode::decode_file(&audio_path)?;
    let captured = resample::resample(&decoded.samples, decoded.sample_rate, args.capture_rate)?;
    let seconds = captured.len() as f64 / f64::from(args.capture_rate);

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "model: {} ({})", args.whisper.whisper, model_path.display())?;
    writeln!(stdout, "threads: {}", chosen.threads)?;
    writeln!(
        stdout,
        "utterance: {seconds:.2} s from {}, captured at {} Hz",
        audio_path.display(),
        args.capture_rate
    )?;

    let full = TranscribeOptions {
        audio_context: AudioContext::Full,
        ..chosen.clone()
    };
    let (full_latency, full_text) = time_end_of_speech(
        &mut transcriber,
        &full,
        &captured,
        args.capture_rate,
        args.runs,
    )?;
    let (latency, text) = time_end_of_speech(
        &mut transcriber,
        &chosen,
        &captured,
        args.capture_rate,
        args.runs,
    )?;

    writeln!(stdout, "text (full window): {full_text}")?;
    writeln!(stdout, "text (chosen): {text}")?;
    writeln!(
        stdout,
        "full_window_end_of_speech_to_text_s: {full_latency:.3} (audio_ctx {FULL_AUDIO_CTX}, real-time factor {:.3})",
        full_latency / seconds
    )?;
    writeln!(
        stdout,
        "chosen_end_of_speech_to_text_s: {latency:.3} ({}, real-time factor {:.3})",
        describe(&chosen),
        latency / seconds
    )?;
    writeln!(stdout, "speedup_vs_full_window: {:.2}", full_latency / latency)?;
    writeln!(stdout, "real_time_factor: {:.3}", latency / seconds)?;
    writeln!(stdout, "end_of_speech_to_text_s: {latency:.3}")?;
    Ok(())
}

/// Returns the median time from the end of speech (all samples captured)
/// to the text, and the text.
fn time_end_of_speech(
    transcriber: &mut Transcriber,
    options: &TranscribeOptions,
    captured: &[f32],
    capture_rate: u32,
    runs: usize,
) -> anyhow::Result<(f64, String)> {
    transcriber.set_options(options.clone())?;

    // One untimed run loads caches and lets whisper.cpp allocate its buffers.
    let samples = resample::resample(captured, capture_rate, WHISPER_SAMPLE_RATE)?;
    transcriber.transcribe(&samples)?;

    let mut times = Vec::with_capacity(runs);
    let mut text = String::new();
    for _ in 0..runs {
        let started = Instant::now();
        let samples = resample::resample(captured, capture_rate, WHISPER_SAMPLE_RATE)?;
        let transcript = transcriber.transcribe(&samples)?;
        times.push(started.elapsed().as_secs_f64());
        text = transcript.text;
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], text))
}

fn describe(options: &TranscribeOptions) -> String {
    let context = match options.audio_context {
        AudioContext::Full => format!("audio_ctx {FULL_AUDIO_CTX}"),
        AudioContext::Fit { padding } => format!("audio_ctx fit + {padding}"),
    };
    let decoding = match options.decoding {
        Decoding::Greedy => "greedy".to_owned(),
        Decoding::BeamSearch { beam_size } => format!("beam {beam_size}"),
    };
    let timestamps = if options.timestamps {
        ", timestamps"
    } else {
        ""
    };
    let vad = if options.vad.is_none() {
        ", no VAD"
    } else {
        ""
    };
    format!("{context}, {decoding}{timestamps}{vad}")
}

/// Measures word error rate and time per clip of several settings on the
/// espeak-ng corpus and prints a Markdown table.
fn sweep(
    transcriber: &mut Transcriber,
    chosen: &TranscribeOptions,
    style: CorpusStyle,
) -> anyhow::Result<()> {
    let temp = tempfile::tempdir().context("could not create a temporary folder")?;
    let utterances = bench::synthesize_corpus(temp.path(), style)?;
    let mut clips = Vec::with_capacity(utterances.len());
    for utterance in &utterances {
        clips.push(decode::load_for_whisper(&utterance.path)?);
    }
    let audio_seconds: f64 = clips
        .iter()
        .map(|clip| clip.len() as f64 / f64::from(WHISPER_SAMPLE_RATE))
        .sum();

    let base = TranscribeOptions {
        threads: chosen.threads,
        language: chosen.language.clone(),
        ..TranscribeOptions::default()
    };
    let fit = |padding| AudioContext::Fit { padding };
    let settings = [
        TranscribeOptions {
            audio_context: AudioContext::Full,
            decoding: Decoding::Greedy,
            timestamps: true,
            ..base.clone()
        },
        TranscribeOptions {
            audio_context: AudioContext::Full,
            ..base.clone()
        },
        TranscribeOptions {
            audio_context: fit(64),
            decoding: Decoding::Greedy,
            ..base.clone()
        },
        TranscribeOptions {
            audio_context: fit(128),
            decoding: Decoding::Greedy,
            ..base.clone()
        },
        TranscribeOptions {
            audio_context: fit(256),
            decoding: Decoding::Greedy,
            timestamps: true,
            ..base.clone()
        },
        TranscribeOptions {
            audio_context: fit(128),
            ..base.clone()
        },
        TranscribeOptions {
            audio_context: fit(256),
            ..base.clone()
        },
        TranscribeOptions {
            audio_context: fit(256),
            timestamps: true,
            ..base.clone()
        },
        TranscribeOptions {
            audio_context: fit(384),
            ..base.clone()
        },
    ];

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "| setting | WER | seconds per clip | real-time factor |")?;
    writeln!(stdout, "|---|---|---|---|")?;
    for options in settings {
        transcriber.set_options(options.clone())?;
        let started = Instant::now();
        let mut hypotheses = Vec::with_capacity(clips.len());
        for clip in &clips {
            hypotheses.push(transcriber.transcribe(clip)?.text);
        }
        let elapsed = started.elapsed().as_secs_f64();
        let wer = corpus_word_error_rate(
            utterances
                .iter()
                .map(|utterance| utterance.text)
                .zip(hypotheses.iter().map(String::as_str)),
        );
        writeln!(
            stdout,
            "| {} | {wer:.3} | {:.2} | {:.3} |",
            describe(&options),
            elapsed / clips.len() as f64,
            elapsed / audio_seconds
        )?;
    }
    writeln!(
        stdout,
        "({} espeak-ng sentences, {audio_seconds:.1} s of audio)",
        clips.len()
    )?;
    Ok(())
}
