//! Building the conversation engine for `ask`, `chat`, `listen`, `prompt`
//! and `write`.

use std::path::Path;
use std::sync::Arc;

use burn::tensor::Device;
use samantha_mind::{Companion, CompanionParts, CompanionSettings};
use tokio::runtime::Runtime;

use super::emotion::ModelArgs as EmotionArgs;
use super::model_args::ModelArgs;
use super::store;

/// The runtime the store runs on and the companion built over it. The
/// runtime must outlive the companion, so both are kept together.
pub struct Loaded {
    pub runtime: Runtime,
    pub companion: Companion,
}

/// Opens the database and loads the language model and, when `emotion` is
/// given and the encoder is installed, the emotion model.
pub fn load(model: &ModelArgs, emotion: Option<&EmotionArgs>, db: Option<&Path>) -> anyhow::Result<Loaded> {
    let runtime = store::runtime()?;
    let store = runtime.block_on(store::open(db))?;
    let engine = Arc::new(model.load_engine()?);

    // Replies work without the emotion model, so a missing one is a warning.
    let classifier = match emotion.map(|emotion| emotion.load(&Device::flex())) {
        Some(Ok(classifier)) => Some(Arc::new(classifier)),
        Some(Err(error)) => {
            tracing::warn!("emotion detection is off: {error:#}; `samantha setup` installs the encoder");
            None
        }
        None => None,
    };

    let settings = CompanionSettings {
        max_tokens: model.max_tokens,
        sampling: model.sampling(),
        ..CompanionSettings::default()
    };
    let parts = CompanionParts {
        engine,
        emotion: classifier,
        store,
        runtime: runtime.handle().clone(),
        recall: None,
    };
    let companion = Companion::new(parts, settings);
    Ok(Loaded { runtime, companion })
}
