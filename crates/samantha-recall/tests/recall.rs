//! Recall by meaning on a real SQLite file with the real MiniLM model.

mod common;

use std::time::Duration;

use samantha_recall::{EMBEDDING_MODEL, EmbeddingIndexer, RecallError, Recalled, SemanticRecall};

const IDLE: Duration = Duration::from_secs(120);

fn contains(results: &[Recalled], text: &str) -> bool {
    results.iter().any(|recalled| recalled.content == text)
}

fn contents(results: &[Recalled]) -> Vec<&str> {
    results.iter().map(|recalled| recalled.content.as_str()).collect()
}

#[test]
fn paraphrases_find_messages_bm25_does_not() {
    let runtime = common::runtime();
    let temp = common::temp_store(&runtime);
    common::seed(&runtime, &temp.store);
    let encoder = common::encoder();

    let indexer = EmbeddingIndexer::start(temp.store.clone(), encoder.clone(), runtime.handle().clone());
    assert!(indexer.wait_idle(IDLE), "the indexer did not finish");
    assert_eq!(indexer.embedded(), common::HISTORY.len() as u64);

    let semantic = SemanticRecall::new(temp.store.clone(), Some(encoder), runtime.handle().clone());
    let words_only = SemanticRecall::new(temp.store.clone(), None, runtime.handle().clone());
    assert!(semantic.has_encoder());
    assert!(!words_only.has_encoder());

    for (query, index) in common::PARAPHRASES {
        let target = common::HISTORY[*index];

        let found = semantic.recall(query, 3).expect("semantic recall");
        assert!(contains(&found, target), "{query:?} should find {target:?} in the top 3, got {:?}", contents(&found));

        let bm25 = words_only.recall(query, 3).expect("BM25 recall");
        assert!(!contains(&bm25, target), "BM25 alone found {target:?} for {query:?}; pick a query without shared words");
    }

    indexer.shutdown().expect("shutdown");
}

#[test]
fn indexer_catches_up_then_follows_new_rows() {
    let runtime = common::runtime();
    let temp = common::temp_store(&runtime);
    let conversation = common::seed(&runtime, &temp.store);
    let long_memory = "The garden behind the house had apple trees and a swing. ".repeat(60);
    runtime.block_on(temp.store.add_memory(&long_memory, None)).expect("memory");
    let encoder = common::encoder();

    let indexer = EmbeddingIndexer::start(temp.store.clone(), encoder.clone(), runtime.handle().clone());
    assert!(indexer.wait_idle(IDLE), "the indexer did not finish");
    let missing = runtime.block_on(temp.store.missing_embeddings(EMBEDDING_MODEL, 100)).expect("missing");
    assert!(missing.is_empty(), "left without embeddings: {missing:?}");
    assert_eq!(indexer.embedded(), common::HISTORY.len() as u64 + 1);

    let new_message = "Grandma taught me to bake bread with rye flour.";
    runtime
        .block_on(temp.store.append_user_message(conversation, new_message, None))
        .expect("append");
    indexer.notify();
    assert!(indexer.wait_idle(IDLE), "the indexer did not finish after notify");
    let missing = runtime.block_on(temp.store.missing_embeddings(EMBEDDING_MODEL, 100)).expect("missing");
    assert!(missing.is_empty(), "left without embeddings: {missing:?}");
    assert_eq!(indexer.embedded(), common::HISTORY.len() as u64 + 2);

    let recall = SemanticRecall::new(temp.store.clone(), Some(encoder), runtime.handle().clone());
    let found = recall.recall("my grandmother's baking", 3).expect("recall");
    assert!(contains(&found, new_message), "{:?}", contents(&found));

    indexer.shutdown().expect("shutdown");
}

#[test]
fn restart_embeds_only_missing_rows() {
    let runtime = common::runtime();
    let temp = common::temp_store(&runtime);
    common::seed(&runtime, &temp.store);
    let encoder = common::encoder();

    let first = EmbeddingIndexer::start(temp.store.clone(), encoder.clone(), runtime.handle().clone());
    assert!(first.wait_idle(IDLE));
    first.shutdown().expect("shutdown");

    runtime.block_on(temp.store.add_memory("Allergic to peanuts.", None)).expect("memory");
    let second = EmbeddingIndexer::start(temp.store.clone(), encoder, runtime.handle().clone());
    assert!(second.wait_idle(IDLE));
    assert_eq!(second.embedded(), 1);
    drop(second);
}

#[test]
fn async_recall_matches_blocking() {
    let runtime = common::runtime();
    let temp = common::temp_store(&runtime);
    common::seed(&runtime, &temp.store);
    let encoder = common::encoder();
    let indexer = EmbeddingIndexer::start(temp.store.clone(), encoder.clone(), runtime.handle().clone());
    assert!(indexer.wait_idle(IDLE));

    let recall = SemanticRecall::new(temp.store.clone(), Some(encoder), runtime.handle().clone());
    let blocking = recall.recall("my dog", 5).expect("recall");
    let from_task = runtime.block_on(recall.recall_async("my dog", 5)).expect("async recall");
    assert_eq!(contents(&blocking), contents(&from_task));
    assert_eq!(from_task[0].content, common::HISTORY[0]);
}

#[test]
fn blank_query_returns_nothing() {
    let runtime = common::runtime();
    let temp = common::temp_store(&runtime);
    common::seed(&runtime, &temp.store);
    let recall = SemanticRecall::new(temp.store.clone(), Some(common::encoder()), runtime.handle().clone());
    for query in ["", "   ", "\n\t"] {
        assert!(recall.recall(query, 5).expect("recall").is_empty(), "{query:?}");
    }
    assert!(recall.recall("dog", 0).expect("recall").is_empty());
}

#[test]
fn without_encoder_recall_is_bm25() {
    let runtime = common::runtime();
    let temp = common::temp_store(&runtime);
    common::seed(&runtime, &temp.store);
    let recall = SemanticRecall::new(temp.store.clone(), None, runtime.handle().clone());

    let found = recall.recall("beagle", 3).expect("recall");
    assert_eq!(found[0].content, common::HISTORY[0]);
    assert_eq!(found[0].cosine_rank, None);
    assert_eq!(found[0].bm25_rank, Some(1));
}

#[test]
fn missing_model_names_path_and_fix() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let error = samantha_recall::load_encoder(dir.path()).err().expect("loading should fail");
    let message = error.to_string();
    assert!(matches!(error, RecallError::LoadEncoder { .. }), "{message}");
    assert!(message.contains(&dir.path().display().to_string()), "{message}");
    assert!(message.contains("samantha setup"), "{message}");
}

#[test]
fn damaged_model_names_path_and_fix() {
    let models = tempfile::tempdir().expect("temporary folder");
    let folder = models.path().join(EMBEDDING_MODEL);
    std::fs::create_dir(&folder).expect("model folder");
    let source = common::models_dir().join(EMBEDDING_MODEL);
    for file in ["tokenizer.json", "config.json"] {
        std::fs::copy(source.join(file), folder.join(file)).expect("copy");
    }
    std::fs::write(folder.join("model.safetensors"), b"truncated").expect("write");

    let message = samantha_recall::load_encoder(models.path()).err().expect("loading should fail").to_string();
    assert!(message.contains("model.safetensors"), "{message}");
    assert!(message.contains(&folder.display().to_string()), "{message}");
    assert!(message.contains("samantha setup"), "{message}");
}
