//! The real encoder, a multi-thread runtime and a seeded temporary database
//! for the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use samantha_emotion::Encoder;
use samantha_emotion::encoder::MODEL_FOLDER;
use samantha_store::{ConversationId, Store};
use tokio::runtime::Runtime;

/// Returns the models folder under `$SAMANTHA_HOME` or the default data
/// directory; panics with the fix when the encoder is missing.
pub fn models_dir() -> PathBuf {
    let data = samantha_models::DataDir::resolve().expect("no data directory; set SAMANTHA_HOME");
    let models = data.models();
    assert!(
        models.join(MODEL_FOLDER).join("model.safetensors").is_file(),
        "encoder model not found in {}; run `samantha setup` (or set SAMANTHA_HOME to a data directory that has models/{MODEL_FOLDER})",
        models.display()
    );
    models
}

pub fn encoder() -> Arc<Encoder> {
    Arc::new(samantha_recall::load_encoder(&models_dir()).expect("load the encoder"))
}

pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("start a runtime")
}

/// A temporary folder with an open database inside it.
pub struct TempStore {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub store: Store,
}

pub fn temp_store(runtime: &Runtime) -> TempStore {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    let path = dir.path().join("samantha.db");
    let store = runtime.block_on(Store::open(&path)).expect("open the test database");
    TempStore { dir, path, store }
}

/// A month of small talk: the messages that paraphrase queries must find,
/// among unrelated ones.
pub const HISTORY: &[&str] = &[
    "I walked Biscuit, my beagle, this morning.",
    "The quarterly report for my manager is due Friday and the office is chaos.",
    "Summers in the little fishing village of my childhood smelled of salt and diesel.",
    "I have had a fever and a sore throat since Tuesday.",
    "We booked flights to Lisbon for two weeks in August.",
    "The mechanic says the old Volvo needs new brakes before winter.",
    "Spicy ramen with a soft egg is my favourite dinner.",
    "Can you remind me what time it is in Tokyo?",
    "I finished reading that novel about the lighthouse keeper.",
    "The weather today is grey and windy.",
    "I keep forgetting to water the tomatoes on the balcony.",
    "My neighbour plays the trumpet every evening at seven.",
    "I think I should call my mother more often.",
    "The new phone update made the battery drain faster.",
    "I tried a yoga class and could barely touch my toes.",
    "Rent went up again this year.",
    "I watched a documentary about octopuses last night.",
    "There was a spider in the bathtub and I screamed.",
    "My friend Lena is getting married in June.",
    "I started learning chess openings online.",
    "The train was forty minutes late this morning.",
    "I bought a secondhand bicycle with a wicker basket.",
    "Coffee tastes better when someone else makes it.",
    "I can never decide what to wear to parties.",
    "The museum had a wonderful exhibition of old maps.",
    "I dreamt I could breathe underwater.",
    "Our team lost the football match on penalties.",
    "I am trying to drink less sugar this month.",
    "The library near the park is closing for renovations.",
    "I found my grandfather's watch in a drawer.",
];

/// Paraphrase queries that share no searchable word with their target
/// message, by position in [`HISTORY`].
pub const PARAPHRASES: &[(&str, usize)] = &[
    ("my dog", 0),
    ("my job", 1),
    ("where I grew up", 2),
    ("feeling ill", 3),
    ("holiday plans", 4),
    ("car trouble", 5),
];

/// Stores [`HISTORY`] as user messages of one conversation.
pub fn seed(runtime: &Runtime, store: &Store) -> ConversationId {
    runtime.block_on(async {
        let conversation = store.create_conversation("a month", "samantha").await.expect("conversation");
        for text in HISTORY {
            store
                .append_user_message(conversation.id, text, None)
                .await
                .expect("append a message");
        }
        conversation.id
    })
}
