//! One module per subcommand group.

pub mod bench;
pub mod emotion;
pub mod eval;
pub mod setup;
pub mod train;
