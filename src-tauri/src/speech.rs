//! The microphone and Whisper transcription.
//!
//! A cpal stream must stay on the thread that opened it, so each
//! recording runs on a thread of its own that polls the recorder, reports
//! the input level and transcribes the audio once recording stops.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use samantha_speech::capture::resolve_input_device;
use samantha_speech::{CaptureError, Recorder, RecorderConfig, TranscribeOptions, Transcriber};
use serde::Serialize;

use crate::state::lock;

/// How often the level is reported while recording.
const LEVEL_INTERVAL: Duration = Duration::from_millis(100);

/// Maximum recording length in seconds; recording stops by itself then.
const MAX_RECORDING_SECONDS: f64 = 120.0;

/// Errors raised by the microphone and transcription.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error("no microphone is available; connect one, or pick another in Settings")]
    NoMicrophone(#[source] CaptureError),

    #[error("the microphone failed: {0}")]
    Capture(#[from] CaptureError),

    #[error("the microphone is already recording")]
    AlreadyRecording,

    #[error("the Whisper model is missing: {0}")]
    Model(#[from] samantha_speech::ModelError),

    #[error("transcription failed: {0}")]
    Transcribe(#[from] samantha_speech::TranscribeError),

    #[error("the recording could not be resampled for Whisper: {0}")]
    Resample(#[from] samantha_speech::resample::ResampleError),

    #[error("failed to store the audio file {path}: {source}")]
    TempFile { path: PathBuf, source: std::io::Error },

    #[error("the upload carried no audio bytes")]
    NotAudioBody,

    #[error("unsupported audio file; use a .wav, .flac, .mp3 or .ogg file")]
    UnsupportedFile,

    #[error("failed to start the recording thread: {0}")]
    Thread(std::io::Error),
}

/// Event sent to the page while the microphone is on.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MicEvent {
    Started { device: String },
    Level { db: f32, seconds: f64 },
    Transcribing,
    Transcript { text: String },
    Error { message: String },
}

/// Microphone and transcriber state shared by the commands.
#[derive(Default, Clone)]
pub struct Speech {
    recording: Arc<Mutex<Option<Arc<AtomicBool>>>>,
    transcriber: Arc<Mutex<Option<Transcriber>>>,
}

impl Speech {
    /// Opens the microphone and records on a thread of its own until
    /// [`Speech::stop`], sending [`MicEvent`]s to `on_event`.
    pub fn start(
        &self,
        models_dir: PathBuf,
        device: Option<String>,
        on_event: impl Fn(MicEvent) + Send + 'static,
    ) -> Result<(), SpeechError> {
        let mut recording = lock(&self.recording);
        if recording.is_some() {
            return Err(SpeechError::AlreadyRecording);
        }
        let device_name = resolve_input_device(device.as_deref()).map_err(|error| {
            tracing::warn!(%error, ?device, "no microphone");
            SpeechError::NoMicrophone(error)
        })?;

        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        let slot = self.recording.clone();
        let transcriber = self.transcriber.clone();
        let thread_device = device_name.clone();
        let (opened_tx, opened_rx) = std::sync::mpsc::channel();

        std::thread::Builder::new()
            .name("microphone".to_owned())
            .spawn(move || {
                let config = RecorderConfig {
                    device: device.clone(),
                    ..RecorderConfig::default()
                };
                let recorder = match Recorder::start(&config) {
                    Ok(recorder) => {
                        let _ = opened_tx.send(Ok(()));
                        recorder
                    }
                    Err(error) => {
                        let _ = opened_tx.send(Err(error));
                        return;
                    }
                };
                on_event(MicEvent::Started { device: thread_device });

                let samples = record(recorder, &thread_stop, &on_event);

                // A recording that stopped at the length limit frees the
                // microphone for the next start too.
                let mut current = lock(&slot);
                if current.as_ref().is_some_and(|flag| Arc::ptr_eq(flag, &thread_stop)) {
                    *current = None;
                }
                drop(current);

                match samples.and_then(|samples| {
                    on_event(MicEvent::Transcribing);
                    transcribe_samples(&transcriber, &models_dir, &samples)
                }) {
                    Ok(text) => on_event(MicEvent::Transcript { text }),
                    Err(error) => {
                        tracing::warn!(%error, "recording failed");
                        on_event(MicEvent::Error { message: error.to_string() });
                    }
                }
            })
            .map_err(SpeechError::Thread)?;

        match opened_rx.recv() {
            Ok(Ok(())) => {
                *recording = Some(stop);
                Ok(())
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, device = %device_name, "microphone failed to open");
                Err(SpeechError::NoMicrophone(error))
            }
            Err(_) => Err(SpeechError::Thread(std::io::Error::other("the recording thread ended early"))),
        }
    }

    /// Tells the recording thread to stop and transcribe; returns whether
    /// one was recording.
    pub fn stop(&self) -> bool {
        match lock(&self.recording).take() {
            Some(stop) => {
                stop.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Transcribes an audio file (WAV, FLAC, MP3 or Ogg Vorbis).
    pub fn transcribe_file(&self, models_dir: &Path, path: &Path) -> Result<String, SpeechError> {
        let mut slot = lock(&self.transcriber);
        let transcriber = loaded(&mut slot, models_dir)?;
        Ok(transcriber.transcribe_file(path)?.text)
    }
}

/// Polls the recorder until `stop` is set or the length limit is reached,
/// and returns the audio resampled for Whisper.
fn record(mut recorder: Recorder, stop: &AtomicBool, on_event: &dyn Fn(MicEvent)) -> Result<Vec<f32>, SpeechError> {
    let started = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        recorder.poll()?;
        on_event(MicEvent::Level { db: recorder.level_db(), seconds: recorder.recorded_seconds() });

        // Both clocks count: a device without a clock (ALSA's null device)
        // delivers audio faster than real time.
        if started.elapsed().as_secs_f64() >= MAX_RECORDING_SECONDS || recorder.recorded_seconds() >= MAX_RECORDING_SECONDS {
            break;
        }
        std::thread::sleep(LEVEL_INTERVAL);
    }

    let recording = recorder.stop()?;
    Ok(recording.to_whisper_input()?)
}

fn transcribe_samples(transcriber: &Mutex<Option<Transcriber>>, models_dir: &Path, samples: &[f32]) -> Result<String, SpeechError> {
    let mut slot = lock(transcriber);
    let transcriber = loaded(&mut slot, models_dir)?;
    Ok(transcriber.transcribe(samples)?.text)
}

/// Loads Whisper tiny.en on first use.
fn loaded<'a>(slot: &'a mut Option<Transcriber>, models_dir: &Path) -> Result<&'a mut Transcriber, SpeechError> {
    let transcriber = match slot.take() {
        Some(transcriber) => transcriber,
        None => {
            let path = samantha_speech::DEFAULT_MODEL.locate(models_dir)?;
            Transcriber::load(&path, TranscribeOptions::default())?
        }
    };
    Ok(slot.insert(transcriber))
}
