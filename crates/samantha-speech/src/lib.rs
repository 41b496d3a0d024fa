//! Speech input for Samantha: Whisper model conversion, audio decoding,
//! microphone capture and transcription with whisper.cpp.

pub mod bench;
pub mod capture;
pub mod convert;
pub mod decode;
pub mod models;
pub mod resample;
pub mod transcribe;
pub mod vad;
pub mod wer;

pub use capture::{
    CaptureError, InputDeviceInfo, Recorder, RecorderConfig, Recording, list_input_devices,
};
pub use decode::DecodeError;
pub use models::{
    DEFAULT_MODEL, GgmlStatus, ModelError, WHISPER_MODELS, WhisperModel, find_whisper_model,
};
pub use transcribe::{
    AudioContext, Decoding, Segment, TranscribeError, TranscribeOptions, Transcriber, Transcript,
};
