//! `samantha emotion` as a user runs it, with the real encoder from
//! `$SAMANTHA_HOME` (or the default data directory) and the committed assets.

use std::process::Command;

fn samantha(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_samantha"))
        .args(args)
        .output()
        .expect("failed to run samantha")
}

#[test]
fn json_output_is_one_object() {
    let output = samantha(&["emotion", "--json", "I just got the job I wanted, I'm so happy!"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");

    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let object = value.as_object().unwrap();
    assert_eq!(object.len(), 2, "{stdout}");
    assert!(object["label"].is_string(), "{stdout}");
    assert_eq!(object["scores"].as_object().unwrap().len(), 7, "{stdout}");
}

#[test]
fn empty_text_is_neutral() {
    let output = samantha(&["emotion", "--json", ""]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["label"], "neutral");
}

#[test]
fn missing_encoder_says_run_setup() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent");
    let output = samantha(&["emotion", "--encoder", missing.to_str().unwrap(), "hello"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("samantha setup"), "{stderr}");
}
