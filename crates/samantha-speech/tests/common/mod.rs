//! Helpers shared by the integration tests: locating installed models and
//! making speech with espeak-ng and sox.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use samantha_models::DataDir;
use samantha_speech::WhisperModel;

/// Returns the models folder of `$SAMANTHA_HOME` (or the default data dir).
pub fn models_dir() -> PathBuf {
    DataDir::resolve().expect("data directory").models()
}

/// Returns the ggml file of `model`, panicking with the setup command when
/// it is missing.
pub fn installed_ggml(model: &WhisperModel) -> PathBuf {
    let models = models_dir();
    match model.locate(&models) {
        Ok(path) => path,
        Err(error) => panic!("{error} (tests read models from SAMANTHA_HOME or the default data directory)"),
    }
}

/// Returns whether the CTranslate2 files of `model` are installed.
pub fn ct2_installed(model: &WhisperModel) -> bool {
    let models = models_dir();
    model.model_parts.iter().all(|part| models.join(part).is_file()) && models.join(model.tokenizer).is_file()
}

/// Runs a command and panics with its standard error when it fails.
pub fn run(program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("could not run {program} ({error}); install espeak-ng and sox"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Speaks `text` with espeak-ng into a WAV file (22050 Hz mono).
pub fn speak(text: &str, voice: &str, words_per_minute: u32, output: &Path) {
    let speed = words_per_minute.to_string();
    let path = output.to_str().expect("UTF-8 path");
    run("espeak-ng", &["-v", voice, "-s", &speed, "-w", path, text]);
}

/// Converts `input` with sox to `output`, whose extension picks the format,
/// at `rate` Hz with `channels` channels.
pub fn sox_convert(input: &Path, output: &Path, rate: u32, channels: u32) {
    let rate = rate.to_string();
    let channels = channels.to_string();
    run(
        "sox",
        &[
            input.to_str().expect("UTF-8 path"),
            "-r",
            &rate,
            "-c",
            &channels,
            output.to_str().expect("UTF-8 path"),
        ],
    );
}
