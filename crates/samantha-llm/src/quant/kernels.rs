//! Dot products between one quantized weight row and an `f32` vector.
//!
//! Each block stores `d` (and for Q4_1 `m`) as f16 beside its packed
//! values, so a row dot product is a sum over blocks of
//! `d * Σ q·x` (Q8_0), `d * Σ q·x + m * Σ x` (Q4_1) or
//! `d * (Σ q·x - 8 Σ x)` (Q4_0). The per-block sums of `x` are computed
//! once per input vector and passed in as `x_block_sums`.
//!
//! The AVX2 versions run when the processor has AVX2 and FMA; the scalar
//! versions are the reference and the fallback elsewhere.

use samantha_gguf::GgmlType;

/// Elements per block of the 32-element formats.
pub const BLOCK: usize = 32;

#[inline]
fn f16_at(bytes: &[u8], offset: usize) -> f32 {
    half::f16::from_le_bytes([bytes[offset], bytes[offset + 1]]).to_f32()
}

/// Computes the sum of each 32-element block of `x`.
pub fn block_sums(x: &[f32], out: &mut Vec<f32>) {
    out.clear();
    out.extend(x.chunks_exact(BLOCK).map(|block| block.iter().sum::<f32>()));
}

/// A dot-product routine for one weight type, chosen once per matrix.
pub type DotFn = fn(row: &[u8], x: &[f32], x_block_sums: &[f32]) -> f32;

/// Picks the fastest dot product for `ty` on this processor.
pub fn dot_for(ty: GgmlType) -> Option<DotFn> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        return match ty {
            GgmlType::Q4_0 => Some(avx2::dot_q4_0),
            GgmlType::Q4_1 => Some(avx2::dot_q4_1),
            GgmlType::Q8_0 => Some(avx2::dot_q8_0),
            GgmlType::F32 => Some(avx2::dot_f32),
            _ => None,
        };
    }

    scalar_dot_for(ty)
}

/// The portable reference dot product for `ty`.
pub fn scalar_dot_for(ty: GgmlType) -> Option<DotFn> {
    match ty {
        GgmlType::Q4_0 => Some(scalar::dot_q4_0),
        GgmlType::Q4_1 => Some(scalar::dot_q4_1),
        GgmlType::Q8_0 => Some(scalar::dot_q8_0),
        GgmlType::F32 => Some(scalar::dot_f32),
        _ => None,
    }
}

pub mod scalar {
    use super::{BLOCK, f16_at};

    pub fn dot_q4_0(row: &[u8], x: &[f32], sums: &[f32]) -> f32 {
        let mut total = 0.0;
        for ((block, x), sum) in row.chunks_exact(18).zip(x.chunks_exact(BLOCK)).zip(sums) {
            let d = f16_at(block, 0);
            let qx = nibble_dot(&block[2..18], x);
            total += d * (qx - 8.0 * sum);
        }
        total
    }

    pub fn dot_q4_1(row: &[u8], x: &[f32], sums: &[f32]) -> f32 {
        let mut total = 0.0;
        for ((block, x), sum) in row.chunks_exact(20).zip(x.chunks_exact(BLOCK)).zip(sums) {
            let d = f16_at(block, 0);
            let m = f16_at(block, 2);
            total += d * nibble_dot(&block[4..20], x) + m * sum;
        }
        total
    }

    pub fn dot_q8_0(row: &[u8], x: &[f32], _sums: &[f32]) -> f32 {
        let mut total = 0.0;
        for (block, x) in row.chunks_exact(34).zip(x.chunks_exact(BLOCK)) {
            let d = f16_at(block, 0);
            let qx: f32 = block[2..34].iter().zip(x).map(|(&q, &x)| (q as i8) as f32 * x).sum();
            total += d * qx;
        }
        total
    }

    pub fn dot_f32(row: &[u8], x: &[f32], _sums: &[f32]) -> f32 {
        row.chunks_exact(4)
            .zip(x)
            .map(|(bytes, &x)| f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) * x)
            .sum()
    }

    fn nibble_dot(qs: &[u8], x: &[f32]) -> f32 {
        let mut sum = 0.0;
        for j in 0..16 {
            sum += (qs[j] & 0x0f) as f32 * x[j] + (qs[j] >> 4) as f32 * x[j + 16];
        }
        sum
    }
}

// Every inner function is one unsafe unit: its pointer reads stay within
// the row and the vector, whose lengths the debug assertions check.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_op_in_unsafe_fn)]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{BLOCK, f16_at};

    // Safe wrappers: `dot_for` hands these out only after checking that the
    // processor supports AVX2 and FMA, which is what the inner functions need.

    pub fn dot_q4_0(row: &[u8], x: &[f32], sums: &[f32]) -> f32 {
        unsafe { q4(row, x, sums, 18, false) }
    }

    pub fn dot_q4_1(row: &[u8], x: &[f32], sums: &[f32]) -> f32 {
        unsafe { q4(row, x, sums, 20, true) }
    }

    pub fn dot_q8_0(row: &[u8], x: &[f32], _sums: &[f32]) -> f32 {
        unsafe { q8_0(row, x) }
    }

    pub fn dot_f32(row: &[u8], x: &[f32], _sums: &[f32]) -> f32 {
        unsafe { f32_row(row, x) }
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn hsum(v: __m256) -> f32 {
        let high = _mm256_extractf128_ps(v, 1);
        let low = _mm256_castps256_ps128(v);
        let sum4 = _mm_add_ps(high, low);
        let sum2 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
        let sum1 = _mm_add_ss(sum2, _mm_shuffle_ps(sum2, sum2, 1));
        _mm_cvtss_f32(sum1)
    }

    /// Converts the low 8 bytes of `bytes` (unsigned) to eight floats.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn u8x8_to_f32(bytes: __m128i) -> __m256 {
        _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes))
    }

    /// Q4_0 and Q4_1: `stride` is the block size in bytes, `with_min`
    /// selects Q4_1's `d * q + m` over Q4_0's `d * (q - 8)`.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn q4(row: &[u8], x: &[f32], sums: &[f32], stride: usize, with_min: bool) -> f32 {
        let blocks = row.len() / stride;
        debug_assert!(x.len() >= blocks * BLOCK && sums.len() >= blocks);

        let mask = _mm_set1_epi8(0x0f);
        let mut acc = _mm256_setzero_ps();
        let mut offset_total = 0.0f32;
        let header = if with_min { 4 } else { 2 };

        for b in 0..blocks {
            let block = &row[b * stride..(b + 1) * stride];
            let d = f16_at(block, 0);
            let xp = x.as_ptr().add(b * BLOCK);

            let packed = _mm_loadu_si128(block.as_ptr().add(header) as *const __m128i);
            let low = _mm_and_si128(packed, mask);
            let high = _mm_and_si128(_mm_srli_epi16(packed, 4), mask);

            let mut dot = _mm256_mul_ps(u8x8_to_f32(low), _mm256_loadu_ps(xp));
            dot = _mm256_fmadd_ps(u8x8_to_f32(_mm_srli_si128(low, 8)), _mm256_loadu_ps(xp.add(8)), dot);
            dot = _mm256_fmadd_ps(u8x8_to_f32(high), _mm256_loadu_ps(xp.add(16)), dot);
            dot = _mm256_fmadd_ps(u8x8_to_f32(_mm_srli_si128(high, 8)), _mm256_loadu_ps(xp.add(24)), dot);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d), dot, acc);

            offset_total += if with_min { f16_at(block, 2) * sums[b] } else { -8.0 * d * sums[b] };
        }

        hsum(acc) + offset_total
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn q8_0(row: &[u8], x: &[f32]) -> f32 {
        let blocks = row.len() / 34;
        debug_assert!(x.len() >= blocks * BLOCK);
        let mut acc = _mm256_setzero_ps();

        for b in 0..blocks {
            let block = &row[b * 34..(b + 1) * 34];
            let d = f16_at(block, 0);
            let qp = block.as_ptr().add(2);
            let xp = x.as_ptr().add(b * BLOCK);

            let mut dot = _mm256_setzero_ps();
            for k in 0..4 {
                let bytes = _mm_loadl_epi64(qp.add(8 * k) as *const __m128i);
                let values = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
                dot = _mm256_fmadd_ps(values, _mm256_loadu_ps(xp.add(8 * k)), dot);
            }
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d), dot, acc);
        }

        hsum(acc)
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn f32_row(row: &[u8], x: &[f32]) -> f32 {
        let count = row.len() / 4;
        debug_assert!(x.len() >= count);
        let wp = row.as_ptr() as *const f32;
        let mut acc = _mm256_setzero_ps();

        let mut i = 0;
        while i + 8 <= count {
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(wp.add(i)), _mm256_loadu_ps(x.as_ptr().add(i)), acc);
            i += 8;
        }

        let mut total = hsum(acc);
        while i < count {
            total += wp.add(i).read_unaligned() * x[i];
            i += 1;
        }
        total
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use samantha_gguf::quantize::quantize;

    use super::*;

    /// Returns `count` pseudo-random values in `-2.0..2.0`, the same for a seed.
    pub(crate) fn values(seed: u32, count: usize) -> Vec<f32> {
        // A small linear congruential generator keeps the test free of
        // dependencies while giving varied signs and magnitudes.
        let mut state = seed;
        (0..count)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 * 4.0 - 2.0
            })
            .collect()
    }

    #[test]
    fn fast_dot_matches_dequantized_reference() {
        let cols = 32 * 18;
        let x = values(1, cols);
        let mut sums = Vec::new();
        block_sums(&x, &mut sums);

        for ty in [GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q8_0, GgmlType::F32] {
            let row = quantize(ty, &values(2, cols));
            let mut weights = vec![0.0; cols];
            samantha_gguf::dequant::dequantize(ty, &row, &mut weights);
            let expected: f32 = weights.iter().zip(&x).map(|(w, x)| w * x).sum();

            for dot in [dot_for(ty).unwrap(), scalar_dot_for(ty).unwrap()] {
                let actual = dot(&row, &x, &sums);
                assert!(
                    (actual - expected).abs() <= 1e-3 * expected.abs().max(1.0),
                    "{ty}: {actual} vs {expected}"
                );
            }
        }
    }
}
