//! Round-to-nearest quantizers for the 32-element block formats.
//!
//! They exist so that tests and tools can build quantized models; they do
//! not try to match llama.cpp's quantizers bit for bit.

use half::f16;

use crate::types::GgmlType;

/// Quantizes `values` (a multiple of 32 long) into blocks of `ty`.
///
/// # Panics
/// Panics for types other than F32, F16, BF16, Q4_0, Q4_1 and Q8_0, or
/// when the length is not a whole number of blocks.
pub fn quantize(ty: GgmlType, values: &[f32]) -> Vec<u8> {
    assert_eq!(values.len() % ty.block_size(), 0, "{} values are not whole {ty} blocks", values.len());

    let mut out = Vec::with_capacity(ty.bytes_for(values.len() as u64).unwrap_or(0) as usize);
    match ty {
        GgmlType::F32 => values.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes())),
        GgmlType::F16 => values.iter().for_each(|v| out.extend_from_slice(&f16::from_f32(*v).to_le_bytes())),
        GgmlType::BF16 => values
            .iter()
            .for_each(|v| out.extend_from_slice(&half::bf16::from_f32(*v).to_le_bytes())),
        GgmlType::Q4_0 => values.chunks_exact(32).for_each(|block| quantize_q4_0(block, &mut out)),
        GgmlType::Q4_1 => values.chunks_exact(32).for_each(|block| quantize_q4_1(block, &mut out)),
        GgmlType::Q8_0 => values.chunks_exact(32).for_each(|block| quantize_q8_0(block, &mut out)),
        other => panic!("no quantizer for {other}"),
    }
    out
}

fn quantize_q4_0(block: &[f32], out: &mut Vec<u8>) {
    // The value of largest magnitude maps to -8, as in ggml.
    let max = block.iter().copied().fold(0.0f32, |acc, v| if v.abs() > acc.abs() { v } else { acc });
    let d = max / -8.0;
    let inverse = if d == 0.0 { 0.0 } else { 1.0 / d };
    out.extend_from_slice(&f16::from_f32(d).to_le_bytes());

    for j in 0..16 {
        let lo = ((block[j] * inverse + 8.5) as i32).clamp(0, 15) as u8;
        let hi = ((block[j + 16] * inverse + 8.5) as i32).clamp(0, 15) as u8;
        out.push(lo | (hi << 4));
    }
}

fn quantize_q4_1(block: &[f32], out: &mut Vec<u8>) {
    let min = block.iter().copied().fold(f32::INFINITY, f32::min);
    let max = block.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let d = (max - min) / 15.0;
    let inverse = if d == 0.0 { 0.0 } else { 1.0 / d };
    out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
    out.extend_from_slice(&f16::from_f32(min).to_le_bytes());

    for j in 0..16 {
        let lo = (((block[j] - min) * inverse + 0.5) as i32).clamp(0, 15) as u8;
        let hi = (((block[j + 16] - min) * inverse + 0.5) as i32).clamp(0, 15) as u8;
        out.push(lo | (hi << 4));
    }
}

fn quantize_q8_0(block: &[f32], out: &mut Vec<u8>) {
    let amax = block.iter().fold(0.0f32, |acc, v| acc.max(v.abs()));
    let d = amax / 127.0;
    let inverse = if d == 0.0 { 0.0 } else { 1.0 / d };
    out.extend_from_slice(&f16::from_f32(d).to_le_bytes());

    for &value in block {
        out.push((value * inverse).round().clamp(-127.0, 127.0) as i8 as u8);
    }
}
