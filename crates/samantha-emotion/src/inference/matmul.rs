//! Matrix products against weights packed once at load time.
//!
//! A [`PackedMatrix`] stores a `[rows, columns]` right-hand matrix as
//! column panels of [`PANEL`] columns, each panel `rows x PANEL` values
//! contiguous, the last one padded with zeros. The kernel streams one panel
//! while it keeps a block of output rows in registers, so every weight is
//! read once per block of rows and never repacked.

use super::isa::Isa;

/// Columns per panel: two 512-bit vectors of f32.
pub const PANEL: usize = 32;

/// Output rows computed together by the portable kernel.
const PORTABLE_ROWS: usize = 4;

/// A right-hand matrix in panel layout.
#[derive(Debug, Clone, Default)]
pub struct PackedMatrix {
    rows: usize,
    columns: usize,
    values: Vec<f32>,
}

impl PackedMatrix {
    /// Packs a row-major `[rows, columns]` matrix.
    pub fn from_row_major(values: &[f32], rows: usize, columns: usize) -> Self {
        assert_eq!(values.len(), rows * columns, "a {rows}x{columns} matrix needs {} values", rows * columns);
        let mut packed = Self::default();
        packed.repack(rows, columns, |row, column| values[row * columns + column]);
        packed
    }

    /// Refills this matrix with `value(row, column)`, reusing its buffer.
    pub fn repack(&mut self, rows: usize, columns: usize, value: impl Fn(usize, usize) -> f32) {
        let panels = columns.div_ceil(PANEL);
        self.rows = rows;
        self.columns = columns;
        self.values.clear();
        self.values.resize(panels * rows * PANEL, 0.0);

        for panel in 0..panels {
            let first = panel * PANEL;
            let width = (columns - first).min(PANEL);
            for row in 0..rows {
                let start = (panel * rows + row) * PANEL;
                for offset in 0..width {
                    self.values[start + offset] = value(row, first + offset);
                }
            }
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Returns the packed values, panel after panel.
    pub(super) fn as_slice(&self) -> &[f32] {
        &self.values
    }

    fn panel(&self, index: usize) -> &[f32] {
        let size = self.rows * PANEL;
        &self.values[index * size..(index + 1) * size]
    }
}

/// A row-major left-hand matrix or output: `rows` rows that start `stride`
/// values apart inside `values`.
pub struct Rows<T> {
    pub values: T,
    pub rows: usize,
    pub stride: usize,
}

impl<'a> Rows<&'a [f32]> {
    pub fn new(values: &'a [f32], rows: usize, stride: usize) -> Self {
        Self { values, rows, stride }
    }
}

impl<'a> Rows<&'a mut [f32]> {
    pub fn new_mut(values: &'a mut [f32], rows: usize, stride: usize) -> Self {
        Self { values, rows, stride }
    }
}

/// Computes `output = input x weights + bias` for the first
/// `weights.columns()` values of each output row.
///
/// # Panics
///
/// When the slices are too short for the shapes they claim, or the row
/// counts differ; both are programming errors.
pub fn matmul(isa: Isa, input: Rows<&[f32]>, weights: &PackedMatrix, bias: Option<&[f32]>, output: Rows<&mut [f32]>) {
    let depth = weights.rows();
    let columns = weights.columns();
    assert_eq!(input.rows, output.rows, "input and output row counts differ");
    if input.rows == 0 || columns == 0 {
        return;
    }
    // These checks keep the kernels' pointer arithmetic inside the slices.
    assert!(input.values.len() >= (input.rows - 1) * input.stride + depth, "input too short for {} rows of {depth}", input.rows);
    assert!(output.values.len() >= (output.rows - 1) * output.stride + columns, "output too short for {} rows of {columns}", output.rows);
    if let Some(bias) = bias {
        assert_eq!(bias.len(), columns, "bias length {} differs from {columns} columns", bias.len());
    }

    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => {
            // SAFETY: `Isa::Avx512` is only produced after detecting AVX-512F,
            // and the slice lengths were checked above.
            unsafe { super::avx512::matmul(input, weights, bias, output) }
        }
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => {
            // SAFETY: `Isa::Avx2` is only produced after detecting AVX2 and FMA.
            unsafe { matmul_avx2(input, weights, bias, output) }
        }
        _ => matmul_portable(input, weights, bias, output),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn matmul_avx2(input: Rows<&[f32]>, weights: &PackedMatrix, bias: Option<&[f32]>, output: Rows<&mut [f32]>) {
    matmul_portable(input, weights, bias, output);
}

#[inline(always)]
fn matmul_portable(input: Rows<&[f32]>, weights: &PackedMatrix, bias: Option<&[f32]>, output: Rows<&mut [f32]>) {
    let depth = weights.rows();
    let columns = weights.columns();

    for panel_index in 0..columns.div_ceil(PANEL) {
        let panel = weights.panel(panel_index);
        let first = panel_index * PANEL;
        let width = (columns - first).min(PANEL);

        let mut start = [0.0f32; PANEL];
        if let Some(bias) = bias {
            start[..width].copy_from_slice(&bias[first..first + width]);
        }

        let mut row = 0;
        while row < input.rows {
            let block = (input.rows - row).min(PORTABLE_ROWS);
            let mut sums = [start; PORTABLE_ROWS];
            for k in 0..depth {
                let weights_row: &[f32; PANEL] = panel[k * PANEL..(k + 1) * PANEL].try_into().unwrap_or(&[0.0; PANEL]);
                for (offset, sum) in sums.iter_mut().enumerate().take(block) {
                    let value = input.values[(row + offset) * input.stride + k];
                    for (total, weight) in sum.iter_mut().zip(weights_row) {
                        *total += value * weight;
                    }
                }
            }
            for (offset, sum) in sums.iter().enumerate().take(block) {
                let at = (row + offset) * output.stride + first;
                output.values[at..at + width].copy_from_slice(&sum[..width]);
            }
            row += block;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(input: &[f32], rows: usize, depth: usize, weights: &[f32], columns: usize, bias: &[f32]) -> Vec<f32> {
        let mut output = vec![0.0f32; rows * columns];
        for row in 0..rows {
            for column in 0..columns {
                let mut sum = f64::from(bias[column]);
                for k in 0..depth {
                    sum += f64::from(input[row * depth + k]) * f64::from(weights[k * columns + column]);
                }
                output[row * columns + column] = sum as f32;
            }
        }
        output
    }

    fn values(count: usize, seed: u32) -> Vec<f32> {
        (0..count)
            .map(|index| {
                let mixed = (index as u32).wrapping_mul(2_654_435_761).wrapping_add(seed.wrapping_mul(40_503));
                (mixed % 2001) as f32 / 1000.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn every_kernel_matches_naive_product() {
        // Shapes cover full and partial panels and row blocks.
        for (rows, depth, columns) in [(1, 1, 1), (3, 5, 7), (9, 33, 31), (13, 8, 40), (17, 64, 65), (25, 3, 16), (34, 384, 96)] {
            let input = values(rows * depth, 1);
            let weights = values(depth * columns, 2);
            let bias = values(columns, 3);
            let expected = naive(&input, rows, depth, &weights, columns, &bias);
            let packed = PackedMatrix::from_row_major(&weights, depth, columns);

            for isa in Isa::supported() {
                let mut output = vec![f32::NAN; rows * columns];
                matmul(isa, Rows::new(&input, rows, depth), &packed, Some(&bias), Rows::new_mut(&mut output, rows, columns));
                for (index, (got, want)) in output.iter().zip(&expected).enumerate() {
                    assert!((got - want).abs() < 1e-4, "{isa:?} {rows}x{depth}x{columns} at {index}: {got} vs {want}");
                }
            }
        }
    }

    #[test]
    fn strided_rows_leave_other_columns_alone() {
        let input = values(2 * 10, 4);
        let weights = values(4 * 3, 5);
        let packed = PackedMatrix::from_row_major(&weights, 4, 3);

        for isa in Isa::supported() {
            // Input rows use the first 4 of every 10 values; output rows use
            // columns 2..5 of every 8.
            let mut output = vec![-7.0f32; 2 * 8];
            matmul(isa, Rows::new(&input, 2, 10), &packed, None, Rows::new_mut(&mut output[2..], 2, 8));
            for row in 0..2 {
                for column in 0..3 {
                    let mut want = 0.0;
                    for k in 0..4 {
                        want += input[row * 10 + k] * weights[k * 3 + column];
                    }
                    let got = output[2 + row * 8 + column];
                    assert!((got - want).abs() < 1e-5, "{isa:?}: {got} vs {want}");
                }
                assert_eq!(output[row * 8], -7.0, "{isa:?}: column before the output changed");
                assert_eq!(output[row * 8 + 5], -7.0, "{isa:?}: column after the output changed");
            }
        }
    }
}
