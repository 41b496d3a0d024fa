//! Building the conversation engine for `ask`, `chat`, `listen`, `prompt`
//! and `write`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use burn::tensor::Device;
use samantha_mind::{Companion, CompanionParts, CompanionSettings, MeaningRecall, SavedMessage, TurnRequest};
use samantha_models::DataDir;
use samantha_store::Store;
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

/// The database and the runtime its queries run on, opened before any model
/// loads so that a command can save the user's message first.
struct Database {
    store: Store,

    // Fields drop in order, so the runtime goes last.
    runtime: Runtime,
}

impl Database {
    /// Opens the database chosen by `--db` or the data directory.
    fn open(db: Option<&Path>) -> anyhow::Result<Self> {
        let runtime = store::runtime()?;
        let store = runtime.block_on(store::open(db))?;
        Ok(Self { store, runtime })
    }

    /// Loads the language model and, when `emotion` is given and the encoder
    /// is installed, the emotion model and recall by meaning.
    fn load(self, model: &ModelArgs, emotion: Option<&EmotionArgs>) -> anyhow::Result<Loaded> {
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
                Some(Arc::new(MeaningRecall::start(self.store.clone(), &models, self.runtime.handle().clone())))
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
            store: self.store,
            runtime: self.runtime.handle().clone(),
            recall: recall.clone().map(|recall| recall as Arc<dyn samantha_mind::Recall>),
        };
        let companion = Companion::new(parts, settings);
        Ok(Loaded {
            companion,
            recall,
            runtime: self.runtime,
        })
    }
}

/// Opens the database and loads the models; see [`Database::load`].
pub fn load(model: &ModelArgs, emotion: Option<&EmotionArgs>, db: Option<&Path>) -> anyhow::Result<Loaded> {
    model.check()?;
    Database::open(db)?.load(model, emotion)
}

/// Saves the user's message, then loads the models, so that a model that
/// fails to load loses nothing the user wrote. The error then names the
/// conversation that contains the message.
pub fn save_then_load(
    request: &TurnRequest,
    model: &ModelArgs,
    emotion: Option<&EmotionArgs>,
    db: Option<&Path>,
) -> anyhow::Result<(Loaded, SavedMessage)> {
    model.check()?;
    let database = Database::open(db)?;
    let saved = database.runtime.block_on(request.save(&database.store))?;

    let id = saved.conversation;
    let loaded = database.load(model, emotion).with_context(|| {
        format!("your message was saved in conversation {id} (`samantha history show {id}` shows it), but Samantha could not reply")
    })?;
    Ok((loaded, saved))
}
