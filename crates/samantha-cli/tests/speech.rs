//! The speech commands run as a user runs them: the real binary on files
//! made with espeak-ng. The Whisper model comes from `SAMANTHA_HOME`
//! (run `samantha setup` first).

use std::path::Path;
use std::process::{Command, Output};

fn samantha(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samantha"))
        .args(args)
        .output()
        .expect("run samantha")
}

fn speak(text: &str, path: &Path) {
    let status = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "160", "-w"])
        .arg(path)
        .arg(text)
        .status()
        .expect("run espeak-ng (apt-get install espeak-ng)");
    assert!(status.success(), "espeak-ng failed");
}

#[test]
fn transcribe_prints_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hello.wav");
    speak("Good morning, how are you today?", &path);

    let output = samantha(&["transcribe", path.to_str().expect("UTF-8 path")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "stderr: {stderr}");
    let text = String::from_utf8_lossy(&output.stdout).to_lowercase();
    assert!(text.contains("morning"), "stdout: {text}");
    assert!(text.contains("how are you"), "stdout: {text}");
}

#[test]
fn transcribe_json_has_language() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hello.wav");
    speak("Please close the door.", &path);

    let output = samantha(&["transcribe", "--json", path.to_str().expect("UTF-8 path")]);
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(value["language"], "en");
    assert!(
        value["text"]
            .as_str()
            .expect("text")
            .to_lowercase()
            .contains("door"),
        "{value}"
    );
}

#[test]
fn transcribe_empty_file_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.wav");
    std::fs::write(&path, b"").expect("write");

    let output = samantha(&["transcribe", path.to_str().expect("UTF-8 path")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("empty.wav"), "stderr: {stderr}");
    assert!(stderr.contains("empty"), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "stdout must stay empty on errors");
}

#[test]
fn transcribe_unknown_model_fails() {
    let output = samantha(&["transcribe", "--whisper", "huge", "missing.wav"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("unknown Whisper model \"huge\""),
        "stderr: {stderr}"
    );
}

#[test]
fn listen_unknown_device_fails() {
    let output = samantha(&["listen", "--device", "no-such-microphone"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("no-such-microphone"), "stderr: {stderr}");
}

/// The target is under 1.5 s for a 4-second utterance with tiny.en on one
/// thread; measured 1.0 s at a load average of 4 and 1.47 s at 6 on two
/// cores. The absolute bound here is looser so that a busy CI machine does
/// not fail the run, and the speed-up over the full 30-second window, which
/// load affects much less, is checked as well.
#[test]
fn bench_speech_meets_latency() {
    let output = samantha(&["bench", "speech", "--runs", "3"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let value_of = |prefix: &str| -> f64 {
        let line = stdout
            .lines()
            .find(|line| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in {stdout}"));
        let number = line[prefix.len()..]
            .split_whitespace()
            .next()
            .expect("a value");
        number.parse().expect("a number")
    };

    let last = stdout.lines().last().expect("output");
    assert!(
        last.starts_with("end_of_speech_to_text_s: "),
        "last line is {last:?}"
    );
    let latency = value_of("end_of_speech_to_text_s: ");
    let speedup = value_of("speedup_vs_full_window: ");
    assert!(
        latency < 3.0,
        "end of speech to text took {latency} s; stdout: {stdout}"
    );
    assert!(
        speedup > 2.5,
        "only {speedup} times faster than the full window; stdout: {stdout}"
    );
}
