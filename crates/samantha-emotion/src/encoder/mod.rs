//! Sentence encoder: all-MiniLM-L6-v2 (a 6-layer BERT) in burn, with mean
//! pooling and L2 normalisation as in sentence-transformers.

pub mod attention;
pub mod bert;
pub mod config;
pub mod embeddings;
pub mod feed_forward;
pub mod layer;
pub mod params;
pub mod pooling;
pub mod tokenize;
pub mod weights;

use std::path::{Path, PathBuf};

use burn::tensor::{Device, Int, Tensor, TensorData};

pub use bert::Bert;
pub use config::{BertConfigFile, ConfigError, EncoderConfig};
pub use tokenize::{DEFAULT_WINDOW_TOKENS, TextTokenizer, TokenizeError};
pub use weights::{WeightsError, WeightsFile};

use crate::inference::{FastBert, InferenceError, Isa, Scratch, TokenSum};

/// Folder name of the encoder under the models directory.
pub const MODEL_FOLDER: &str = "all-MiniLM-L6-v2";

/// Files the encoder reads from its model folder.
pub const MODEL_FILES: [&str; 3] = ["model.safetensors", "tokenizer.json", "config.json"];

/// Windows run through the encoder together; bounds memory on long texts.
const WINDOWS_PER_BATCH: usize = 32;

/// Errors raised while loading or running the encoder.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    #[error("model file {path} not found; run `samantha setup` to install the models")]
    MissingFile { path: PathBuf },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Weights(#[from] WeightsError),
    #[error(transparent)]
    Tokenize(#[from] TokenizeError),
    #[error(transparent)]
    Inference(#[from] InferenceError),
    #[error("failed to read the encoder output: {message}")]
    Output { message: String },
}

/// Token id windows of one batch, padded to the longest.
pub struct WindowBatch {
    pub ids: Tensor<2, Int>,
    pub mask: Tensor<2>,
}

impl WindowBatch {
    /// Pads `windows` with id 0 (`[PAD]`) to the longest window.
    pub fn new(windows: &[Vec<u32>], device: &Device) -> Self {
        let batch = windows.len();
        let seq = windows.iter().map(Vec::len).max().unwrap_or(0);
        let mut ids = vec![0i64; batch * seq];
        let mut mask = vec![0.0f32; batch * seq];
        for (row, window) in windows.iter().enumerate() {
            for (column, id) in window.iter().enumerate() {
                ids[row * seq + column] = i64::from(*id);
                mask[row * seq + column] = 1.0;
            }
        }
        Self {
            ids: Tensor::from_data(TensorData::new(ids, [batch, seq]), device),
            mask: Tensor::from_data(TensorData::new(mask, [batch, seq]), device),
        }
    }
}

/// Returns an error naming the first of `files` missing from `dir`.
pub fn require_files(dir: &Path, files: &[&str]) -> Result<(), EncoderError> {
    for file in files {
        let path = dir.join(file);
        if !path.is_file() {
            return Err(EncoderError::MissingFile { path });
        }
    }
    Ok(())
}

/// Mean-pools the token vectors of each text over all of its windows.
///
/// `run` maps a batch of windows to token vectors `[batch, seq, d]`. A text
/// longer than one window gets the mean over every token of every window,
/// which equals the single-window mean when the text fits.
pub fn pool_texts(
    tokenizer: &TextTokenizer,
    texts: &[&str],
    device: &Device,
    run: impl Fn(&WindowBatch) -> Tensor<3>,
) -> Result<Vec<Vec<f32>>, EncoderError> {
    let mut owners = Vec::new();
    let mut windows = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        for window in tokenizer.windows(text)? {
            owners.push(index);
            windows.push(window);
        }
    }

    let mut sums: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
    let mut counts = vec![0.0f32; texts.len()];
    for (chunk_index, chunk) in windows.chunks(WINDOWS_PER_BATCH).enumerate() {
        let batch = WindowBatch::new(chunk, device);
        let hidden = run(&batch);
        let [rows, _, d_model] = hidden.dims();
        let summed = pooling::masked_sum(hidden, batch.mask)
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|error| EncoderError::Output { message: format!("{error:?}") })?;

        for row in 0..rows {
            let window = chunk_index * WINDOWS_PER_BATCH + row;
            let owner = owners[window];
            let values = &summed[row * d_model..(row + 1) * d_model];
            if sums[owner].is_empty() {
                sums[owner] = vec![0.0; d_model];
            }
            for (total, value) in sums[owner].iter_mut().zip(values) {
                *total += value;
            }
            counts[owner] += windows[window].len() as f32;
        }
    }

    for (sum, count) in sums.iter_mut().zip(counts) {
        for value in sum.iter_mut() {
            *value /= count;
        }
    }
    Ok(sums)
}

/// The sentence encoder: tokenizer, BERT stack and its device.
///
/// The burn stack is the reference and the training path; [`Encoder::embed`]
/// runs a packed f32 copy of it (see [`crate::inference`]), which holds a
/// second copy of the weights in memory (about 90 MB for all-MiniLM-L6-v2).
pub struct Encoder {
    config: EncoderConfig,
    bert: Bert,
    fast: FastBert,
    isa: Isa,
    tokenizer: TextTokenizer,
    device: Device,
}

impl Encoder {
    /// Loads `model.safetensors`, `tokenizer.json` and `config.json` from `dir`.
    pub fn load(dir: &Path, device: &Device) -> Result<Self, EncoderError> {
        let _span = tracing::debug_span!("encoder_load", dir = %dir.display()).entered();
        if !dir.is_dir() {
            return Err(EncoderError::MissingFile { path: dir.to_path_buf() });
        }
        require_files(dir, &MODEL_FILES)?;

        let config = BertConfigFile::read(&dir.join("config.json"))?.to_runtime()?;
        let window = DEFAULT_WINDOW_TOKENS.min(config.max_positions);
        let tokenizer = TextTokenizer::load(&dir.join("tokenizer.json"), window)?;
        let file = WeightsFile::read(&dir.join("model.safetensors"))?;
        let bert = Bert::load(&config, &file.reader(device)?)?;
        let fast = FastBert::from_burn(&bert, &config)?;
        let isa = Isa::detect();
        tracing::debug!(?isa, "encoder inference kernels");
        Ok(Self {
            config,
            bert,
            fast,
            isa,
            tokenizer,
            device: device.clone(),
        })
    }

    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    pub fn bert(&self) -> &Bert {
        &self.bert
    }

    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The packed copy of the stack that [`Encoder::embed`] runs.
    pub fn fast(&self) -> &FastBert {
        &self.fast
    }

    /// Kernel family of the inference path on this CPU.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Embeds each text as an L2-normalised vector of `d_model` (384) values.
    ///
    /// Each window of a text runs at its own length through the inference
    /// path; a text longer than one window gets the mean over every token of
    /// every window.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EncoderError> {
        let _span = tracing::debug_span!("embed", texts = texts.len()).entered();
        let mut scratch = Scratch::default();
        texts.iter().map(|text| self.embed_text(text, &mut scratch)).collect()
    }

    fn embed_text(&self, text: &str, scratch: &mut Scratch) -> Result<Vec<f32>, EncoderError> {
        let layers = 0..self.fast.layer_count();
        let mut sum = TokenSum::new(self.config.d_model);
        for window in self.tokenizer.windows(text)? {
            let mut hidden = self.fast.embed_tokens(&window)?;
            self.fast.run_layers(self.isa, &mut hidden, layers.clone(), scratch);
            sum.add(&hidden);
        }

        let mut vector = sum.mean();
        pooling::l2_normalize(&mut vector);
        Ok(vector)
    }

    /// Embeds like [`Encoder::embed`] through the burn modules, in padded
    /// batches: the reference that the inference path is checked against.
    pub fn embed_reference(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EncoderError> {
        let _span = tracing::debug_span!("embed_reference", texts = texts.len()).entered();
        let mut vectors = pool_texts(&self.tokenizer, texts, &self.device, |batch| {
            self.bert.forward(batch.ids.clone(), batch.mask.clone())
        })?;
        for vector in &mut vectors {
            pooling::l2_normalize(vector);
        }
        Ok(vectors)
    }
}
