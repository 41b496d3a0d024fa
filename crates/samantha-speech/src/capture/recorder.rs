//! Push-to-talk recording: [`Recorder::start`] opens the device and starts
//! the stream, [`Recorder::stop`] ends it and returns the [`Recording`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{ErrorKind, FromSample, SizedSample};

use super::device::find_input_device;
use super::ring::{CaptureConsumer, CaptureProducer, capture_ring};
use super::{CaptureError, Recording};

/// Settings for [`Recorder::start`].
#[derive(Debug, Clone, PartialEq)]
pub struct RecorderConfig {
    /// Input device name as listed by [`super::list_input_devices`];
    /// `None` uses the default device.
    pub device: Option<String>,
    /// Capacity of the ring between the audio callback and the recorder, in
    /// seconds of audio. The owner must call [`Recorder::poll`] more often
    /// than this or samples are dropped (and counted).
    pub buffer_seconds: f32,
}

impl Default for RecorderConfig {
    fn default() -> Self {
        Self {
            device: None,
            buffer_seconds: 5.0,
        }
    }
}

/// Source of the samples.
enum Source {
    Device(cpal::Stream),
    /// A thread that replays samples in real time (tests and benchmarks).
    Replay {
        stop: Arc<AtomicBool>,
        thread: Option<JoinHandle<()>>,
    },
}

/// A running recording.
pub struct Recorder {
    source: Source,
    consumer: CaptureConsumer,
    /// First fatal stream error, set by the error callback.
    failure: Arc<Mutex<Option<cpal::Error>>>,
    samples: Vec<f32>,
    sample_rate: u32,
    device: String,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Recorder")
            .field("device", &self.device)
            .field("sample_rate", &self.sample_rate)
            .field("samples", &self.samples.len())
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// Opens the input device and starts recording.
    pub fn start(config: &RecorderConfig) -> Result<Self, CaptureError> {
        let device = find_input_device(config.device.as_deref())?;
        let name = device.to_string();
        let open_error = |error: cpal::Error| classify_open_error(&name, error);

        let supported = device.default_input_config().map_err(open_error)?;
        let sample_rate = supported.sample_rate();
        let channels = usize::from(supported.channels());
        let capacity = (sample_rate as f32 * config.buffer_seconds.max(0.1)) as usize;
        let (producer, consumer) = capture_ring(capacity, channels);
        let failure = Arc::new(Mutex::new(None));

        let stream_config = supported.config();
        let stream = match supported.sample_format() {
            cpal::SampleFormat::F32 => {
                build_stream::<f32>(&device, stream_config, producer, &failure)
            }
            cpal::SampleFormat::F64 => {
                build_stream::<f64>(&device, stream_config, producer, &failure)
            }
            cpal::SampleFormat::I16 => {
                build_stream::<i16>(&device, stream_config, producer, &failure)
            }
            cpal::SampleFormat::I32 => {
                build_stream::<i32>(&device, stream_config, producer, &failure)
            }
            cpal::SampleFormat::I8 => {
                build_stream::<i8>(&device, stream_config, producer, &failure)
            }
            cpal::SampleFormat::U8 => {
                build_stream::<u8>(&device, stream_config, producer, &failure)
            }
            cpal::SampleFormat::U16 => {
                build_stream::<u16>(&device, stream_config, producer, &failure)
            }
            cpal::SampleFormat::U32 => {
                build_stream::<u32>(&device, stream_config, producer, &failure)
            }
            other => {
                return Err(CaptureError::UnsupportedFormat {
                    device: name,
                    format: format!("{other:?}"),
                });
            }
        }
        .map_err(open_error)?;
        stream.play().map_err(open_error)?;

        tracing::info!(device = %name, sample_rate, channels, "recording started");
        Ok(Self {
            source: Source::Device(stream),
            consumer,
            failure,
            samples: Vec::with_capacity(sample_rate as usize * 30),
            sample_rate,
            device: name,
        })
    }

    /// Starts a recorder fed by `interleaved` samples instead of a device:
    /// a thread pushes blocks of `block_frames` frames through the same
    /// ring and callback code, pausing `block_frames / sample_rate` seconds
    /// between blocks when `realtime` is set.
    pub fn replay(
        interleaved: Vec<f32>,
        sample_rate: u32,
        channels: usize,
        block_frames: usize,
        realtime: bool,
        buffer_seconds: f32,
    ) -> Self {
        let capacity = (sample_rate as f32 * buffer_seconds.max(0.01)) as usize;
        let (mut producer, consumer) = capture_ring(capacity, channels);
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let block_len = block_frames.max(1) * channels.max(1);
        let pause = Duration::from_secs_f64(block_frames as f64 / f64::from(sample_rate.max(1)));

        let thread = std::thread::spawn(move || {
            for block in interleaved.chunks(block_len) {
                if stop_flag.load(Ordering::Relaxed) {
                    break;
                }
                producer.push_interleaved(block, |sample| sample);
                if realtime {
                    std::thread::sleep(pause);
                }
            }
        });

        Self {
            source: Source::Replay {
                stop,
                thread: Some(thread),
            },
            consumer,
            failure: Arc::new(Mutex::new(None)),
            samples: Vec::new(),
            sample_rate,
            device: "replay".to_owned(),
        }
    }

    pub fn device(&self) -> &str {
        &self.device
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// RMS level of the latest audio block in dBFS, for a level meter.
    pub fn level_db(&self) -> f32 {
        self.consumer.stats().level_db()
    }

    /// Samples lost so far because the ring was full.
    pub fn dropped_samples(&self) -> u64 {
        self.consumer.stats().dropped_samples()
    }

    /// Seconds of audio collected by the last [`Recorder::poll`].
    pub fn recorded_seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.sample_rate.max(1))
    }

    /// Returns whether a replay source has delivered all its samples.
    pub fn replay_finished(&self) -> bool {
        match &self.source {
            Source::Replay { thread, .. } => thread.as_ref().is_none_or(JoinHandle::is_finished),
            Source::Device(_) => false,
        }
    }

    /// Moves captured samples out of the ring; fails when the device was lost.
    pub fn poll(&mut self) -> Result<(), CaptureError> {
        self.consumer.drain_into(&mut self.samples);
        match self.take_failure() {
            Some(source) => Err(self.lost(source)),
            None => Ok(()),
        }
    }

    /// Stops recording and returns everything captured.
    pub fn stop(mut self) -> Result<Recording, CaptureError> {
        match &mut self.source {
            Source::Device(stream) => {
                if let Err(error) = stream.pause() {
                    tracing::debug!(device = %self.device, %error, "pausing the stream failed; dropping it");
                }
            }
            Source::Replay { stop, thread } => {
                stop.store(true, Ordering::Relaxed);
                if let Some(thread) = thread.take()
                    && thread.join().is_err()
                {
                    tracing::warn!("replay thread panicked");
                }
            }
        }

        self.consumer.drain_into(&mut self.samples);
        if let Some(source) = self.take_failure() {
            return Err(self.lost(source));
        }

        let dropped_samples = self.dropped_samples();
        if dropped_samples > 0 {
            tracing::info!(device = %self.device, dropped_samples, "samples were dropped: the recorder was polled too rarely");
        }
        tracing::info!(device = %self.device, seconds = self.recorded_seconds(), "recording stopped");
        Ok(Recording {
            samples: std::mem::take(&mut self.samples),
            sample_rate: self.sample_rate,
            device: self.device.clone(),
            dropped_samples,
        })
    }

    fn take_failure(&self) -> Option<cpal::Error> {
        match self.failure.lock() {
            Ok(mut failure) => failure.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }

    fn lost(&mut self, source: cpal::Error) -> CaptureError {
        let recording = Recording {
            samples: std::mem::take(&mut self.samples),
            sample_rate: self.sample_rate,
            device: self.device.clone(),
            dropped_samples: self.dropped_samples(),
        };
        tracing::error!(
            device = %self.device,
            error = %source,
            seconds = recording.duration_seconds(),
            "input device lost"
        );
        CaptureError::DeviceLost {
            device: self.device.clone(),
            source,
            seconds: recording.duration_seconds(),
            recording: Box::new(recording),
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Source::Replay { stop, thread } = &mut self.source {
            stop.store(true, Ordering::Relaxed);
            if let Some(thread) = thread.take() {
                let _ = thread.join();
            }
        }
    }
}

fn build_stream<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut producer: CaptureProducer,
    failure: &Arc<Mutex<Option<cpal::Error>>>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let failure = Arc::clone(failure);
    let device_name = device.to_string();

    // Runs on the audio thread: copies into the preallocated ring only.
    let data_callback = move |data: &[T], _: &cpal::InputCallbackInfo| {
        producer.push_interleaved(data, f32::from_sample_);
    };

    // Runs on the audio thread only when something failed, so it may lock.
    // NOTE: no test exercises a device that disappears or denies access,
    // because the test machines have no sound card; which cpal error kinds
    // ALSA, PulseAudio and CoreAudio report for an unplugged device is
    // taken from cpal's documentation.
    let error_callback = move |error: cpal::Error| match error.kind() {
        ErrorKind::Xrun | ErrorKind::RealtimeDenied | ErrorKind::DeviceChanged => {
            tracing::warn!(device = %device_name, %error, "audio stream glitch");
        }
        _ => {
            let mut slot = match failure.lock() {
                Ok(slot) => slot,
                Err(poisoned) => poisoned.into_inner(),
            };
            if slot.is_none() {
                *slot = Some(error);
            }
        }
    };

    device.build_input_stream::<T, _, _>(config, data_callback, error_callback, None)
}

pub(super) fn classify_open_error(device: &str, error: cpal::Error) -> CaptureError {
    let device = device.to_owned();
    match error.kind() {
        ErrorKind::PermissionDenied => CaptureError::PermissionDenied {
            device,
            source: error,
        },
        ErrorKind::DeviceBusy => CaptureError::DeviceBusy {
            device,
            source: error,
        },
        ErrorKind::DeviceNotAvailable | ErrorKind::HostUnavailable => CaptureError::NotAvailable {
            device,
            source: error,
        },
        _ => CaptureError::Open {
            device,
            source: error,
        },
    }
}
