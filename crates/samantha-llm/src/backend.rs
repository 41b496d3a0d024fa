//! Choosing where the model runs.

use std::fmt;
use std::str::FromStr;

use burn::tensor::Device;

use crate::loader::WeightLayout;

/// Backend requested with `--backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// wgpu when a hardware GPU adapter exists, the CPU otherwise.
    #[default]
    Auto,
    Cpu,
    Wgpu,
}

impl FromStr for BackendChoice {
    type Err = BackendError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "wgpu" => Ok(Self::Wgpu),
            other => Err(BackendError::UnknownChoice(other.to_owned())),
        }
    }
}

/// The backend that was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// burn's `flex` CPU backend with packed quantized weights.
    Cpu,

    /// burn-wgpu with dense `f32` weights.
    Wgpu,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Wgpu => "wgpu",
        }
    }

    /// Returns how weights are stored on this backend. The CPU keeps quantized blocks
    /// because decoding is bound by memory bandwidth there.
    pub fn weight_layout(self) -> WeightLayout {
        match self {
            Self::Cpu => WeightLayout::Packed,
            Self::Wgpu => WeightLayout::Dense,
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Errors raised while choosing or starting a backend.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("unknown backend {0:?}; use auto, cpu or wgpu")]
    UnknownChoice(String),

    #[error("the wgpu backend could not start: {reason}; use `--backend cpu`")]
    WgpuUnavailable { reason: String },

    #[error("this build has no wgpu backend; rebuild with the `wgpu` feature or use `--backend cpu`")]
    WgpuNotBuilt,

    #[error("could not set up {threads} threads: {reason}")]
    Threads { threads: usize, reason: String },
}

/// A started backend and why it was chosen.
#[derive(Debug, Clone)]
pub struct SelectedBackend {
    pub kind: BackendKind,
    pub device: Device,
    pub reason: String,
}

/// Starts the backend for `choice` and logs one line saying which and why.
pub fn select_backend(choice: BackendChoice) -> Result<SelectedBackend, BackendError> {
    let selected = match choice {
        BackendChoice::Cpu => cpu("requested with --backend cpu".to_owned()),
        BackendChoice::Wgpu => {
            if hardware_adapter().is_none() {
                tracing::warn!(
                    "no hardware GPU adapter found, so wgpu runs on a software adapter, which is far slower than `--backend cpu`"
                );
            }
            wgpu_device("requested with --backend wgpu")?
        }
        BackendChoice::Auto => match hardware_adapter() {
            Some(name) => match wgpu_device(&format!("found hardware GPU adapter {name:?}")) {
                Ok(selected) => selected,
                Err(error) => cpu(format!("GPU adapter {name:?} found but wgpu failed to start ({error})")),
            },
            None => cpu("no hardware GPU adapter found".to_owned()),
        },
    };

    tracing::info!(backend = %selected.kind, reason = %selected.reason, "backend selected");
    Ok(selected)
}

fn cpu(reason: String) -> SelectedBackend {
    SelectedBackend {
        kind: BackendKind::Cpu,
        device: Device::flex(),
        reason,
    }
}

/// Sets the number of threads used by the CPU kernels and burn's CPU
/// backend. It takes effect only on the first call in a process.
pub fn configure_threads(threads: usize) -> Result<(), BackendError> {
    static CONFIGURED: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let threads = threads.max(1);
    if let Some(&configured) = CONFIGURED.get() {
        tracing::debug!(configured, requested = threads, "thread count already set");
        return Ok(());
    }
    CONFIGURED.get_or_init(|| threads);

    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|error| BackendError::Threads {
            threads,
            reason: error.to_string(),
        })
}

#[cfg(feature = "wgpu")]
fn hardware_adapter() -> Option<String> {
    use burn::tensor::wgpu::wgpu;

    let instance = wgpu::Instance::default();
    let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    adapters.iter().map(|adapter| adapter.get_info()).find_map(|info| {
        let hardware = matches!(
            info.device_type,
            wgpu::DeviceType::DiscreteGpu | wgpu::DeviceType::IntegratedGpu | wgpu::DeviceType::VirtualGpu
        );
        tracing::debug!(name = %info.name, kind = ?info.device_type, backend = ?info.backend, "wgpu adapter");
        hardware.then_some(info.name)
    })
}

#[cfg(not(feature = "wgpu"))]
fn hardware_adapter() -> Option<String> {
    None
}

#[cfg(feature = "wgpu")]
fn wgpu_device(reason: &str) -> Result<SelectedBackend, BackendError> {
    // `init` reports a missing adapter as an error; the lazy constructor
    // would panic later on a worker thread instead.
    let device = Device::wgpu_options().init().map_err(|error| BackendError::WgpuUnavailable {
        reason: error.to_string(),
    })?;

    Ok(SelectedBackend {
        kind: BackendKind::Wgpu,
        device,
        reason: reason.to_owned(),
    })
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_device(_reason: &str) -> Result<SelectedBackend, BackendError> {
    Err(BackendError::WgpuNotBuilt)
}
