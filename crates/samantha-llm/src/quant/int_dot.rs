//! Dot products of quantized weight rows with 8-bit activations, in
//! integers as llama.cpp computes them on the CPU.
//!
//! Per block, Q4_1 weights against Q8_1 activations give
//! `d_w * d_x * Σ q_w·q_x + m_w * s_x`, and Q8_0 against Q8_0 give
//! `d_w * d_x * Σ q_w·q_x`. The AVX2 versions keep ggml's lane layout
//! (eight partial sums of four products each, accumulated across blocks),
//! so a row's result equals llama.cpp's up to the final sum's rounding.

use samantha_gguf::GgmlType;

use super::kernels::BLOCK;
use super::q8::Q8Blocks;

/// An 8-bit dot-product routine for one weight type.
pub type Q8DotFn = fn(row: &[u8], x: &Q8Blocks) -> f32;

/// Dot products of one weight row with four 8-bit inputs, each equal to
/// the single-input routine's result for that input.
pub type Q8Dot4Fn = fn(row: &[u8], x: [&Q8Blocks; 4]) -> [f32; 4];

/// Picks a four-input 8-bit dot product for `ty`, or `None` when this
/// processor or `ty` has none; it reads each weight block once for all
/// four inputs.
pub fn q8_dot4_for(ty: GgmlType) -> Option<Q8Dot4Fn> {
    #[cfg(target_arch = "x86_64")]
    if ty == GgmlType::Q4_1
        && std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
        && std::arch::is_x86_feature_detected!("f16c")
    {
        return Some(avx2::dot4_q4_1_q8_1);
    }

    None
}

/// Picks the fastest 8-bit dot product for `ty` on this processor, or
/// `None` when `ty` has no 8-bit kernel.
pub fn q8_dot_for(ty: GgmlType) -> Option<Q8DotFn> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
        && std::arch::is_x86_feature_detected!("f16c")
    {
        return match ty {
            GgmlType::Q4_1 => Some(avx2::dot_q4_1_q8_1),
            GgmlType::Q8_0 => Some(avx2::dot_q8_0_q8_0),
            _ => None,
        };
    }

    scalar_q8_dot_for(ty)
}

/// Returns the portable reference 8-bit dot product for `ty`.
pub fn scalar_q8_dot_for(ty: GgmlType) -> Option<Q8DotFn> {
    match ty {
        GgmlType::Q4_1 => Some(scalar::dot_q4_1_q8_1),
        GgmlType::Q8_0 => Some(scalar::dot_q8_0_q8_0),
        _ => None,
    }
}

fn f16_at(bytes: &[u8], offset: usize) -> f32 {
    half::f16::from_le_bytes([bytes[offset], bytes[offset + 1]]).to_f32()
}

pub mod scalar {
    use super::{BLOCK, Q8Blocks, f16_at};

    pub fn dot_q4_1_q8_1(row: &[u8], x: &Q8Blocks) -> f32 {
        let blocks = row.chunks_exact(20).zip(x.values().chunks_exact(BLOCK));
        let mut total = 0.0;
        for (((block, q), scale), sum) in blocks.zip(x.scales()).zip(x.sums()) {
            let mut dot = 0i32;
            for j in 0..16 {
                dot += i32::from(block[4 + j] & 0x0f) * i32::from(q[j]);
                dot += i32::from(block[4 + j] >> 4) * i32::from(q[j + 16]);
            }
            total += f16_at(block, 0) * scale * dot as f32 + f16_at(block, 2) * sum;
        }
        total
    }

    pub fn dot_q8_0_q8_0(row: &[u8], x: &Q8Blocks) -> f32 {
        let blocks = row.chunks_exact(34).zip(x.values().chunks_exact(BLOCK));
        let mut total = 0.0;
        for ((block, q), scale) in blocks.zip(x.scales()) {
            let dot: i32 = block[2..34].iter().zip(q).map(|(&w, &q)| i32::from(w as i8) * i32::from(q)).sum();
            total += f16_at(block, 0) * scale * dot as f32;
        }
        total
    }
}

// Every inner function is one unsafe unit: its pointer reads stay within
// the row and the quantized vector, whose lengths the assertions check.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_op_in_unsafe_fn)]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{BLOCK, Q8Blocks, check_blocks};

    // Safe wrappers: `q8_dot_for` hands these out only after checking that
    // the processor supports AVX2, FMA and F16C, which the inner functions
    // need.

    pub fn dot_q4_1_q8_1(row: &[u8], x: &Q8Blocks) -> f32 {
        // SAFETY: the processor features were checked by `q8_dot_for`.
        unsafe { q4_1(row, x) }
    }

    pub fn dot4_q4_1_q8_1(row: &[u8], x: [&Q8Blocks; 4]) -> [f32; 4] {
        // SAFETY: the processor features were checked by `q8_dot4_for`.
        unsafe { q4_1_four(row, x) }
    }

    pub fn dot_q8_0_q8_0(row: &[u8], x: &Q8Blocks) -> f32 {
        // SAFETY: the processor features were checked by `q8_dot_for`.
        unsafe { q8_0(row, x) }
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn hsum(v: __m256) -> f32 {
        let sum4 = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
        let sum2 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
        _mm_cvtss_f32(_mm_add_ss(sum2, _mm_movehdup_ps(sum2)))
    }

    /// Sums the products of unsigned bytes `a` and signed bytes `b` in
    /// groups of four, as eight floats.
    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn dot_groups(a: __m256i, b: __m256i) -> __m256 {
        let pairs = _mm256_maddubs_epi16(a, b);
        _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)))
    }

    /// Reads two f16 values at `pointer` as two floats.
    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn f16_pair(pointer: *const u8) -> (f32, f32) {
        let both = _mm_cvtph_ps(_mm_cvtsi32_si128(pointer.cast::<i32>().read_unaligned()));
        (_mm_cvtss_f32(both), _mm_cvtss_f32(_mm_movehdup_ps(both)))
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn q4_1(row: &[u8], x: &Q8Blocks) -> f32 {
        let blocks = row.len() / 20;
        check_blocks(x, blocks, true);

        let mask = _mm256_set1_epi8(0x0f);
        let mut acc = _mm256_setzero_ps();
        let mut offsets = 0.0f32;

        for b in 0..blocks {
            let block = row.as_ptr().add(b * 20);
            let (d, m) = f16_pair(block);
            offsets += m * *x.sums().get_unchecked(b);

            let packed = _mm_loadu_si128(block.add(4).cast());
            let nibbles = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
            let weights = _mm256_and_si256(nibbles, mask);
            let activations = _mm256_loadu_si256(x.values().as_ptr().add(b * BLOCK).cast());

            let scale = _mm256_set1_ps(d * *x.scales().get_unchecked(b));
            acc = _mm256_fmadd_ps(scale, dot_groups(weights, activations), acc);
        }

        hsum(acc) + offsets
    }

    /// [`q4_1`] for four inputs at once, with the same operations in the
    /// same order for each input, so each result equals `q4_1`'s.
    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn q4_1_four(row: &[u8], x: [&Q8Blocks; 4]) -> [f32; 4] {
        let blocks = row.len() / 20;
        for x in x {
            check_blocks(x, blocks, true);
        }

        let mask = _mm256_set1_epi8(0x0f);
        let mut acc = [_mm256_setzero_ps(); 4];
        let mut offsets = [0.0f32; 4];

        for b in 0..blocks {
            let block = row.as_ptr().add(b * 20);
            let (d, m) = f16_pair(block);
            let packed = _mm_loadu_si128(block.add(4).cast());
            let nibbles = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
            let weights = _mm256_and_si256(nibbles, mask);

            for k in 0..4 {
                let x = x[k];
                offsets[k] += m * *x.sums().get_unchecked(b);
                let activations = _mm256_loadu_si256(x.values().as_ptr().add(b * BLOCK).cast());
                let scale = _mm256_set1_ps(d * *x.scales().get_unchecked(b));
                acc[k] = _mm256_fmadd_ps(scale, dot_groups(weights, activations), acc[k]);
            }
        }

        [hsum(acc[0]) + offsets[0], hsum(acc[1]) + offsets[1], hsum(acc[2]) + offsets[2], hsum(acc[3]) + offsets[3]]
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn q8_0(row: &[u8], x: &Q8Blocks) -> f32 {
        let blocks = row.len() / 34;
        check_blocks(x, blocks, false);
        let mut acc = _mm256_setzero_ps();

        for b in 0..blocks {
            let block = row.as_ptr().add(b * 34);
            let (d, _) = f16_pair(block);

            let weights = _mm256_loadu_si256(block.add(2).cast());
            let activations = _mm256_loadu_si256(x.values().as_ptr().add(b * BLOCK).cast());
            // maddubs needs one unsigned operand: move the weights' signs
            // onto the activations.
            let magnitudes = _mm256_sign_epi8(weights, weights);
            let signed = _mm256_sign_epi8(activations, weights);

            let scale = _mm256_set1_ps(d * *x.scales().get_unchecked(b));
            acc = _mm256_fmadd_ps(scale, dot_groups(magnitudes, signed), acc);
        }

        hsum(acc)
    }
}

/// Panics unless `x` has at least `blocks` blocks of values and scales
/// (and of sums when `with_sums`), because the kernels read that many
/// without bounds checks.
fn check_blocks(x: &Q8Blocks, blocks: usize, with_sums: bool) {
    assert!(x.values().len() >= blocks * BLOCK, "input has {} values, the row needs {}", x.values().len(), blocks * BLOCK);
    assert!(x.scales().len() >= blocks, "input has {} scales, the row needs {}", x.scales().len(), blocks);
    if with_sums {
        assert!(x.sums().len() >= blocks, "input has {} block sums, the row needs {}", x.sums().len(), blocks);
    }
}

#[cfg(test)]
mod tests {
    use samantha_gguf::quantize::quantize;

    use super::*;
    use crate::quant::kernels::tests::values;

    #[test]
    fn fast_q8_dot_matches_scalar_and_f32() {
        let cols = 32 * 18;
        let x = values(3, cols);
        let mut blocks = Q8Blocks::default();
        blocks.quantize(&x);

        for ty in [GgmlType::Q4_1, GgmlType::Q8_0] {
            let row = quantize(ty, &values(4, cols));
            let mut weights = vec![0.0; cols];
            samantha_gguf::dequant::dequantize(ty, &row, &mut weights);
            let exact: f32 = weights.iter().zip(&x).map(|(w, x)| w * x).sum();

            let scalar = scalar_q8_dot_for(ty).unwrap()(&row, &blocks);
            let fast = q8_dot_for(ty).unwrap()(&row, &blocks);
            assert!((fast - scalar).abs() <= 1e-4 * scalar.abs().max(1.0), "{ty}: {fast} vs scalar {scalar}");

            if let Some(dot4) = q8_dot4_for(ty) {
                let mut others = [Q8Blocks::default(), Q8Blocks::default(), Q8Blocks::default()];
                for (seed, other) in others.iter_mut().enumerate() {
                    other.quantize(&values(10 + seed as u32, cols));
                }
                let four = dot4(&row, [&blocks, &others[0], &others[1], &others[2]]);
                assert_eq!(four[0], fast, "{ty}: first of four");
                assert_eq!(four[3], q8_dot_for(ty).unwrap()(&row, &others[2]), "{ty}: last of four");
            }

            // Rounding the activations to 8 bits costs about 0.4 % of each
            // value, so the sum of 576 products stays within a few tenths.
            assert!((scalar - exact).abs() < 0.5, "{ty}: {scalar} vs exact {exact}");
        }
    }
}
