//! Options shared by every command that runs the language model.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use samantha_llm::{BackendChoice, Engine, EngineOptions, SamplingParams, TemplateChoice};
use samantha_models::DataDir;
use samantha_models::catalog::SMOLLM2_GGUF;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackendArg {
    /// wgpu when a hardware GPU is found, the CPU otherwise.
    Auto,
    Cpu,
    Wgpu,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TemplateArg {
    /// The chat template stored in the model file.
    File,
    /// The built-in ChatML template, for files without a usable one.
    Chatml,
}

/// Model, backend and sampling options.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// GGUF model file; defaults to SmolLM2 in the data directory.
    #[arg(long, value_name = "PATH", env = "SAMANTHA_MODEL")]
    pub model: Option<PathBuf>,

    /// Where the model runs.
    #[arg(long, value_enum, default_value_t = BackendArg::Auto)]
    pub backend: BackendArg,

    /// CPU threads for the model; defaults to the number of cores.
    #[arg(long)]
    pub threads: Option<usize>,

    /// Sampling temperature; 0 picks the most likely token every time.
    #[arg(long, default_value_t = 0.7)]
    pub temperature: f32,

    /// Maximum number of tokens to generate.
    #[arg(long, default_value_t = 256)]
    pub max_tokens: usize,

    /// Seed of the sampler, for reproducible output.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Sample only from the K most likely tokens; 0 turns it off.
    #[arg(long, default_value_t = 40)]
    pub top_k: usize,

    /// Sample from the smallest set of tokens whose probability reaches P.
    #[arg(long, default_value_t = 0.95)]
    pub top_p: f32,

    /// Drop tokens less likely than P times the most likely one.
    #[arg(long, default_value_t = 0.05)]
    pub min_p: f32,

    /// Penalty for repeating recent tokens; 1 turns it off.
    #[arg(long, default_value_t = 1.1)]
    pub repeat_penalty: f32,

    /// Chat template to use.
    #[arg(long, value_enum, default_value_t = TemplateArg::File)]
    pub template: TemplateArg,
}

impl Default for ModelArgs {
    /// The same values as the command-line defaults above.
    fn default() -> Self {
        Self {
            model: None,
            backend: BackendArg::Auto,
            threads: None,
            temperature: 0.7,
            max_tokens: 256,
            seed: 42,
            top_k: 40,
            top_p: 0.95,
            min_p: 0.05,
            repeat_penalty: 1.1,
            template: TemplateArg::File,
        }
    }
}

impl ModelArgs {
    /// The model file: `--model`, or SmolLM2 as installed by `samantha setup`.
    pub fn model_path(&self) -> anyhow::Result<PathBuf> {
        match &self.model {
            Some(path) => Ok(path.clone()),
            None => Ok(DataDir::resolve()?.models().join(SMOLLM2_GGUF)),
        }
    }

    /// Checks the generation options, so that a bad value is reported
    /// before any message is saved or the model is loaded.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.max_tokens == 0 {
            anyhow::bail!("--max-tokens is 0; give at least 1 (the default is 256)");
        }
        self.sampling().validate().context("invalid sampling option")?;
        Ok(())
    }

    pub fn sampling(&self) -> SamplingParams {
        SamplingParams {
            temperature: self.temperature,
            top_k: self.top_k,
            top_p: self.top_p,
            min_p: self.min_p,
            repetition_penalty: if self.temperature == 0.0 && self.repeat_penalty == 1.1 {
                // Greedy decoding asked for with defaults means llama.cpp's
                // plain argmax; an explicit penalty still applies.
                1.0
            } else {
                self.repeat_penalty
            },
            seed: self.seed,
        }
    }

    /// Sets the thread count and loads the model.
    pub fn load_engine(&self) -> anyhow::Result<Engine> {
        let threads = self.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        samantha_llm::configure_threads(threads)?;

        let options = EngineOptions {
            backend: match self.backend {
                BackendArg::Auto => BackendChoice::Auto,
                BackendArg::Cpu => BackendChoice::Cpu,
                BackendArg::Wgpu => BackendChoice::Wgpu,
            },
            template: match self.template {
                TemplateArg::File => TemplateChoice::FromFile,
                TemplateArg::Chatml => TemplateChoice::ChatMl,
            },
            max_context: None,
        };

        let path = self.model_path()?;
        Engine::load(&path, &options).with_context(|| {
            format!(
                "could not load the model {}; if it is the default model, `samantha setup` installs it again, \
                 otherwise pass a working GGUF file with --model",
                path.display()
            )
        })
    }
}
