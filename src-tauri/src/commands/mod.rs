//! The commands the page may call. Each one translates between the page's
//! JSON and the core crates; the work happens in the core crates.

pub mod app;
pub mod chat;
pub mod history;
pub mod memories;
pub mod mood;
pub mod settings;
pub mod speech;
pub mod writing;
