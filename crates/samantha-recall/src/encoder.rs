//! Loading the sentence encoder and embedding one text.

use std::path::Path;

use burn::tensor::Device;
use samantha_emotion::Encoder;
use samantha_emotion::encoder::MODEL_FOLDER;

use crate::RecallError;

/// Name stored with every vector, so vectors of another encoder are never
/// compared with these.
pub const EMBEDDING_MODEL: &str = MODEL_FOLDER;

/// Loads all-MiniLM-L6-v2 from `models_dir/all-MiniLM-L6-v2`.
///
/// # Errors
///
/// [`RecallError::LoadEncoder`] naming the folder and the fix when a file
/// is missing or damaged.
pub fn load_encoder(models_dir: &Path) -> Result<Encoder, RecallError> {
    let dir = models_dir.join(MODEL_FOLDER);
    Encoder::load(&dir, &Device::flex()).map_err(|source| RecallError::LoadEncoder { dir, source })
}

/// Returns the L2-normalised embedding of `text`; text longer than the
/// encoder's window is split into windows whose tokens are averaged.
pub(crate) fn embed(encoder: &Encoder, text: &str) -> Result<Vec<f32>, RecallError> {
    let mut vectors = encoder.embed(&[text]).map_err(|source| RecallError::Embed {
        characters: text.chars().count(),
        source,
    })?;
    Ok(vectors.pop().unwrap_or_default())
}
