//! Writer and header reader for whisper.cpp's ggml model file, in the
//! layout of whisper.cpp's `models/convert-pt-to-ggml.py`.
//!
//! All integers are little-endian `i32`: the magic `0x67676d6c` ("ggml"),
//! eleven hyper-parameters, the mel filter bank (`n_mel`, `n_fft`, then
//! `n_mel * n_fft` `f32`), the vocabulary (count, then length-prefixed
//! bytes per token), then each tensor as `n_dims`, name length, type
//! (0 = f32, 1 = f16), the dims innermost first, the name and the data.

use std::io::{self, Read, Write};

use super::ConvertError;

/// "ggml" read as a little-endian `u32`.
pub const MAGIC: u32 = 0x6767_6d6c;

/// whisper.cpp's model hyper-parameters, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hyperparameters {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    /// 1 when matrices are stored as f16.
    pub ftype: i32,
}

impl Hyperparameters {
    fn fields(&self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }
}

/// Storage type of one tensor in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    F32,
    F16,
}

pub fn write_header(out: &mut impl Write, params: &Hyperparameters) -> io::Result<()> {
    out.write_all(&MAGIC.to_le_bytes())?;
    for field in params.fields() {
        out.write_all(&field.to_le_bytes())?;
    }
    Ok(())
}

pub fn write_mel_filters(
    out: &mut impl Write,
    n_mels: usize,
    n_bins: usize,
    filters: &[f32],
) -> io::Result<()> {
    write_i32(out, n_mels)?;
    write_i32(out, n_bins)?;
    for value in filters {
        out.write_all(&value.to_le_bytes())?;
    }
    Ok(())
}

pub fn write_vocabulary(out: &mut impl Write, tokens: &[Vec<u8>]) -> io::Result<()> {
    write_i32(out, tokens.len())?;
    for token in tokens {
        write_i32(out, token.len())?;
        out.write_all(token)?;
    }
    Ok(())
}

/// Writes one tensor. `shape` is in PyTorch order (outermost first); the
/// file gets it reversed, as ggml counts dims from the innermost.
pub fn write_tensor(
    out: &mut impl Write,
    name: &str,
    shape: &[usize],
    kind: TensorType,
    values: &[f32],
) -> io::Result<()> {
    write_i32(out, shape.len())?;
    write_i32(out, name.len())?;
    write_i32(out, if kind == TensorType::F16 { 1 } else { 0 })?;
    for dim in shape.iter().rev() {
        write_i32(out, *dim)?;
    }
    out.write_all(name.as_bytes())?;

    match kind {
        TensorType::F32 => {
            for value in values {
                out.write_all(&value.to_le_bytes())?;
            }
        }
        TensorType::F16 => {
            for value in values {
                out.write_all(&half::f16::from_f32(*value).to_le_bytes())?;
            }
        }
    }
    Ok(())
}

fn write_i32(out: &mut impl Write, value: usize) -> io::Result<()> {
    let value = i32::try_from(value)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "value exceeds i32"))?;
    out.write_all(&value.to_le_bytes())
}

/// Reads the magic and hyper-parameters at the start of a ggml file.
pub fn read_header(input: &mut impl Read) -> Result<Hyperparameters, ConvertError> {
    let mut bytes = [0_u8; 48];
    input
        .read_exact(&mut bytes)
        .map_err(|source| ConvertError::Header {
            reason: format!("the file is shorter than the 48-byte header ({source})"),
        })?;

    let word = |index: usize| {
        let start = index * 4;
        i32::from_le_bytes([
            bytes[start],
            bytes[start + 1],
            bytes[start + 2],
            bytes[start + 3],
        ])
    };

    let magic = word(0) as u32;
    if magic != MAGIC {
        return Err(ConvertError::Header {
            reason: format!("magic is {magic:#010x}, expected {MAGIC:#010x} (\"ggml\")"),
        });
    }

    Ok(Hyperparameters {
        n_vocab: word(1),
        n_audio_ctx: word(2),
        n_audio_state: word(3),
        n_audio_head: word(4),
        n_audio_layer: word(5),
        n_text_ctx: word(6),
        n_text_state: word(7),
        n_text_head: word(8),
        n_text_layer: word(9),
        n_mels: word(10),
        ftype: word(11),
    })
}
