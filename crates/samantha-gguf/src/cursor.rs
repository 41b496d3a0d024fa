//! A bounds-checked little-endian reader over the mapped file.

use std::path::Path;

use crate::error::GgufError;
use crate::metadata::Value;

/// Maximum string length accepted in metadata or tensor names (16 MiB).
/// Longer lengths come from corrupt files and would otherwise allocate wildly.
const MAX_STRING_BYTES: u64 = 16 << 20;

/// Maximum nesting of metadata arrays.
const MAX_ARRAY_DEPTH: usize = 4;

pub(crate) struct Cursor<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(path: &'a Path, bytes: &'a [u8]) -> Self {
        Self { path, bytes, position: 0 }
    }

    pub fn position(&self) -> usize {
        self.position
    }

    pub fn corrupt(&self, reason: impl Into<String>) -> GgufError {
        GgufError::Corrupt {
            path: self.path.to_path_buf(),
            offset: self.position as u64,
            reason: reason.into(),
        }
    }

    pub fn take(&mut self, needed: u64, what: &str) -> Result<&'a [u8], GgufError> {
        let remaining = (self.bytes.len() - self.position) as u64;
        if needed > remaining {
            return Err(GgufError::Truncated {
                path: self.path.to_path_buf(),
                what: what.to_owned(),
                offset: self.position as u64,
                needed,
                file_len: self.bytes.len() as u64,
            });
        }

        let start = self.position;
        self.position += needed as usize;
        Ok(&self.bytes[start..self.position])
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], GgufError> {
        let slice = self.take(N as u64, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    pub fn u8(&mut self, what: &str) -> Result<u8, GgufError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub fn u32(&mut self, what: &str) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub fn u64(&mut self, what: &str) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    pub fn string(&mut self, what: &str) -> Result<String, GgufError> {
        let len = self.u64(what)?;
        if len > MAX_STRING_BYTES {
            return Err(self.corrupt(format!("{what} claims {len} bytes, more than the {MAX_STRING_BYTES} allowed")));
        }

        let start = self.position;
        let bytes = self.take(len, what)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err(GgufError::Corrupt {
                path: self.path.to_path_buf(),
                offset: start as u64,
                reason: format!("{what} is not valid UTF-8"),
            }),
        }
    }

    pub fn value(&mut self, type_id: u32, key: &str) -> Result<Value, GgufError> {
        self.value_at_depth(type_id, key, 0)
    }

    fn value_at_depth(&mut self, type_id: u32, key: &str, depth: usize) -> Result<Value, GgufError> {
        let value = match type_id {
            0 => Value::U8(self.u8(key)?),
            1 => Value::I8(i8::from_le_bytes(self.array(key)?)),
            2 => Value::U16(u16::from_le_bytes(self.array(key)?)),
            3 => Value::I16(i16::from_le_bytes(self.array(key)?)),
            4 => Value::U32(self.u32(key)?),
            5 => Value::I32(i32::from_le_bytes(self.array(key)?)),
            6 => Value::F32(f32::from_le_bytes(self.array(key)?)),
            7 => match self.u8(key)? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                other => return Err(self.corrupt(format!("metadata {key:?} has bool byte {other}"))),
            },
            8 => Value::String(self.string(key)?),
            9 => self.array_value(key, depth)?,
            10 => Value::U64(self.u64(key)?),
            11 => Value::I64(i64::from_le_bytes(self.array(key)?)),
            12 => Value::F64(f64::from_le_bytes(self.array(key)?)),
            other => return Err(self.corrupt(format!("metadata {key:?} has unknown value type {other}"))),
        };
        Ok(value)
    }

    fn array_value(&mut self, key: &str, depth: usize) -> Result<Value, GgufError> {
        if depth >= MAX_ARRAY_DEPTH {
            return Err(self.corrupt(format!("metadata {key:?} nests arrays deeper than {MAX_ARRAY_DEPTH}")));
        }

        let element_type = self.u32(key)?;
        let len = self.u64(key)?;

        // Every element takes at least one byte, so a longer array cannot fit.
        let remaining = (self.bytes.len() - self.position) as u64;
        if len > remaining {
            return Err(self.corrupt(format!(
                "metadata {key:?} claims {len} array elements but only {remaining} bytes remain"
            )));
        }

        let mut values = Vec::with_capacity(len as usize);
        for _ in 0..len {
            values.push(self.value_at_depth(element_type, key, depth + 1)?);
        }
        Ok(Value::Array(values))
    }
}
