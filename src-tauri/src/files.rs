//! Files the app writes for the user: exports go to `exports/` in the data
//! folder, so the page never names a path on disk.

use std::path::{Path, PathBuf};

use samantha_store::Timestamp;

/// Errors raised while writing an export.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("failed to write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// Writes `contents` to `<data folder>/exports/<stem>-<time>.<extension>`
/// and returns the path written.
pub fn write_export(data_dir: &Path, stem: &str, extension: &str, contents: &str) -> Result<PathBuf, FilesError> {
    let folder = data_dir.join("exports");
    std::fs::create_dir_all(&folder).map_err(|source| FilesError::Write { path: folder.clone(), source })?;

    // Colons are not allowed in file names on every platform.
    let stamp = Timestamp::now().to_rfc3339().replace(':', "-");
    let path = folder.join(format!("{stem}-{stamp}.{extension}"));
    std::fs::write(&path, contents).map_err(|source| FilesError::Write { path: path.clone(), source })?;

    tracing::info!(path = %path.display(), "export written");
    Ok(path)
}
