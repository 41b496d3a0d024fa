//! The 32-element block formats Q4_0, Q4_1 and Q8_0.
//!
//! In the 4-bit formats byte `j` of the packed values holds element `j` in
//! its low nibble and element `j + 16` in its high nibble.

use super::f16_at;

/// Q4_0: `d: f16, qs: [u8; 16]`; `x = (q - 8) * d`.
pub fn dequantize_q4_0(block: &[u8], out: &mut [f32]) {
    let d = f16_at(block, 0);
    let qs = &block[2..18];

    for j in 0..16 {
        out[j] = ((qs[j] & 0x0f) as i32 - 8) as f32 * d;
        out[j + 16] = ((qs[j] >> 4) as i32 - 8) as f32 * d;
    }
}

/// Q4_1: `d: f16, m: f16, qs: [u8; 16]`; `x = q * d + m`.
pub fn dequantize_q4_1(block: &[u8], out: &mut [f32]) {
    let d = f16_at(block, 0);
    let m = f16_at(block, 2);
    let qs = &block[4..20];

    for j in 0..16 {
        out[j] = (qs[j] & 0x0f) as f32 * d + m;
        out[j + 16] = (qs[j] >> 4) as f32 * d + m;
    }
}

/// Q8_0: `d: f16, qs: [i8; 32]`; `x = q * d`.
pub fn dequantize_q8_0(block: &[u8], out: &mut [f32]) {
    let d = f16_at(block, 0);

    for (value, &q) in out.iter_mut().zip(&block[2..34]) {
        *value = (q as i8) as f32 * d;
    }
}
