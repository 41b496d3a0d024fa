//! Streaming replies: what is committed survives a stop, a drop and a
//! reopen.

mod common;

use std::time::Duration;

use samantha_store::{ConversationId, MessageStatus, Role, StoreError};

#[tokio::test]
async fn finished_reply_is_complete() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("chat", "samantha")
        .await
        .expect("conversation");

    let question = store
        .append_user_message(
            conversation.id,
            "How are you?",
            Some(common::emotion(0.7, 0.1)),
        )
        .await
        .expect("question");
    assert_eq!(question.role, Role::User);
    assert_eq!(question.status, MessageStatus::Complete);

    let mut writer = store
        .start_reply(conversation.id, "llama-test")
        .await
        .expect("start");
    for fragment in ["I'm ", "well", ", thanks", ". ", "And you?"] {
        writer.push(fragment).await.expect("push");
    }
    let reply = writer.finish(9).await.expect("finish");

    assert_eq!(reply.content, "I'm well, thanks. And you?");
    assert_eq!(reply.status, MessageStatus::Complete);
    assert_eq!(reply.token_count, Some(9));
    assert_eq!(reply.model.as_deref(), Some("llama-test"));

    let messages = store.messages(conversation.id).await.expect("messages");
    assert_eq!(messages, vec![question, reply]);
}

#[tokio::test]
async fn sentence_end_commits_before_finish() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("chat", "samantha")
        .await
        .expect("conversation");

    let mut writer = store
        .start_reply(conversation.id, "llama-test")
        .await
        .expect("start");
    writer.push("First sentence.").await.expect("push");
    writer.push(" Second, unfinished").await.expect("push");

    // A second handle sees the committed sentence while the reply streams.
    let other = common::open(&temp.path).await;
    let seen = other.message(writer.message_id()).await.expect("message");
    assert_eq!(seen.content, "First sentence.");
    assert_eq!(seen.status, MessageStatus::Interrupted);

    writer.finish(3).await.expect("finish");
}

#[tokio::test]
async fn elapsed_second_commits_without_sentence_end() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("chat", "samantha")
        .await
        .expect("conversation");

    let mut writer = store
        .start_reply(conversation.id, "llama-test")
        .await
        .expect("start");
    writer.push("no sentence end").await.expect("push");
    assert_eq!(
        store
            .message(writer.message_id())
            .await
            .expect("message")
            .content,
        ""
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    writer.push(" yet").await.expect("push");

    let seen = store.message(writer.message_id()).await.expect("message");
    assert_eq!(seen.content, "no sentence end yet");
    writer.finish(4).await.expect("finish");
}

#[tokio::test]
async fn interrupted_reply_kept_after_reopen() {
    let temp = common::temp_db();
    let id = {
        let store = common::open(&temp.path).await;
        let conversation = store
            .create_conversation("chat", "samantha")
            .await
            .expect("conversation");
        let mut writer = store
            .start_reply(conversation.id, "llama-test")
            .await
            .expect("start");
        writer.push("Kept sentence. ").await.expect("push");
        writer.push("Also kept").await.expect("push");
        let message = writer.interrupt(Some(4)).await.expect("interrupt");
        store.close().await;
        message.id
    };

    let store = common::open(&temp.path).await;
    let message = store.message(id).await.expect("message");
    assert_eq!(message.content, "Kept sentence. Also kept");
    assert_eq!(message.status, MessageStatus::Interrupted);
    assert_eq!(message.token_count, Some(4));
}

#[tokio::test]
async fn dropped_writer_marked_interrupted() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("chat", "samantha")
        .await
        .expect("conversation");

    let mut writer = store
        .start_reply(conversation.id, "llama-test")
        .await
        .expect("start");
    let id = writer.message_id();
    writer.push("Committed sentence.").await.expect("push");
    writer.push(" Pending tail").await.expect("push");
    drop(writer);

    // The tail is committed by a task spawned from Drop.
    let mut content = String::new();
    for _ in 0..50 {
        content = store.message(id).await.expect("message").content;
        if content.ends_with("tail") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(content, "Committed sentence. Pending tail");

    store.close().await;
    let reopened = common::open(&temp.path).await;
    let message = reopened.message(id).await.expect("message");
    assert_eq!(message.status, MessageStatus::Interrupted);
    assert_eq!(message.token_count, None);
}

#[tokio::test]
async fn reply_to_unknown_conversation_fails() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;

    let error = store
        .start_reply(ConversationId(42), "llama-test")
        .await
        .expect_err("unknown conversation");
    assert!(
        matches!(error, StoreError::ConversationNotFound(42)),
        "{error}"
    );
    assert!(
        error.to_string().contains("samantha history list"),
        "{error}"
    );

    let error = store
        .append_user_message(ConversationId(42), "hello", None)
        .await
        .expect_err("unknown conversation");
    assert!(
        matches!(error, StoreError::ConversationNotFound(42)),
        "{error}"
    );
}

#[tokio::test]
async fn non_finite_emotion_rejected() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("chat", "samantha")
        .await
        .expect("conversation");

    let mut emotion = common::emotion(0.5, 0.2);
    emotion.scores.fear = f32::NAN;
    let error = store
        .append_user_message(conversation.id, "hello", Some(emotion))
        .await
        .expect_err("NaN score");
    assert!(matches!(error, StoreError::InvalidValue { .. }), "{error}");
    assert!(
        store
            .messages(conversation.id)
            .await
            .expect("messages")
            .is_empty()
    );
}

const CRASH_DB_ENV: &str = "SAMANTHA_STORE_TEST_CRASH_DB";

/// Body of the process that `crash_mid_reply_keeps_sentences` starts: it
/// streams part of a reply and aborts without unwinding, as a crash would.
#[tokio::test]
#[ignore = "run as a child process by crash_mid_reply_keeps_sentences"]
async fn crashing_writer_child() {
    let Ok(path) = std::env::var(CRASH_DB_ENV) else {
        return;
    };

    let store = common::open(std::path::Path::new(&path)).await;
    let conversation = store
        .create_conversation("crash", "samantha")
        .await
        .expect("conversation");
    store
        .append_user_message(conversation.id, "Tell me a story.", None)
        .await
        .expect("question");

    let mut writer = store
        .start_reply(conversation.id, "llama-test")
        .await
        .expect("start");
    writer.push("Once upon a time.").await.expect("push");
    writer.push(" There was a lighthouse.").await.expect("push");
    writer.push(" Never committed").await.expect("push");

    std::process::abort();
}

#[tokio::test]
async fn crash_mid_reply_keeps_sentences() {
    let temp = common::temp_db();
    let status = std::process::Command::new(std::env::current_exe().expect("test executable"))
        .args(["crashing_writer_child", "--exact", "--ignored"])
        .env(CRASH_DB_ENV, &temp.path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run the crashing writer");
    assert!(!status.success(), "the writer was expected to abort");

    let store = common::open(&temp.path).await;
    let messages = store.messages(ConversationId(1)).await.expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].content, "Tell me a story.");
    assert_eq!(
        messages[1].content,
        "Once upon a time. There was a lighthouse."
    );
    assert_eq!(messages[1].status, MessageStatus::Interrupted);
}

#[test]
fn writer_and_store_are_send() {
    fn assert_send<T: Send + 'static>() {}
    fn assert_send_sync<T: Send + Sync + 'static>() {}

    // The engine moves a writer into its generation task and shares the
    // store between tasks.
    assert_send::<samantha_store::ReplyWriter>();
    assert_send_sync::<samantha_store::Store>();
}
