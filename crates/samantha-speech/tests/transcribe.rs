//! Transcription of espeak-ng speech, silence, noise and broken files.
//!
//! The audio is made at test time with espeak-ng and sox in a temporary
//! folder; the models come from `SAMANTHA_HOME` (run `samantha setup`).

mod common;

use std::path::Path;
use std::process::Command;

use samantha_speech::bench::{self, Utterance};
use samantha_speech::models::{BASE, TINY_EN};
use samantha_speech::wer::corpus_word_error_rate;
use samantha_speech::{DecodeError, TranscribeError, TranscribeOptions, Transcriber};

fn load(model: &samantha_speech::WhisperModel, options: TranscribeOptions) -> Transcriber {
    Transcriber::load(&common::installed_ggml(model), options).expect("load model")
}

fn corpus_wer(transcriber: &mut Transcriber, utterances: &[Utterance]) -> f64 {
    let mut hypotheses = Vec::new();
    for utterance in utterances {
        let transcript = transcriber
            .transcribe_file(&utterance.path)
            .expect("transcribe");
        eprintln!(
            "{:?} -> {:?} {:?}",
            utterance.text,
            transcript.text,
            transcript
                .segments
                .iter()
                .map(|segment| (segment.no_speech_probability, segment.mean_logprob))
                .collect::<Vec<_>>()
        );
        hypotheses.push(transcript.text);
    }
    corpus_word_error_rate(
        utterances
            .iter()
            .map(|u| u.text)
            .zip(hypotheses.iter().map(String::as_str)),
    )
}

fn sox(args: &[&str]) {
    let output = Command::new("sox")
        .args(args)
        .output()
        .expect("run sox (apt-get install sox)");
    assert!(
        output.status.success(),
        "sox {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn tiny_en_word_error_rate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let utterances = bench::synthesize_corpus(dir.path(), bench::CorpusStyle::Mixed)
        .expect("espeak-ng and sox make the corpus");
    assert!(
        utterances.len() >= 20,
        "corpus has {} sentences",
        utterances.len()
    );

    let mut transcriber = load(&TINY_EN, TranscribeOptions::default());
    let wer = corpus_word_error_rate_report("tiny.en", &mut transcriber, &utterances);
    assert!(
        wer <= 0.15,
        "tiny.en word error rate {wer:.3} is above 0.15"
    );
}

#[test]
fn base_word_error_rate() {
    if !common::models_dir().join(BASE.ggml_file).is_file() {
        eprintln!(
            "skipped: whisper-base is optional and not installed (`samantha setup --with whisper-base`)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let utterances = bench::synthesize_corpus(dir.path(), bench::CorpusStyle::Mixed)
        .expect("espeak-ng and sox make the corpus");

    let options = TranscribeOptions {
        language: Some("en".to_owned()),
        ..TranscribeOptions::default()
    };
    let mut transcriber = load(&BASE, options);
    let wer = corpus_word_error_rate_report("base", &mut transcriber, &utterances);
    assert!(wer <= 0.20, "base word error rate {wer:.3} is above 0.20");
}

fn corpus_word_error_rate_report(
    name: &str,
    transcriber: &mut Transcriber,
    utterances: &[Utterance],
) -> f64 {
    let wer = corpus_wer(transcriber, utterances);
    eprintln!(
        "{name}: word error rate {wer:.3} over {} sentences",
        utterances.len()
    );
    wer
}

#[test]
fn base_detects_german() {
    if !common::models_dir().join(BASE.ggml_file).is_file() {
        eprintln!(
            "skipped: whisper-base is optional and not installed (`samantha setup --with whisper-base`)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("german.wav");
    bench::speak(
        "Guten Morgen, wie geht es dir heute? Ich gehe jetzt einkaufen.",
        "de",
        150,
        &path,
    )
    .expect("espeak-ng");

    let mut transcriber = load(&BASE, TranscribeOptions::default());
    let transcript = transcriber.transcribe_file(&path).expect("transcribe");
    assert_eq!(
        transcript.language.as_deref(),
        Some("de"),
        "text {:?}",
        transcript.text
    );
    assert!(
        transcript.text.to_lowercase().contains("morgen"),
        "text {:?}",
        transcript.text
    );
}

#[test]
fn tiny_en_reports_english() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hello.wav");
    bench::speak("Hello, how are you today?", "en-us", 160, &path).expect("espeak-ng");

    let mut transcriber = load(&TINY_EN, TranscribeOptions::default());
    let transcript = transcriber.transcribe_file(&path).expect("transcribe");
    assert_eq!(transcript.language.as_deref(), Some("en"));
    assert!(
        transcript.text.to_lowercase().contains("how are you"),
        "text {:?}",
        transcript.text
    );
}

fn assert_no_text(transcriber: &mut Transcriber, path: &Path) {
    let transcript = transcriber.transcribe_file(path).expect("transcribe");
    assert_eq!(transcript.text, "", "{} gave text", path.display());
    assert!(
        transcript.segments.is_empty(),
        "{} gave segments",
        path.display()
    );
}

#[test]
fn silence_and_noise_give_no_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let silence = dir.path().join("silence.wav");
    let white = dir.path().join("white.flac");
    let pink = dir.path().join("pink.wav");
    let brown = dir.path().join("brown.mp3");
    let hum = dir.path().join("hum.ogg");
    sox(&[
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        silence.to_str().unwrap(),
        "trim",
        "0",
        "5",
    ]);
    sox(&[
        "-n",
        "-r",
        "44100",
        "-c",
        "2",
        white.to_str().unwrap(),
        "synth",
        "4",
        "whitenoise",
        "vol",
        "0.3",
    ]);
    sox(&[
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        pink.to_str().unwrap(),
        "synth",
        "4",
        "pinknoise",
        "vol",
        "0.5",
    ]);
    sox(&[
        "-n",
        "-r",
        "48000",
        "-c",
        "1",
        brown.to_str().unwrap(),
        "synth",
        "4",
        "brownnoise",
        "vol",
        "0.5",
    ]);
    sox(&[
        "-n",
        "-r",
        "22050",
        "-c",
        "1",
        hum.to_str().unwrap(),
        "synth",
        "4",
        "sine",
        "100",
        "vol",
        "0.2",
    ]);

    let mut transcriber = load(&TINY_EN, TranscribeOptions::default());
    for path in [&silence, &white, &pink, &brown, &hum] {
        assert_no_text(&mut transcriber, path);
    }
}

#[test]
fn speech_after_silence_is_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spoken = dir.path().join("spoken.wav");
    bench::speak("Please open the door.", "en-us", 160, &spoken).expect("espeak-ng");
    let padded = dir.path().join("padded.wav");
    sox(&[
        spoken.to_str().unwrap(),
        padded.to_str().unwrap(),
        "pad",
        "3",
        "4",
    ]);

    let mut transcriber = load(&TINY_EN, TranscribeOptions::default());
    let transcript = transcriber.transcribe_file(&padded).expect("transcribe");
    assert!(
        transcript.text.to_lowercase().contains("door"),
        "text {:?}",
        transcript.text
    );
    assert!(
        transcript.speech_seconds < 3.0,
        "speech of {} s was not trimmed",
        transcript.speech_seconds
    );
}

#[test]
fn empty_file_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.wav");
    std::fs::write(&path, b"").expect("write");

    let mut transcriber = load(&TINY_EN, TranscribeOptions::default());
    let error = transcriber.transcribe_file(&path).expect_err("empty file");
    assert!(
        matches!(error, TranscribeError::Decode(DecodeError::Empty { .. })),
        "{error}"
    );
    assert!(error.to_string().contains("empty.wav"), "{error}");
}

#[test]
fn truncated_file_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let full = dir.path().join("full.wav");
    bench::speak("This sentence will be cut in half.", "en-us", 160, &full).expect("espeak-ng");
    let bytes = std::fs::read(&full).expect("read");
    let truncated = dir.path().join("truncated.wav");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");

    let mut transcriber = load(&TINY_EN, TranscribeOptions::default());
    let error = transcriber
        .transcribe_file(&truncated)
        .expect_err("truncated file");
    assert!(
        matches!(
            error,
            TranscribeError::Decode(DecodeError::Truncated { .. })
        ),
        "{error}"
    );
    assert!(error.to_string().contains("truncated.wav"), "{error}");
}

#[test]
fn text_file_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.wav");
    std::fs::write(&path, "this is a shopping list, not audio\n".repeat(50)).expect("write");

    let mut transcriber = load(&TINY_EN, TranscribeOptions::default());
    let error = transcriber.transcribe_file(&path).expect_err("text file");
    assert!(
        matches!(
            error,
            TranscribeError::Decode(DecodeError::Unsupported { .. })
        ),
        "{error}"
    );
    assert!(error.to_string().contains("notes.wav"), "{error}");
}

#[test]
fn missing_file_is_an_error() {
    let mut transcriber = load(&TINY_EN, TranscribeOptions::default());
    let error = transcriber
        .transcribe_file(Path::new("no-such-recording.wav"))
        .expect_err("missing file");
    assert!(
        matches!(error, TranscribeError::Decode(DecodeError::Open { .. })),
        "{error}"
    );
}

#[test]
fn english_only_model_rejects_german() {
    let options = TranscribeOptions {
        language: Some("de".to_owned()),
        ..TranscribeOptions::default()
    };
    let error = Transcriber::load(&common::installed_ggml(&TINY_EN), options)
        .expect_err("tiny.en is English-only");
    assert!(
        matches!(error, TranscribeError::EnglishOnly { .. }),
        "{error}"
    );
}

#[test]
fn no_speech_gate_without_vad() {
    let dir = tempfile::tempdir().expect("temp dir");
    let silence = dir.path().join("silence.wav");
    let white = dir.path().join("white.wav");
    sox(&[
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        silence.to_str().unwrap(),
        "trim",
        "0",
        "4",
    ]);
    sox(&[
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        white.to_str().unwrap(),
        "synth",
        "4",
        "whitenoise",
        "vol",
        "0.3",
    ]);

    // Whisper alone, with only its no-speech rule after decoding.
    let options = TranscribeOptions {
        vad: None,
        ..TranscribeOptions::default()
    };
    let mut transcriber = load(&TINY_EN, options);
    for path in [&silence, &white] {
        let transcript = transcriber.transcribe_file(path).expect("transcribe");
        eprintln!(
            "{} -> {:?} {:?}",
            path.display(),
            transcript.text,
            transcript.segments
        );
        assert_eq!(transcript.text, "", "{} gave text", path.display());
    }
}
