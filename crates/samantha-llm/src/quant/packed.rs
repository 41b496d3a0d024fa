//! Weight matrices kept in their quantized GGUF blocks.

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use samantha_gguf::{GgmlType, GgufFile};

use super::input::PreparedInput;
use super::int_dot::{self, Q8Dot4Fn, Q8DotFn, Q8RowsFn};
use super::kernels::{self, DotFn};

/// Rows per parallel task in a matrix-vector product; small enough to
/// balance two to eight threads on the smallest SmolLM2 matrices.
const ROWS_PER_TASK: usize = 64;

enum Storage {
    /// Blocks read straight from the memory-mapped file.
    Mapped { file: Arc<GgufFile>, range: Range<usize> },

    /// Blocks owned in memory (tests, or weights converted at load time).
    Owned(Vec<u8>),
}

/// A `[rows, cols]` matrix whose rows are stored as quantized blocks.
///
/// Matrix-vector products read the blocks directly, so the weights stay
/// at their file size in memory instead of four bytes per value.
pub struct PackedMatrix {
    storage: Storage,
    ty: GgmlType,
    rows: usize,
    cols: usize,
    row_bytes: usize,

    /// Dot product against the `f32` input.
    dot: DotFn,

    /// Dot product against the input rounded to 8-bit blocks, used when
    /// the input carries them.
    int8_dot: Option<Q8DotFn>,

    /// The same against four inputs at once, for batched products.
    int8_dot4: Option<Q8Dot4Fn>,

    /// The same for several consecutive rows at once.
    int8_rows: Option<Q8RowsFn>,
}

impl std::fmt::Debug for PackedMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PackedMatrix({} x {}, {})", self.rows, self.cols, self.ty)
    }
}

impl PackedMatrix {
    /// Returns whether rows of `ty` can be multiplied without converting them.
    pub fn supports(ty: GgmlType) -> bool {
        kernels::dot_for(ty).is_some()
    }

    /// Wraps a tensor of the mapped file. The caller has checked that
    /// `range` contains `rows * cols` values of `ty`.
    pub fn mapped(file: Arc<GgufFile>, range: Range<usize>, ty: GgmlType, rows: usize, cols: usize) -> Self {
        Self::new(Storage::Mapped { file, range }, ty, rows, cols)
    }

    /// Wraps owned blocks of `ty`.
    pub fn owned(data: Vec<u8>, ty: GgmlType, rows: usize, cols: usize) -> Self {
        Self::new(Storage::Owned(data), ty, rows, cols)
    }

    fn new(storage: Storage, ty: GgmlType, rows: usize, cols: usize) -> Self {
        assert!(Self::supports(ty), "no packed kernel for {ty}");
        assert_eq!(cols % ty.block_size(), 0, "{cols} columns are not whole {ty} blocks");

        let row_bytes = cols / ty.block_size() * ty.block_bytes();
        let matrix = Self {
            storage,
            ty,
            rows,
            cols,
            row_bytes,
            dot: kernels::dot_for(ty).unwrap_or(kernels::scalar::dot_f32),
            int8_dot: int_dot::q8_dot_for(ty),
            int8_dot4: int_dot::q8_dot4_for(ty),
            int8_rows: int_dot::q8_rows_for(ty),
        };
        assert_eq!(matrix.data().len(), rows * row_bytes, "packed data does not hold {rows} x {cols} {ty}");
        matrix
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn ggml_type(&self) -> GgmlType {
        self.ty
    }

    /// Bytes of weight data.
    pub fn byte_len(&self) -> usize {
        self.rows * self.row_bytes
    }

    fn data(&self) -> &[u8] {
        match &self.storage {
            Storage::Mapped { file, range } => &file.bytes()[range.clone()],
            Storage::Owned(data) => data,
        }
    }

    fn row(&self, index: usize) -> &[u8] {
        &self.data()[index * self.row_bytes..(index + 1) * self.row_bytes]
    }

    /// Dequantizes row `index` into `out` (`cols` values).
    pub fn dequantize_row(&self, index: usize, out: &mut [f32]) {
        samantha_gguf::dequant::dequantize(self.ty, self.row(index), out);
    }

    /// Dequantizes the whole matrix, row-major `[rows, cols]`.
    pub fn dequantize(&self) -> Vec<f32> {
        let mut out = vec![0.0; self.rows * self.cols];
        samantha_gguf::dequant::dequantize(self.ty, self.data(), &mut out);
        out
    }

    /// Computes `out = W x` for one vector `x` of `cols` values.
    ///
    /// Work is split over the current rayon pool when it has more than one
    /// thread.
    pub fn matvec(&self, x: &[f32], out: &mut [f32]) {
        self.matvec_prepared(&PreparedInput::new(x), out);
    }

    /// Computes `out = W x` for an input whose block sums are already
    /// computed; it allocates nothing, so the decode loop can call it for
    /// every token. An input rounded to 8-bit blocks takes the integer
    /// kernel when this matrix's type has one.
    ///
    /// Work is split over the current rayon pool when it has more than one
    /// thread.
    ///
    /// # Panics
    /// Panics when the input or output length differs from the matrix.
    pub fn matvec_prepared(&self, input: &PreparedInput, out: &mut [f32]) {
        let x = input.values();
        assert_eq!(x.len(), self.cols, "input has {} values, matrix has {} columns", x.len(), self.cols);
        assert_eq!(out.len(), self.rows, "output has {} values, matrix has {} rows", out.len(), self.rows);

        let fill = |(chunk_index, chunk): (usize, &mut [f32])| self.fill_chunk(chunk_index * ROWS_PER_TASK, input, chunk);

        if rayon::current_num_threads() > 1 {
            out.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(fill);
        } else {
            self.fill_chunk(0, input, out);
        }
    }

    /// Computes `out[t] = W x[t]` for several input vectors, as
    /// [`PackedMatrix::matvec_prepared`] computes each of them, so every
    /// output equals that of a single-vector product bit for bit.
    ///
    /// Each block of [`ROWS_PER_TASK`] weight rows is multiplied with every
    /// input before the next block is read, so the weights stream from
    /// memory once per call instead of once per input. Inputs are split
    /// over the current rayon pool when it has more than one thread.
    ///
    /// # Shapes
    /// - inputs: `positions` vectors of `cols` values
    /// - out: `[positions, rows]`
    ///
    /// # Panics
    /// Panics when an input or the output length differs from the matrix.
    pub fn matmul_prepared(&self, inputs: &[PreparedInput], out: &mut [f32]) {
        let expected = inputs.len() * self.rows;
        assert_eq!(out.len(), expected, "output has {} values, expected {} inputs x {} rows", out.len(), inputs.len(), self.rows);
        for input in inputs {
            assert_eq!(input.len(), self.cols, "input has {} values, matrix has {} columns", input.len(), self.cols);
        }
        if inputs.is_empty() {
            return;
        }

        let threads = rayon::current_num_threads();
        let positions_per_task = inputs.len().div_ceil(threads);
        let fill = |(inputs, out): (&[PreparedInput], &mut [f32])| self.fill_rows(inputs, out);

        if threads > 1 {
            inputs.par_chunks(positions_per_task).zip(out.par_chunks_mut(positions_per_task * self.rows)).for_each(fill);
        } else {
            fill((inputs, out));
        }
    }

    /// Fills `out` (`[inputs, rows]`) one block of weight rows at a time.
    fn fill_rows(&self, inputs: &[PreparedInput], out: &mut [f32]) {
        let data = self.data();
        let all_quantized = inputs.iter().all(|input| !input.quantized().is_empty());
        let dot4 = self.int8_dot4.filter(|_| all_quantized);

        for first in (0..self.rows).step_by(ROWS_PER_TASK) {
            let last = (first + ROWS_PER_TASK).min(self.rows);
            let mut done = 0;

            if let Some(dot4) = dot4 {
                let groups = inputs.chunks_exact(4).zip(out.chunks_exact_mut(4 * self.rows));
                for (group, out) in groups {
                    let x = [group[0].quantized(), group[1].quantized(), group[2].quantized(), group[3].quantized()];
                    for index in first..last {
                        let row = &data[index * self.row_bytes..(index + 1) * self.row_bytes];
                        for (k, value) in dot4(row, x).into_iter().enumerate() {
                            out[k * self.rows + index] = value;
                        }
                    }
                }
                done = inputs.len() / 4 * 4;
            }

            let rest = inputs[done..].iter().zip(out[done * self.rows..].chunks_exact_mut(self.rows));
            for (input, out) in rest {
                self.fill_chunk(first, input, &mut out[first..last]);
            }
        }
    }

    /// Writes the products of rows `first..first + out.len()` with `input`
    /// into `out`.
    fn fill_chunk(&self, first: usize, input: &PreparedInput, out: &mut [f32]) {
        let data = &self.data()[first * self.row_bytes..(first + out.len()) * self.row_bytes];
        let quantized = input.quantized();
        if let Some(int8_rows) = self.int8_rows.filter(|_| !quantized.is_empty()) {
            int8_rows(data, self.row_bytes, quantized, out);
            return;
        }

        for (row, value) in data.chunks_exact(self.row_bytes).zip(out) {
            *value = self.dot_row(row, input);
        }
    }

    /// Dot product of one weight row with `input`, through the 8-bit
    /// kernel when the input carries 8-bit blocks.
    fn dot_row(&self, row: &[u8], input: &PreparedInput) -> f32 {
        let quantized = input.quantized();
        match self.int8_dot.filter(|_| !quantized.is_empty()) {
            Some(int8_dot) => int8_dot(row, quantized),
            None => (self.dot)(row, input.values(), input.block_sums()),
        }
    }
}

#[cfg(test)]
mod tests {
    use samantha_gguf::quantize::quantize;

    use super::*;
    use crate::quant::Activations;

    #[test]
    fn matvec_matches_dense_product() {
        let (rows, cols) = (130, 64);
        let weights: Vec<f32> = (0..rows * cols).map(|i| ((i * 7919) % 97) as f32 / 97.0 - 0.5).collect();
        let x: Vec<f32> = (0..cols).map(|i| (i as f32 * 0.37).sin()).collect();

        let matrix = PackedMatrix::owned(quantize(GgmlType::Q8_0, &weights), GgmlType::Q8_0, rows, cols);
        let dense = matrix.dequantize();

        let mut out = vec![0.0; rows];
        matrix.matvec(&x, &mut out);

        for (row, value) in out.iter().enumerate() {
            let expected: f32 = dense[row * cols..(row + 1) * cols].iter().zip(&x).map(|(w, x)| w * x).sum();
            assert!((value - expected).abs() < 1e-4, "row {row}: {value} vs {expected}");
        }
    }

    #[test]
    fn matvec_same_on_two_threads() {
        let (rows, cols) = (300, 96);
        let weights: Vec<f32> = (0..rows * cols).map(|i| ((i * 104_729) % 89) as f32 / 89.0 - 0.5).collect();
        let x: Vec<f32> = (0..cols).map(|i| (i as f32 * 0.11).cos()).collect();
        let matrix = PackedMatrix::owned(quantize(GgmlType::Q4_1, &weights), GgmlType::Q4_1, rows, cols);

        let mut single = vec![0.0; rows];
        matrix.matvec(&x, &mut single);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let mut split = vec![0.0; rows];
        pool.install(|| matrix.matvec(&x, &mut split));

        assert_eq!(split, single);
    }

    #[test]
    fn matvec_int8_input_stays_near_exact() {
        let (rows, cols) = (40, 128);
        let weights: Vec<f32> = (0..rows * cols).map(|i| ((i * 7919) % 97) as f32 / 97.0 - 0.5).collect();
        let x: Vec<f32> = (0..cols).map(|i| (i as f32 * 0.37).sin()).collect();

        for ty in [GgmlType::Q4_1, GgmlType::Q8_0] {
            let matrix = PackedMatrix::owned(quantize(ty, &weights), ty, rows, cols);
            let mut exact = vec![0.0; rows];
            matrix.matvec(&x, &mut exact);

            let mut input = PreparedInput::with_activations(cols, Activations::Int8);
            input.set(&x);
            assert_eq!(input.quantized().len(), cols);
            let mut rounded = vec![0.0; rows];
            matrix.matvec_prepared(&input, &mut rounded);

            for (row, (r, e)) in rounded.iter().zip(&exact).enumerate() {
                assert!((r - e).abs() < 2e-2, "{ty} row {row}: {r} vs {e}");
            }
            assert_ne!(rounded, exact, "{ty}: the 8-bit kernel was not used");
        }
    }

    #[test]
    fn matmul_equals_matvec_per_input() {
        let (rows, cols, positions) = (150, 96, 9);
        let weights: Vec<f32> = (0..rows * cols).map(|i| ((i * 7919) % 97) as f32 / 97.0 - 0.5).collect();

        for ty in [GgmlType::Q4_1, GgmlType::Q8_0] {
            let matrix = PackedMatrix::owned(quantize(ty, &weights), ty, rows, cols);
            for activations in [Activations::Exact, Activations::Int8] {
                let inputs: Vec<PreparedInput> = (0..positions)
                    .map(|t| {
                        let x: Vec<f32> = (0..cols).map(|i| ((i + 3 * t) as f32 * 0.37).sin()).collect();
                        let mut input = PreparedInput::with_activations(cols, activations);
                        input.set(&x);
                        input
                    })
                    .collect();

                let mut batched = vec![0.0; positions * rows];
                matrix.matmul_prepared(&inputs, &mut batched);
                let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
                let mut split = vec![0.0; positions * rows];
                pool.install(|| matrix.matmul_prepared(&inputs, &mut split));

                for (t, input) in inputs.iter().enumerate() {
                    let mut single = vec![0.0; rows];
                    matrix.matvec_prepared(input, &mut single);
                    assert_eq!(&batched[t * rows..(t + 1) * rows], &single[..], "{ty} {activations:?} input {t}");
                }
                assert_eq!(split, batched, "{ty} {activations:?}: two threads differ");
            }
        }
    }
}
