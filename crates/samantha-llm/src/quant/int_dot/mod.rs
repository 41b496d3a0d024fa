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

#[cfg(target_arch = "x86_64")]
mod avx2;
pub mod scalar;

/// An 8-bit dot-product routine for one weight type.
pub type Q8DotFn = fn(row: &[u8], x: &Q8Blocks) -> f32;

/// Dot products of one weight row with four 8-bit inputs, each equal to
/// the single-input routine's result for that input.
pub type Q8Dot4Fn = fn(row: &[u8], x: [&Q8Blocks; 4]) -> [f32; 4];

/// Dot products of consecutive weight rows (`data`, `row_bytes` each) with
/// one 8-bit input into `out`, one value per row, each equal to the
/// single-row routine's result for that row.
pub type Q8RowsFn = fn(data: &[u8], row_bytes: usize, x: &Q8Blocks, out: &mut [f32]);

/// Picks a four-input 8-bit dot product for `ty`, or `None` when this
/// processor or `ty` has none. It reads each weight block once for all
/// four inputs.
pub fn q8_dot4_for(ty: GgmlType) -> Option<Q8Dot4Fn> {
    #[cfg(target_arch = "x86_64")]
    if let Some(level) = avx2::Level::detect() {
        return level.dot4_for(ty);
    }

    None
}

/// Picks a many-row 8-bit dot product for `ty`, or `None` when this
/// processor or `ty` has none. It reads each input block once for several
/// rows.
pub fn q8_rows_for(ty: GgmlType) -> Option<Q8RowsFn> {
    #[cfg(target_arch = "x86_64")]
    if let Some(level) = avx2::Level::detect() {
        return level.rows_for(ty);
    }

    None
}

/// Picks the fastest 8-bit dot product for `ty` on this processor, or
/// `None` when `ty` has no 8-bit kernel.
pub fn q8_dot_for(ty: GgmlType) -> Option<Q8DotFn> {
    #[cfg(target_arch = "x86_64")]
    if let Some(level) = avx2::Level::detect() {
        return level.dot_for(ty);
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

/// Panics unless `data` is exactly `rows` rows of `row_bytes` each.
fn check_rows(data: &[u8], row_bytes: usize, rows: usize) {
    assert_eq!(data.len(), rows * row_bytes, "weights have {} bytes, {rows} rows of {row_bytes} need {}", data.len(), rows * row_bytes);
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
