//! One module per subcommand group.

pub mod bench;
pub mod history;
pub mod memory;
pub mod setup;
mod store;
