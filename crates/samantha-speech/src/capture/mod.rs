//! Microphone capture: device listing, push-to-talk recording through cpal
//! and the recording it returns.
//!
//! Samples travel from the audio callback to the [`Recorder`] through the
//! lock-free ring in [`ring`]. The recorder drains the ring into a growing
//! buffer whenever its owner calls [`Recorder::poll`] or [`Recorder::stop`].

mod device;
mod recorder;
pub mod ring;

use std::path::{Path, PathBuf};

pub use device::{InputDeviceInfo, list_input_devices, resolve_input_device};
pub use recorder::{Recorder, RecorderConfig};

use crate::resample::{self, ResampleError, WHISPER_SAMPLE_RATE};

/// Mono audio recorded from a device.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
    /// Name of the device it came from.
    pub device: String,
    /// Samples lost because the recorder fell behind the device.
    pub dropped_samples: u64,
}

impl Recording {
    pub fn duration_seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.sample_rate.max(1))
    }

    /// Resamples the recording to Whisper's 16 kHz.
    pub fn to_whisper_input(&self) -> Result<Vec<f32>, ResampleError> {
        resample::resample(&self.samples, self.sample_rate, WHISPER_SAMPLE_RATE)
    }

    /// Writes the recording as a 16-bit PCM WAV file.
    pub fn write_wav(&self, path: &Path) -> Result<(), CaptureError> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: self.sample_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let wav_error = |source| CaptureError::WriteWav {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|source| wav_error(hound::Error::IoError(source)))?;
        }
        let mut writer = hound::WavWriter::create(path, spec).map_err(wav_error)?;
        for sample in &self.samples {
            let value = (sample.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16;
            writer.write_sample(value).map_err(wav_error)?;
        }
        writer.finalize().map_err(wav_error)
    }
}

/// Errors raised while listing devices or recording.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error(
        "no microphone found: the audio system reports no input device; connect a microphone, \
         or check that ALSA, PulseAudio or PipeWire is running"
    )]
    NoDevice,

    #[error("no input device named {name:?}; available devices: {available}")]
    DeviceNotFound { name: String, available: String },

    #[error(
        "access to microphone {device:?} was denied; allow microphone access for this program \
         (on Linux, add your user to the `audio` group and log in again)"
    )]
    PermissionDenied {
        device: String,
        #[source]
        source: cpal::Error,
    },

    #[error("microphone {device:?} is busy; close the other program that uses it and try again")]
    DeviceBusy {
        device: String,
        #[source]
        source: cpal::Error,
    },

    #[error(
        "microphone {device:?} is not available; connect a microphone or pick another device \
         with --device (`samantha listen --list-devices` lists them)"
    )]
    NotAvailable {
        device: String,
        #[source]
        source: cpal::Error,
    },

    #[error("could not open microphone {device:?}; pick another device with --device")]
    Open {
        device: String,
        #[source]
        source: cpal::Error,
    },

    #[error(
        "microphone {device:?} delivers samples as {format}, which the recorder does not read; pick another device with --device"
    )]
    UnsupportedFormat { device: String, format: String },

    #[error("could not list audio devices")]
    Host {
        #[source]
        source: cpal::Error,
    },

    #[error(
        "microphone {device:?} was lost during recording; {seconds:.1} s recorded before that \
         are kept. Reconnect the device and record again"
    )]
    DeviceLost {
        device: String,
        #[source]
        source: cpal::Error,
        seconds: f64,
        /// Audio captured before the device went away.
        recording: Box<Recording>,
    },

    #[error("could not write recording {path}")]
    WriteWav {
        path: PathBuf,
        #[source]
        source: hound::Error,
    },
}

impl CaptureError {
    /// Returns the audio recorded before a failure, when there is any.
    pub fn recording(&self) -> Option<&Recording> {
        match self {
            Self::DeviceLost { recording, .. } if !recording.samples.is_empty() => Some(recording),
            _ => None,
        }
    }
}
