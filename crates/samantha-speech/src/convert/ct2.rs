//! Reader for CTranslate2's `model.bin` (binary format version 6).
//!
//! All integers are little-endian. A string is a `u16` byte length
//! (including a trailing NUL) followed by the bytes. The file starts with a
//! `u32` format version, the spec name (string), a `u32` spec revision and a
//! `u32` variable count. Each variable has its name (string), a `u8` rank,
//! `rank` x `u32` dims, a `u8` dtype, a `u32` byte count and the raw data.
//! A `u32` alias count and alias pairs (name, target) follow.

use std::collections::BTreeMap;

use super::ConvertError;

/// CTranslate2's data type codes, from its `DataType` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    Float32,
    Int8,
    Int16,
    Int32,
    Float16,
    BFloat16,
}

impl DataType {
    fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Float32),
            1 => Some(Self::Int8),
            2 => Some(Self::Int16),
            3 => Some(Self::Int32),
            4 => Some(Self::Float16),
            5 => Some(Self::BFloat16),
            _ => None,
        }
    }

    fn size(self) -> usize {
        match self {
            Self::Int8 => 1,
            Self::Int16 | Self::Float16 | Self::BFloat16 => 2,
            Self::Float32 | Self::Int32 => 4,
        }
    }
}

/// One named variable: shape, type and the raw little-endian bytes.
#[derive(Debug, Clone)]
pub struct Variable<'a> {
    pub shape: Vec<usize>,
    pub dtype: DataType,
    pub data: &'a [u8],
}

impl Variable<'_> {
    /// Returns the elements as `f32`, widening float16 and bfloat16.
    pub fn to_f32(&self, name: &str) -> Result<Vec<f32>, ConvertError> {
        let values = match self.dtype {
            DataType::Float16 => self
                .data
                .chunks_exact(2)
                .map(|pair| half::f16::from_le_bytes([pair[0], pair[1]]).to_f32())
                .collect(),
            DataType::BFloat16 => self
                .data
                .chunks_exact(2)
                .map(|pair| half::bf16::from_le_bytes([pair[0], pair[1]]).to_f32())
                .collect(),
            DataType::Float32 => self
                .data
                .chunks_exact(4)
                .map(|quad| f32::from_le_bytes([quad[0], quad[1], quad[2], quad[3]]))
                .collect(),
            other => {
                return Err(ConvertError::UnsupportedType {
                    name: name.to_owned(),
                    dtype: format!("{other:?}"),
                });
            }
        };
        Ok(values)
    }

    /// Returns a scalar integer variable such as `encoder/num_heads`.
    pub fn to_scalar_int(&self, name: &str) -> Result<i64, ConvertError> {
        let bytes = self.data;
        let value = match (self.dtype, bytes.len()) {
            (DataType::Int8, 1) => i64::from(bytes[0] as i8),
            (DataType::Int16, 2) => i64::from(i16::from_le_bytes([bytes[0], bytes[1]])),
            (DataType::Int32, 4) => {
                i64::from(i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
            }
            _ => {
                return Err(ConvertError::UnsupportedType {
                    name: name.to_owned(),
                    dtype: format!(
                        "{:?} with {} bytes, expected an integer scalar",
                        self.dtype,
                        bytes.len()
                    ),
                });
            }
        };
        Ok(value)
    }
}

/// A parsed CTranslate2 model; variables borrow from the file's bytes.
#[derive(Debug)]
pub struct Ct2Model<'a> {
    pub spec: String,
    pub revision: u32,
    pub variables: BTreeMap<String, Variable<'a>>,
    pub aliases: BTreeMap<String, String>,
}

/// Format version this reader was written against.
pub const BINARY_VERSION: u32 = 6;

impl<'a> Ct2Model<'a> {
    /// Parses a whole `model.bin` held in memory.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ConvertError> {
        let mut reader = Reader { bytes, offset: 0 };

        let version = reader.u32()?;
        if version != BINARY_VERSION {
            return Err(ConvertError::Format {
                offset: 0,
                reason: format!(
                    "binary format version {version}, this converter reads version {BINARY_VERSION}"
                ),
            });
        }

        let spec = reader.string()?;
        let revision = reader.u32()?;
        let count = reader.u32()?;

        let mut variables = BTreeMap::new();
        for _ in 0..count {
            let name = reader.string()?;
            let rank = usize::from(reader.u8()?);
            let mut shape = Vec::with_capacity(rank);
            for _ in 0..rank {
                shape.push(reader.u32()? as usize);
            }

            let code_offset = reader.offset;
            let code = reader.u8()?;
            let dtype = DataType::from_code(code).ok_or_else(|| ConvertError::Format {
                offset: code_offset,
                reason: format!("unknown data type code {code} for variable {name}"),
            })?;

            let byte_count = reader.u32()? as usize;
            let expected = shape.iter().product::<usize>() * dtype.size();
            if byte_count != expected {
                return Err(ConvertError::Format {
                    offset: reader.offset,
                    reason: format!(
                        "variable {name} has {byte_count} bytes, its shape {shape:?} needs {expected}"
                    ),
                });
            }

            let data = reader.take(byte_count)?;
            variables.insert(name, Variable { shape, dtype, data });
        }

        let mut aliases = BTreeMap::new();
        if reader.offset < bytes.len() {
            let alias_count = reader.u32()?;
            for _ in 0..alias_count {
                let alias = reader.string()?;
                let target = reader.string()?;
                aliases.insert(alias, target);
            }
        }

        if reader.offset != bytes.len() {
            return Err(ConvertError::Format {
                offset: reader.offset,
                reason: format!(
                    "{} unread bytes after the aliases",
                    bytes.len() - reader.offset
                ),
            });
        }

        Ok(Self {
            spec,
            revision,
            variables,
            aliases,
        })
    }

    /// Looks a variable up by name, following aliases.
    pub fn get(&self, name: &str) -> Result<&Variable<'a>, ConvertError> {
        let resolved = self.aliases.get(name).map_or(name, String::as_str);
        self.variables
            .get(resolved)
            .ok_or_else(|| ConvertError::MissingVariable {
                name: name.to_owned(),
            })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], ConvertError> {
        let end = self
            .offset
            .checked_add(count)
            .filter(|end| *end <= self.bytes.len());
        let Some(end) = end else {
            return Err(ConvertError::Format {
                offset: self.offset,
                reason: format!(
                    "needs {count} more bytes but the file ends at {}",
                    self.bytes.len()
                ),
            });
        };
        let slice = &self.bytes[self.offset..end];
        self.offset = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, ConvertError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, ConvertError> {
        let bytes = self.take(2)?;
        Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
    }

    fn u32(&mut self) -> Result<u32, ConvertError> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn string(&mut self) -> Result<String, ConvertError> {
        let start = self.offset;
        let length = usize::from(self.u16()?);
        let bytes = self.take(length)?;
        let trimmed = bytes.strip_suffix(&[0]).unwrap_or(bytes);
        String::from_utf8(trimmed.to_vec()).map_err(|_| ConvertError::Format {
            offset: start,
            reason: "a name is not valid UTF-8".to_owned(),
        })
    }
}
