//! Transcription with whisper.cpp through whisper-rs.
//!
//! Before Whisper runs, voice activity detection ([`crate::vad`]) trims
//! silence and returns no text when there is no speech: Whisper invents
//! phrases such as "Thank you." for silence and noise. After it runs, each
//! segment passes Whisper's own no-speech rule: a segment whose no-speech
//! probability is above [`TranscribeOptions::no_speech_threshold`] while
//! its mean token log-probability is below
//! [`TranscribeOptions::logprob_threshold`] is dropped. A segment whose
//! no-speech probability is above
//! [`TranscribeOptions::certain_no_speech_threshold`] is dropped as well.

use std::path::{Path, PathBuf};
use std::time::Instant;

use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

use crate::decode::{self, DecodeError};
use crate::resample::WHISPER_SAMPLE_RATE;
use crate::vad::{self, VadConfig};

/// Encoder positions per second of audio: whisper.cpp's encoder has 1500
/// positions for 30 s.
const POSITIONS_PER_SECOND: f64 = 50.0;

/// Encoder positions of Whisper's full 30-second window.
pub const FULL_AUDIO_CTX: u32 = 1500;

/// Shortest clip handed to whisper.cpp, in samples: shorter speech is
/// padded with silence to one second, because whisper.cpp 1.8.3 skips input
/// under 100 ms and Whisper was trained on windows longer than a word.
const MIN_SAMPLES: usize = WHISPER_SAMPLE_RATE as usize;

/// How much of Whisper's 30-second encoder window a clip uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioContext {
    /// The whole 30-second window, as Whisper was trained.
    Full,
    /// Only the positions the clip needs plus `padding` positions (20 ms
    /// each), so a short utterance pays for its own length.
    Fit { padding: u32 },
}

/// Decoding strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    Greedy,
    BeamSearch { beam_size: u32 },
}

/// Settings for a [`Transcriber`].
#[derive(Debug, Clone, PartialEq)]
pub struct TranscribeOptions {
    /// Threads whisper.cpp uses.
    pub threads: u32,
    pub audio_context: AudioContext,
    pub decoding: Decoding,
    /// Spoken language as a code such as `en`; `None` detects it with a
    /// multilingual model. English-only models always use `en`.
    pub language: Option<String>,
    /// Whisper's no-speech probability above which a segment may be silence.
    pub no_speech_threshold: f32,
    /// Mean token log-probability below which such a segment is dropped.
    pub logprob_threshold: f32,
    /// No-speech probability above which a segment is dropped whatever its
    /// log-probability. Whisper decodes silence as "you" with a mean token
    /// log-probability just above -1, which the rule above keeps.
    pub certain_no_speech_threshold: f32,
    /// Voice activity detection; `None` hands all audio to Whisper.
    pub vad: Option<VadConfig>,
    /// Whether Whisper emits timestamp tokens and splits the text into
    /// timed segments. Without them the clip is decoded as one segment.
    pub timestamps: bool,
    /// Limit on text tokens per second of speech (plus a fixed 16), which
    /// cuts off the repetition loops Whisper can fall into; 0 means none.
    pub max_tokens_per_second: u32,
    /// whisper.cpp's flash attention kernels; read when the model is
    /// loaded. Off by default: on the benchmark machine's CPU it was not
    /// faster (docs/benchmarks.md).
    pub flash_attention: bool,
}

/// Threads used unless `--threads` sets another count. Measured by
/// `samantha bench speech` on a loaded 2-core machine, where a second
/// whisper.cpp thread only slowed transcription down (see docs/benchmarks.md).
pub const DEFAULT_THREADS: u32 = 1;

/// Padding chosen for [`AudioContext::Fit`] by measurement (docs/benchmarks.md).
pub const DEFAULT_FIT_PADDING: u32 = 256;

/// Beam width chosen by measurement (docs/benchmarks.md).
pub const DEFAULT_BEAM_SIZE: u32 = 5;

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self {
            threads: DEFAULT_THREADS,
            audio_context: AudioContext::Fit {
                padding: DEFAULT_FIT_PADDING,
            },
            decoding: Decoding::BeamSearch {
                beam_size: DEFAULT_BEAM_SIZE,
            },
            language: None,
            no_speech_threshold: 0.6,
            logprob_threshold: -1.0,
            // Silence scored 0.99 and the espeak-ng test sentences at most
            // 0.45 with tiny.en.
            certain_no_speech_threshold: 0.9,
            vad: Some(VadConfig::default()),
            timestamps: false,
            max_tokens_per_second: 10,
            flash_attention: false,
        }
    }
}

/// One piece of recognized text with its time span in seconds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Segment {
    pub start_s: f64,
    pub end_s: f64,
    pub text: String,
    pub no_speech_probability: f32,
    pub mean_logprob: f32,
}

/// Result of a transcription.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Transcript {
    /// The recognized text, trimmed; empty when there was no speech.
    pub text: String,
    /// Language code (detected with a multilingual model, `en` otherwise);
    /// `None` when Whisper did not run.
    pub language: Option<String>,
    pub segments: Vec<Segment>,
    /// Length of the audio given, in seconds.
    pub audio_seconds: f64,
    /// Length of the speech handed to Whisper after trimming, in seconds.
    pub speech_seconds: f64,
    /// Wall time spent in whisper.cpp, in seconds.
    pub whisper_seconds: f64,
}

/// Errors raised while loading a model or transcribing.
#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    #[error(
        "could not load Whisper model {path}: whisper.cpp rejected it; \
         delete it and run `samantha setup` to convert it again"
    )]
    Load {
        path: PathBuf,
        #[source]
        source: whisper_rs::WhisperError,
    },

    #[error("Whisper model {path} does not exist; run `samantha setup` to install it")]
    MissingModel { path: PathBuf },

    #[error("invalid thread count {threads}: use at least 1")]
    InvalidThreads { threads: u32 },

    #[error(
        "language {language:?} is not one Whisper knows; use a code such as en, de or fr, or leave it out to detect it"
    )]
    UnknownLanguage { language: String },

    #[error(
        "model {path} is English-only and cannot transcribe language {language:?}; \
         use a multilingual model such as `--whisper base` (install it with `samantha setup --with whisper-base`)"
    )]
    EnglishOnly { path: PathBuf, language: String },

    #[error(transparent)]
    Decode(#[from] DecodeError),

    #[error("whisper.cpp failed on {seconds:.1} s of audio with model {path}")]
    Whisper {
        path: PathBuf,
        seconds: f64,
        #[source]
        source: whisper_rs::WhisperError,
    },
}

/// A loaded Whisper model with its decoding state.
pub struct Transcriber {
    // The state borrows the model inside the context's shared pointer, so
    // it is declared first and dropped first.
    state: WhisperState,
    context: WhisperContext,
    model_path: PathBuf,
    options: TranscribeOptions,
}

impl std::fmt::Debug for Transcriber {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Transcriber")
            .field("model_path", &self.model_path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Transcriber {
    /// Loads the ggml model at `model_path`.
    pub fn load(model_path: &Path, options: TranscribeOptions) -> Result<Self, TranscribeError> {
        if options.threads == 0 {
            return Err(TranscribeError::InvalidThreads { threads: 0 });
        }
        if !model_path.is_file() {
            return Err(TranscribeError::MissingModel {
                path: model_path.to_path_buf(),
            });
        }
        whisper_rs::install_logging_hooks();

        let load_error = |source| TranscribeError::Load {
            path: model_path.to_path_buf(),
            source,
        };
        let mut parameters = WhisperContextParameters::default();
        parameters.use_gpu(false);
        parameters.flash_attn(options.flash_attention);
        let context =
            WhisperContext::new_with_params(model_path, parameters).map_err(load_error)?;
        let state = context.create_state().map_err(load_error)?;

        if let Some(language) = &options.language {
            if whisper_rs::get_lang_id(language).is_none() {
                return Err(TranscribeError::UnknownLanguage {
                    language: language.clone(),
                });
            }
            if !context.is_multilingual() && language != "en" {
                return Err(TranscribeError::EnglishOnly {
                    path: model_path.to_path_buf(),
                    language: language.clone(),
                });
            }
        }

        tracing::info!(
            path = %model_path.display(),
            multilingual = context.is_multilingual(),
            threads = options.threads,
            "loaded Whisper model"
        );
        Ok(Self {
            state,
            context,
            model_path: model_path.to_path_buf(),
            options,
        })
    }

    pub fn options(&self) -> &TranscribeOptions {
        &self.options
    }

    /// Changes the settings used by later calls.
    pub fn set_options(&mut self, options: TranscribeOptions) -> Result<(), TranscribeError> {
        if options.threads == 0 {
            return Err(TranscribeError::InvalidThreads { threads: 0 });
        }
        self.options = options;
        Ok(())
    }

    pub fn is_multilingual(&self) -> bool {
        self.context.is_multilingual()
    }

    /// Decodes an audio file (any rate and channel count) and transcribes it.
    pub fn transcribe_file(&mut self, path: &Path) -> Result<Transcript, TranscribeError> {
        let samples = decode::load_for_whisper(path)?;
        self.transcribe(&samples)
    }

    /// Transcribes 16 kHz mono samples.
    pub fn transcribe(&mut self, samples: &[f32]) -> Result<Transcript, TranscribeError> {
        let audio_seconds = samples.len() as f64 / f64::from(WHISPER_SAMPLE_RATE);

        let mut offset = 0;
        let speech: &[f32] = match &self.options.vad {
            Some(config) => {
                let activity = vad::detect(samples, WHISPER_SAMPLE_RATE, config);
                tracing::debug!(
                    voiced_ms = activity.voiced_ms,
                    noise_floor_db = activity.noise_floor_db,
                    "voice activity"
                );
                match activity.speech {
                    Some(range) => {
                        offset = range.start;
                        &samples[range]
                    }
                    None => {
                        tracing::info!(audio_seconds, "no speech detected; Whisper not run");
                        return Ok(Transcript {
                            text: String::new(),
                            language: None,
                            segments: Vec::new(),
                            audio_seconds,
                            speech_seconds: 0.0,
                            whisper_seconds: 0.0,
                        });
                    }
                }
            }
            None => samples,
        };

        let mut padded;
        let input = if speech.len() < MIN_SAMPLES {
            padded = speech.to_vec();
            padded.resize(MIN_SAMPLES, 0.0);
            padded.as_slice()
        } else {
            speech
        };
        let speech_seconds = input.len() as f64 / f64::from(WHISPER_SAMPLE_RATE);

        let started = Instant::now();
        self.run_whisper(input, speech_seconds)?;
        let no_speech = self.no_speech_at_start_of_transcript(speech_seconds)?;
        let whisper_seconds = started.elapsed().as_secs_f64();

        let offset_seconds = offset as f64 / f64::from(WHISPER_SAMPLE_RATE);
        let span =
            offset_seconds..offset_seconds + speech.len() as f64 / f64::from(WHISPER_SAMPLE_RATE);
        let (segments, language) = self.collect_segments(span, no_speech)?;
        let joined = segments
            .iter()
            .map(|segment| segment.text.trim())
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let text = collapse_repeated_sentences(&joined);

        tracing::info!(
            audio_seconds,
            speech_seconds,
            whisper_seconds,
            ?language,
            "transcribed"
        );
        Ok(Transcript {
            text,
            language,
            segments,
            audio_seconds,
            speech_seconds,
            whisper_seconds,
        })
    }

    fn run_whisper(&mut self, input: &[f32], seconds: f64) -> Result<(), TranscribeError> {
        let strategy = match self.options.decoding {
            Decoding::Greedy => SamplingStrategy::Greedy { best_of: 1 },
            Decoding::BeamSearch { beam_size } => SamplingStrategy::BeamSearch {
                beam_size: beam_size.max(1) as i32,
                patience: -1.0,
            },
        };

        let mut params = FullParams::new(strategy);
        params.set_n_threads(self.options.threads as i32);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_no_context(true);
        params.set_suppress_nst(true);
        params.set_no_speech_thold(self.options.no_speech_threshold);
        params.set_logprob_thold(self.options.logprob_threshold);

        let language = if self.context.is_multilingual() {
            self.options.language.as_deref()
        } else {
            Some("en")
        };
        params.set_language(language);

        if !self.options.timestamps {
            params.set_no_timestamps(true);
            params.set_single_segment(true);
        }
        if self.options.max_tokens_per_second > 0 {
            let limit =
                (seconds * f64::from(self.options.max_tokens_per_second)).ceil() as i32 + 16;
            params.set_max_tokens(limit);
        }

        if let AudioContext::Fit { padding } = self.options.audio_context {
            let needed = (seconds * POSITIONS_PER_SECOND).ceil() as u32 + padding;
            if needed < FULL_AUDIO_CTX {
                params.set_audio_ctx(needed as i32);
            }
        }

        // A fresh state per call: whisper.cpp seeds the random generator of
        // its temperature fallback once per state, so a reused state makes
        // the text depend on earlier calls.
        self.state = self
            .context
            .create_state()
            .map_err(|source| TranscribeError::Whisper {
                path: self.model_path.clone(),
                seconds,
                source,
            })?;
        self.state
            .full(params, input)
            .map_err(|source| TranscribeError::Whisper {
                path: self.model_path.clone(),
                seconds,
                source,
            })
    }

    /// Returns the probability of the no-speech token right after
    /// `<|startoftranscript|>`, where Whisper was trained to predict it.
    ///
    /// whisper.cpp 1.8.3 reads it from the last prompt token instead; without
    /// timestamps that token is `<|notimestamps|>`, after which the no-speech
    /// token is never likely. So the decoder is run once more on the start
    /// token alone, against the encoder output of the last window.
    /// NOTE: for audio longer than one 30-second window this measures the
    /// last window only.
    fn no_speech_at_start_of_transcript(&mut self, seconds: f64) -> Result<f32, TranscribeError> {
        let failure = |source| TranscribeError::Whisper {
            path: self.model_path.clone(),
            seconds,
            source,
        };
        let start = self.context.token_sot();
        self.state
            .decode(&[start], 0, self.options.threads as usize)
            .map_err(failure)?;
        let logits = self.state.get_logits().map_err(failure)?;

        let no_speech = self.context.token_nosp() as usize;
        let Some(&no_speech_logit) = logits.get(no_speech) else {
            return Ok(0.0);
        };
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = logits.iter().map(|logit| (logit - max).exp()).sum();
        Ok((no_speech_logit - max).exp() / sum)
    }

    /// Reads the segments of the last run. `span` is the part of the input
    /// audio (in seconds) that Whisper saw, so the times refer to the input.
    fn collect_segments(
        &self,
        span: std::ops::Range<f64>,
        no_speech: f32,
    ) -> Result<(Vec<Segment>, Option<String>), TranscribeError> {
        let language =
            whisper_rs::get_lang_str(self.state.full_lang_id_from_state()).map(str::to_owned);
        let end_of_text = self.context.token_eot();

        let mut segments = Vec::new();
        for segment in self.state.as_iter() {
            let mut logprob_sum = 0.0_f32;
            let mut token_count = 0_u32;
            for index in 0..segment.n_tokens() {
                if let Some(token) = segment.get_token(index) {
                    let data = token.token_data();
                    if data.id < end_of_text {
                        logprob_sum += data.plog;
                        token_count += 1;
                    }
                }
            }
            let mean_logprob = if token_count == 0 {
                0.0
            } else {
                logprob_sum / token_count as f32
            };
            let no_speech_probability = segment.no_speech_probability().max(no_speech);
            let text = segment
                .to_str_lossy()
                .map_err(|source| TranscribeError::Whisper {
                    path: self.model_path.clone(),
                    seconds: 0.0,
                    source,
                })?;

            let silent = (no_speech_probability > self.options.no_speech_threshold
                && mean_logprob < self.options.logprob_threshold)
                || no_speech_probability > self.options.certain_no_speech_threshold;
            if silent {
                tracing::info!(no_speech_probability, mean_logprob, text = %text, "dropped a segment without speech");
                continue;
            }

            // whisper.cpp reports times in units of 10 ms.
            segments.push(Segment {
                start_s: (span.start + segment.start_timestamp() as f64 / 100.0).min(span.end),
                end_s: (span.start + segment.end_timestamp() as f64 / 100.0).min(span.end),
                text: collapse_repeated_sentences(text.trim()),
                no_speech_probability,
                mean_logprob,
            });
        }
        Ok((segments, language))
    }
}

/// Removes a sentence that repeats the one before it word for word (case
/// and punctuation aside). Whisper sometimes loops and decodes a short
/// utterance twice when the window has silence after the speech.
pub fn collapse_repeated_sentences(text: &str) -> String {
    let mut sentences: Vec<&str> = Vec::new();
    let mut start = 0;
    for (index, character) in text.char_indices() {
        if matches!(character, '.' | '?' | '!') {
            let end = index + character.len_utf8();
            sentences.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        sentences.push(&text[start..]);
    }

    let mut kept: Vec<&str> = Vec::with_capacity(sentences.len());
    for sentence in sentences {
        let words = crate::wer::normalize_words(sentence);
        let repeats = kept.last().is_some_and(|previous| {
            words.len() >= 3 && crate::wer::normalize_words(previous) == words
        });
        if repeats {
            tracing::debug!(sentence, "dropped a repeated sentence");
            continue;
        }
        kept.push(sentence);
    }
    kept.iter()
        .map(|sentence| sentence.trim())
        .filter(|sentence| !sentence.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::collapse_repeated_sentences;

    #[test]
    fn collapse_drops_immediate_repeat() {
        let text = "I would like a cup of coffee. I would like a cup of coffee.";
        assert_eq!(
            collapse_repeated_sentences(text),
            "I would like a cup of coffee."
        );
    }

    #[test]
    fn collapse_keeps_distinct_sentences() {
        let text = "Hello there. How are you? Fine, thanks!";
        assert_eq!(collapse_repeated_sentences(text), text);
    }

    #[test]
    fn collapse_keeps_short_repeats() {
        assert_eq!(collapse_repeated_sentences("No. No."), "No. No.");
    }

    #[test]
    fn collapse_handles_text_without_punctuation() {
        assert_eq!(
            collapse_repeated_sentences("turn on the light"),
            "turn on the light"
        );
    }
}
