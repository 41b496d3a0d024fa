//! Building the conversation engine for `ask`, `chat`, `listen`, `prompt`
//! and `write`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use burn::tensor::Device;
use samantha_mind::{Companion, CompanionParts, CompanionSettings, MeaningRecall};
use samantha_models::DataDir;
use tokio::runtime::Runtime;

use super::emotion::ModelArgs as EmotionArgs;
use super::model_args::ModelArgs;
use super::store;

/// Maximum wait at exit for the new messages to be embedded.
const INDEX_WAIT: Duration = Duration::from_secs(20);

/// The runtime the store runs on and the companion built over it. The
/// runtime must outlive the companion, so both are kept together.
pub struct Loaded {
    pub companion: Companion,
    recall: Option<Arc<MeaningRecall>>,

    // Fields drop in order, so the runtime goes last: the indexer thread
    // blocks on it until the recall above is dropped.
    pub runtime: Runtime,
}

impl Loaded {
    /// Waits for the background indexer to embed what this process stored,
    /// so that the next process can recall it by meaning.
    pub fn finish(&self) {
        if let Some(recall) = &self.recall
            && !recall.wait_idle(INDEX_WAIT)
        {
            tracing::warn!("new messages were not all embedded before exit; the next start embeds them");
        }
    }
}

/// Opens the database and loads the language model and, when `emotion` is
/// given and the encoder is installed, the emotion model and recall by
/// meaning.
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

    let recall = match emotion {
        Some(_) => {
            let models = DataDir::resolve()?.models();
            Some(Arc::new(MeaningRecall::start(store.clone(), &models, runtime.handle().clone())))
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
        recall: recall.clone().map(|recall| recall as Arc<dyn samantha_mind::Recall>),
    };
    let companion = Companion::new(parts, settings);
    Ok(Loaded {
        companion,
        recall,
        runtime,
    })
}
