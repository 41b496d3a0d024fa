//! The language-model commands on the real SmolLM2 model: output, bad
//! input, and replies that survive the process being killed.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use samantha_store::{MessageStatus, Role, Store};

fn samantha(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samantha"))
        .args(args)
        .env("SAMANTHA_LOG", "warn")
        .output()
        .expect("samantha runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn complete_greedy_continues_text() {
    let output = samantha(&["complete", "--raw", "The capital of France is", "--temperature", "0", "--max-tokens", "4", "--backend", "cpu"]);

    assert!(output.status.success(), "{}", stderr(&output));
    // llama.cpp's greedy continuation starts with " Paris." then a blank line.
    assert!(String::from_utf8_lossy(&output.stdout).starts_with(" Paris."), "{:?}", output.stdout);
}

#[test]
fn missing_model_names_setup() {
    let output = samantha(&["complete", "--raw", "hi", "--model", "/nonexistent/model.gguf"]);

    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("/nonexistent/model.gguf"), "{message}");
    assert!(message.contains("samantha setup"), "{message}");
}

#[test]
fn corrupt_model_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.gguf");
    std::fs::write(&path, b"this is not a model at all").unwrap();

    let output = samantha(&["complete", "--raw", "hi", "--model", path.to_str().unwrap(), "--backend", "cpu"]);

    assert!(!output.status.success());
    assert!(stderr(&output).contains("not a GGUF file"), "{}", stderr(&output));
}

#[test]
fn empty_message_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let output = samantha(&["--db", db.to_str().unwrap(), "ask", "   "]);

    assert!(!output.status.success());
    assert!(stderr(&output).contains("empty"), "{}", stderr(&output));
}

#[test]
fn prompt_longer_than_context_is_rejected() {
    let text = "word ".repeat(9000);
    let output = samantha(&["complete", "--raw", &text, "--max-tokens", "4", "--backend", "cpu"]);

    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("context"), "{message}");
    assert!(message.contains("tokens"), "{message}");
}

#[test]
fn ask_saves_the_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let output = samantha(&["--db", db.to_str().unwrap(), "ask", "My sister is called Ana.", "--max-tokens", "16", "--backend", "cpu"]);
    assert!(output.status.success(), "{}", stderr(&output));

    let reply = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let messages = stored_messages(&db);
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].role, Role::User);
    assert_eq!(messages[0].content, "My sister is called Ana.");
    assert_eq!(messages[1].role, Role::Assistant);
    assert_eq!(messages[1].status, MessageStatus::Complete);
    assert_eq!(messages[1].content.trim(), reply);
}

#[test]
fn corrupt_model_keeps_asked_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let model = dir.path().join("corrupt.gguf");
    std::fs::write(&model, b"this is not a model at all").unwrap();
    let text = "My train leaves at nine tomorrow.";

    let output = samantha(&["--db", db.to_str().unwrap(), "ask", text, "--model", model.to_str().unwrap(), "--backend", "cpu"]);

    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains(model.to_str().unwrap()), "{message}");
    assert!(message.contains("not a GGUF file"), "{message}");
    assert!(message.contains("saved in conversation 1"), "{message}");
    assert!(message.contains("samantha history show 1"), "{message}");

    let messages = stored_messages(&db);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].role, Role::User);
    assert_eq!(messages[0].content, text);
}

#[test]
fn ask_reads_message_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let model = dir.path().join("corrupt.gguf");
    std::fs::write(&model, b"not a model").unwrap();
    let text = "A long letter to myself.\n\nIt goes on over several lines. ".repeat(50);

    let mut child = Command::new(env!("CARGO_BIN_EXE_samantha"))
        .args(["--db", db.to_str().unwrap(), "ask", "-", "--model", model.to_str().unwrap(), "--backend", "cpu"])
        .env("SAMANTHA_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("samantha runs");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();

    // The model is corrupt, so no reply comes, but the message read from
    // standard input is saved whole.
    assert!(!output.status.success());
    assert!(stderr(&output).contains("saved in conversation 1"), "{}", stderr(&output));
    let messages = stored_messages(&db);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].content, text);
}

#[test]
fn bad_options_rejected_before_saving() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let cases: [(&[&str], &str); 3] = [
        (&["--top-p", "2"], "top-p must be in (0, 1], got 2"),
        (&["--temperature=-1"], "temperature must be 0 or more, got -1"),
        (&["--max-tokens", "0"], "--max-tokens is 0"),
    ];

    for (options, expected) in cases {
        let mut args = vec!["--db", db.to_str().unwrap(), "ask", "Hello there", "--backend", "cpu"];
        args.extend_from_slice(options);
        let output = samantha(&args);

        assert!(!output.status.success(), "{options:?} was accepted");
        let message = stderr(&output);
        assert!(message.contains(expected), "{options:?}: {message}");
        assert_eq!(message.matches(expected).count(), 1, "{options:?} repeats its message: {message}");
    }
    assert!(!db.exists() || no_conversations(&db), "a rejected request saved a message");
}

fn no_conversations(db: &Path) -> bool {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = Store::open(db).await.expect("database opens");
        store.list_conversations().await.unwrap().is_empty()
    })
}

fn stored_messages(db: &Path) -> Vec<samantha_store::Message> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = Store::open(db).await.expect("database opens and passes its integrity check");
        let conversations = store.list_conversations().await.unwrap();
        assert_eq!(conversations.len(), 1, "one conversation");
        store.messages(conversations[0].conversation.id).await.unwrap()
    })
}

/// Kills `samantha ask` with SIGKILL while the reply streams, many times:
/// the user's message and every fragment committed before the kill must
/// be there afterwards, and the database must pass its integrity check.
#[test]
fn sigkill_mid_reply_keeps_committed_text() {
    let dir = tempfile::tempdir().unwrap();

    for round in 0..20 {
        let db = dir.path().join(format!("kill-{round}.db"));
        let message = format!("Tell me a long story about the sea, part {round}.");
        let mut child = Command::new(env!("CARGO_BIN_EXE_samantha"))
            .args(["--db", db.to_str().unwrap(), "ask", &message, "--max-tokens", "200", "--backend", "cpu"])
            .args(["--seed", &round.to_string()])
            .env("SAMANTHA_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();

        // Wait for some streamed text, then a little more, then kill.
        let mut stdout = child.stdout.take().unwrap();
        let mut shown = Vec::new();
        let mut buffer = [0u8; 256];
        let started = Instant::now();
        while shown.len() < 40 + round * 4 && started.elapsed() < Duration::from_secs(60) {
            match stdout.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(read) => shown.extend_from_slice(&buffer[..read]),
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();

        let messages = stored_messages(&db);
        assert_eq!(messages[0].content, message, "round {round}: user message");
        if let Some(reply) = messages.get(1) {
            assert_eq!(reply.role, Role::Assistant);
            let shown = String::from_utf8_lossy(&shown);
            assert!(
                shown.starts_with(reply.content.as_str()),
                "round {round}: saved reply {:?} is not a prefix of the shown text {shown:?}",
                reply.content
            );
            if reply.status == MessageStatus::Interrupted {
                continue;
            }
            assert_eq!(reply.status, MessageStatus::Complete, "round {round}");
        }
    }
}
