//! `samantha bench`: measurements on this machine. Each prints ratios
//! against a peer measured in the same run.

use clap::{Args, Subcommand};

use super::store;

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Measure message inserts and recall on synthetic histories.
    Memory(super::bench_memory::MemoryBenchArgs),

    /// Measure the language model's load time, speed and memory.
    Llm(super::bench_llm::LlmBenchArgs),

    /// Time from the end of a 4-second utterance to its text, and the
    /// real-time factor, against Whisper's full 30-second window.
    Speech(super::bench_speech::SpeechBenchArgs),

    /// Time the emotion classifier on a 30-word message.
    Emotion(super::bench_emotion::BenchEmotionArgs),
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    match args.command {
        BenchCommand::Memory(args) => store::runtime()?.block_on(super::bench_memory::memory(args)),
        BenchCommand::Llm(args) => super::bench_llm::run(args),
        BenchCommand::Speech(args) => super::bench_speech::speech(args),
        BenchCommand::Emotion(args) => super::bench_emotion::run(args),
    }
}
