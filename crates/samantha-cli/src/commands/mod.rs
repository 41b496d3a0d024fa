//! One module per subcommand group.

pub mod bench;
pub mod bench_memory;
pub mod bench_speech;
pub mod history;
pub mod memory;
pub mod setup;
mod store;
mod output_file;
mod terminal;
pub mod ask;
pub mod bench_llm;
pub mod chat;
pub mod complete;
pub mod eval;
pub mod model_args;
pub mod companion;
pub mod drafts;
pub mod persona;
pub mod prompt;
pub mod write;
pub mod listen;
pub mod transcribe;
pub mod whisper_args;
pub mod bench_emotion;
pub mod emotion;
pub mod train;
