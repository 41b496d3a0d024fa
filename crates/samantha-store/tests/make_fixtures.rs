//! Writes the upgrade fixtures in `tests/fixtures/`.
//!
//! Each fixture is a small database at one schema version, made by the
//! code of that version and committed, so later versions can prove that
//! they migrate it without losing a row. When a migration is added, add a
//! `make_vN_fixture` function for the new version here, run it once with
//!
//! ```sh
//! cargo test -p samantha-store --test make_fixtures -- --ignored
//! ```
//!
//! and commit the new file together with a line in `FIXTURES` of
//! `tests/upgrade.rs`. Existing fixtures are never regenerated, because
//! their worth is that older code wrote them.

mod common;

use std::path::PathBuf;

use samantha_store::{EmbeddingOwner, Role, Store};

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

#[tokio::test]
#[ignore = "writes a committed fixture; run by hand when adding a migration"]
async fn make_v1_fixture() {
    let target = fixture_path("schema-v1.db");
    assert!(
        !target.exists(),
        "{} exists; fixtures are never regenerated",
        target.display()
    );

    let temp = common::temp_db();
    let store = Store::open(&temp.path).await.expect("open");

    let conversation = store
        .create_conversation("Rainy Sunday", "samantha")
        .await
        .expect("conversation");
    let question = store
        .append_user_message(
            conversation.id,
            "I miss the lighthouse in Brittany 🌊",
            Some(common::emotion(0.1, 0.8)),
        )
        .await
        .expect("user message");

    let mut reply = store
        .start_reply(conversation.id, "llama-3.2-1b-q4")
        .await
        .expect("reply");
    reply.push("Tell me about it. ").await.expect("push");
    reply
        .push("What did the light look like?")
        .await
        .expect("push");
    reply.finish(12).await.expect("finish");

    let mut cut = store
        .start_reply(conversation.id, "llama-3.2-1b-q4")
        .await
        .expect("reply");
    cut.push("I was about to say.").await.expect("push");
    cut.interrupt(Some(5)).await.expect("interrupt");

    store
        .append_message(conversation.id, Role::System, "Be brief.", None)
        .await
        .expect("system message");

    let second = store
        .create_conversation("Пример עברית 中文", "samantha")
        .await
        .expect("conversation");
    store
        .append_user_message(second.id, "שלום, 你好, привет", None)
        .await
        .expect("message");

    let memory = store
        .add_memory(
            "The user grew up near a lighthouse in Brittany",
            Some(question.id),
        )
        .await
        .expect("memory");
    store.pin_memory(memory.id, true).await.expect("pin");
    let old = store
        .add_memory("The user dislikes tea", None)
        .await
        .expect("memory");
    store.forget_memory(old.id).await.expect("forget");

    let draft = store
        .create_draft(
            "Letter to the lighthouse",
            "Dear lighthouse,",
            Some(conversation.id),
        )
        .await
        .expect("draft");
    store
        .add_draft_version(
            draft.id,
            "Dear lighthouse,\nI still see your light.",
            Some("second line"),
        )
        .await
        .expect("version");

    store
        .put_embedding(
            EmbeddingOwner::Message(question.id),
            "test-encoder",
            &[0.25, -0.5, 1.0],
        )
        .await
        .expect("embedding");
    store
        .put_embedding(
            EmbeddingOwner::Memory(memory.id),
            "test-encoder",
            &[0.5, 0.5, 0.0],
        )
        .await
        .expect("embedding");

    store.set_setting("voice", "warm").await.expect("setting");

    // VACUUM INTO writes one self-contained file, with the WAL content.
    sqlx::query("VACUUM INTO ?1")
        .bind(target.to_string_lossy().into_owned())
        .execute(&mut common::raw_connection(&temp.path).await)
        .await
        .expect("write the fixture");
}
