//! Every committed fixture, one per earlier schema version, opens with the
//! current code and keeps every row.

mod common;

use std::path::PathBuf;

use samantha_store::{ConversationId, MessageStatus, Store, schema_versions};

/// `(applied migrations, file)` for each fixture in `tests/fixtures/`.
const FIXTURES: &[(usize, &str)] = &[(1, "schema-v1.db")];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

#[test]
fn fixture_for_every_version() {
    let versions = schema_versions();
    for applied in 1..=versions.len() {
        assert!(
            FIXTURES.iter().any(|(version, _)| *version == applied),
            "no fixture for schema version {applied}; see tests/make_fixtures.rs"
        );
    }
}

#[tokio::test]
async fn upgrade_keeps_every_row() {
    for (applied, name) in FIXTURES {
        let temp = common::temp_db();
        std::fs::copy(fixture(name), &temp.path).expect("copy the fixture");

        let mut before_connection = common::raw_connection(&temp.path).await;
        let tables = common::user_tables(&mut before_connection).await;
        let mut before = Vec::new();
        for (table, columns) in &tables {
            before.push(common::dump_table(&mut before_connection, table, columns).await);
        }
        drop(before_connection);

        let store = Store::open(&temp.path)
            .await
            .expect("open the fixture copy");

        let mut after_connection = common::raw_connection(&temp.path).await;
        for ((table, columns), rows_before) in tables.iter().zip(&before) {
            let rows_after = common::dump_table(&mut after_connection, table, columns).await;
            assert_eq!(&rows_after, rows_before, "table {table} of {name} changed");
            assert!(
                !rows_before.is_empty(),
                "fixture {name} has no rows in {table}"
            );
        }

        let pending = schema_versions().len() - applied;
        let backups = std::fs::read_dir(temp.dir.path())
            .expect("list the folder")
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().contains(".backup-v"))
            .count();
        assert_eq!(backups, usize::from(pending > 0), "backups next to {name}");

        store.close().await;
    }
}

#[tokio::test]
async fn upgraded_v1_reads_through_api() {
    let temp = common::temp_db();
    std::fs::copy(fixture("schema-v1.db"), &temp.path).expect("copy the fixture");

    let store = Store::open(&temp.path).await.expect("open");

    let conversations = store.list_conversations().await.expect("list");
    assert_eq!(conversations.len(), 2);

    let messages = store.messages(ConversationId(1)).await.expect("messages");
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[0].content, "I miss the lighthouse in Brittany 🌊");
    assert_eq!(
        messages[0].emotion.map(|emotion| emotion.label.as_str()),
        Some("sadness")
    );
    assert_eq!(messages[1].status, MessageStatus::Complete);
    assert_eq!(messages[1].token_count, Some(12));
    assert_eq!(messages[2].status, MessageStatus::Interrupted);

    let hits = store
        .search_messages("lighthouse", 10)
        .await
        .expect("search");
    assert_eq!(hits.len(), 1);

    let memories = store.list_memories(false).await.expect("memories");
    assert_eq!(memories.len(), 1);
    assert!(memories[0].pinned);

    let recalled = store.recall("tea", 5).await.expect("recall");
    assert!(
        recalled.is_empty(),
        "a forgotten memory came back: {recalled:?}"
    );

    assert_eq!(
        store.setting("voice").await.expect("setting").as_deref(),
        Some("warm")
    );
}
