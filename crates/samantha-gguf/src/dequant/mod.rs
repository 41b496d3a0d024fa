//! Dequantization of ggml block formats to `f32`.
//!
//! The layouts follow ggml's `ggml-common.h` (llama.cpp, 2024 and later):
//! every block stores its scales as f16 next to packed integer values.

mod float;
mod kquants;
mod legacy;

pub use kquants::{dequantize_q4_k, dequantize_q5_k, dequantize_q6_k};
pub use legacy::{dequantize_q4_0, dequantize_q4_1, dequantize_q8_0};

use crate::types::GgmlType;

/// Dequantizes `data`, a whole number of blocks of type `ty`, into `out`.
///
/// # Panics
/// Panics when `data` and `out` disagree on the number of blocks; callers
/// get both from a checked tensor record.
pub fn dequantize(ty: GgmlType, data: &[u8], out: &mut [f32]) {
    let blocks = out.len() / ty.block_size();
    assert_eq!(
        data.len(),
        blocks * ty.block_bytes(),
        "{ty}: {} bytes do not hold {} values",
        data.len(),
        out.len()
    );

    match ty {
        GgmlType::F32 => float::from_f32(data, out),
        GgmlType::F16 => float::from_f16(data, out),
        GgmlType::BF16 => float::from_bf16(data, out),
        GgmlType::Q4_0 => each_block(ty, data, out, dequantize_q4_0),
        GgmlType::Q4_1 => each_block(ty, data, out, dequantize_q4_1),
        GgmlType::Q8_0 => each_block(ty, data, out, dequantize_q8_0),
        GgmlType::Q4K => each_block(ty, data, out, dequantize_q4_k),
        GgmlType::Q5K => each_block(ty, data, out, dequantize_q5_k),
        GgmlType::Q6K => each_block(ty, data, out, dequantize_q6_k),
    }
}

fn each_block(ty: GgmlType, data: &[u8], out: &mut [f32], block: fn(&[u8], &mut [f32])) {
    for (bytes, values) in data.chunks_exact(ty.block_bytes()).zip(out.chunks_exact_mut(ty.block_size())) {
        block(bytes, values);
    }
}

/// Reads a little-endian f16 at `offset` as `f32`.
#[inline]
pub(crate) fn f16_at(bytes: &[u8], offset: usize) -> f32 {
    half::f16::from_le_bytes([bytes[offset], bytes[offset + 1]]).to_f32()
}
