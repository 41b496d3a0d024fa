//! Quantized weights and the kernels that multiply them without expanding
//! them to `f32`.

mod input;
pub mod kernels;
mod packed;

pub use input::PreparedInput;
pub use packed::PackedMatrix;
