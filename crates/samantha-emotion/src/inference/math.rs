//! Element-wise steps of the encoder: layer norm, GELU and softmax.
//!
//! GELU and softmax need `exp` and `erf` on every element. The standard
//! library's versions are calls that block vectorization, so this module
//! has branch-free approximations the compiler vectorizes: `exp` by range
//! reduction to `2^n * exp(r)`, `|r| <= ln(2)/2`, with a degree-6 Taylor
//! polynomial (relative error below 2e-7), and `erf` by formula 7.1.26 of
//! Abramowitz and Stegun's Handbook of Mathematical Functions (absolute
//! error below 1.5e-7).

use super::isa::Isa;

/// `1.5 * 2^23`: adding and subtracting it rounds an f32 of magnitude below
/// 2^22 to the nearest integer.
const ROUNDING_SHIFT: f32 = 12_582_912.0;

/// `ln 2` split into a part exact in f32 and the rest, for range reduction.
const LN2_HIGH: f32 = 0.693_145_75;
const LN2_LOW: f32 = 1.428_606_8e-6;

/// Approximates `e^x`; inputs are clamped to `[-87, 88]`, so the result is
/// never zero, infinite or subnormal.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + ROUNDING_SHIFT) - ROUNDING_SHIFT;
    let r = x - n * LN2_HIGH - n * LN2_LOW;

    let polynomial = 1.0
        + r * (1.0 + r * (1.0 / 2.0 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // n is an integer in [-126, 127], so n + 127 is a valid biased exponent.
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    polynomial * scale
}

/// Approximates the error function (Abramowitz and Stegun 7.1.26).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    const A: [f32; 5] = [0.254_829_6, -0.284_496_74, 1.421_413_7, -1.453_152_1, 1.061_405_4];

    let magnitude = x.abs();
    let t = 1.0 / (1.0 + P * magnitude);
    let polynomial = t * (A[0] + t * (A[1] + t * (A[2] + t * (A[3] + t * A[4]))));
    let value = 1.0 - polynomial * exp(-magnitude * magnitude);
    value.copysign(x)
}

/// Applies GELU, `x * (1 + erf(x / sqrt 2)) / 2`, to every value.
pub fn gelu(isa: Isa, values: &mut [f32]) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Isa::Avx512` is only produced after detecting AVX-512F.
        Isa::Avx512 => unsafe { gelu_avx512(values) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Isa::Avx2` is only produced after detecting AVX2 and FMA.
        Isa::Avx2 => unsafe { gelu_avx2(values) },
        _ => gelu_portable(values),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn gelu_avx512(values: &mut [f32]) {
    gelu_portable(values);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn gelu_avx2(values: &mut [f32]) {
    gelu_portable(values);
}

#[inline(always)]
fn gelu_portable(values: &mut [f32]) {
    for value in values.iter_mut() {
        *value = 0.5 * *value * (1.0 + erf(*value * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// Replaces a row of scores by `softmax(scale * scores)`.
pub fn softmax(isa: Isa, scores: &mut [f32], scale: f32) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Isa::Avx512` is only produced after detecting AVX-512F.
        Isa::Avx512 => unsafe { softmax_avx512(scores, scale) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Isa::Avx2` is only produced after detecting AVX2 and FMA.
        Isa::Avx2 => unsafe { softmax_avx2(scores, scale) },
        _ => softmax_portable(scores, scale),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn softmax_avx512(scores: &mut [f32], scale: f32) {
    softmax_portable(scores, scale);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn softmax_avx2(scores: &mut [f32], scale: f32) {
    softmax_portable(scores, scale);
}

#[inline(always)]
fn softmax_portable(scores: &mut [f32], scale: f32) {
    let max = scores.iter().fold(f32::NEG_INFINITY, |max, value| max.max(*value));
    let mut sum = 0.0;
    for value in scores.iter_mut() {
        *value = exp((*value - max) * scale);
        sum += *value;
    }
    let inverse = 1.0 / sum;
    for value in scores.iter_mut() {
        *value *= inverse;
    }
}

/// Layer norm parameters for vectors of one width.
#[derive(Debug, Clone)]
pub struct LayerNorm {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub epsilon: f32,
}

impl LayerNorm {
    /// Normalizes every row of `rows` (row-major, `gamma.len()` wide) in
    /// place, with the biased variance as BERT does.
    pub fn apply(&self, rows: &mut [f32]) {
        let width = self.gamma.len();
        for row in rows.chunks_exact_mut(width) {
            let mean = row.iter().sum::<f32>() / width as f32;
            let variance = row.iter().map(|value| (value - mean) * (value - mean)).sum::<f32>() / width as f32;
            let inverse = 1.0 / (variance + self.epsilon).sqrt();
            for ((value, gamma), beta) in row.iter_mut().zip(&self.gamma).zip(&self.beta) {
                *value = (*value - mean) * inverse * gamma + beta;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_std() {
        for step in -8_700..=8_800 {
            let x = step as f32 / 100.0;
            let relative = (exp(x) - x.exp()).abs() / x.exp();
            assert!(relative < 5e-7, "exp({x}): {} vs {}", exp(x), x.exp());
        }
    }

    #[test]
    fn exp_clamps_extremes() {
        assert!(exp(-1_000.0) > 0.0);
        assert!(exp(1_000.0).is_finite());
        assert_eq!(exp(f32::NEG_INFINITY), exp(-87.0));
    }

    #[test]
    fn erf_matches_known_values() {
        // Values of erf from the Handbook's table 7.1, to 7 digits.
        for (x, expected) in [(0.0f32, 0.0f32), (0.5, 0.520_499_9), (1.0, 0.842_700_8), (2.0, 0.995_322_3), (-1.0, -0.842_700_8)] {
            assert!((erf(x) - expected).abs() < 3e-7, "erf({x}) = {}, expected {expected}", erf(x));
        }
        assert_eq!(erf(10.0), 1.0);
    }

    #[test]
    fn gelu_of_one_and_minus_one() {
        for isa in Isa::supported() {
            let mut values = [1.0f32, -1.0, 0.0];
            gelu(isa, &mut values);
            assert!((values[0] - 0.841_344_7).abs() < 1e-6, "{isa:?}: {values:?}");
            assert!((values[1] + 0.158_655_3).abs() < 1e-6, "{isa:?}: {values:?}");
            assert_eq!(values[2], 0.0, "{isa:?}");
        }
    }

    #[test]
    fn softmax_sums_to_one() {
        for isa in Isa::supported() {
            let mut scores = [1.0f32, 2.0, 3.0, -500.0];
            softmax(isa, &mut scores, 0.5);
            let total: f32 = scores.iter().sum();
            assert!((total - 1.0).abs() < 1e-6, "{isa:?}: {scores:?}");
            let expected = 1.0 / (1.0 + (-0.5f32).exp() + (-1.0f32).exp());
            assert!((scores[2] - expected).abs() < 1e-6, "{isa:?}: {scores:?}");
        }
    }

    #[test]
    fn layer_norm_centres_and_scales() {
        let norm = LayerNorm {
            gamma: vec![2.0; 4],
            beta: vec![1.0; 4],
            epsilon: 1e-12,
        };
        let mut rows = [1.0f32, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0, 5.0];
        norm.apply(&mut rows);
        let std = 1.25f32.sqrt();
        for (got, x) in rows[..4].iter().zip([1.0f32, 2.0, 3.0, 4.0]) {
            assert!((got - (2.0 * (x - 2.5) / std + 1.0)).abs() < 1e-5, "{rows:?}");
        }
        assert!(rows[4..].iter().all(|value| (value - 1.0).abs() < 1e-6), "{rows:?}");
    }
}
