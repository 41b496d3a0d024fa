//! Parsing a GGUF file: header, metadata, tensor index and data section.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::cursor::Cursor;
use crate::dequant;
use crate::error::GgufError;
use crate::metadata::Value;
use crate::types::GgmlType;

/// The four bytes every GGUF file starts with.
pub const MAGIC: [u8; 4] = *b"GGUF";

/// Data alignment used when `general.alignment` is absent.
pub const DEFAULT_ALIGNMENT: u64 = 32;

/// Upper bound on tensor dimensions; ggml itself allows four.
const MAX_DIMS: u32 = 4;

/// One entry of the tensor index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    pub name: String,

    /// Dimensions in ggml order: `dims[0]` is the fastest-varying one, so a
    /// matrix with `rows` rows of `cols` values has `dims == [cols, rows]`.
    pub dims: Vec<u64>,

    /// Raw ggml type id as stored in the file.
    pub type_id: u32,

    /// Offset of the data relative to the start of the data section.
    pub offset: u64,
}

impl TensorInfo {
    pub fn elements(&self) -> u64 {
        self.dims.iter().product()
    }

    /// The element type, when this crate supports it.
    pub fn ggml_type(&self) -> Option<GgmlType> {
        GgmlType::from_id(self.type_id)
    }
}

/// A GGUF file mapped into memory.
///
/// Tensor data is read straight from the mapping, so opening a file costs
/// only the header and the index.
pub struct GgufFile {
    path: PathBuf,
    map: Mmap,
    version: u32,
    alignment: u64,
    metadata: Vec<(String, Value)>,
    metadata_index: HashMap<String, usize>,
    tensors: Vec<TensorInfo>,
    tensor_index: HashMap<String, usize>,
    data_start: u64,
}

impl std::fmt::Debug for GgufFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GgufFile")
            .field("path", &self.path)
            .field("version", &self.version)
            .field("metadata", &self.metadata.len())
            .field("tensors", &self.tensors.len())
            .finish()
    }
}

impl GgufFile {
    /// Opens and parses the file at `path`.
    ///
    /// # Errors
    /// Returns an error naming the file and byte offset when the file is
    /// missing, truncated, not GGUF, or has tensors that do not fit in it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, GgufError> {
        let path = path.as_ref().to_path_buf();
        let open_error = |source| GgufError::Open {
            path: path.clone(),
            source,
        };

        let file = File::open(&path).map_err(open_error)?;

        // SAFETY: the mapping is read-only. Another process truncating or
        // rewriting the file while it is mapped is outside what this program
        // can guard against, as with every memory-mapped model loader.
        let map = unsafe { Mmap::map(&file) }.map_err(open_error)?;

        let _span = tracing::debug_span!("gguf_open", path = %path.display()).entered();
        Self::parse(path, map)
    }

    fn parse(path: PathBuf, map: Mmap) -> Result<Self, GgufError> {
        let mut cursor = Cursor::new(&path, &map);

        let magic: [u8; 4] = match cursor.take(4, "magic") {
            Ok(bytes) => [bytes[0], bytes[1], bytes[2], bytes[3]],
            Err(_) => return Err(GgufError::TooShort { path, len: map.len() }),
        };
        if magic != MAGIC {
            return Err(GgufError::BadMagic { path, found: magic });
        }

        let version = cursor.u32("version")?;
        if !(2..=3).contains(&version) {
            return Err(GgufError::UnsupportedVersion { path, version });
        }

        let tensor_count = cursor.u64("tensor count")?;
        let metadata_count = cursor.u64("metadata count")?;

        // Each record needs at least 8 bytes, which bounds both counts by
        // the file size before anything is allocated.
        let limit = map.len() as u64 / 8;
        if tensor_count > limit || metadata_count > limit {
            return Err(cursor.corrupt(format!(
                "header claims {tensor_count} tensors and {metadata_count} metadata entries, too many for a file of {} bytes",
                map.len()
            )));
        }

        let mut metadata = Vec::with_capacity(metadata_count as usize);
        let mut metadata_index = HashMap::new();
        for _ in 0..metadata_count {
            let key = cursor.string("metadata key")?;
            let type_id = cursor.u32(&key)?;
            let value = cursor.value(type_id, &key)?;
            metadata_index.insert(key.clone(), metadata.len());
            metadata.push((key, value));
        }

        let alignment = match metadata_index.get("general.alignment") {
            Some(&index) => {
                let value = metadata[index].1.as_u64().unwrap_or(0);
                if value == 0 || !value.is_power_of_two() {
                    return Err(cursor.corrupt(format!("general.alignment is {value}, not a power of two")));
                }
                value
            }
            None => DEFAULT_ALIGNMENT,
        };

        let mut tensors = Vec::with_capacity(tensor_count as usize);
        let mut tensor_index = HashMap::new();
        for _ in 0..tensor_count {
            let info = read_tensor_info(&mut cursor, alignment)?;
            if tensor_index.insert(info.name.clone(), tensors.len()).is_some() {
                return Err(cursor.corrupt(format!("tensor {:?} appears twice", info.name)));
            }
            tensors.push(info);
        }

        let data_start = (cursor.position() as u64).div_ceil(alignment) * alignment;
        let file = Self {
            path,
            map,
            version,
            alignment,
            metadata,
            metadata_index,
            tensors,
            tensor_index,
            data_start,
        };

        for info in &file.tensors {
            file.check_bounds(info)?;
        }

        tracing::debug!(
            version,
            tensors = file.tensors.len(),
            metadata = file.metadata.len(),
            "parsed GGUF header"
        );
        Ok(file)
    }

    fn check_bounds(&self, info: &TensorInfo) -> Result<(), GgufError> {
        let Some(ty) = info.ggml_type() else {
            // Size unknown; reported when the tensor is read.
            return Ok(());
        };

        let elements = info.elements();
        let bytes = ty.bytes_for(elements).ok_or_else(|| GgufError::BlockMisaligned {
            path: self.path.clone(),
            tensor: info.name.clone(),
            ty,
            elements,
            block: ty.block_size(),
        })?;

        let start = self.data_start.checked_add(info.offset);
        let end = start.and_then(|start| start.checked_add(bytes));
        let file_len = self.map.len() as u64;
        match (start, end) {
            (Some(_), Some(end)) if end <= file_len => Ok(()),
            _ => Err(GgufError::TensorOutOfBounds {
                path: self.path.clone(),
                tensor: info.name.clone(),
                offset: self.data_start.saturating_add(info.offset),
                end: self.data_start.saturating_add(info.offset).saturating_add(bytes),
                file_len,
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole mapped file; [`Tensor::range`] locates a tensor in it.
    pub fn bytes(&self) -> &[u8] {
        &self.map
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn alignment(&self) -> u64 {
        self.alignment
    }

    /// Metadata entries in file order.
    pub fn metadata(&self) -> &[(String, Value)] {
        &self.metadata
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata_index.get(key).map(|&index| &self.metadata[index].1)
    }

    fn require(&self, key: &str) -> Result<&Value, GgufError> {
        self.get(key).ok_or_else(|| GgufError::MissingKey {
            path: self.path.clone(),
            key: key.to_owned(),
        })
    }

    fn wrong_type(&self, key: &str, expected: &'static str, value: &Value) -> GgufError {
        GgufError::WrongKeyType {
            path: self.path.clone(),
            key: key.to_owned(),
            expected,
            found: value.type_name(),
        }
    }

    /// Reads a required non-negative integer.
    pub fn get_u64(&self, key: &str) -> Result<u64, GgufError> {
        let value = self.require(key)?;
        value.as_u64().ok_or_else(|| self.wrong_type(key, "a non-negative integer", value))
    }

    /// Reads a required number.
    pub fn get_f64(&self, key: &str) -> Result<f64, GgufError> {
        let value = self.require(key)?;
        value.as_f64().ok_or_else(|| self.wrong_type(key, "a number", value))
    }

    /// Reads a required string.
    pub fn get_str(&self, key: &str) -> Result<&str, GgufError> {
        let value = self.require(key)?;
        value.as_str().ok_or_else(|| self.wrong_type(key, "a string", value))
    }

    /// Reads a required array.
    pub fn get_array(&self, key: &str) -> Result<&[Value], GgufError> {
        let value = self.require(key)?;
        value.as_array().ok_or_else(|| self.wrong_type(key, "an array", value))
    }

    /// Reads a required array of strings.
    pub fn get_string_array(&self, key: &str) -> Result<Vec<&str>, GgufError> {
        let values = self.get_array(key)?;
        values
            .iter()
            .map(|value| value.as_str().ok_or_else(|| self.wrong_type(key, "an array of strings", value)))
            .collect()
    }

    /// Tensor records in file order.
    pub fn tensors(&self) -> &[TensorInfo] {
        &self.tensors
    }

    pub fn tensor_info(&self, name: &str) -> Option<&TensorInfo> {
        self.tensor_index.get(name).map(|&index| &self.tensors[index])
    }

    /// Looks up a tensor and checks its type is supported.
    ///
    /// # Errors
    /// Returns [`GgufError::MissingTensor`] or [`GgufError::UnknownType`].
    pub fn tensor(&self, name: &str) -> Result<Tensor<'_>, GgufError> {
        let info = self.tensor_info(name).ok_or_else(|| GgufError::MissingTensor {
            path: self.path.clone(),
            tensor: name.to_owned(),
        })?;

        let ty = info.ggml_type().ok_or_else(|| GgufError::UnknownType {
            path: self.path.clone(),
            tensor: name.to_owned(),
            type_id: info.type_id,
        })?;

        // Bounds were checked when the file was opened.
        let bytes = ty.bytes_for(info.elements()).unwrap_or(0) as usize;
        let start = (self.data_start + info.offset) as usize;
        Ok(Tensor {
            info,
            ty,
            range: start..start + bytes,
            data: &self.map[start..start + bytes],
        })
    }

    /// Looks up a tensor and checks its dimensions (ggml order).
    pub fn tensor_with_dims(&self, name: &str, dims: &[u64]) -> Result<Tensor<'_>, GgufError> {
        let tensor = self.tensor(name)?;
        if tensor.info.dims != dims {
            return Err(GgufError::WrongShape {
                path: self.path.clone(),
                tensor: name.to_owned(),
                expected: dims.to_vec(),
                found: tensor.info.dims.clone(),
            });
        }
        Ok(tensor)
    }
}

/// A tensor's record together with its raw bytes in the mapping.
#[derive(Debug, Clone)]
pub struct Tensor<'a> {
    pub info: &'a TensorInfo,
    pub ty: GgmlType,

    /// Byte range of the data within [`GgufFile::bytes`].
    pub range: std::ops::Range<usize>,

    pub data: &'a [u8],
}

impl Tensor<'_> {
    /// Dequantizes the whole tensor to `f32`, in ggml element order.
    pub fn to_f32(&self) -> Vec<f32> {
        let mut out = vec![0.0; self.info.elements() as usize];
        dequant::dequantize(self.ty, self.data, &mut out);
        out
    }
}

fn read_tensor_info(cursor: &mut Cursor<'_>, alignment: u64) -> Result<TensorInfo, GgufError> {
    let name = cursor.string("tensor name")?;

    let n_dims = cursor.u32(&name)?;
    if n_dims == 0 || n_dims > MAX_DIMS {
        return Err(cursor.corrupt(format!("tensor {name:?} has {n_dims} dimensions; 1 to {MAX_DIMS} are valid")));
    }

    let mut dims = Vec::with_capacity(n_dims as usize);
    for _ in 0..n_dims {
        dims.push(cursor.u64(&name)?);
    }

    let elements = dims.iter().try_fold(1u64, |acc, &dim| acc.checked_mul(dim));
    if elements.is_none_or(|count| count == 0 || count > 1 << 40) {
        return Err(cursor.corrupt(format!("tensor {name:?} has invalid dimensions {dims:?}")));
    }

    let type_id = cursor.u32(&name)?;
    let offset = cursor.u64(&name)?;
    if offset % alignment != 0 {
        return Err(cursor.corrupt(format!(
            "tensor {name:?} starts at data offset {offset}, not a multiple of the alignment {alignment}"
        )));
    }

    Ok(TensorInfo {
        name,
        dims,
        type_id,
        offset,
    })
}
