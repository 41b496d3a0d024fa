//! `samantha bench emotion`: milliseconds per 30-word message.
//!
//! The peer, measured in the same run on the same thread, is the burn
//! modules that define the model, classifying the same message through the
//! same tokenizer. The ratio shows what the packed inference path saves.

use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use burn::tensor::Device;
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
    let analyze_ms = time(args.iterations, || {
        classifier.analyze(MESSAGE)?;
        Ok(())
    })?;
    let embed_ms = time(args.iterations, || {
        encoder.embed(&[MESSAGE])?;
        Ok(())
    })?;
    let burn_classify_ms = time(args.iterations, || {
        classifier.probabilities_reference(&[MESSAGE])?;
        Ok(())
    })?;
    let burn_embed_ms = time(args.iterations, || {
        encoder.embed_reference(&[MESSAGE])?;
        Ok(())
    })?;

    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "message: {words} words, {tokens} tokens; {} thread(s), median of {} runs; kernels: {:?}",
        args.threads,
        args.iterations,
        encoder.isa()
    )?;
    writeln!(stdout, "emotion classify (6 layers + head):          {classify_ms:.2} ms")?;
    writeln!(stdout, "emotion + embedding (layers 0-3 shared):     {analyze_ms:.2} ms")?;
    writeln!(stdout, "sentence embedding (6 layers):               {embed_ms:.2} ms")?;
    writeln!(stdout, "peer, burn modules, emotion classify:        {burn_classify_ms:.2} ms")?;
    writeln!(stdout, "peer, burn modules, sentence embedding:      {burn_embed_ms:.2} ms")?;
    writeln!(stdout, "ratio burn classify / classify:              {:.1}x", burn_classify_ms / classify_ms)?;
    Ok(())
}
