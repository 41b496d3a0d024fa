//! Logging to standard error.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs a `tracing` subscriber that writes to standard error.
///
/// An invalid filter falls back to `warn` so that a typo never hides errors.
/// Colours are used only when standard error is a terminal, so that logs
/// written to a file or a pipe stay plain text.
///
/// Looking for a GPU makes the Vulkan and EGL drivers log errors on machines
/// without one, although the CPU fallback then works as intended. So those
/// crates stay silent unless the filter names them.
pub fn init(filter: &str) {
    let filter = if filter.contains("wgpu") {
        filter.to_owned()
    } else {
        format!("{filter},wgpu_hal=off,wgpu_core=off")
    };
    let filter = EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new("warn,wgpu_hal=off,wgpu_core=off"));

    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}
