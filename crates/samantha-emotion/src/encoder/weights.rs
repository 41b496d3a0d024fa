//! Reads named tensors from a safetensors file into burn tensors.
//!
//! Every lookup names the tensor and the shape the layer expects, so a
//! missing or mis-shaped tensor fails with both shapes in the message.

use std::path::{Path, PathBuf};

use burn::tensor::{Device, Tensor, TensorData};
use safetensors::{Dtype, SafeTensors};

/// Errors raised while reading weights.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("failed to read the weights file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid safetensors file {path}: {source}")]
    Invalid {
        path: PathBuf,
        source: safetensors::SafeTensorError,
    },
    #[error("tensor {name} is missing from {path}")]
    Missing { name: String, path: PathBuf },
    #[error("tensor {name} in {path} has shape {found:?}, expected {expected:?}")]
    Shape {
        name: String,
        path: PathBuf,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error("tensor {name} in {path} has dtype {found:?}, expected F32, F16 or BF16")]
    Dtype {
        name: String,
        path: PathBuf,
        found: Dtype,
    },
}

/// The bytes of one safetensors file, read once.
pub struct WeightsFile {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl WeightsFile {
    /// Reads the whole file; the header is checked on first use by [`WeightsFile::reader`].
    pub fn read(path: &Path) -> Result<Self, WeightsError> {
        let bytes = std::fs::read(path).map_err(|source| WeightsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            bytes,
        })
    }

    /// Parses the header and returns a reader that converts tensors for `device`.
    pub fn reader<'a>(&'a self, device: &'a Device) -> Result<Weights<'a>, WeightsError> {
        let tensors =
            SafeTensors::deserialize(&self.bytes).map_err(|source| WeightsError::Invalid {
                path: self.path.clone(),
                source,
            })?;
        Ok(Weights {
            path: &self.path,
            tensors,
            device,
        })
    }
}

/// A parsed safetensors file.
pub struct Weights<'a> {
    path: &'a Path,
    tensors: SafeTensors<'a>,
    device: &'a Device,
}

impl Weights<'_> {
    pub fn device(&self) -> &Device {
        self.device
    }

    /// Returns whether the file contains a tensor called `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.tensors.tensor(name).is_ok()
    }

    /// Reads tensor `name`, checks it has shape `expected` and converts it to f32.
    pub fn tensor<const D: usize>(
        &self,
        name: &str,
        expected: [usize; D],
    ) -> Result<Tensor<D>, WeightsError> {
        let values = self.values(name, &expected)?;
        Ok(Tensor::from_data(TensorData::new(values, expected), self.device))
    }

    fn values(&self, name: &str, expected: &[usize]) -> Result<Vec<f32>, WeightsError> {
        let view = self
            .tensors
            .tensor(name)
            .map_err(|_| WeightsError::Missing {
                name: name.to_string(),
                path: self.path.to_path_buf(),
            })?;

        if view.shape() != expected {
            return Err(WeightsError::Shape {
                name: name.to_string(),
                path: self.path.to_path_buf(),
                expected: expected.to_vec(),
                found: view.shape().to_vec(),
            });
        }

        let data = view.data();
        let values = match view.dtype() {
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::F16 => data
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            Dtype::BF16 => data
                .chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            found => {
                return Err(WeightsError::Dtype {
                    name: name.to_string(),
                    path: self.path.to_path_buf(),
                    found,
                });
            }
        };
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::TensorView;

    fn write_file(dir: &Path, dtype: Dtype, shape: Vec<usize>, bytes: Vec<u8>) -> PathBuf {
        let view = TensorView::new(dtype, shape, &bytes).unwrap();
        let path = dir.join("w.safetensors");
        safetensors::serialize_to_file([("w", view)], None, &path).unwrap();
        path
    }

    #[test]
    fn f16_values_convert() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = [1.5f32, -2.0]
            .iter()
            .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
            .collect();
        let path = write_file(dir.path(), Dtype::F16, vec![2], bytes);
        let file = WeightsFile::read(&path).unwrap();
        let device = Device::flex();
        let weights = file.reader(&device).unwrap();
        let tensor: Tensor<1> = weights.tensor("w", [2]).unwrap();
        assert_eq!(tensor.into_data().try_to_vec::<f32>().unwrap(), vec![1.5, -2.0]);
    }

    #[test]
    fn wrong_shape_names_both_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = [0.0f32; 6].iter().flat_map(|v| v.to_le_bytes()).collect();
        let path = write_file(dir.path(), Dtype::F32, vec![2, 3], bytes);
        let file = WeightsFile::read(&path).unwrap();
        let device = Device::flex();
        let weights = file.reader(&device).unwrap();
        let error = weights.tensor::<2>("w", [3, 2]).unwrap_err().to_string();
        assert!(error.contains("tensor w"), "{error}");
        assert!(error.contains("[2, 3]"), "{error}");
        assert!(error.contains("expected [3, 2]"), "{error}");
    }

    #[test]
    fn missing_tensor_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = [0.0f32; 2].iter().flat_map(|v| v.to_le_bytes()).collect();
        let path = write_file(dir.path(), Dtype::F32, vec![2], bytes);
        let file = WeightsFile::read(&path).unwrap();
        let device = Device::flex();
        let weights = file.reader(&device).unwrap();
        let error = weights.tensor::<1>("bias", [2]).unwrap_err().to_string();
        assert!(error.contains("tensor bias is missing"), "{error}");
    }

    #[test]
    fn corrupt_file_is_invalid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.safetensors");
        std::fs::write(&path, b"not a safetensors file at all").unwrap();
        let file = WeightsFile::read(&path).unwrap();
        let device = Device::flex();
        let error = file.reader(&device).err().unwrap().to_string();
        assert!(error.contains("invalid safetensors file"), "{error}");
    }
}
