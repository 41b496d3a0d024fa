//! The AVX-512 matrix kernel: blocks of up to [`BLOCK_ROWS`] output rows by
//! one 32-column panel, kept in 16 zmm accumulators while the panel streams.

use std::arch::x86_64::{
    __m512, __mmask16, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_mask_storeu_ps, _mm512_maskz_loadu_ps,
    _mm512_set1_ps, _mm512_setzero_ps,
};

use super::matmul::{PANEL, PackedMatrix, Rows};

/// Output rows per block: 8 rows x 2 vectors use 16 of the 32 registers.
const BLOCK_ROWS: usize = 8;

/// Mask of the first `count` lanes of a 16-lane vector.
fn lane_mask(count: usize) -> __mmask16 {
    if count >= 16 { 0xffff } else { ((1u32 << count) - 1) as u16 }
}

/// Computes `output = input x weights + bias` with AVX-512.
///
/// # Safety
///
/// The CPU must support AVX-512F, and the caller must have checked that
/// `input` and `output` hold `rows` rows of `weights.rows()` and
/// `weights.columns()` values at their strides.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn matmul(input: Rows<&[f32]>, weights: &PackedMatrix, bias: Option<&[f32]>, output: Rows<&mut [f32]>) {
    let depth = weights.rows();
    let columns = weights.columns();
    let packed = weights_pointer(weights);

    for panel in 0..columns.div_ceil(PANEL) {
        let first = panel * PANEL;
        let width = (columns - first).min(PANEL);
        let low_mask = lane_mask(width);
        let high_mask = lane_mask(width.saturating_sub(16));

        // SAFETY: the masked loads read only the `width` valid bias values;
        // `wrapping_add` because the high half may start past the end when
        // its mask is empty.
        let (low_bias, high_bias) = match bias {
            Some(bias) => unsafe {
                (
                    _mm512_maskz_loadu_ps(low_mask, bias.as_ptr().wrapping_add(first)),
                    _mm512_maskz_loadu_ps(high_mask, bias.as_ptr().wrapping_add(first + 16)),
                )
            },
            None => (_mm512_setzero_ps(), _mm512_setzero_ps()),
        };

        let block = Block {
            // SAFETY: panel `panel` starts at this offset inside the packed values.
            weights: unsafe { packed.add(panel * depth * PANEL) },
            depth,
            low_bias,
            high_bias,
            low_mask,
            high_mask,
        };

        let mut row = 0;
        while row < input.rows {
            let count = (input.rows - row).min(BLOCK_ROWS);
            // SAFETY: rows `row..row + count` are inside both slices, as the caller checked.
            unsafe {
                let from = input.values.as_ptr().add(row * input.stride);
                let to = output.values.as_mut_ptr().add(row * output.stride + first);
                match count {
                    8 => block.run::<8>(from, input.stride, to, output.stride),
                    7 => block.run::<7>(from, input.stride, to, output.stride),
                    6 => block.run::<6>(from, input.stride, to, output.stride),
                    5 => block.run::<5>(from, input.stride, to, output.stride),
                    4 => block.run::<4>(from, input.stride, to, output.stride),
                    3 => block.run::<3>(from, input.stride, to, output.stride),
                    2 => block.run::<2>(from, input.stride, to, output.stride),
                    _ => block.run::<1>(from, input.stride, to, output.stride),
                }
            }
            row += count;
        }
    }
}

fn weights_pointer(weights: &PackedMatrix) -> *const f32 {
    weights.as_slice().as_ptr()
}

/// One panel of weights with its bias and store masks.
struct Block {
    weights: *const f32,
    depth: usize,
    low_bias: __m512,
    high_bias: __m512,
    low_mask: __mmask16,
    high_mask: __mmask16,
}

impl Block {
    /// Computes `ROWS` output rows of this panel.
    ///
    /// # Safety
    ///
    /// AVX-512F must be available; `input` must point at `ROWS` rows of
    /// `depth` values `input_stride` apart, and `output` at `ROWS` rows with
    /// room for the panel's valid columns, `output_stride` apart.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn run<const ROWS: usize>(&self, input: *const f32, input_stride: usize, output: *mut f32, output_stride: usize) {
        let mut low = [self.low_bias; ROWS];
        let mut high = [self.high_bias; ROWS];

        for k in 0..self.depth {
            // SAFETY: the panel holds `depth` rows of PANEL values, and the
            // input rows hold `depth` values each.
            unsafe {
                let low_weights = _mm512_loadu_ps(self.weights.add(k * PANEL));
                let high_weights = _mm512_loadu_ps(self.weights.add(k * PANEL + 16));
                for row in 0..ROWS {
                    let value = _mm512_set1_ps(*input.add(row * input_stride + k));
                    low[row] = _mm512_fmadd_ps(value, low_weights, low[row]);
                    high[row] = _mm512_fmadd_ps(value, high_weights, high[row]);
                }
            }
        }

        for row in 0..ROWS {
            // SAFETY: the masks limit the stores to the panel's valid columns;
            // `wrapping_add` because the high half of a narrow panel may
            // start past the end when its mask is empty.
            unsafe {
                _mm512_mask_storeu_ps(output.wrapping_add(row * output_stride), self.low_mask, low[row]);
                _mm512_mask_storeu_ps(output.wrapping_add(row * output_stride + 16), self.high_mask, high[row]);
            }
        }
    }
}
