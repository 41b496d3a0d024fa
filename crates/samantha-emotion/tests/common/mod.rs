//! Locates the real model files and data set for the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use samantha_emotion::encoder::MODEL_FOLDER;

/// Returns the all-MiniLM-L6-v2 folder under `$SAMANTHA_HOME` or the default data
/// directory; panics with the fix when it is missing.
pub fn encoder_dir() -> PathBuf {
    let data = samantha_models::DataDir::resolve().expect("no data directory; set SAMANTHA_HOME");
    let dir = data.models().join(MODEL_FOLDER);
    assert!(
        dir.join("model.safetensors").is_file(),
        "encoder model not found in {}; run `samantha setup` (or set SAMANTHA_HOME to a data directory that has models/{MODEL_FOLDER})",
        dir.display()
    );
    dir
}

/// Returns the GoEmotions folder: `$GOEMOTIONS_DIR`, else `../shared/data/goemotions`
/// relative to the repository root.
pub fn goemotions_dir() -> PathBuf {
    let dir = std::env::var_os("GOEMOTIONS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/goemotions"));
    assert!(
        dir.join("ekman/test.tsv").is_file(),
        "GoEmotions not found at {}; set GOEMOTIONS_DIR to the folder that holds ekman/",
        dir.display()
    );
    dir
}

/// Returns the committed emotion assets folder.
pub fn assets_dir() -> PathBuf {
    samantha_emotion::emotion::assets::default_assets_dir()
}
