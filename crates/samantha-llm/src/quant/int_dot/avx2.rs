//! AVX2 versions of the 8-bit dot products.
//!
//! The bytes of a block are multiplied and summed in groups of four either
//! by `vpmaddubsw` + `vpmaddwd` or, where the processor has AVX-VNNI or
//! AVX-512 VNNI, by one `vpdpbusd`. Both give the same integers, because no
//! pair of Q4_1 or Q8_0 products reaches `vpmaddubsw`'s 16-bit saturation:
//! 15 * 127 * 2 and 128 * 127 * 2 are below 32,767. So every kernel here
//! returns the same floats bit for bit, whichever instruction summed the
//! bytes.

// Every function here is one unsafe unit: the safe wrappers check the
// processor features and the lengths, and the kernels read through raw
// pointers inside those bounds.
#![allow(unsafe_op_in_unsafe_fn)]

use std::arch::x86_64::*;

use samantha_gguf::GgmlType;

use super::{BLOCK, Q8Blocks, Q8Dot4Fn, Q8DotFn, Q8RowsFn, check_blocks, check_rows};

/// Bytes of a Q4_1 block: f16 scale, f16 minimum, 16 bytes of nibbles.
const Q4_1_BYTES: usize = 20;

/// Bytes of a Q8_0 block: f16 scale, 32 signed bytes.
const Q8_0_BYTES: usize = 34;

/// Weight rows that the row kernels multiply together, each with its own
/// accumulator, so that one activation load serves all of them and their
/// dependency chains overlap.
const ROW_GROUP: usize = 4;

/// Instruction set that sums the byte products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// AVX2 `vpmaddubsw` + `vpmaddwd`.
    Avx2,

    /// AVX-VNNI `vpdpbusd` on 256-bit registers.
    AvxVnni,

    /// AVX-512 VNNI `vpdpbusd` on 256-bit registers (needs AVX-512 VL).
    Avx512Vnni,
}

impl Level {
    /// Returns the best level this processor supports, or `None` without
    /// AVX2, FMA and F16C.
    pub fn detect() -> Option<Self> {
        if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") && is_x86_feature_detected!("f16c")) {
            return None;
        }
        if is_x86_feature_detected!("avxvnni") {
            return Some(Self::AvxVnni);
        }
        if is_x86_feature_detected!("avx512vnni") && is_x86_feature_detected!("avx512vl") {
            return Some(Self::Avx512Vnni);
        }
        Some(Self::Avx2)
    }

    /// Returns this level's single-row kernel for `ty`, if it has one.
    pub fn dot_for(self, ty: GgmlType) -> Option<Q8DotFn> {
        match (self, ty) {
            (Self::Avx2, GgmlType::Q4_1) => Some(avx2::dot_q4_1_q8_1),
            (Self::Avx2, GgmlType::Q8_0) => Some(avx2::dot_q8_0_q8_0),
            (Self::AvxVnni, GgmlType::Q4_1) => Some(avx_vnni::dot_q4_1_q8_1),
            (Self::AvxVnni, GgmlType::Q8_0) => Some(avx_vnni::dot_q8_0_q8_0),
            (Self::Avx512Vnni, GgmlType::Q4_1) => Some(avx512_vnni::dot_q4_1_q8_1),
            (Self::Avx512Vnni, GgmlType::Q8_0) => Some(avx512_vnni::dot_q8_0_q8_0),
            _ => None,
        }
    }

    /// Returns this level's four-input kernel for `ty`, if it has one.
    pub fn dot4_for(self, ty: GgmlType) -> Option<Q8Dot4Fn> {
        match (self, ty) {
            (Self::Avx2, GgmlType::Q4_1) => Some(avx2::dot4_q4_1_q8_1),
            (Self::AvxVnni, GgmlType::Q4_1) => Some(avx_vnni::dot4_q4_1_q8_1),
            (Self::Avx512Vnni, GgmlType::Q4_1) => Some(avx512_vnni::dot4_q4_1_q8_1),
            _ => None,
        }
    }

    /// Returns this level's many-row kernel for `ty`, if it has one.
    pub fn rows_for(self, ty: GgmlType) -> Option<Q8RowsFn> {
        match (self, ty) {
            (Self::Avx2, GgmlType::Q4_1) => Some(avx2::rows_q4_1_q8_1),
            (Self::Avx2, GgmlType::Q8_0) => Some(avx2::rows_q8_0_q8_0),
            (Self::AvxVnni, GgmlType::Q4_1) => Some(avx_vnni::rows_q4_1_q8_1),
            (Self::AvxVnni, GgmlType::Q8_0) => Some(avx_vnni::rows_q8_0_q8_0),
            (Self::Avx512Vnni, GgmlType::Q4_1) => Some(avx512_vnni::rows_q4_1_q8_1),
            (Self::Avx512Vnni, GgmlType::Q8_0) => Some(avx512_vnni::rows_q8_0_q8_0),
            _ => None,
        }
    }
}

/// Sums the products of unsigned bytes `a` and signed bytes `b` in groups
/// of four, as eight 32-bit integers.
trait ByteDot {
    unsafe fn groups(a: __m256i, b: __m256i) -> __m256i;
}

struct Madd;
struct AvxVnni;
struct Avx512Vnni;

impl ByteDot for Madd {
    #[inline(always)]
    unsafe fn groups(a: __m256i, b: __m256i) -> __m256i {
        let pairs = _mm256_maddubs_epi16(a, b);
        _mm256_madd_epi16(pairs, _mm256_set1_epi16(1))
    }
}

impl ByteDot for AvxVnni {
    #[inline(always)]
    unsafe fn groups(a: __m256i, b: __m256i) -> __m256i {
        _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), a, b)
    }
}

impl ByteDot for Avx512Vnni {
    #[inline(always)]
    unsafe fn groups(a: __m256i, b: __m256i) -> __m256i {
        _mm256_dpbusd_epi32(_mm256_setzero_si256(), a, b)
    }
}

/// Safe entry points for one [`Level`]. Each wraps a generic kernel in a
/// function compiled with that level's target features. [`Level`] hands
/// them out only after detecting those features.
macro_rules! level_kernels {
    ($module:ident, $dot:ty, $features:literal) => {
        pub mod $module {
            use super::*;

            pub fn dot_q4_1_q8_1(row: &[u8], x: &Q8Blocks) -> f32 {
                // SAFETY: the processor features were detected before this
                // function was handed out.
                unsafe { q4_1_one(row, x) }
            }

            pub fn dot4_q4_1_q8_1(row: &[u8], x: [&Q8Blocks; 4]) -> [f32; 4] {
                // SAFETY: as above.
                unsafe { q4_1_four(row, x) }
            }

            pub fn rows_q4_1_q8_1(data: &[u8], row_bytes: usize, x: &Q8Blocks, out: &mut [f32]) {
                // SAFETY: as above.
                unsafe { q4_1_many(data, row_bytes, x, out) }
            }

            pub fn dot_q8_0_q8_0(row: &[u8], x: &Q8Blocks) -> f32 {
                // SAFETY: as above.
                unsafe { q8_0_one(row, x) }
            }

            pub fn rows_q8_0_q8_0(data: &[u8], row_bytes: usize, x: &Q8Blocks, out: &mut [f32]) {
                // SAFETY: as above.
                unsafe { q8_0_many(data, row_bytes, x, out) }
            }

            #[target_feature(enable = $features)]
            unsafe fn q4_1_one(row: &[u8], x: &Q8Blocks) -> f32 {
                q4_1::<$dot>(row, x)
            }

            #[target_feature(enable = $features)]
            unsafe fn q4_1_four(row: &[u8], x: [&Q8Blocks; 4]) -> [f32; 4] {
                q4_1_inputs::<$dot>(row, x)
            }

            #[target_feature(enable = $features)]
            unsafe fn q4_1_many(data: &[u8], row_bytes: usize, x: &Q8Blocks, out: &mut [f32]) {
                q4_1_rows::<$dot>(data, row_bytes, x, out)
            }

            #[target_feature(enable = $features)]
            unsafe fn q8_0_one(row: &[u8], x: &Q8Blocks) -> f32 {
                q8_0::<$dot>(row, x)
            }

            #[target_feature(enable = $features)]
            unsafe fn q8_0_many(data: &[u8], row_bytes: usize, x: &Q8Blocks, out: &mut [f32]) {
                q8_0_rows::<$dot>(data, row_bytes, x, out)
            }
        }
    };
}

level_kernels!(avx2, Madd, "avx2,fma,f16c");
level_kernels!(avx_vnni, AvxVnni, "avx2,fma,f16c,avxvnni");
level_kernels!(avx512_vnni, Avx512Vnni, "avx2,fma,f16c,avx512vnni,avx512vl");

// The generic kernels below are inlined into the wrappers above, which
// enable the target features their intrinsics need. Their pointer reads
// stay within the rows and the quantized vector, whose lengths
// `check_blocks` and `check_rows` assert first.

#[inline(always)]
unsafe fn hsum(v: __m256) -> f32 {
    let sum4 = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
    let sum2 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
    _mm_cvtss_f32(_mm_add_ss(sum2, _mm_movehdup_ps(sum2)))
}

/// Reads two f16 values at `pointer` as two floats.
#[inline(always)]
unsafe fn f16_pair(pointer: *const u8) -> (f32, f32) {
    let both = _mm_cvtph_ps(_mm_cvtsi32_si128(pointer.cast::<i32>().read_unaligned()));
    (_mm_cvtss_f32(both), _mm_cvtss_f32(_mm_movehdup_ps(both)))
}

/// Reads an f16 value at `pointer` as a float.
#[inline(always)]
unsafe fn f16_one(pointer: *const u8) -> f32 {
    f16_pair(pointer).0
}

/// Spreads the 16 bytes of nibbles at `pointer` over 32 bytes: the low
/// nibbles first, then the high ones, as Q4_1 orders a block's values.
#[inline(always)]
unsafe fn nibbles(pointer: *const u8) -> __m256i {
    let packed = _mm_loadu_si128(pointer.cast());
    let spread = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
    _mm256_and_si256(spread, _mm256_set1_epi8(0x0f))
}

#[inline(always)]
unsafe fn activations(x: &Q8Blocks, block: usize) -> __m256i {
    _mm256_loadu_si256(x.values().as_ptr().add(block * BLOCK).cast())
}

/// Adds one Q4_1 block's product to `acc`: `acc + d_w * d_x * Σ q_w·q_x`.
#[inline(always)]
unsafe fn q4_1_step<D: ByteDot>(block: *const u8, d: f32, x_scale: f32, x: __m256i, acc: __m256) -> __m256 {
    let products = _mm256_cvtepi32_ps(D::groups(nibbles(block.add(4)), x));
    _mm256_fmadd_ps(_mm256_set1_ps(d * x_scale), products, acc)
}

/// Adds one Q8_0 block's product to `acc`: `acc + d_w * d_x * Σ q_w·q_x`.
#[inline(always)]
unsafe fn q8_0_step<D: ByteDot>(block: *const u8, x_scale: f32, x: __m256i, acc: __m256) -> __m256 {
    let weights = _mm256_loadu_si256(block.add(2).cast());
    // The byte products need one unsigned operand: move the weights'
    // signs onto the activations.
    let magnitudes = _mm256_sign_epi8(weights, weights);
    let signed = _mm256_sign_epi8(x, weights);
    let products = _mm256_cvtepi32_ps(D::groups(magnitudes, signed));
    _mm256_fmadd_ps(_mm256_set1_ps(f16_one(block) * x_scale), products, acc)
}

#[inline(always)]
unsafe fn q4_1<D: ByteDot>(row: &[u8], x: &Q8Blocks) -> f32 {
    let blocks = row.len() / Q4_1_BYTES;
    check_blocks(x, blocks, true);

    let mut acc = _mm256_setzero_ps();
    let mut offsets = 0.0f32;
    for b in 0..blocks {
        let block = row.as_ptr().add(b * Q4_1_BYTES);
        let (d, m) = f16_pair(block);
        offsets += m * *x.sums().get_unchecked(b);
        acc = q4_1_step::<D>(block, d, *x.scales().get_unchecked(b), activations(x, b), acc);
    }

    hsum(acc) + offsets
}

/// [`q4_1`] for four inputs at once, with the same operations in the same
/// order for each input, so each result equals `q4_1`'s.
#[inline(always)]
unsafe fn q4_1_inputs<D: ByteDot>(row: &[u8], x: [&Q8Blocks; 4]) -> [f32; 4] {
    let blocks = row.len() / Q4_1_BYTES;
    for x in x {
        check_blocks(x, blocks, true);
    }

    let mut acc = [_mm256_setzero_ps(); 4];
    let mut offsets = [0.0f32; 4];
    for b in 0..blocks {
        let block = row.as_ptr().add(b * Q4_1_BYTES);
        let (d, m) = f16_pair(block);
        for k in 0..4 {
            offsets[k] += m * *x[k].sums().get_unchecked(b);
            acc[k] = q4_1_step::<D>(block, d, *x[k].scales().get_unchecked(b), activations(x[k], b), acc[k]);
        }
    }

    [hsum(acc[0]) + offsets[0], hsum(acc[1]) + offsets[1], hsum(acc[2]) + offsets[2], hsum(acc[3]) + offsets[3]]
}

/// [`q4_1`] for each row of `data`, [`ROW_GROUP`] rows at a time, with the
/// same operations in the same order for each row, so each result equals
/// `q4_1`'s.
#[inline(always)]
unsafe fn q4_1_rows<D: ByteDot>(data: &[u8], row_bytes: usize, x: &Q8Blocks, out: &mut [f32]) {
    check_rows(data, row_bytes, out.len());
    let blocks = row_bytes / Q4_1_BYTES;
    check_blocks(x, blocks, true);

    let done = out.len() / ROW_GROUP * ROW_GROUP;
    let mut groups = out.chunks_exact_mut(ROW_GROUP);
    for (group_index, group) in (&mut groups).enumerate() {
        let first = data.as_ptr().add(group_index * ROW_GROUP * row_bytes);
        let mut acc = [_mm256_setzero_ps(); ROW_GROUP];
        let mut offsets = [0.0f32; ROW_GROUP];

        for b in 0..blocks {
            let x_values = activations(x, b);
            let x_scale = *x.scales().get_unchecked(b);
            let x_sum = *x.sums().get_unchecked(b);
            for r in 0..ROW_GROUP {
                let block = first.add(r * row_bytes + b * Q4_1_BYTES);
                let (d, m) = f16_pair(block);
                offsets[r] += m * x_sum;
                acc[r] = q4_1_step::<D>(block, d, x_scale, x_values, acc[r]);
            }
        }

        for r in 0..ROW_GROUP {
            group[r] = hsum(acc[r]) + offsets[r];
        }
    }

    for (index, value) in groups.into_remainder().iter_mut().enumerate() {
        let start = (done + index) * row_bytes;
        *value = q4_1::<D>(&data[start..start + row_bytes], x);
    }
}

#[inline(always)]
unsafe fn q8_0<D: ByteDot>(row: &[u8], x: &Q8Blocks) -> f32 {
    let blocks = row.len() / Q8_0_BYTES;
    check_blocks(x, blocks, false);

    let mut acc = _mm256_setzero_ps();
    for b in 0..blocks {
        let block = row.as_ptr().add(b * Q8_0_BYTES);
        acc = q8_0_step::<D>(block, *x.scales().get_unchecked(b), activations(x, b), acc);
    }

    hsum(acc)
}

/// [`q8_0`] for each row of `data`, [`ROW_GROUP`] rows at a time; each
/// result equals `q8_0`'s.
#[inline(always)]
unsafe fn q8_0_rows<D: ByteDot>(data: &[u8], row_bytes: usize, x: &Q8Blocks, out: &mut [f32]) {
    check_rows(data, row_bytes, out.len());
    let blocks = row_bytes / Q8_0_BYTES;
    check_blocks(x, blocks, false);

    let done = out.len() / ROW_GROUP * ROW_GROUP;
    let mut groups = out.chunks_exact_mut(ROW_GROUP);
    for (group_index, group) in (&mut groups).enumerate() {
        let first = data.as_ptr().add(group_index * ROW_GROUP * row_bytes);
        let mut acc = [_mm256_setzero_ps(); ROW_GROUP];

        for b in 0..blocks {
            let x_values = activations(x, b);
            let x_scale = *x.scales().get_unchecked(b);
            for r in 0..ROW_GROUP {
                let block = first.add(r * row_bytes + b * Q8_0_BYTES);
                acc[r] = q8_0_step::<D>(block, x_scale, x_values, acc[r]);
            }
        }

        for r in 0..ROW_GROUP {
            group[r] = hsum(acc[r]);
        }
    }

    for (index, value) in groups.into_remainder().iter_mut().enumerate() {
        let start = (done + index) * row_bytes;
        *value = q8_0::<D>(&data[start..start + row_bytes], x);
    }
}

#[cfg(test)]
mod tests {
    use samantha_gguf::quantize::quantize;

    use super::*;
    use crate::quant::kernels::tests::values;

    /// Lists every level this processor supports, the plain AVX2 one first.
    fn supported_levels() -> Vec<Level> {
        let Some(best) = Level::detect() else {
            return Vec::new();
        };
        let mut levels = vec![Level::Avx2];
        if is_x86_feature_detected!("avxvnni") {
            levels.push(Level::AvxVnni);
        }
        if is_x86_feature_detected!("avx512vnni") && is_x86_feature_detected!("avx512vl") {
            levels.push(Level::Avx512Vnni);
        }
        assert!(levels.contains(&best));
        levels
    }

    fn quantized(seed: u32, cols: usize) -> Q8Blocks {
        let mut blocks = Q8Blocks::default();
        blocks.quantize(&values(seed, cols));
        blocks
    }

    #[test]
    fn rows_equal_single_row_on_every_level() {
        let (rows, cols) = (7, 32 * 18);
        let x = quantized(3, cols);

        for ty in [GgmlType::Q4_1, GgmlType::Q8_0] {
            let data = quantize(ty, &values(5, rows * cols));
            let row_bytes = data.len() / rows;
            let reference: Vec<f32> = data.chunks_exact(row_bytes).map(|row| Level::Avx2.dot_for(ty).unwrap()(row, &x)).collect();

            for level in supported_levels() {
                let single: Vec<f32> = data.chunks_exact(row_bytes).map(|row| level.dot_for(ty).unwrap()(row, &x)).collect();
                assert_eq!(single, reference, "{ty} {level:?}: single rows");

                let mut many = vec![0.0; rows];
                level.rows_for(ty).unwrap()(&data, row_bytes, &x, &mut many);
                assert_eq!(many, reference, "{ty} {level:?}: rows");
            }
        }
    }

    #[test]
    fn four_inputs_equal_single_input_on_every_level() {
        let cols = 32 * 6;
        let inputs = [quantized(1, cols), quantized(2, cols), quantized(3, cols), quantized(4, cols)];
        let row = quantize(GgmlType::Q4_1, &values(9, cols));

        for level in supported_levels() {
            let four = level.dot4_for(GgmlType::Q4_1).unwrap()(&row, [&inputs[0], &inputs[1], &inputs[2], &inputs[3]]);
            for (k, input) in inputs.iter().enumerate() {
                assert_eq!(four[k], Level::Avx2.dot_for(GgmlType::Q4_1).unwrap()(&row, input), "{level:?}: input {k}");
            }
        }
    }

    #[test]
    fn extreme_bytes_do_not_saturate() {
        // Every activation at +127 or -127 and every weight at its largest
        // magnitude: the largest pair sums the kernels can meet.
        let cols = 64;
        let x: Vec<f32> = (0..cols).map(|i| if i % 3 == 0 { -1.0 } else { 1.0 }).collect();
        let mut blocks = Q8Blocks::default();
        blocks.quantize(&x);
        assert!(blocks.values().iter().all(|value| value.unsigned_abs() == 127));

        let mut q4_1 = Vec::new();
        let mut q8_0 = Vec::new();
        for _ in 0..cols / 32 {
            q4_1.extend_from_slice(&[0x00, 0x3c, 0x00, 0x00]);
            q4_1.extend_from_slice(&[0xff; 16]);
            q8_0.extend_from_slice(&[0x00, 0x3c]);
            q8_0.extend_from_slice(&[0x80; 32]);
        }

        for level in supported_levels() {
            for (ty, row) in [(GgmlType::Q4_1, &q4_1), (GgmlType::Q8_0, &q8_0)] {
                let scalar = super::super::scalar_q8_dot_for(ty).unwrap()(row, &blocks);
                let fast = level.dot_for(ty).unwrap()(row, &blocks);
                // Saturated sums would be off by thousands of units.
                assert!((fast - scalar).abs() <= 1e-4 * scalar.abs(), "{ty} {level:?}: {fast} vs scalar {scalar}");
            }
        }
    }
}
