//! Generates an `allow-<command>` permission for each command, so that the
//! capability in `capabilities/` can grant exactly these and nothing else.

const COMMANDS: &[&str] = &[
    "model_status",
    "app_info",
    "setup_models",
    "chat_send",
    "chat_regenerate",
    "chat_stop",
    "history_list",
    "history_search",
    "history_open",
    "history_rename",
    "history_delete",
    "history_delete_all",
    "history_export",
    "history_import",
    "memories_list",
    "memory_forget",
    "mood_days",
    "mood_messages",
    "settings_get",
    "settings_save",
    "microphones_list",
    "mic_start",
    "mic_stop",
    "transcribe_upload",
    "writing_generate",
    "drafts_list",
    "draft_open",
    "draft_export",
];

fn main() {
    let attributes = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
