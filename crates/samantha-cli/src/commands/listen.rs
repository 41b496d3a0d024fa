//! `samantha listen`: push-to-talk from the microphone, then print the text.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::Args;
use samantha_models::DataDir;
use samantha_speech::capture::resolve_input_device;
use samantha_speech::{CaptureError, Recorder, RecorderConfig, Recording, list_input_devices};

use super::whisper_args::WhisperArgs;

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// List the input devices and exit.
    #[arg(long)]
    list_devices: bool,

    /// Input device name, as printed by `--list-devices`; the default device when left out.
    #[arg(long, value_name = "NAME")]
    device: Option<String>,

    /// Send the text to Samantha and print her reply.
    #[arg(long)]
    chat: bool,

    /// Stop recording by itself after this many seconds of audio.
    #[arg(long, value_name = "SECONDS", default_value_t = 120.0)]
    max_seconds: f64,

    /// Also write the recording to this WAV file.
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,

    #[command(flatten)]
    whisper: WhisperArgs,
}

/// How often the recorder is drained and the meter redrawn.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

pub fn run(args: ListenArgs, db: Option<&std::path::Path>) -> anyhow::Result<()> {
    if args.list_devices {
        return list_devices();
    }
    // Check the model and the device first so that neither fails after the user spoke.
    let mut transcriber = args.whisper.load()?;
    let device = resolve_input_device(args.device.as_deref())?;

    let enter = spawn_enter_reader();
    eprintln!("Press Enter to start recording from {device:?}.");
    wait_for_enter(&enter)?;

    let config = RecorderConfig {
        device: args.device.clone(),
        ..RecorderConfig::default()
    };
    let mut recorder = Recorder::start(&config)?;
    eprintln!(
        "Recording from {:?}. Press Enter to stop.",
        recorder.device()
    );

    let started = Instant::now();
    let outcome = loop {
        if let Err(error) = recorder.poll() {
            break Err(error);
        }
        draw_meter(recorder.level_db(), recorder.recorded_seconds());
        match enter.recv_timeout(POLL_INTERVAL) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break recorder.stop(),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        // Both clocks count: a device without a clock (ALSA's null device)
        // delivers audio faster than real time.
        if started.elapsed().as_secs_f64() >= args.max_seconds
            || recorder.recorded_seconds() >= args.max_seconds
        {
            eprintln!();
            eprintln!("Stopped after {} s (--max-seconds).", args.max_seconds);
            break recorder.stop();
        }
    };
    eprintln!();

    let recording = match outcome {
        Ok(recording) => recording,
        Err(error) => return Err(keep_recording(error)),
    };
    if recording.dropped_samples > 0 {
        eprintln!(
            "warning: {} samples were lost while recording",
            recording.dropped_samples
        );
    }
    if let Some(path) = &args.save {
        recording.write_wav(path)?;
        eprintln!("recording written to {}", path.display());
    }

    let samples = recording.to_whisper_input()?;
    let transcript = transcriber.transcribe(&samples)?;
    if transcript.text.is_empty() {
        eprintln!(
            "no speech heard in {:.1} s of audio",
            recording.duration_seconds()
        );
    } else {
        writeln!(std::io::stdout().lock(), "{}", transcript.text)?;
        if args.chat {
            send_to_chat(&transcript.text, db)?;
        }
    }
    Ok(())
}

/// Sends the transcript to Samantha as a new conversation and prints her
/// reply, with the default model settings. The transcript is saved before
/// the language model loads.
fn send_to_chat(text: &str, db: Option<&std::path::Path>) -> anyhow::Result<()> {
    let model = super::model_args::ModelArgs::default();
    let emotion = super::emotion::ModelArgs::default();
    let request = samantha_mind::TurnRequest {
        conversation: None,
        text: text.to_owned(),
    };
    let (loaded, saved) = super::companion::save_then_load(&request, &model, Some(&emotion), db)?;

    let mut stdout = std::io::stdout().lock();
    let cancel = samantha_llm::CancelToken::new();
    let id = saved.conversation;
    loaded
        .companion
        .reply_to_saved(&saved, &cancel, &mut |event| super::ask::print_event(&event, &mut stdout))
        .with_context(|| format!("your message was saved in conversation {id}, but Samantha could not reply"))?;
    writeln!(stdout)?;
    loaded.finish();
    Ok(())
}

fn list_devices() -> anyhow::Result<()> {
    let devices = list_input_devices()?;
    if devices.is_empty() {
        anyhow::bail!(CaptureError::NoDevice);
    }
    let mut stdout = std::io::stdout().lock();
    for device in devices {
        let marker = if device.is_default { "*" } else { " " };
        let config = device
            .default_config
            .as_deref()
            .unwrap_or("no default configuration");
        let id = device.id.as_deref().unwrap_or("-");
        writeln!(stdout, "{marker} {id}  {}  ({config})", device.name)?;
    }
    Ok(())
}

/// Reads lines from standard input on a thread and sends one message per
/// Enter; the channel closes at end of input.
fn spawn_enter_reader() -> mpsc::Receiver<()> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            if line.is_err() || sender.send(()).is_err() {
                break;
            }
        }
    });
    receiver
}

fn wait_for_enter(enter: &mpsc::Receiver<()>) -> anyhow::Result<()> {
    enter.recv().context(
        "standard input closed before Enter was pressed; run `samantha listen` in a terminal",
    )
}

fn draw_meter(level_db: f32, seconds: f64) {
    // -60 dBFS and below is an empty bar, 0 dBFS a full one.
    let filled = (((level_db + 60.0) / 60.0).clamp(0.0, 1.0) * 30.0).round() as usize;
    let bar = format!("{}{}", "#".repeat(filled), " ".repeat(30 - filled));
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "\r[{bar}] {level_db:6.1} dB {seconds:5.1} s");
    let _ = stderr.flush();
}

/// Writes what was recorded before a failure to the data directory and
/// adds its path to the error.
fn keep_recording(error: CaptureError) -> anyhow::Error {
    let Some(recording) = error.recording() else {
        return error.into();
    };
    match save_in_data_dir(recording) {
        Ok(path) => anyhow::Error::new(error).context(format!(
            "the partial recording was saved to {}",
            path.display()
        )),
        Err(save_error) => anyhow::Error::new(error).context(format!(
            "the partial recording could not be saved: {save_error:#}"
        )),
    }
}

fn save_in_data_dir(recording: &Recording) -> anyhow::Result<PathBuf> {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let path = DataDir::resolve()?
        .root()
        .join("recordings")
        .join(format!("listen-{seconds}.wav"));
    recording.write_wav(&path)?;
    Ok(path)
}
