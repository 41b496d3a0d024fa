//! The AVX-512 matrix kernel: blocks of up to [`BLOCK_ROWS`] output rows by
//! one 32-column panel, kept in up to 24 zmm accumulators while the panel
//! streams.
//!
//! The input rows are first copied into blocks stored column by column, so
//! the inner loop reads every input value at a constant offset from one
//! pointer. With one pointer per row, the register allocator ran out of
//! general-purpose registers and spilled inside the loop.
//!
//! The inner loop avoids `_mm512_loadu_ps` and raw pointer dereferences,
//! because debug assertions (on in the dev profile) add checks to both.
//! `_mm512_loadu_ps` goes through `ptr::read_unaligned`, whose precondition
//! check takes the address of its destination. That stores and reloads
//! every weight vector through the stack. A dereference gets a null and an
//! alignment check per value. Full-mask `_mm512_maskz_loadu_ps` and
//! `_mm_load_ss` compile to plain `vmovups` and `vbroadcastss` instead.

use std::cell::RefCell;

use std::arch::x86_64::{
    __m512, __mmask16, _mm_load_ss, _mm512_broadcastss_ps, _mm512_fmadd_ps, _mm512_mask_storeu_ps,
    _mm512_maskz_loadu_ps, _mm512_setzero_ps,
};

use super::matmul::{PANEL, PackedMatrix, Rows};

/// Maximum output rows per block: 12 rows x 2 vectors use 24 of the 32
/// registers, leaving two for the weights and one for the broadcast input.
const BLOCK_ROWS: usize = 12;

/// Mask that loads all 16 lanes.
const ALL_LANES: __mmask16 = 0xffff;

/// Splits `rows` into the fewest blocks of at most [`BLOCK_ROWS`] rows,
/// with sizes that differ by at most one, as `(first row, row count)`.
///
/// Even sizes avoid a small last block, which loads the weights for few
/// multiply-adds. For example, 34 rows run as 12 + 11 + 11.
fn row_blocks(rows: usize) -> impl Iterator<Item = (usize, usize)> {
    let blocks = rows.div_ceil(BLOCK_ROWS);
    let base = rows.checked_div(blocks).unwrap_or(0);
    let larger = rows.checked_rem(blocks).unwrap_or(0);
    (0..blocks).map(move |block| {
        let first = block * base + block.min(larger);
        let count = base + usize::from(block < larger);
        (first, count)
    })
}

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

    PACKED_INPUT.with_borrow_mut(|blocks| {
        pack_input(&input, depth, blocks);
        // SAFETY: forwarded from this function's contract.
        unsafe { run_panels(blocks, input.rows, depth, columns, packed, bias, output) }
    });
}

thread_local! {
    /// The current input in block layout, reused across calls.
    static PACKED_INPUT: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Copies `input` into the blocks of [`row_blocks`], each stored as `depth`
/// groups of its row count.
fn pack_input(input: &Rows<&[f32]>, depth: usize, blocks: &mut Vec<f32>) {
    blocks.clear();
    blocks.reserve(input.rows * depth);
    for (first, count) in row_blocks(input.rows) {
        for k in 0..depth {
            for row in first..first + count {
                blocks.push(input.values[row * input.stride + k]);
            }
        }
    }
}

/// # Safety
///
/// As [`matmul`]; `blocks` must hold the input in [`pack_input`]'s layout.
#[target_feature(enable = "avx512f")]
unsafe fn run_panels(
    blocks: &[f32],
    rows: usize,
    depth: usize,
    columns: usize,
    packed: *const f32,
    bias: Option<&[f32]>,
    output: Rows<&mut [f32]>,
) {
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

        for (row, count) in row_blocks(rows) {
            // SAFETY: the block of rows `row..row + count` starts at
            // `row * depth` in `blocks`, and those rows are inside `output`,
            // as the caller checked.
            unsafe {
                let from = blocks.as_ptr().add(row * depth);
                let to = output.values.as_mut_ptr().add(row * output.stride + first);
                match count {
                    12 => block.run::<12>(from, to, output.stride),
                    11 => block.run::<11>(from, to, output.stride),
                    10 => block.run::<10>(from, to, output.stride),
                    9 => block.run::<9>(from, to, output.stride),
                    8 => block.run::<8>(from, to, output.stride),
                    7 => block.run::<7>(from, to, output.stride),
                    6 => block.run::<6>(from, to, output.stride),
                    5 => block.run::<5>(from, to, output.stride),
                    4 => block.run::<4>(from, to, output.stride),
                    3 => block.run::<3>(from, to, output.stride),
                    2 => block.run::<2>(from, to, output.stride),
                    _ => block.run::<1>(from, to, output.stride),
                }
            }
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
    /// AVX-512F must be available; `input` must point at a block of `ROWS`
    /// rows in [`pack_input`]'s layout, and `output` at `ROWS` rows with
    /// room for the panel's valid columns, `output_stride` apart.
    // Each row count gets its own function: inlined into one caller, the
    // variants shared a register allocation that spilled the weights.
    #[target_feature(enable = "avx512f")]
    #[inline(never)]
    unsafe fn run<const ROWS: usize>(&self, input: *const f32, output: *mut f32, output_stride: usize) {
        let mut low = [self.low_bias; ROWS];
        let mut high = [self.high_bias; ROWS];

        let mut weights = self.weights;
        let mut values = input;
        for _ in 0..self.depth {
            // SAFETY: the panel holds `depth` rows of PANEL values, and the
            // input block `depth` groups of ROWS values, so every read is in
            // bounds. The pointers step with `wrapping_add`, which has no
            // overflow check, and are not read after the last step.
            unsafe {
                let low_weights = _mm512_maskz_loadu_ps(ALL_LANES, weights);
                let high_weights = _mm512_maskz_loadu_ps(ALL_LANES, weights.wrapping_add(16));
                for row in 0..ROWS {
                    let value = _mm512_broadcastss_ps(_mm_load_ss(values.wrapping_add(row)));
                    low[row] = _mm512_fmadd_ps(value, low_weights, low[row]);
                    high[row] = _mm512_fmadd_ps(value, high_weights, high[row]);
                }
            }
            weights = weights.wrapping_add(PANEL);
            values = values.wrapping_add(ROWS);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_blocks_are_even_and_cover_rows() {
        for rows in 0..=40 {
            let blocks: Vec<_> = row_blocks(rows).collect();
            assert_eq!(blocks.len(), rows.div_ceil(BLOCK_ROWS), "{rows} rows: {blocks:?}");

            let mut next = 0;
            for &(first, count) in &blocks {
                assert_eq!(first, next, "{rows} rows: gap or overlap in {blocks:?}");
                assert!((1..=BLOCK_ROWS).contains(&count), "{rows} rows: block size {count}");
                next = first + count;
            }
            assert_eq!(next, rows, "{rows} rows: {blocks:?}");

            let sizes = blocks.iter().map(|&(_, count)| count);
            let spread = sizes.clone().max().unwrap_or(0) - sizes.min().unwrap_or(0);
            assert!(spread <= 1, "{rows} rows: uneven {blocks:?}");
        }
        assert_eq!(row_blocks(34).collect::<Vec<_>>(), [(0, 12), (12, 11), (23, 11)]);
    }
}
