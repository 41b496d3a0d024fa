//! `samantha bench llm`: speed and memory of the language model, with
//! llama.cpp measured on the same file, prompt and thread count in the same
//! run when `llama-cpp-python` is importable.
//!
//! Each measurement runs in its own process so that peak memory belongs to
//! one backend only.

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use samantha_llm::{BackendKind, CancelToken, GenerationRequest, SamplingParams};
use serde::{Deserialize, Serialize};

use super::model_args::{BackendArg, ModelArgs};

/// Prompt tokens processed in the prompt measurement.
const PROMPT_TOKENS: usize = 256;

/// Tokens generated in the decode measurement.
const DECODE_TOKENS: usize = 128;

/// Text repeated to build the benchmark prompt.
const PROMPT_TEXT: &str = "The lighthouse keeper wrote in her journal every evening, \
noting the colour of the sky, the height of the waves and the ships that passed the point. \
Over the years the pages filled with small observations that, read together, told the story \
of a coastline slowly changing. ";

/// The llama.cpp side, run with `python3 -c`. It prints one JSON object.
const LLAMA_CPP_SCRIPT: &str = r#"
import json, sys, time
# VmRSS and VmHWM belong to this process alone. getrusage's ru_maxrss is
# not usable here: across exec it keeps the peak of the process that
# spawned this one (the benchmark, which has loaded the model and probed
# the GPU drivers), so a difference of two readings under-counts.
def status_kib(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {key} line")
baseline_kib = status_kib("VmRSS")
import llama_cpp
from llama_cpp import llama as llama_module
import numpy as np
default_params = llama_cpp.llama_model_default_params
def params():
    value = default_params()
    # Weight repacking selects AMX kernels that crash on processors that
    # report AMX without the kernel enabling it; plain kernels are used.
    value.use_extra_bufts = False
    return value
llama_module.llama_cpp.llama_model_default_params = params
path, threads, prompt, decode = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
start = time.perf_counter()
llm = llama_cpp.Llama(model_path=path, n_ctx=len(prompt) + decode + 8, n_threads=threads, n_threads_batch=threads, n_batch=512, verbose=False)
load_s = time.perf_counter() - start
start = time.perf_counter()
llm.eval(prompt)
token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
prompt_s = time.perf_counter() - start
start = time.perf_counter()
for _ in range(decode - 1):
    llm.eval([token])
    token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
decode_s = time.perf_counter() - start
peak_kib = status_kib("VmHWM")
print(json.dumps({"load_s": load_s, "prompt_s": prompt_s, "decode_s": decode_s, "ttft_s": prompt_s,
                  "decode_tokens": decode - 1, "peak_rss_mib": (peak_kib - baseline_kib) / 1024}))
"#;

#[derive(Debug, Args)]
pub struct LlmBenchArgs {
    /// Backends to measure, comma-separated; by default the CPU, and wgpu
    /// too when a hardware GPU is present.
    #[arg(long, value_delimiter = ',')]
    backends: Vec<String>,

    /// Skip the llama.cpp comparison.
    #[arg(long)]
    no_peer: bool,

    /// Run one measurement and print it as JSON (used by the benchmark itself).
    #[arg(long, hide = true)]
    worker: bool,

    #[command(flatten)]
    model: ModelArgs,
}

/// One measurement, printed by a worker process as JSON.
#[derive(Debug, Serialize, Deserialize)]
struct Measurement {
    load_s: f64,
    prompt_s: f64,
    decode_s: f64,
    ttft_s: f64,
    decode_tokens: usize,
    peak_rss_mib: f64,
}

impl Measurement {
    fn prompt_tokens_per_s(&self) -> f64 {
        PROMPT_TOKENS as f64 / self.prompt_s
    }

    fn decode_tokens_per_s(&self) -> f64 {
        self.decode_tokens as f64 / self.decode_s
    }
}

pub fn run(args: LlmBenchArgs) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    if args.worker {
        let measurement = measure(&args.model)?;
        writeln!(stdout, "{}", serde_json::to_string(&measurement)?)?;
        return Ok(());
    }

    let threads = args.model.threads.unwrap_or(1);
    let model_path = args.model.model_path()?;
    let backends = if args.backends.is_empty() { default_backends() } else { args.backends.clone() };

    writeln!(stdout, "model: {}", model_path.display())?;
    writeln!(stdout, "threads: {threads}")?;
    writeln!(stdout, "prompt tokens: {PROMPT_TOKENS}, decode tokens: {DECODE_TOKENS}")?;

    let mut cpu = None;
    for backend in &backends {
        let measurement = run_worker(backend, threads, &model_path)?;
        print_row(&mut stdout, &format!("samantha {backend}"), &measurement)?;
        if backend == "cpu" {
            cpu = Some(measurement);
        }
    }

    if args.no_peer {
        return Ok(());
    }

    let Some(cpu) = cpu else {
        writeln!(stdout, "llama.cpp comparison skipped: it compares against the cpu backend, which was not measured")?;
        return Ok(());
    };

    let engine_tokens = prompt_tokens(&args.model)?;
    match run_llama_cpp(&model_path, threads, &engine_tokens) {
        Ok(peer) => {
            print_row(&mut stdout, "llama.cpp", &peer)?;
            writeln!(stdout, "decode_ratio_vs_llama_cpp: {:.3}", cpu.decode_tokens_per_s() / peer.decode_tokens_per_s())?;
            writeln!(stdout, "rss_ratio_vs_llama_cpp: {:.3}", peer.peak_rss_mib / cpu.peak_rss_mib)?;
        }
        Err(error) => writeln!(stdout, "llama.cpp comparison skipped: {error:#}")?,
    }
    Ok(())
}

fn default_backends() -> Vec<String> {
    let mut backends = vec!["cpu".to_owned()];
    if let Ok(selected) = samantha_llm::select_backend(samantha_llm::BackendChoice::Auto)
        && selected.kind == BackendKind::Wgpu
    {
        backends.push("wgpu".to_owned());
    }
    backends
}

fn print_row(stdout: &mut impl Write, name: &str, m: &Measurement) -> std::io::Result<()> {
    writeln!(
        stdout,
        "{name}: load {:.2} s, prompt {:.1} tokens/s, decode {:.1} tokens/s, time to first token {:.3} s, peak RSS {:.0} MiB",
        m.load_s,
        m.prompt_tokens_per_s(),
        m.decode_tokens_per_s(),
        m.ttft_s,
        m.peak_rss_mib
    )
}

fn run_worker(backend: &str, threads: usize, model: &std::path::Path) -> anyhow::Result<Measurement> {
    let exe = std::env::current_exe().context("could not find the samantha executable")?;
    let output = Command::new(exe)
        .args(["bench", "llm", "--worker", "--backend", backend, "--threads", &threads.to_string(), "--model"])
        .arg(model)
        .output()
        .context("could not start the benchmark worker")?;

    if !output.status.success() {
        anyhow::bail!(
            "the {backend} benchmark failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout).context("the benchmark worker printed no measurement")
}

fn prompt_tokens(args: &ModelArgs) -> anyhow::Result<Vec<u32>> {
    let mut options = args.clone();
    options.backend = BackendArg::Cpu;
    let engine = options.load_engine()?;
    build_prompt(&engine)
}

fn build_prompt(engine: &samantha_llm::Engine) -> anyhow::Result<Vec<u32>> {
    let mut tokens = Vec::new();
    while tokens.len() < PROMPT_TOKENS {
        tokens.extend(engine.tokenizer().encode_text(PROMPT_TEXT)?);
    }
    tokens.truncate(PROMPT_TOKENS);
    Ok(tokens)
}

fn measure(args: &ModelArgs) -> anyhow::Result<Measurement> {
    let started = Instant::now();
    let engine = args.load_engine()?;
    let load_s = started.elapsed().as_secs_f64();

    let prompt = build_prompt(&engine)?;

    // Prompt speed: the prompt alone, then one sampled token.
    let request = GenerationRequest {
        prompt: prompt.clone(),
        max_tokens: 1,
        sampling: SamplingParams::greedy(),
        stop_tokens: Vec::new(),
    };
    let first = engine.generate(&request, &CancelToken::new(), &mut |_: &str| {})?;
    let prompt_s = first.time_to_first_token.as_secs_f64();

    // Decode speed: the same prompt, then a fixed number of tokens with no
    // stop token, timed after the first one.
    let request = GenerationRequest {
        max_tokens: DECODE_TOKENS,
        ..request
    };
    let full = engine.generate(&request, &CancelToken::new(), &mut |_: &str| {})?;
    let decode_s = (full.total_time - full.time_to_first_token).as_secs_f64();

    Ok(Measurement {
        load_s,
        prompt_s,
        decode_s,
        ttft_s: first.time_to_first_token.as_secs_f64(),
        decode_tokens: full.tokens.len().saturating_sub(1),
        peak_rss_mib: peak_rss_mib()?,
    })
}

fn run_llama_cpp(model: &std::path::Path, threads: usize, prompt: &[u32]) -> anyhow::Result<Measurement> {
    let python = std::env::var("SAMANTHA_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let output = Command::new(&python)
        .args(["-c", LLAMA_CPP_SCRIPT])
        .arg(model)
        .arg(threads.to_string())
        .arg(serde_json::to_string(prompt)?)
        .arg(DECODE_TOKENS.to_string())
        .output()
        .with_context(|| format!("could not run {python}"))?;

    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("no output");
        anyhow::bail!("llama-cpp-python is not usable ({}): {last}", output.status);
    }
    serde_json::from_slice(&output.stdout).context("the llama.cpp run printed no measurement")
}

/// Peak resident memory of this process, from `/proc/self/status`.
fn peak_rss_mib() -> anyhow::Result<f64> {
    let status = std::fs::read_to_string("/proc/self/status").context("peak memory needs /proc (Linux)")?;
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .context("/proc/self/status has no VmHWM line")?;
    Ok(kib / 1024.0)
}
