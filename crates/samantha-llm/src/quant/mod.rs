//! Quantized weights and the kernels that multiply them without expanding
//! them to `f32`.

mod input;
pub mod int_dot;
pub mod kernels;
mod packed;
mod q8;

pub use input::{Activations, PreparedInput};
pub use q8::Q8Blocks;
pub use packed::PackedMatrix;
