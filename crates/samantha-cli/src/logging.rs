//! Logging to standard error.

use tracing_subscriber::EnvFilter;

/// Installs a `tracing` subscriber that writes to standard error.
///
/// An invalid filter falls back to `warn` so that a typo never hides errors.
pub fn init(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("warn"));

    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
