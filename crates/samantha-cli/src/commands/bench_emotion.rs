//! `samantha bench emotion`: milliseconds per 30-word message.
//!
//! The peer, measured in the same run on the same thread, is a plain
//! bag-of-words embedding of the same message: the encoder's word-embedding
//! lookup, mean-pooled, with no transformer layer. The ratio shows what the
//! six layers and the head cost on top of tokenization and lookup.

use std::time::Instant;

use anyhow::Context;
use burn::tensor::{Device, Int, Tensor, TensorData};
use clap::Args;

use crate::commands::emotion::ModelArgs;

/// A 30-word first-person message.
const MESSAGE: &str = "I finally finished the big project I have been working on for months, \
    and my manager said it was the best work she has seen from our team this year.";

#[derive(Debug, Args)]
pub struct BenchEmotionArgs {
    /// Timed runs after the warm-up.
    #[arg(long, default_value_t = 50)]
    pub iterations: usize,

    /// Worker threads for the CPU kernels.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,

    #[command(flatten)]
    pub models: ModelArgs,
}

fn median_ms(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn time(iterations: usize, mut run: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    for _ in 0..5 {
        run()?;
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        run()?;
        samples.push(started.elapsed().as_secs_f64() * 1e3);
    }
    Ok(median_ms(samples))
}

pub fn run(args: BenchEmotionArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.iterations > 0, "--iterations must be at least 1");
    anyhow::ensure!(args.threads > 0, "--threads must be at least 1");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .context("failed to start the thread pool")?;
    pool.install(|| bench(&args))
}

fn bench(args: &BenchEmotionArgs) -> anyhow::Result<()> {
    let device = Device::flex();
    let classifier = args.models.load(&device)?;
    let encoder = classifier.encoder();
    let words = MESSAGE.split_whitespace().count();
    let tokens = encoder.tokenizer().windows(MESSAGE)?[0].len();

    let classify_ms = time(args.iterations, || {
        classifier.classify(MESSAGE)?;
        Ok(())
    })?;
    let embed_ms = time(args.iterations, || {
        encoder.embed(&[MESSAGE])?;
        Ok(())
    })?;
    let word_table = encoder.bert().embeddings.word.clone();
    let lookup_ms = time(args.iterations, || {
        let window = encoder.tokenizer().windows(MESSAGE)?.swap_remove(0);
        let length = window.len();
        let ids: Vec<i64> = window.into_iter().map(i64::from).collect();
        let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [1, length]), &device);
        let pooled = word_table.forward(ids).mean_dim(1);
        let _ = pooled.into_data();
        Ok(())
    })?;

    println!("message: {words} words, {tokens} tokens; {} thread(s), median of {} runs", args.threads, args.iterations);
    println!("emotion classify (6 layers + head): {classify_ms:.2} ms");
    println!("sentence embedding (6 layers):      {embed_ms:.2} ms");
    println!("peer, mean-pooled word lookup:      {lookup_ms:.3} ms");
    println!("ratio classify / peer:              {:.1}x", classify_ms / lookup_ms);
    Ok(())
}
