//! Model files for Samantha: where they live, which packages carry them,
//! and how `samantha setup` fetches and verifies them.

pub mod paths;

pub use paths::{DataDir, PathsError};
