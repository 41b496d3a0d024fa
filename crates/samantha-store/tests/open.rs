//! Opening files: fresh, reopened, damaged, and written by two processes.

mod common;

use std::process::Command;

use samantha_store::{Store, StoreError};

#[tokio::test]
async fn fresh_file_uses_wal_mode() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    store
        .create_conversation("first", "samantha")
        .await
        .expect("conversation");
    store.close().await;

    let mut connection = common::raw_connection(&temp.path).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut connection)
        .await
        .expect("journal mode");
    assert_eq!(mode, "wal");

    let reopened = common::open(&temp.path).await;
    assert_eq!(reopened.list_conversations().await.expect("list").len(), 1);
}

#[tokio::test]
async fn missing_folder_is_created() {
    let temp = common::temp_db();
    let path = temp.dir.path().join("a").join("b").join("samantha.db");

    common::open(&path).await.close().await;

    assert!(path.exists());
}

/// Opens `bytes` written as a database and returns the error, checking
/// that the file is byte-identical afterwards.
async fn open_damaged(bytes: &[u8]) -> StoreError {
    let temp = common::temp_db();
    std::fs::write(&temp.path, bytes).expect("write the damaged file");

    let error = Store::open(&temp.path)
        .await
        .expect_err("a damaged file must not open");

    let after = std::fs::read(&temp.path).expect("read the file back");
    assert!(after == bytes, "the damaged file was modified");

    let names: Vec<String> = std::fs::read_dir(temp.dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|name| !name.contains("backup")),
        "a backup was written for a damaged file: {names:?}"
    );

    let message = error.to_string();
    assert!(
        message.contains(&temp.path.display().to_string()),
        "{message}"
    );
    assert!(message.contains("Move the file aside"), "{message}");

    error
}

#[tokio::test]
async fn random_bytes_rejected_untouched() {
    // A fixed xorshift sequence, so every run writes the same bytes.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..16_384)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();

    let error = open_damaged(&bytes).await;
    assert!(matches!(error, StoreError::Damaged { .. }), "{error}");
}

#[tokio::test]
async fn truncated_database_rejected_untouched() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("long", "samantha")
        .await
        .expect("conversation");
    for index in 0..300 {
        let text = format!("message {index} {}", "padding words ".repeat(40));
        store
            .append_user_message(conversation.id, &text, None)
            .await
            .expect("message");
    }
    store.close().await;

    // Fold the WAL into the file, then cut the file in the middle.
    let mut connection = common::raw_connection(&temp.path).await;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut connection)
        .await
        .expect("checkpoint");
    drop(connection);

    let bytes = std::fs::read(&temp.path).expect("read");
    assert!(
        bytes.len() > 64 * 1024,
        "the database is too small to truncate usefully"
    );
    let truncated = &bytes[..bytes.len() / 2];

    let error = open_damaged(truncated).await;
    assert!(matches!(error, StoreError::Damaged { .. }), "{error}");
}

#[tokio::test]
async fn text_file_rejected_untouched() {
    let error = open_damaged(b"this is a shopping list, not a database\n").await;
    assert!(matches!(error, StoreError::Damaged { .. }), "{error}");
}

const CHILD_DB_ENV: &str = "SAMANTHA_STORE_TEST_CHILD_DB";
const CHILD_TAG_ENV: &str = "SAMANTHA_STORE_TEST_CHILD_TAG";
const CHILD_MESSAGES: usize = 400;

/// Body of the writer processes that `two_processes_write_at_once`
/// starts; it does nothing when run directly.
#[tokio::test]
#[ignore = "run as a child process by two_processes_write_at_once"]
async fn concurrent_writer_child() {
    let (Ok(path), Ok(tag)) = (std::env::var(CHILD_DB_ENV), std::env::var(CHILD_TAG_ENV)) else {
        return;
    };

    let store = Store::open(&path).await.expect("child open");
    let conversation = store
        .create_conversation(&format!("writer {tag}"), "samantha")
        .await
        .expect("child conversation");

    for index in 0..CHILD_MESSAGES {
        let text = format!("writer {tag} message {index}");
        store
            .append_user_message(conversation.id, &text, None)
            .await
            .expect("child message");

        if index % 10 == 0 {
            let mut reply = store
                .start_reply(conversation.id, "test")
                .await
                .expect("child reply");
            reply.push("A sentence. ").await.expect("child push");
            reply.push("Another one.").await.expect("child push");
            reply.finish(4).await.expect("child finish");
        }
    }
}

#[tokio::test]
async fn two_processes_write_at_once() {
    let temp = common::temp_db();
    let executable = std::env::current_exe().expect("test executable");

    let children: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|tag| {
            Command::new(&executable)
                .args([
                    "concurrent_writer_child",
                    "--exact",
                    "--ignored",
                    "--nocapture",
                ])
                .env(CHILD_DB_ENV, &temp.path)
                .env(CHILD_TAG_ENV, tag)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start a writer process")
        })
        .collect();

    let outputs: Vec<_> = children
        .into_iter()
        .map(|child| child.wait_with_output().expect("wait for a writer"))
        .collect();

    let store = common::open(&temp.path).await;
    let conversations = store.list_conversations().await.expect("list");

    for (tag, output) in ["a", "b"].iter().zip(&outputs) {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);

        if !output.status.success() {
            // A writer may only fail with the clear busy error.
            assert!(
                stdout.contains("is busy") || stderr.contains("is busy"),
                "writer {tag} failed without a busy error:\n{stdout}\n{stderr}"
            );
            continue;
        }

        let summary = conversations
            .iter()
            .find(|summary| summary.conversation.title == format!("writer {tag}"))
            .unwrap_or_else(|| panic!("writer {tag} left no conversation:\n{stdout}"));
        let expected = CHILD_MESSAGES + CHILD_MESSAGES.div_ceil(10);
        assert_eq!(
            summary.message_count as usize, expected,
            "messages of writer {tag}"
        );
    }

    assert!(
        outputs.iter().any(|output| output.status.success()),
        "neither writer finished"
    );

    let mut connection = common::raw_connection(&temp.path).await;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .expect("integrity check");
    assert_eq!(check, "ok");
}

#[tokio::test]
async fn held_write_lock_gives_busy_error() {
    let temp = common::temp_db();
    let store = Store::open_with_busy_timeout(&temp.path, std::time::Duration::from_millis(200))
        .await
        .expect("open");
    let conversation = store
        .create_conversation("busy", "samantha")
        .await
        .expect("conversation");

    // Another writer holds the write lock in an open transaction.
    let mut other = common::raw_connection(&temp.path).await;
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .expect("begin");

    let error = store
        .append_user_message(conversation.id, "blocked", None)
        .await
        .expect_err("the write lock is held");
    assert!(matches!(error, StoreError::Busy { .. }), "{error}");
    assert!(error.to_string().contains("is busy"), "{error}");
    assert!(
        error.to_string().contains(&temp.path.display().to_string()),
        "{error}"
    );

    sqlx::query("ROLLBACK")
        .execute(&mut other)
        .await
        .expect("rollback");
    store
        .append_user_message(conversation.id, "after the lock", None)
        .await
        .expect("write after the lock is released");
}

#[tokio::test]
async fn wal_content_survives_missing_index() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("in the wal", "samantha")
        .await
        .expect("conversation");
    store
        .append_user_message(conversation.id, "only in the WAL file", None)
        .await
        .expect("message");

    // Copy the database and its WAL, but not the shared-memory index, while
    // the store is still open, as a crash or a power cut would leave them.
    let copy = temp.dir.path().join("copy");
    std::fs::create_dir(&copy).expect("create folder");
    let copied = copy.join("samantha.db");
    std::fs::copy(&temp.path, &copied).expect("copy database");
    let wal = temp.path.with_extension("db-wal");
    assert!(wal.exists(), "the test needs content in the WAL file");
    std::fs::copy(&wal, copy.join("samantha.db-wal")).expect("copy WAL");

    let reopened = common::open(&copied).await;
    let messages = reopened.messages(conversation.id).await.expect("messages");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].content, "only in the WAL file");
}
