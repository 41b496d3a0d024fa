//! Samantha's desktop window: a thin Tauri shell over the core crates.
//!
//! The window opens at once; the models load on a thread of their own and
//! the page polls `model_status` until they are ready.

mod commands;
mod error;
mod files;
mod model_setup;
mod models;
mod settings;
mod speech;
mod state;

use samantha_models::DataDir;
use samantha_store::Store;
use tauri::Manager;

use crate::state::AppState;

/// Errors raised before the window opens.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    DataDir(#[from] samantha_models::PathsError),

    #[error("failed to create the data folder {path}: {source}")]
    CreateDataDir { path: std::path::PathBuf, source: std::io::Error },

    #[error(transparent)]
    Store(#[from] samantha_store::StoreError),

    #[error(transparent)]
    Tauri(#[from] tauri::Error),
}

/// Opens the store and runs the app until its window closes.
pub fn run() -> Result<(), StartError> {
    init_logging();

    let data_dir = DataDir::resolve()?;
    std::fs::create_dir_all(data_dir.root()).map_err(|source| StartError::CreateDataDir { path: data_dir.root().to_path_buf(), source })?;
    tracing::info!(data_dir = %data_dir.root().display(), "starting");

    let (store, runtime) = tauri::async_runtime::block_on(async {
        let store = Store::open(data_dir.database()).await;
        (store, tokio::runtime::Handle::current())
    });
    let state = AppState::new(data_dir, store?, runtime);

    tauri::Builder::default()
        .manage(state)
        .setup(|app| {
            app.state::<AppState>().start_loading();
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::model_status,
            commands::app::app_info,
            commands::app::setup_models,
            commands::chat::chat_send,
            commands::chat::chat_regenerate,
            commands::chat::chat_stop,
            commands::history::history_list,
            commands::history::history_search,
            commands::history::history_open,
            commands::history::history_rename,
            commands::history::history_delete,
            commands::history::history_delete_all,
            commands::history::history_export,
            commands::history::history_import,
            commands::memories::memories_list,
            commands::memories::memory_forget,
            commands::mood::mood_days,
            commands::mood::mood_messages,
            commands::settings::settings_get,
            commands::settings::settings_save,
            commands::settings::microphones_list,
            commands::speech::mic_start,
            commands::speech::mic_stop,
            commands::speech::transcribe_upload,
            commands::writing::writing_generate,
            commands::writing::drafts_list,
            commands::writing::draft_open,
            commands::writing::draft_export,
        ])
        .run(tauri::generate_context!())?;
    Ok(())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second initialisation (a test that runs the app twice) is harmless.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
