//! Recall: BM25 over messages and memories, fused with cosine ranks.

mod common;

use samantha_store::{EmbeddingOwner, QueryVector, RecallItem, StoreError};

#[tokio::test]
async fn bm25_finds_relevant_messages() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("past", "samantha")
        .await
        .expect("conversation");

    let texts = [
        "My sister Clara is moving to Lisbon next spring",
        "I cooked pasta with too much garlic tonight",
        "The weather was grey and I stayed inside",
        "Clara called, she found an apartment in Lisbon near the river",
        "Work was long, the meeting ran over",
    ];
    let mut ids = Vec::new();
    for text in texts {
        ids.push(
            store
                .append_user_message(conversation.id, text, None)
                .await
                .expect("message")
                .id,
        );
    }

    let recalled = store
        .recall("where is Clara living in Lisbon?", 3)
        .await
        .expect("recall");
    let found: Vec<_> = recalled
        .iter()
        .filter_map(|item| match item.item {
            RecallItem::Message { id, .. } => Some(id),
            RecallItem::Memory { .. } => None,
        })
        .collect();

    assert_eq!(found.len(), 2, "{recalled:?}");
    assert!(
        found.contains(&ids[0]) && found.contains(&ids[3]),
        "{recalled:?}"
    );
    assert!(recalled.iter().all(|item| item.bm25_rank.is_some()));
}

#[tokio::test]
async fn fts_syntax_never_errors() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("past", "samantha")
        .await
        .expect("conversation");
    store
        .append_user_message(conversation.id, "he said \"NEAR\" and left (quickly)", None)
        .await
        .expect("message");

    for query in [
        "\"",
        "\"NEAR\"",
        "NEAR(",
        "a* OR -b",
        "((x)",
        "content:he",
        "AND",
        "NOT NOT",
        "^",
        "he said \"NEAR",
        "*",
        "-",
        "'; DROP TABLE messages; --",
    ] {
        store
            .recall(query, 5)
            .await
            .unwrap_or_else(|error| panic!("recall {query:?} failed: {error}"));
    }

    let recalled = store.recall("\"NEAR\" (quickly)", 5).await.expect("recall");
    assert_eq!(recalled.len(), 1);
}

#[tokio::test]
async fn forgotten_memories_never_recalled() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;

    let kept = store
        .add_memory("The user's dog is called Pepper", None)
        .await
        .expect("memory");
    let forgotten = store
        .add_memory("The user's old dog was called Biscuit", None)
        .await
        .expect("memory");
    store.forget_memory(forgotten.id).await.expect("forget");

    store
        .put_embedding(EmbeddingOwner::Memory(forgotten.id), "enc", &[1.0, 0.0])
        .await
        .expect("embedding");
    store
        .put_embedding(EmbeddingOwner::Memory(kept.id), "enc", &[0.0, 1.0])
        .await
        .expect("embedding");

    let query = QueryVector {
        model: "enc",
        vector: &[1.0, 0.0],
    };
    let recalled = store
        .recall_hybrid("dog Biscuit called", Some(query), 10)
        .await
        .expect("recall");

    assert!(!recalled.is_empty());
    for item in &recalled {
        assert_ne!(
            item.item,
            RecallItem::Memory {
                id: forgotten.id,
                pinned: false
            },
            "a forgotten memory came back"
        );
        assert!(!item.content.contains("Biscuit"), "{recalled:?}");
    }
}

#[tokio::test]
async fn cosine_fuses_with_bm25() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("past", "samantha")
        .await
        .expect("conversation");

    let words = store
        .append_user_message(conversation.id, "the ocean was calm", None)
        .await
        .expect("message");
    let meaning = store
        .append_user_message(conversation.id, "waves lapping quietly at the shore", None)
        .await
        .expect("message");
    let both = store
        .append_user_message(conversation.id, "a calm ocean at the shore", None)
        .await
        .expect("message");

    store
        .put_embedding(EmbeddingOwner::Message(meaning.id), "enc", &[1.0, 0.1, 0.0])
        .await
        .expect("embedding");
    store
        .put_embedding(EmbeddingOwner::Message(both.id), "enc", &[0.9, 0.3, 0.0])
        .await
        .expect("embedding");
    // `words` has only a vector of another model, which is never compared
    // with the query.
    store
        .put_embedding(EmbeddingOwner::Message(words.id), "other", &[1.0, 0.0, 0.0])
        .await
        .expect("embedding");

    let query = QueryVector {
        model: "enc",
        vector: &[1.0, 0.0, 0.0],
    };
    let recalled = store
        .recall_hybrid("calm ocean", Some(query), 3)
        .await
        .expect("recall");

    assert_eq!(recalled.len(), 3, "{recalled:?}");
    let first = &recalled[0];
    assert!(
        matches!(first.item, RecallItem::Message { id, .. } if id == both.id),
        "the message ranked by both lists comes first: {recalled:?}"
    );
    assert!(first.bm25_rank.is_some(), "{recalled:?}");
    assert!(first.cosine_rank.is_some(), "{recalled:?}");

    let vector_only = recalled
        .iter()
        .find(|item| matches!(item.item, RecallItem::Message { id, .. } if id == meaning.id))
        .expect("the cosine-only message is recalled");
    assert_eq!(vector_only.bm25_rank, None);
    assert_eq!(vector_only.cosine_rank, Some(1));

    let missing = store.missing_embeddings("enc", 10).await.expect("missing");
    assert_eq!(missing.len(), 1, "{missing:?}");
    let missing = store
        .missing_embeddings("other", 10)
        .await
        .expect("missing");
    assert_eq!(missing.len(), 2);
}

#[tokio::test]
async fn bad_vectors_rejected() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let memory = store.add_memory("fact", None).await.expect("memory");

    let error = store
        .put_embedding(EmbeddingOwner::Memory(memory.id), "enc", &[])
        .await
        .expect_err("empty vector");
    assert!(matches!(error, StoreError::InvalidEmbedding(_)), "{error}");

    let error = store
        .put_embedding(
            EmbeddingOwner::Memory(samantha_store::MemoryId(99)),
            "enc",
            &[1.0],
        )
        .await
        .expect_err("unknown owner");
    assert!(matches!(error, StoreError::MemoryNotFound(99)), "{error}");

    let query = QueryVector {
        model: "enc",
        vector: &[f32::INFINITY],
    };
    let error = store
        .recall_hybrid("fact", Some(query), 3)
        .await
        .expect_err("infinite query");
    assert!(matches!(error, StoreError::InvalidEmbedding(_)), "{error}");
}

#[tokio::test]
async fn missing_embeddings_skip_blank_and_streaming() {
    let temp = common::temp_db();
    let store = common::open(&temp.path).await;
    let conversation = store
        .create_conversation("past", "samantha")
        .await
        .expect("conversation");

    let kept = store
        .append_user_message(conversation.id, "I adopted a cat", None)
        .await
        .expect("message");
    store
        .append_user_message(conversation.id, " \n\t ", None)
        .await
        .expect("blank message");
    store.add_memory("", None).await.expect("empty memory");
    let mut reply = store
        .start_reply(conversation.id, "model")
        .await
        .expect("reply");
    reply.push("That is wonderful").await.expect("push");
    reply.flush().await.expect("flush");

    let missing = store.missing_embeddings("enc", 10).await.expect("missing");
    assert_eq!(
        missing,
        vec![(EmbeddingOwner::Message(kept.id), "I adopted a cat".to_owned())]
    );

    let finished = reply.finish(3).await.expect("finish");
    let missing = store.missing_embeddings("enc", 10).await.expect("missing");
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(
        missing.contains(&(
            EmbeddingOwner::Message(finished.id),
            "That is wonderful".to_owned()
        )),
        "{missing:?}"
    );
}
