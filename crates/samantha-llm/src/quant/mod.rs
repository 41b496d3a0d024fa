//! Quantized weights and the kernels that multiply them without expanding
//! them to `f32`.

pub mod kernels;
mod packed;

pub use packed::PackedMatrix;
