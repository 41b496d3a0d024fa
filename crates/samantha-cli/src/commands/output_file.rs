//! Writing exports to files without replacing the user's files by mistake.

use std::io::{ErrorKind, Write};
use std::path::Path;

use anyhow::Context;

/// Writes `contents` to a new file at `path`. An existing file is replaced
/// only with `force`, because it may hold something the user wrote.
pub fn write(path: &Path, contents: &[u8], force: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }

    let mut file = match options.open(path) {
        Err(error) if error.kind() == ErrorKind::AlreadyExists => {
            anyhow::bail!("{} already exists; choose another --out path, or pass --force to replace it", path.display())
        }
        result => result.with_context(|| format!("could not create {}", path.display()))?,
    };
    file.write_all(contents).with_context(|| format!("could not write {}", path.display()))?;
    Ok(())
}
