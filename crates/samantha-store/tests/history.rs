//! Conversations, export and import, search, memories, drafts, settings
//! and statistics.

mod common;

use samantha_store::{
    ConversationId, DraftId, HistoryExport, MemoryId, MessageId, MessageStatus, Role, StoreError,
};

/// Text that tends to break encoders: emoji with joiners, CJK, Arabic and
/// Hebrew with direction marks, control characters and a NUL.
const HARD_TEXT: &str = "👩‍👩‍👧 family 🇫🇷 — 我喜欢猫 — مرحبا بالعالم \u{200F}שלום\u{200E} — \
     tab\there, bell\u{7}, escape\u{1b}[31m, nul\u{0} end, cr\r\nlf";

#[tokio::test]
async fn export_import_round_trip_exact() {
    let source = common::temp_db();
    let store = common::open(&source.path).await;

    let conversation = store
        .create_conversation("Ünïcödé 标题 עברית", "samantha")
        .await
        .expect("conversation");
    store
        .append_user_message(
            conversation.id,
            HARD_TEXT,
            Some(common::emotion(0.123_456_79, 0.5)),
        )
        .await
        .expect("message");
    let mut writer = store
        .start_reply(conversation.id, "llama-test")
        .await
        .expect("reply");
    writer.push("Complete reply.").await.expect("push");
    writer.finish(3).await.expect("finish");
    let mut cut = store
        .start_reply(conversation.id, "llama-test")
        .await
        .expect("reply");
    cut.push("Cut off.").await.expect("push");
    cut.interrupt(None).await.expect("interrupt");
    store
        .append_message(conversation.id, Role::System, "", None)
        .await
        .expect("empty system message");

    let export = store
        .export_conversation(conversation.id)
        .await
        .expect("export");
    let json = export.to_json().expect("json");

    let target = common::temp_db();
    let imported_store = common::open(&target.path).await;
    let parsed = HistoryExport::from_json(&json).expect("parse");
    let summary = imported_store.import(&parsed).await.expect("import");
    assert_eq!(summary.conversations, 1);
    assert_eq!(summary.messages, 4);

    let again = imported_store
        .export_conversation(conversation.id)
        .await
        .expect("export again");
    assert_eq!(again.conversations, export.conversations);

    let original = store.messages(conversation.id).await.expect("messages");
    let copied = imported_store
        .messages(conversation.id)
        .await
        .expect("messages");
    assert_eq!(copied, original);
    assert_eq!(copied[0].content, HARD_TEXT);
    assert_eq!(copied[2].status, MessageStatus::Interrupted);
    assert_eq!(
        imported_store
            .conversation(conversation.id)
            .await
            .expect("conversation"),
        store
            .conversation(conversation.id)
            .await
            .expect("conversation")
    );
}

#[tokio::test]
async fn import_conflict_changes_nothing() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("one", "samantha")
        .await
        .expect("conversation");
    store
        .append_user_message(conversation.id, "hello", None)
        .await
        .expect("message");

    let json = store
        .export_conversation(conversation.id)
        .await
        .expect("export")
        .to_json()
        .expect("json");
    let export = HistoryExport::from_json(&json).expect("parse");

    let error = store.import(&export).await.expect_err("ids are taken");
    assert!(
        matches!(error, StoreError::ImportConflict(id) if id == conversation.id.0),
        "{error}"
    );
    assert_eq!(store.list_conversations().await.expect("list").len(), 1);
}

#[test]
fn import_rejects_bad_documents() {
    let error = HistoryExport::from_json("{not json").expect_err("invalid JSON");
    assert!(matches!(error, StoreError::ImportParse(_)), "{error}");

    let error = HistoryExport::from_json(
        r#"{"format":"other","version":1,"exported_at":"2026-12-04T21:05:47.123Z","conversations":[]}"#,
    )
    .expect_err("other format");
    assert!(matches!(error, StoreError::ImportFormat { .. }), "{error}");
}

#[tokio::test]
async fn megabyte_message_stored_and_found() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("big", "samantha")
        .await
        .expect("conversation");

    let mut text = "lorem ipsum dolor sit amet ".repeat(40_000);
    text.push_str(" zanzibarian");
    assert!(text.len() > 1_000_000);

    let message = store
        .append_user_message(conversation.id, &text, None)
        .await
        .expect("message");
    assert_eq!(
        store.message(message.id).await.expect("message").content,
        text
    );

    let hits = store
        .search_messages("zanzibarian", 5)
        .await
        .expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].message_id, message.id);
    assert!(
        hits[0].snippet.contains("[zanzibarian]"),
        "{}",
        hits[0].snippet
    );
}

#[tokio::test]
async fn search_rank_and_syntax() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("search", "samantha")
        .await
        .expect("conversation");
    for text in [
        "We talked about the garden and the tomatoes",
        "Tomatoes tomatoes tomatoes everywhere in the garden",
        "Nothing relevant here",
    ] {
        store
            .append_user_message(conversation.id, text, None)
            .await
            .expect("message");
    }

    let hits = store
        .search_messages("garden tomatoes", 10)
        .await
        .expect("search");
    assert_eq!(hits.len(), 2);
    assert_eq!(
        hits[0].message_id,
        MessageId(2),
        "higher term frequency ranks first"
    );

    for query in [
        "\"unbalanced",
        "tomat*",
        "NEAR(garden tomatoes)",
        "-garden",
        "garden AND OR NOT",
        "(((",
        "col:garden",
        "^garden",
        "",
        "🙂",
    ] {
        store
            .search_messages(query, 10)
            .await
            .unwrap_or_else(|error| panic!("query {query:?} failed: {error}"));
    }
}

#[tokio::test]
async fn conversations_rename_delete() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let first = store
        .create_conversation("first", "samantha")
        .await
        .expect("conversation");
    let second = store
        .create_conversation("second", "samantha")
        .await
        .expect("conversation");
    store
        .append_user_message(second.id, "hi", None)
        .await
        .expect("message");

    store
        .rename_conversation(first.id, "renamed")
        .await
        .expect("rename");
    assert_eq!(
        store.conversation(first.id).await.expect("get").title,
        "renamed"
    );

    store.delete_conversation(second.id).await.expect("delete");
    let list = store.list_conversations().await.expect("list");
    assert_eq!(list.len(), 1);
    assert!(
        store
            .search_messages("hi", 10)
            .await
            .expect("search")
            .is_empty()
    );

    let error = store
        .delete_conversation(second.id)
        .await
        .expect_err("already deleted");
    assert!(
        matches!(error, StoreError::ConversationNotFound(_)),
        "{error}"
    );
    let error = store
        .messages(ConversationId(999))
        .await
        .expect_err("unknown");
    assert!(
        error.to_string().contains("conversation 999 not found"),
        "{error}"
    );
}

#[tokio::test]
async fn delete_all_removes_history() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("secret", "samantha")
        .await
        .expect("conversation");
    store
        .append_user_message(conversation.id, "my secret password is hunter2", None)
        .await
        .expect("message");
    store
        .add_memory("secret memory", None)
        .await
        .expect("memory");
    store
        .create_draft("draft", "secret draft", None)
        .await
        .expect("draft");
    store.set_setting("voice", "warm").await.expect("setting");

    store.delete_all().await.expect("delete all");
    store.close().await;

    let bytes = std::fs::read(&temp.path).expect("read");
    let needle = b"hunter2";
    assert!(
        !bytes.windows(needle.len()).any(|window| window == needle),
        "deleted text is still in the file"
    );

    let store = common::open(&temp.path).await;
    let stats = store.stats().await.expect("stats");
    assert_eq!(stats.conversations, 0);
    assert_eq!(stats.messages, 0);
    assert_eq!(stats.memories, 0);
    assert_eq!(stats.drafts, 0);
    assert_eq!(
        store.setting("voice").await.expect("setting").as_deref(),
        Some("warm")
    );
}

#[tokio::test]
async fn memories_pin_forget() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;

    let first = store.add_memory("likes rain", None).await.expect("memory");
    let second = store
        .add_memory("has a cat named Miso", None)
        .await
        .expect("memory");
    store.pin_memory(first.id, true).await.expect("pin");
    store.forget_memory(second.id).await.expect("forget");

    let active = store.list_memories(false).await.expect("list");
    assert_eq!(active.len(), 1);
    assert!(active[0].pinned);

    let all = store.list_memories(true).await.expect("list");
    assert_eq!(all.len(), 2);
    assert!(store.memory(second.id).await.expect("memory").forgotten);

    let error = store
        .forget_memory(MemoryId(77))
        .await
        .expect_err("unknown");
    assert!(error.to_string().contains("memory 77 not found"), "{error}");

    let error = store
        .add_memory("x", Some(MessageId(5)))
        .await
        .expect_err("unknown source");
    assert!(matches!(error, StoreError::MessageNotFound(5)), "{error}");
}

#[tokio::test]
async fn drafts_versions_export() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;

    let draft = store
        .create_draft("Poem", "Roses", None)
        .await
        .expect("draft");
    let second = store
        .add_draft_version(draft.id, "Roses are red", Some("first line"))
        .await
        .expect("version");
    assert_eq!(second.version, 2);

    let document = store.draft(draft.id).await.expect("draft");
    assert_eq!(document.draft.latest_version, 2);
    assert_eq!(document.versions.len(), 2);
    assert_eq!(document.versions[0].content, "Roses");

    let markdown = store
        .export_draft_markdown(draft.id)
        .await
        .expect("markdown");
    assert!(markdown.starts_with("# Poem\n"), "{markdown}");
    assert!(markdown.contains("Roses are red\n"), "{markdown}");

    assert_eq!(store.list_drafts().await.expect("list").len(), 1);
    let error = store
        .add_draft_version(DraftId(9), "x", None)
        .await
        .expect_err("unknown");
    assert!(matches!(error, StoreError::DraftNotFound(9)), "{error}");
}

#[tokio::test]
async fn settings_overwrite() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;

    assert_eq!(store.setting("voice").await.expect("get"), None);
    store.set_setting("voice", "warm").await.expect("set");
    store.set_setting("voice", "bright").await.expect("set");
    assert_eq!(
        store.setting("voice").await.expect("get").as_deref(),
        Some("bright")
    );
    assert_eq!(store.settings().await.expect("all").len(), 1);
}

#[tokio::test]
async fn stats_count_emotions_per_day() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("feelings", "samantha")
        .await
        .expect("conversation");

    store
        .append_user_message(
            conversation.id,
            "great day",
            Some(common::emotion(0.9, 0.0)),
        )
        .await
        .expect("message");
    store
        .append_user_message(
            conversation.id,
            "also great",
            Some(common::emotion(0.8, 0.1)),
        )
        .await
        .expect("message");
    store
        .append_user_message(conversation.id, "sad now", Some(common::emotion(0.0, 0.9)))
        .await
        .expect("message");
    store
        .append_user_message(conversation.id, "no classifier", None)
        .await
        .expect("message");

    let stats = store.stats().await.expect("stats");
    assert_eq!(stats.conversations, 1);
    assert_eq!(stats.messages, 4);
    assert_eq!(stats.user_messages, 4);
    assert_eq!(stats.emotions_per_day.len(), 1);
    assert_eq!(stats.emotions_per_day[0].counts.joy, 2);
    assert_eq!(stats.emotions_per_day[0].counts.sadness, 1);
    assert_eq!(stats.emotions_per_day[0].day.len(), 10);
}

#[tokio::test]
async fn markdown_export_shows_roles() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("Walk", "samantha")
        .await
        .expect("conversation");
    store
        .append_user_message(
            conversation.id,
            "Shall we walk?",
            Some(common::emotion(0.9, 0.0)),
        )
        .await
        .expect("message");
    let mut writer = store
        .start_reply(conversation.id, "llama-test")
        .await
        .expect("reply");
    writer.push("Yes, let's").await.expect("push");
    writer.interrupt(None).await.expect("interrupt");

    let markdown = store
        .export_conversation_markdown(conversation.id)
        .await
        .expect("markdown");
    assert!(markdown.starts_with("# Walk\n"), "{markdown}");
    assert!(markdown.contains("## You · "), "{markdown}");
    assert!(markdown.contains("Shall we walk?\n"), "{markdown}");
    assert!(markdown.contains("_Emotion: joy (0.90)_"), "{markdown}");
    assert!(
        markdown.contains(" · interrupted\n\nYes, let's\n"),
        "{markdown}"
    );
}

#[tokio::test]
async fn delete_message_removes_one() {
    let db = common::temp_db();
    let store = common::open(&db.path).await;
    let conversation = store.create_conversation("t", "p").await.unwrap();
    let kept = store.append_user_message(conversation.id, "keep me", None).await.unwrap();
    let dropped = store
        .append_message(conversation.id, Role::Assistant, "drop me", None)
        .await
        .unwrap();

    store.delete_message(dropped.id).await.unwrap();

    let messages = store.messages(conversation.id).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].id, kept.id);
    assert!(store.search_messages("drop", 10).await.unwrap().is_empty());

    let again = store.delete_message(dropped.id).await.unwrap_err();
    assert!(matches!(again, StoreError::MessageNotFound(_)), "{again}");
}
