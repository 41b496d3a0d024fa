//! `ask`, `prompt`, `write`, `drafts` and `persona` on the real models and a
//! temporary database.

use std::path::Path;
use std::process::{Command, Output};

fn samantha(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samantha"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SAMANTHA_LOG", "warn")
        .output()
        .expect("samantha runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn told_fact_reaches_new_prompt() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("samantha.db");

    let told = samantha(&db, &["ask", "I work night shifts at the hospital.", "--max-tokens", "16", "--backend", "cpu"]);
    assert!(told.status.success(), "{}", stderr(&told));
    assert!(!stdout(&told).trim().is_empty());

    let memories = samantha(&db, &["memory", "list"]);
    assert!(stdout(&memories).contains("night shifts"), "{}", stdout(&memories));

    let prompt = samantha(&db, &["prompt", "How should I sleep after work?", "--backend", "cpu"]);
    assert!(prompt.status.success(), "{}", stderr(&prompt));
    let text = stdout(&prompt);
    assert!(text.contains("The user works night shifts at the hospital."), "{text}");
    assert!(text.contains("How should I sleep after work?"), "{text}");
}

#[test]
fn persona_edit_changes_prompt() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("samantha.db");

    let set = samantha(&db, &["persona", "set", "--name", "Juniper", "--text", "You are {name}, who loves gardens."]);
    assert!(set.status.success(), "{}", stderr(&set));

    let prompt = samantha(&db, &["prompt", "Hello there.", "--backend", "cpu"]);
    assert!(stdout(&prompt).contains("You are Juniper, who loves gardens."), "{}", stdout(&prompt));

    let empty = samantha(&db, &["persona", "set", "--text", "  "]);
    assert!(!empty.status.success());
    assert!(stderr(&empty).contains("persona text is empty"), "{}", stderr(&empty));

    let reset = samantha(&db, &["persona", "reset"]);
    assert!(reset.status.success(), "{}", stderr(&reset));
    let shown = samantha(&db, &["persona", "show"]);
    assert!(stdout(&shown).contains("name: Samantha"), "{}", stdout(&shown));
}

#[test]
fn poem_saved_listed_exported() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("samantha.db");

    let poem = samantha(&db, &["write", "poem", "the sea at night", "--backend", "cpu"]);
    assert!(poem.status.success(), "{}", stderr(&poem));
    assert!(!stdout(&poem).trim().is_empty());
    assert!(stderr(&poem).contains("saved as draft 1 version 1"), "{}", stderr(&poem));

    let shorter = samantha(&db, &["write", "rewrite", "--draft", "1", "--style", "shorter", "--backend", "cpu"]);
    assert!(shorter.status.success(), "{}", stderr(&shorter));
    assert!(stderr(&shorter).contains("saved as draft 1 version 2"), "{}", stderr(&shorter));

    let no_source = samantha(&db, &["write", "continue", "--backend", "cpu"]);
    assert!(!no_source.status.success());
    assert!(stderr(&no_source).contains("draft id"), "{}", stderr(&no_source));

    let list = samantha(&db, &["drafts", "list"]);
    assert!(stdout(&list).contains("the sea at night"), "{}", stdout(&list));
    assert!(stdout(&list).contains("v2"), "{}", stdout(&list));

    let out = dir.path().join("poem.md");
    let export = samantha(&db, &["drafts", "export", "1", "--out", out.to_str().expect("path")]);
    assert!(export.status.success(), "{}", stderr(&export));
    let markdown = std::fs::read_to_string(&out).expect("exported file");
    assert!(markdown.contains("the sea at night"), "{markdown}");

    let missing = samantha(&db, &["drafts", "show", "99"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("99"), "{}", stderr(&missing));
}

#[test]
fn missing_draft_suggests_list() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("samantha.db");

    for command in ["show", "export"] {
        let output = samantha(&db, &["drafts", command, "999"]);
        assert_eq!(output.status.code(), Some(1), "drafts {command}: {}", stderr(&output));
        assert!(stderr(&output).contains("draft 999 not found"), "drafts {command}: {}", stderr(&output));
        assert!(stderr(&output).contains("`samantha drafts list`"), "drafts {command}: {}", stderr(&output));
    }
}

#[test]
fn persona_set_needs_an_option() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("samantha.db");

    let output = samantha(&db, &["persona", "set"]);

    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("--name"), "{message}");
    assert!(message.contains("--text"), "{message}");
    assert!(message.contains("--file"), "{message}");
    assert!(!message.contains("persona saved"), "{message}");
}
