//! Decoding of audio files (WAV, FLAC, MP3, Ogg Vorbis) with symphonia into
//! Whisper's input: 16 kHz mono `f32`.

use std::fs::File;
use std::path::{Path, PathBuf};

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, DecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::resample::{self, ResampleError, WHISPER_SAMPLE_RATE};

/// A decoded file before resampling.
#[derive(Debug, Clone)]
pub struct DecodedAudio {
    /// Mono samples (channels averaged).
    pub samples: Vec<f32>,
    pub sample_rate: u32,
    /// Channel count of the file.
    pub channels: usize,
}

impl DecodedAudio {
    pub fn duration_seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.sample_rate.max(1))
    }
}

/// Errors raised while reading an audio file.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("could not open audio file {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("audio file {path} is empty (0 bytes); record or export it again")]
    Empty { path: PathBuf },

    #[error("{path} is not a supported audio file; use WAV, FLAC, MP3 or Ogg Vorbis")]
    Unsupported {
        path: PathBuf,
        #[source]
        source: SymphoniaError,
    },

    #[error("{path} has no audio track; use a file with sound in WAV, FLAC, MP3 or Ogg Vorbis")]
    NoTrack { path: PathBuf },

    #[error(
        "{path} does not state its sample rate; convert it to WAV, for example with `sox {path} out.wav`"
    )]
    NoSampleRate { path: PathBuf },

    #[error(
        "audio file {path} is truncated: its header announces {expected_frames} frames at {sample_rate} Hz \
         but only {decoded_frames} could be decoded; copy or export the file again"
    )]
    Truncated {
        path: PathBuf,
        sample_rate: u32,
        expected_frames: u64,
        decoded_frames: u64,
    },

    #[error("audio file {path} is damaged; copy or export the file again")]
    Corrupt {
        path: PathBuf,
        #[source]
        source: SymphoniaError,
    },

    #[error(
        "audio file {path} is damaged: none of its {packets} packets could be decoded; copy or export the file again"
    )]
    Undecodable { path: PathBuf, packets: usize },

    #[error("audio file {path} could not be converted to 16 kHz")]
    Resample {
        path: PathBuf,
        #[source]
        source: ResampleError,
    },
}

/// Decodes `path` and returns its mono samples at the file's own rate.
pub fn decode_file(path: &Path) -> Result<DecodedAudio, DecodeError> {
    let file = File::open(path).map_err(|source| DecodeError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let length = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    if length == 0 {
        return Err(DecodeError::Empty {
            path: path.to_path_buf(),
        });
    }

    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(extension) = path.extension().and_then(|extension| extension.to_str()) {
        hint.with_extension(extension);
    }

    let unsupported = |source| DecodeError::Unsupported {
        path: path.to_path_buf(),
        source,
    };
    let corrupt = |source| DecodeError::Corrupt {
        path: path.to_path_buf(),
        source,
    };

    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(unsupported)?;
    let mut format = probed.format;

    let track = format
        .tracks()
        .iter()
        .find(|track| track.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| DecodeError::NoTrack {
            path: path.to_path_buf(),
        })?;
    let track_id = track.id;
    let expected_frames = track.codec_params.n_frames;
    let sample_rate = track
        .codec_params
        .sample_rate
        .ok_or_else(|| DecodeError::NoSampleRate {
            path: path.to_path_buf(),
        })?;

    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(unsupported)?;

    let mut interleaved: Vec<f32> = Vec::new();
    let mut channels = track
        .codec_params
        .channels
        .map_or(0, |layout| layout.count());
    let mut buffer: Option<SampleBuffer<f32>> = None;
    let mut damaged_packets = 0_usize;

    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            Err(SymphoniaError::IoError(error))
                if error.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                break;
            }
            Err(error) => return Err(corrupt(error)),
        };
        if packet.track_id() != track_id {
            continue;
        }

        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => decoded,
            Err(SymphoniaError::DecodeError(reason)) => {
                damaged_packets += 1;
                tracing::warn!(path = %path.display(), reason, "skipped a damaged packet");
                continue;
            }
            Err(SymphoniaError::IoError(error))
                if error.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                break;
            }
            Err(error) => return Err(corrupt(error)),
        };

        let spec = *decoded.spec();
        channels = spec.channels.count();
        let needed = decoded.capacity() as u64;
        let sample_buffer = match &mut buffer {
            Some(existing) if existing.capacity() as u64 >= needed * channels as u64 => existing,
            _ => buffer.insert(SampleBuffer::new(needed, spec)),
        };
        sample_buffer.copy_interleaved_ref(decoded);
        interleaved.extend_from_slice(sample_buffer.samples());
    }

    let channels = channels.max(1);
    let decoded_frames = (interleaved.len() / channels) as u64;
    if let Some(expected_frames) = expected_frames {
        // A short final packet or encoder padding can differ by a few
        // milliseconds; anything missing beyond 1 % means lost data.
        let tolerance = expected_frames / 100 + u64::from(sample_rate / 100);
        if decoded_frames + tolerance < expected_frames {
            return Err(DecodeError::Truncated {
                path: path.to_path_buf(),
                sample_rate,
                expected_frames,
                decoded_frames,
            });
        }
    }
    if decoded_frames == 0 && damaged_packets > 0 {
        return Err(DecodeError::Undecodable {
            path: path.to_path_buf(),
            packets: damaged_packets,
        });
    }

    Ok(DecodedAudio {
        samples: resample::downmix(&interleaved, channels),
        sample_rate,
        channels,
    })
}

/// Decodes `path` and resamples it to 16 kHz mono for Whisper.
pub fn load_for_whisper(path: &Path) -> Result<Vec<f32>, DecodeError> {
    let audio = decode_file(path)?;
    tracing::debug!(
        path = %path.display(),
        sample_rate = audio.sample_rate,
        channels = audio.channels,
        seconds = audio.duration_seconds(),
        "decoded audio"
    );
    resample::resample(&audio.samples, audio.sample_rate, WHISPER_SAMPLE_RATE).map_err(|source| {
        DecodeError::Resample {
            path: path.to_path_buf(),
            source,
        }
    })
}
