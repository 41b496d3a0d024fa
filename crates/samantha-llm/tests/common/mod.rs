//! Shared helpers for tests that run the real SmolLM2 model.

use std::path::PathBuf;
use std::sync::OnceLock;

use samantha_llm::{BackendChoice, Engine, EngineOptions};
use samantha_models::DataDir;
use samantha_models::catalog::SMOLLM2_GGUF;
use serde::Deserialize;

/// Path of the SmolLM2 GGUF installed by `samantha setup`, or the file in
/// `SAMANTHA_MODEL`.
pub fn model_path() -> PathBuf {
    if let Some(path) = std::env::var_os("SAMANTHA_MODEL") {
        return PathBuf::from(path);
    }

    let path = DataDir::resolve().expect("data directory").models().join(SMOLLM2_GGUF);
    assert!(
        path.exists(),
        "{} is missing: run `samantha setup` (or set SAMANTHA_HOME or SAMANTHA_MODEL) before these tests",
        path.display()
    );
    path
}

/// One engine on the CPU backend, shared by the tests of a binary.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let options = EngineOptions {
            backend: BackendChoice::Cpu,
            max_context: Some(2048),
            ..EngineOptions::default()
        };
        Engine::load(&model_path(), &options).expect("the SmolLM2 model loads")
    })
}

#[derive(Debug, Deserialize)]
pub struct Reference {
    pub tokenizer: Vec<TokenizerCase>,
    pub continuations: Vec<Continuation>,
    pub logits: LogitsCase,
    pub perplexity: PerplexityCase,
}

#[derive(Debug, Deserialize)]
pub struct TokenizerCase {
    pub text: String,
    pub ids: Vec<u32>,
}

#[derive(Debug, Deserialize)]
pub struct Continuation {
    pub prompt: String,
    pub prompt_ids: Vec<u32>,
    pub ids: Vec<u32>,
}

#[derive(Debug, Deserialize)]
pub struct LogitsCase {
    pub prompt_ids: Vec<u32>,
    pub top5: Vec<TopLogit>,
}

#[derive(Debug, Deserialize)]
pub struct TopLogit {
    pub id: u32,
    pub logit: f32,
}

#[derive(Debug, Deserialize)]
pub struct PerplexityCase {
    pub text: String,
    pub ids: Vec<u32>,
    pub value: f64,
}

/// Reference outputs of llama.cpp, written by `fixtures/make_reference.py`.
pub fn reference() -> Reference {
    let text = include_str!("../fixtures/llama_cpp_reference.json");
    serde_json::from_str(text).expect("reference JSON parses")
}
