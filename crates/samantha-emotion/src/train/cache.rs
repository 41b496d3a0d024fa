//! Output of the frozen lower encoder layers, computed once per split and
//! stored on disk in f16, so that training runs only the top layers.
//!
//! File layout (little endian): the magic line `SAMANTHA-FEATURES-1\n`,
//! then u64 rows and u64 d_model, one u32 token count per row, and the f16
//! token vectors of every row in order.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use half::f16;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::encoder::{Encoder, EncoderError, WindowBatch};

const MAGIC: &[u8] = b"SAMANTHA-FEATURES-1\n";

/// Texts run through the frozen layers together while building the cache.
const CACHE_BATCH: usize = 64;

/// Errors raised while building, reading or writing the feature cache.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("failed to read the feature cache {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("failed to write the feature cache {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("the feature cache {path} is invalid: {message}; delete it to rebuild it")]
    Invalid { path: PathBuf, message: String },
    #[error(transparent)]
    Encoder(#[from] EncoderError),
}

/// Token vectors of the frozen layers for every row of a split.
pub struct FeatureCache {
    pub d_model: usize,
    lengths: Vec<u32>,
    offsets: Vec<usize>,
    values: Vec<f16>,
}

impl FeatureCache {
    fn from_parts(d_model: usize, lengths: Vec<u32>, values: Vec<f16>) -> Self {
        let mut offsets = Vec::with_capacity(lengths.len());
        let mut offset = 0;
        for length in &lengths {
            offsets.push(offset);
            offset += *length as usize * d_model;
        }
        Self {
            d_model,
            lengths,
            offsets,
            values,
        }
    }

    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// Token count of row `index`.
    pub fn tokens(&self, index: usize) -> usize {
        self.lengths[index] as usize
    }

    /// Token vectors of row `index`, `tokens(index) * d_model` values.
    pub fn row(&self, index: usize) -> &[f16] {
        let start = self.offsets[index];
        &self.values[start..start + self.tokens(index) * self.d_model]
    }

    /// Runs layers `0..frozen_layers` of `encoder` on each text, cut to
    /// `max_tokens` tokens (special tokens included).
    pub fn build(encoder: &Encoder, texts: &[&str], frozen_layers: usize, max_tokens: usize) -> Result<Self, CacheError> {
        let d_model = encoder.config().d_model;
        let mut windows = Vec::with_capacity(texts.len());
        for text in texts {
            let mut window = encoder
                .tokenizer()
                .windows(text)
                .map_err(EncoderError::from)?
                .swap_remove(0);
            if window.len() > max_tokens {
                let sep = window[window.len() - 1];
                window.truncate(max_tokens - 1);
                window.push(sep);
            }
            windows.push(window);
        }

        // Batches of similar length waste little work on padding.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|index| windows[*index].len());

        let progress = ProgressBar::new(texts.len() as u64);
        progress.set_style(
            ProgressStyle::with_template("caching layers {msg} {wide_bar} {pos}/{len} rows, {elapsed} elapsed, {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        progress.set_message(format!("0..{frozen_layers}"));

        let mut rows: Vec<Vec<f16>> = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(CACHE_BATCH) {
            let batch_windows: Vec<Vec<u32>> = chunk.iter().map(|index| windows[*index].clone()).collect();
            let batch = WindowBatch::new(&batch_windows, encoder.device());
            let hidden = encoder.bert().forward_layers(batch.ids, batch.mask, 0..frozen_layers);
            let [_, seq, _] = hidden.dims();
            let values = hidden
                .into_data()
                .try_to_vec::<f32>()
                .map_err(|error| EncoderError::Output { message: format!("{error:?}") })?;
            for (row, index) in chunk.iter().enumerate() {
                let tokens = windows[*index].len();
                let start = row * seq * d_model;
                rows[*index] = values[start..start + tokens * d_model].iter().map(|v| f16::from_f32(*v)).collect();
            }
            progress.inc(chunk.len() as u64);
        }
        progress.finish_and_clear();

        let lengths = windows.iter().map(|w| w.len() as u32).collect();
        Ok(Self::from_parts(d_model, lengths, rows.concat()))
    }

    /// Writes the cache to `path` through a temporary file.
    pub fn write(&self, path: &Path) -> Result<(), CacheError> {
        let write_error = |source| CacheError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(write_error)?;
        }
        let partial = path.with_extension("partial");
        let file = std::fs::File::create(&partial).map_err(write_error)?;
        let mut out = BufWriter::new(file);
        out.write_all(MAGIC).map_err(write_error)?;
        out.write_all(&(self.lengths.len() as u64).to_le_bytes()).map_err(write_error)?;
        out.write_all(&(self.d_model as u64).to_le_bytes()).map_err(write_error)?;
        for length in &self.lengths {
            out.write_all(&length.to_le_bytes()).map_err(write_error)?;
        }
        for value in &self.values {
            out.write_all(&value.to_le_bytes()).map_err(write_error)?;
        }
        out.flush().map_err(write_error)?;
        drop(out);
        std::fs::rename(&partial, path).map_err(write_error)
    }

    /// Reads a cache written by [`FeatureCache::write`].
    pub fn read(path: &Path) -> Result<Self, CacheError> {
        let read_error = |source| CacheError::Read {
            path: path.to_path_buf(),
            source,
        };
        let invalid = |message: &str| CacheError::Invalid {
            path: path.to_path_buf(),
            message: message.to_string(),
        };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let mut input = BufReader::new(file);
        let mut magic = vec![0u8; MAGIC.len()];
        input.read_exact(&mut magic).map_err(read_error)?;
        if magic != MAGIC {
            return Err(invalid("unknown header"));
        }
        let mut word = [0u8; 8];
        input.read_exact(&mut word).map_err(read_error)?;
        let rows = u64::from_le_bytes(word) as usize;
        input.read_exact(&mut word).map_err(read_error)?;
        let d_model = u64::from_le_bytes(word) as usize;

        let mut bytes = vec![0u8; rows * 4];
        input.read_exact(&mut bytes).map_err(read_error)?;
        let lengths: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let total: usize = lengths.iter().map(|l| *l as usize * d_model).sum();

        let mut bytes = Vec::with_capacity(total * 2);
        input.read_to_end(&mut bytes).map_err(read_error)?;
        if bytes.len() != total * 2 {
            return Err(invalid("the file is truncated"));
        }
        let values = bytes.chunks_exact(2).map(|b| f16::from_le_bytes([b[0], b[1]])).collect();
        Ok(Self::from_parts(d_model, lengths, values))
    }
}

/// Cache file for a split, named by a hash of everything that changes its content.
pub fn cache_path(dir: &Path, split: &str, parts: &[&str]) -> PathBuf {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(b"\n");
    }
    let digest = format!("{:x}", hasher.finalize());
    dir.join(format!("{split}-{}.features", &digest[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_read_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dev.features");
        let values: Vec<f16> = (0..10).map(|v| f16::from_f32(v as f32 * 0.5)).collect();
        let cache = FeatureCache::from_parts(2, vec![3, 2], values);
        cache.write(&path).unwrap();

        let read = FeatureCache::read(&path).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read.tokens(1), 2);
        assert_eq!(read.row(1)[0].to_f32(), 3.0);
    }

    #[test]
    fn truncated_file_is_invalid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dev.features");
        let cache = FeatureCache::from_parts(2, vec![1], vec![f16::ONE; 2]);
        cache.write(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        let error = FeatureCache::read(&path).err().unwrap().to_string();
        assert!(error.contains("truncated"), "{error}");
    }
}
