//! `samantha history` and `samantha memory` run as a user runs them: the
//! real binary, a temporary SAMANTHA_HOME, files written by the test.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("create a temporary SAMANTHA_HOME"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn database(&self) -> PathBuf {
        self.dir.path().join("samantha.db")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_samantha"));
        command
            .args(args)
            .env("SAMANTHA_HOME", self.dir.path())
            .env_remove("SAMANTHA_LOG");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run samantha")
    }

    fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start samantha");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait for samantha")
    }

    /// Runs a command whose standard output is a pipe that its reader has
    /// already closed, as `| head -1` leaves it once it has read a line.
    fn run_into_closed_pipe(&self, args: &[&str]) -> Output {
        let (reader, writer) = std::io::pipe().expect("create a pipe");
        drop(reader);
        self.command(args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .spawn()
            .expect("start samantha")
            .wait_with_output()
            .expect("wait for samantha")
    }

    /// Runs a command that must succeed and returns its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "samantha {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// Runs a command that must fail with exit code `code` and returns its
    /// standard error.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(code),
            "samantha {args:?} should exit with {code}:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8(output.stderr).expect("UTF-8 error output")
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write a test file");
        path
    }
}

/// An export as a user might keep it: two conversations with emotions, an
/// interrupted reply and text in several scripts.
const EXPORT: &str = r#"{
  "format": "samantha-history",
  "version": 1,
  "exported_at": "2026-12-01T10:00:00.000Z",
  "conversations": [
    {
      "id": 3,
      "title": "The lighthouse",
      "persona": "samantha",
      "created_at": "2026-11-20T08:00:00.000Z",
      "updated_at": "2026-11-20T08:05:00.250Z",
      "messages": [
        {
          "id": 10,
          "conversation_id": 3,
          "role": "user",
          "content": "I miss the lighthouse in Brittany 🌊 — 灯台 — מגדלור",
          "created_at": "2026-11-20T08:00:01.000Z",
          "status": "complete",
          "emotion": {
            "label": "sadness",
            "scores": {"anger": 0.01, "disgust": 0.02, "fear": 0.03, "joy": 0.04, "neutral": 0.1, "sadness": 0.75, "surprise": 0.05}
          },
          "token_count": null,
          "model": null
        },
        {
          "id": 11,
          "conversation_id": 3,
          "role": "assistant",
          "content": "Tell me what the light looked like",
          "created_at": "2026-11-20T08:00:02.500Z",
          "status": "interrupted",
          "emotion": null,
          "token_count": 7,
          "model": "llama-test"
        }
      ]
    },
    {
      "id": 7,
      "title": "Groceries",
      "persona": "samantha",
      "created_at": "2026-11-25T18:00:00.000Z",
      "updated_at": "2026-11-25T18:01:00.000Z",
      "messages": [
        {
          "id": 20,
          "conversation_id": 7,
          "role": "user",
          "content": "Remind me to buy oat milk",
          "created_at": "2026-11-25T18:00:30.000Z",
          "status": "complete",
          "emotion": null,
          "token_count": null,
          "model": null
        }
      ]
    }
  ]
}
"#;

fn conversations(json: &str) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    value["conversations"].clone()
}

#[test]
fn import_list_show_search_export() {
    let home = Home::new();
    let file = home.write("export.json", EXPORT);

    let imported = home.ok(&["history", "import", file.to_str().expect("path")]);
    assert_eq!(imported.trim(), "imported 2 conversations with 3 messages");

    let list = home.ok(&["history", "list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].starts_with("7\t2026-11-25T18:01:00.000Z\t1\tGroceries"),
        "{list}"
    );
    assert!(lines[1].starts_with("3\t"), "{list}");

    let shown = home.ok(&["history", "show", "3"]);
    assert!(shown.starts_with("# The lighthouse\n"), "{shown}");
    assert!(
        shown.contains("I miss the lighthouse in Brittany 🌊 — 灯台 — מגדלור"),
        "{shown}"
    );
    assert!(shown.contains("interrupted"), "{shown}");

    let hits = home.ok(&["history", "search", "lighthouse"]);
    assert_eq!(hits.lines().count(), 1, "{hits}");
    assert!(hits.starts_with("3\t10\tuser\t"), "{hits}");
    assert!(hits.contains("[lighthouse]"), "{hits}");

    let syntax = home.ok(&["history", "search", "\"NEAR(light* -house"]);
    assert!(syntax.is_empty(), "{syntax}");

    let out = home.path().join("again.json");
    home.ok(&[
        "history",
        "export",
        "3",
        "--format",
        "json",
        "--out",
        out.to_str().expect("path"),
    ]);
    let again = std::fs::read_to_string(&out).expect("read the export");
    let original = conversations(EXPORT);
    assert_eq!(conversations(&again)[0], original[0]);

    let markdown = home.ok(&["history", "export", "7", "--format", "md"]);
    assert!(markdown.contains("Remind me to buy oat milk"), "{markdown}");
}

#[test]
fn import_into_fresh_home_is_exact() {
    let first = Home::new();
    let file = first.write("export.json", EXPORT);
    first.ok(&["history", "import", file.to_str().expect("path")]);

    let exported = first.ok(&["history", "export", "3", "--format", "json"]);

    let second = Home::new();
    let copy = second.write("copy.json", &exported);
    second.ok(&["history", "import", copy.to_str().expect("path")]);
    let round_trip = second.ok(&["history", "export", "3", "--format", "json"]);

    assert_eq!(conversations(&round_trip), conversations(&exported));
}

#[test]
fn delete_one_and_all() {
    let home = Home::new();
    let file = home.write("export.json", EXPORT);
    home.ok(&["history", "import", file.to_str().expect("path")]);
    home.ok(&["memory", "add", "likes oat milk"]);

    assert_eq!(
        home.ok(&["history", "delete", "3"]).trim(),
        "deleted conversation 3"
    );
    let error = home.fails(&["history", "show", "3"], 1);
    assert!(error.contains("conversation 3 not found"), "{error}");

    let refused = home.run_with_input(&["history", "delete", "--all"], "no\n");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("Type 'yes' to confirm"), "{stderr}");
    assert!(stderr.contains("nothing was deleted"), "{stderr}");
    assert_eq!(home.ok(&["history", "list"]).lines().count(), 1);

    let confirmed = home.run_with_input(&["history", "delete", "--all"], "yes\n");
    assert!(confirmed.status.success());
    assert!(home.ok(&["history", "list"]).is_empty());
    assert!(home.ok(&["memory", "list"]).is_empty());

    home.ok(&["history", "import", file.to_str().expect("path")]);
    home.ok(&["history", "delete", "--all", "--yes"]);
    assert!(home.ok(&["history", "list"]).is_empty());
}

#[test]
fn bad_ids_and_files_fail_clearly() {
    let home = Home::new();

    let error = home.fails(&["history", "show", "999"], 1);
    assert!(error.contains("conversation 999 not found"), "{error}");
    assert!(error.contains("samantha history list"), "{error}");

    let error = home.fails(&["history", "delete", "999"], 1);
    assert!(error.contains("conversation 999 not found"), "{error}");

    let error = home.fails(&["history", "export", "5", "--format", "json"], 1);
    assert!(error.contains("conversation 5 not found"), "{error}");

    let error = home.fails(&["history", "show", "abc"], 2);
    assert!(error.contains("invalid value 'abc'"), "{error}");

    let error = home.fails(&["memory", "forget", "42"], 1);
    assert!(error.contains("memory 42 not found"), "{error}");

    let missing = home.path().join("missing.json");
    let error = home.fails(&["history", "import", missing.to_str().expect("path")], 1);
    assert!(error.contains(&missing.display().to_string()), "{error}");

    let broken = home.write("broken.json", "{\"format\": \"samantha-history\", ");
    let error = home.fails(&["history", "import", broken.to_str().expect("path")], 1);
    assert!(error.contains("invalid export file"), "{error}");

    let file = home.write("export.json", EXPORT);
    home.ok(&["history", "import", file.to_str().expect("path")]);
    let error = home.fails(&["history", "import", file.to_str().expect("path")], 1);
    assert!(error.contains("conversation 3 already exists"), "{error}");
    assert_eq!(home.ok(&["history", "list"]).lines().count(), 2);

    let error = home.fails(&["history", "delete", "--yes"], 2);
    assert!(error.contains("--all"), "{error}");
}

#[test]
fn closed_stdout_exits_quietly() {
    let home = Home::new();
    let file = home.write("export.json", EXPORT);
    home.ok(&["history", "import", file.to_str().expect("path")]);
    home.ok(&["memory", "add", "The user has a cat named Miso"]);

    let commands: [&[&str]; 6] = [
        &["persona", "show"],
        &["history", "list"],
        &["history", "show", "3"],
        &["history", "search", "lighthouse"],
        &["history", "export", "3", "--format", "json"],
        &["memory", "list"],
    ];
    for args in commands {
        let output = home.run_into_closed_pipe(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.is_empty(), "samantha {args:?} wrote to standard error:\n{stderr}");
        assert_eq!(output.status.code(), Some(0), "samantha {args:?}");
    }
}

#[test]
fn listings_escape_control_characters() {
    let home = Home::new();
    let text = "a red \u{1b}[31malarm\u{7} bell\r\nnext line";
    let export = serde_json::json!({
        "format": "samantha-history",
        "version": 1,
        "exported_at": "2026-12-01T10:00:00.000Z",
        "conversations": [{
            "id": 1,
            "title": text,
            "persona": "samantha",
            "created_at": "2026-11-20T08:00:00.000Z",
            "updated_at": "2026-11-20T08:00:01.000Z",
            "messages": [{
                "id": 1,
                "conversation_id": 1,
                "role": "user",
                "content": text,
                "created_at": "2026-11-20T08:00:01.000Z",
                "status": "complete",
                "emotion": null,
                "token_count": null,
                "model": null
            }]
        }]
    });
    let file = home.write("controls.json", &export.to_string());
    home.ok(&["history", "import", file.to_str().expect("path")]);
    home.ok(&["memory", "add", text]);

    let listings: [&[&str]; 4] = [
        &["history", "list"],
        &["history", "show", "1"],
        &["history", "search", "bell"],
        &["memory", "list"],
    ];
    for args in listings {
        let output = home.ok(args);
        assert!(!output.contains('\u{1b}'), "samantha {args:?} printed ESC: {output:?}");
        assert!(!output.contains('\u{7}'), "samantha {args:?} printed BEL: {output:?}");
        assert!(!output.contains('\r'), "samantha {args:?} printed CR: {output:?}");
        assert!(output.contains("\\u{1b}[31m"), "samantha {args:?}: {output:?}");
    }

    let show_output = home.ok(&["history", "show", "1"]);
    assert!(show_output.contains("alarm\\u{7} bell\\r\nnext line"), "{show_output:?}");

    let json = home.ok(&["history", "export", "1", "--format", "json"]);
    assert_eq!(conversations(&json)[0]["messages"][0]["content"], text);

    let markdown = home.ok(&["history", "export", "1", "--format", "md"]);
    assert!(markdown.contains(text), "{markdown:?}");
}

#[test]
fn memory_add_list_forget() {
    let home = Home::new();

    assert_eq!(
        home.ok(&["memory", "add", "The user has a cat named Miso"])
            .trim(),
        "1"
    );
    assert_eq!(
        home.ok(&["memory", "add", "The user dislikes tea"]).trim(),
        "2"
    );

    let list = home.ok(&["memory", "list"]);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(list.contains("\tThe user has a cat named Miso"), "{list}");

    assert_eq!(
        home.ok(&["memory", "forget", "2"]).trim(),
        "forgot memory 2"
    );
    let list = home.ok(&["memory", "list"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(!list.contains("tea"), "{list}");

    let all = home.ok(&["memory", "list", "--all"]);
    assert!(
        all.lines()
            .any(|line| line.starts_with("2\t") && line.contains("\tforgotten\t")),
        "{all}"
    );

    let error = home.fails(&["memory", "add", "  "], 1);
    assert!(error.contains("empty"), "{error}");
}

#[test]
fn db_option_overrides_home() {
    let home = Home::new();
    let other = home.path().join("elsewhere").join("mine.db");
    std::fs::create_dir(home.path().join("elsewhere")).expect("create the folder");

    home.ok(&[
        "--db",
        other.to_str().expect("path"),
        "memory",
        "add",
        "kept elsewhere",
    ]);

    assert!(other.exists());
    assert!(!home.database().exists());
    let list = home.ok(&["memory", "list", "--db", other.to_str().expect("path")]);
    assert!(list.contains("kept elsewhere"), "{list}");
}

#[test]
fn db_in_missing_folder_fails() {
    let home = Home::new();
    let folder = home.path().join("missing");
    let db = folder.join("mine.db");

    let error = home.fails(&["--db", db.to_str().expect("path"), "memory", "list"], 1);
    assert!(error.contains(&folder.display().to_string()), "{error}");
    assert!(error.contains("does not exist"), "{error}");
    assert!(error.contains("create it first or choose another path"), "{error}");
    assert!(!folder.exists());

    let file = home.write("plain-file", "");
    let inside_file = file.join("mine.db");
    let error = home.fails(&["--db", inside_file.to_str().expect("path"), "memory", "list"], 1);
    assert!(error.contains("is not a folder"), "{error}");
}

#[test]
fn db_that_is_a_folder_fails() {
    let home = Home::new();
    let folder = home.path().join("a-folder");
    std::fs::create_dir(&folder).expect("create folder");

    let error = home.fails(&["--db", folder.to_str().expect("path"), "memory", "list"], 1);

    assert!(error.contains("is a folder"), "{error}");
    assert!(error.contains("samantha.db"), "{error}");
}

#[test]
fn export_keeps_existing_file() {
    let home = Home::new();
    let file = home.write("export.json", EXPORT);
    home.ok(&["history", "import", file.to_str().expect("path")]);
    let essay = home.write("essay.md", "my own essay");
    let out = essay.to_str().expect("path");

    let error = home.fails(&["history", "export", "3", "--out", out], 1);
    assert!(error.contains("already exists"), "{error}");
    assert!(error.contains("--force"), "{error}");
    assert_eq!(std::fs::read_to_string(&essay).expect("read essay"), "my own essay");

    home.ok(&["history", "export", "3", "--out", out, "--force"]);
    let replaced = std::fs::read_to_string(&essay).expect("read export");
    assert!(replaced.starts_with("# The lighthouse"), "{replaced}");
}

#[test]
fn default_database_folder_created() {
    let home = Home::new();
    let data_dir = home.path().join("new").join("home");

    let output = home
        .command(&["memory", "list"])
        .env("SAMANTHA_HOME", &data_dir)
        .stdin(Stdio::null())
        .output()
        .expect("run samantha");

    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(data_dir.join("samantha.db").exists());
}

#[test]
fn damaged_database_left_untouched() {
    let home = Home::new();
    let garbage: Vec<u8> = (0..8192u32).map(|index| (index * 37 % 251) as u8).collect();
    std::fs::write(home.database(), &garbage).expect("write garbage");

    let error = home.fails(&["history", "list"], 1);
    assert!(
        error.contains(&home.database().display().to_string()),
        "{error}"
    );
    assert!(error.contains("damaged"), "{error}");
    assert!(error.contains("Move the file aside"), "{error}");

    assert_eq!(std::fs::read(home.database()).expect("read back"), garbage);
    let names: Vec<String> = std::fs::read_dir(home.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["samantha.db".to_owned()]);
}

#[test]
fn two_processes_add_memories() {
    let home = Home::new();
    home.ok(&["memory", "list"]);

    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|tag| {
            let dir = home.path().to_path_buf();
            std::thread::spawn(move || {
                for index in 0..15 {
                    let output = Command::new(env!("CARGO_BIN_EXE_samantha"))
                        .args(["memory", "add", &format!("writer {tag} fact {index}")])
                        .env("SAMANTHA_HOME", &dir)
                        .output()
                        .expect("run samantha");
                    assert!(
                        output.status.success(),
                        "writer {tag} failed: {}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer thread");
    }

    let list = home.ok(&["memory", "list"]);
    assert_eq!(list.lines().count(), 30, "{list}");
}

#[test]
fn bench_memory_prints_p95() {
    let home = Home::new();
    let output = home.ok(&["bench", "memory", "--messages", "300", "--queries", "20"]);

    let last = output.lines().last().expect("output");
    let value = last
        .strip_prefix("recall_p95_ms_300: ")
        .unwrap_or_else(|| panic!("unexpected last line {last:?}"));
    let millis: f64 = value.parse().expect("a number of milliseconds");
    assert!(millis > 0.0, "{output}");
    assert!(output.contains("300 messages: inserted 300"), "{output}");
}
