//! The background thread that embeds messages and memories.

use std::collections::HashSet;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use samantha_emotion::Encoder;
use samantha_store::{EmbeddingOwner, Store, StoreError};
use tokio::runtime::Handle;

use crate::RecallError;
use crate::encoder::{EMBEDDING_MODEL, embed};

/// Rows read from the store per query while catching up.
const BATCH: u32 = 64;

enum Signal {
    /// New rows may need embeddings.
    Work,
    Shutdown,
}

/// Counts of requested and finished passes, for [`EmbeddingIndexer::wait_idle`].
#[derive(Default)]
struct Passes {
    requested: u64,
    finished: u64,
    embedded: u64,
}

#[derive(Default)]
struct Progress {
    passes: Mutex<Passes>,
    changed: Condvar,
}

/// Embeds every message and memory that has no vector from
/// [`EMBEDDING_MODEL`], on its own thread: all of them when it starts,
/// then the new ones after each [`EmbeddingIndexer::notify`].
///
/// Dropping the indexer stops the thread after the text being embedded,
/// as [`EmbeddingIndexer::shutdown`] does.
pub struct EmbeddingIndexer {
    signals: Sender<Signal>,
    progress: Arc<Progress>,
    thread: Option<JoinHandle<()>>,
}

impl EmbeddingIndexer {
    /// Starts the thread, which catches up at once. `runtime` must be a
    /// multi-thread runtime: the thread blocks on it for store calls.
    ///
    /// # Panics
    ///
    /// When the operating system cannot start a thread; see
    /// [`EmbeddingIndexer::try_start`].
    pub fn start(store: Store, encoder: Arc<Encoder>, runtime: Handle) -> Self {
        match Self::try_start(store, encoder, runtime) {
            Ok(indexer) => indexer,
            Err(error) => panic!("{error}"),
        }
    }

    /// Like [`EmbeddingIndexer::start`], returning an error when the thread
    /// cannot be started.
    ///
    /// # Errors
    ///
    /// [`RecallError::SpawnIndexer`].
    pub fn try_start(store: Store, encoder: Arc<Encoder>, runtime: Handle) -> Result<Self, RecallError> {
        let (signals, receiver) = channel();
        let progress = Arc::new(Progress::default());
        progress.passes.lock().unwrap_or_else(PoisonError::into_inner).requested = 1;

        let worker = Worker {
            store,
            encoder,
            runtime,
            receiver,
            progress: progress.clone(),
            failed: HashSet::new(),
        };
        let thread = std::thread::Builder::new()
            .name("embedding-indexer".to_owned())
            .spawn(move || worker.run())
            .map_err(|source| RecallError::SpawnIndexer { source })?;

        Ok(Self {
            signals,
            progress,
            thread: Some(thread),
        })
    }

    /// Asks the thread to embed the rows added since its last pass. Call it
    /// after storing a message or memory. It returns without waiting for
    /// the embedding.
    pub fn notify(&self) {
        self.progress.passes.lock().unwrap_or_else(PoisonError::into_inner).requested += 1;
        if self.signals.send(Signal::Work).is_err() {
            tracing::warn!("the embedding indexer thread has stopped; new rows stay without embeddings");
        }
    }

    /// Number of vectors stored since the indexer started.
    pub fn embedded(&self) -> u64 {
        self.progress.passes.lock().unwrap_or_else(PoisonError::into_inner).embedded
    }

    /// Waits until every requested pass has finished, or `timeout` passed;
    /// returns whether the indexer is idle.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut passes = self.progress.passes.lock().unwrap_or_else(PoisonError::into_inner);
        while passes.finished < passes.requested {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            passes = self
                .progress
                .changed
                .wait_timeout(passes, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Stops the thread after the text it is embedding and waits for it.
    ///
    /// # Errors
    ///
    /// [`RecallError::IndexerPanicked`] when the thread panicked.
    pub fn shutdown(mut self) -> Result<(), RecallError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<(), RecallError> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        // A send error means the thread already ended; join reports how.
        let _ = self.signals.send(Signal::Shutdown);
        thread.join().map_err(|_| RecallError::IndexerPanicked)
    }
}

impl Drop for EmbeddingIndexer {
    fn drop(&mut self) {
        if let Err(error) = self.stop() {
            tracing::error!(%error, "embedding indexer stopped abnormally");
        }
    }
}

/// State owned by the indexer thread.
struct Worker {
    store: Store,
    encoder: Arc<Encoder>,
    runtime: Handle,
    receiver: Receiver<Signal>,
    progress: Arc<Progress>,
    /// Rows whose embedding failed in this run; skipped so one bad row
    /// cannot make a pass loop forever.
    failed: HashSet<EmbeddingOwner>,
}

/// Outcome of a pass.
enum PassEnd {
    Done,
    Shutdown,
}

impl Worker {
    fn run(mut self) {
        tracing::info!(model = EMBEDDING_MODEL, "embedding indexer started");
        loop {
            let requested = self.requested();
            let end = self.pass();
            self.finish_pass(requested);
            if matches!(end, PassEnd::Shutdown) {
                break;
            }

            // A notify during the pass may have had its signal consumed by
            // the shutdown check, so the count decides whether to go again.
            if self.requested() > requested {
                continue;
            }
            match self.receiver.recv() {
                Ok(Signal::Work) => {}
                Ok(Signal::Shutdown) | Err(_) => break,
            }
        }
        // Wake any waiter so it does not wait for passes that will not run.
        let mut passes = self.progress.passes.lock().unwrap_or_else(PoisonError::into_inner);
        passes.finished = passes.requested;
        self.progress.changed.notify_all();
        drop(passes);
        tracing::info!("embedding indexer stopped");
    }

    fn requested(&self) -> u64 {
        self.progress.passes.lock().unwrap_or_else(PoisonError::into_inner).requested
    }

    fn finish_pass(&self, requested: u64) {
        let mut passes = self.progress.passes.lock().unwrap_or_else(PoisonError::into_inner);
        passes.finished = passes.finished.max(requested);
        self.progress.changed.notify_all();
    }

    /// Embeds rows until none is missing, checking for shutdown between rows.
    fn pass(&mut self) -> PassEnd {
        let started = Instant::now();
        let mut stored = 0u64;
        loop {
            let limit = BATCH.saturating_add(u32::try_from(self.failed.len()).unwrap_or(u32::MAX));
            let missing = match self.runtime.block_on(self.store.missing_embeddings(EMBEDDING_MODEL, limit)) {
                Ok(missing) => missing,
                Err(error) => {
                    tracing::error!(%error, "failed to list rows without embeddings; retrying after the next notify");
                    return PassEnd::Done;
                }
            };

            let pending: Vec<(EmbeddingOwner, String)> =
                missing.into_iter().filter(|(owner, _)| !self.failed.contains(owner)).collect();
            if pending.is_empty() {
                if stored > 0 {
                    tracing::debug!(stored, elapsed_ms = started.elapsed().as_millis() as u64, "embedding pass finished");
                }
                return PassEnd::Done;
            }

            for (owner, text) in pending {
                if self.shutdown_requested() {
                    return PassEnd::Shutdown;
                }
                if self.index(owner, &text) {
                    stored += 1;
                    self.progress.passes.lock().unwrap_or_else(PoisonError::into_inner).embedded += 1;
                } else {
                    self.failed.insert(owner);
                }
            }
        }
    }

    /// Embeds and stores one row; returns whether a vector was stored.
    fn index(&self, owner: EmbeddingOwner, text: &str) -> bool {
        let vector = match embed(&self.encoder, text) {
            Ok(vector) => vector,
            Err(error) => {
                tracing::error!(?owner, %error, "failed to embed; skipping this row until the next start");
                return false;
            }
        };

        match self.runtime.block_on(self.store.put_embedding(owner, EMBEDDING_MODEL, &vector)) {
            Ok(()) => true,
            // Deleted between listing and storing: nothing left to embed.
            Err(StoreError::MessageNotFound(_) | StoreError::MemoryNotFound(_)) => false,
            Err(error) => {
                tracing::error!(?owner, %error, "failed to store the embedding; skipping this row until the next start");
                false
            }
        }
    }

    /// Consumes pending signals; returns whether one of them was a shutdown.
    fn shutdown_requested(&self) -> bool {
        loop {
            match self.receiver.try_recv() {
                // The pass in progress will reach the new rows as well.
                Ok(Signal::Work) => {}
                Ok(Signal::Shutdown) | Err(TryRecvError::Disconnected) => return true,
                Err(TryRecvError::Empty) => return false,
            }
        }
    }
}
