//! One module per subcommand group.

pub mod bench;
pub mod listen;
pub mod setup;
pub mod transcribe;
pub mod whisper_args;
