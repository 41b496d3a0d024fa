//! Where Samantha keeps her files.
//!
//! Everything lives under one data directory: `$SAMANTHA_HOME` when it is
//! set, otherwise the platform data directory (`~/.local/share/samantha` on
//! Linux). Models go to `models/` below it and the database is
//! `samantha.db` beside that folder.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the data directory.
pub const HOME_ENV: &str = "SAMANTHA_HOME";

/// Errors raised while resolving the data directory.
#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error(
        "no data directory could be determined for this user; set {HOME_ENV} to a writable folder"
    )]
    NoHome,
}

/// The data directory and the well-known paths inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Resolves the data directory from `$SAMANTHA_HOME` or the platform default.
    pub fn resolve() -> Result<Self, PathsError> {
        if let Some(home) = std::env::var_os(HOME_ENV).filter(|value| !value.is_empty()) {
            return Ok(Self::at(PathBuf::from(home)));
        }

        let dirs = directories::ProjectDirs::from("", "", "samantha").ok_or(PathsError::NoHome)?;
        Ok(Self::at(dirs.data_dir().to_path_buf()))
    }

    /// Uses `root` as the data directory.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Folder that `samantha setup` fills with model files.
    pub fn models(&self) -> PathBuf {
        self.root.join("models")
    }

    /// Default SQLite database file.
    pub fn database(&self) -> PathBuf {
        self.root.join("samantha.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_layout() {
        let dir = DataDir::at("/srv/samantha");
        assert_eq!(dir.models(), PathBuf::from("/srv/samantha/models"));
        assert_eq!(dir.database(), PathBuf::from("/srv/samantha/samantha.db"));
    }
}
