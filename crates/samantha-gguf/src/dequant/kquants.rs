//! The 256-element "K" super-block formats Q4_K, Q5_K and Q6_K.

use super::f16_at;

/// Unpacks the 6-bit scale and minimum of sub-block `j` (0..8) from the
/// 12 packed scale bytes of Q4_K and Q5_K.
#[inline]
pub(crate) fn scale_min_k4(j: usize, scales: &[u8]) -> (u8, u8) {
    if j < 4 {
        (scales[j] & 63, scales[j + 4] & 63)
    } else {
        let scale = (scales[j + 4] & 0x0f) | ((scales[j - 4] >> 6) << 4);
        let min = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4);
        (scale, min)
    }
}

/// Q4_K: `d: f16, dmin: f16, scales: [u8; 12], qs: [u8; 128]`.
///
/// Eight sub-blocks of 32 values; each pair of sub-blocks shares 32 bytes,
/// the first in the low nibbles and the second in the high nibbles.
pub fn dequantize_q4_k(block: &[u8], out: &mut [f32]) {
    let d = f16_at(block, 0);
    let dmin = f16_at(block, 2);
    let scales = &block[4..16];
    let qs = &block[16..144];

    for pair in 0..4 {
        let (scale_lo, min_lo) = scale_min_k4(2 * pair, scales);
        let (scale_hi, min_hi) = scale_min_k4(2 * pair + 1, scales);
        let q = &qs[32 * pair..32 * pair + 32];
        let y = &mut out[64 * pair..64 * pair + 64];

        for l in 0..32 {
            y[l] = d * scale_lo as f32 * (q[l] & 0x0f) as f32 - dmin * min_lo as f32;
            y[l + 32] = d * scale_hi as f32 * (q[l] >> 4) as f32 - dmin * min_hi as f32;
        }
    }
}

/// Q5_K: `d: f16, dmin: f16, scales: [u8; 12], qh: [u8; 32], qs: [u8; 128]`.
///
/// As Q4_K, with a fifth bit per value taken from `qh`: sub-block `i` uses
/// bit `i` of `qh[l]`.
pub fn dequantize_q5_k(block: &[u8], out: &mut [f32]) {
    let d = f16_at(block, 0);
    let dmin = f16_at(block, 2);
    let scales = &block[4..16];
    let qh = &block[16..48];
    let qs = &block[48..176];

    for pair in 0..4 {
        let (scale_lo, min_lo) = scale_min_k4(2 * pair, scales);
        let (scale_hi, min_hi) = scale_min_k4(2 * pair + 1, scales);
        let bit_lo = 1u8 << (2 * pair);
        let bit_hi = 1u8 << (2 * pair + 1);
        let q = &qs[32 * pair..32 * pair + 32];
        let y = &mut out[64 * pair..64 * pair + 64];

        for l in 0..32 {
            let high_lo = if qh[l] & bit_lo != 0 { 16 } else { 0 };
            let high_hi = if qh[l] & bit_hi != 0 { 16 } else { 0 };
            y[l] = d * scale_lo as f32 * ((q[l] & 0x0f) + high_lo) as f32 - dmin * min_lo as f32;
            y[l + 32] = d * scale_hi as f32 * ((q[l] >> 4) + high_hi) as f32 - dmin * min_hi as f32;
        }
    }
}

/// Q6_K: `ql: [u8; 128], qh: [u8; 64], scales: [i8; 16], d: f16`.
///
/// Two halves of 128 values. In each half, value `l + 32 * k` (k in 0..4)
/// takes its low four bits from `ql` and its top two bits from `qh[l]`, and
/// every 16 values share one signed 8-bit scale.
pub fn dequantize_q6_k(block: &[u8], out: &mut [f32]) {
    let d = f16_at(block, 208);

    for half in 0..2 {
        let ql = &block[64 * half..64 * half + 64];
        let qh = &block[128 + 32 * half..128 + 32 * half + 32];
        let sc = &block[192 + 8 * half..192 + 8 * half + 8];
        let y = &mut out[128 * half..128 * half + 128];

        for l in 0..32 {
            let is = l / 16;
            let q1 = ((ql[l] & 0x0f) | ((qh[l] & 3) << 4)) as i32 - 32;
            let q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) as i32 - 32;
            let q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) as i32 - 32;
            let q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) as i32 - 32;

            y[l] = d * (sc[is] as i8) as f32 * q1 as f32;
            y[l + 32] = d * (sc[is + 2] as i8) as f32 * q2 as f32;
            y[l + 64] = d * (sc[is + 4] as i8) as f32 * q3 as f32;
            y[l + 96] = d * (sc[is + 6] as i8) as f32 * q4 as f32;
        }
    }
}
