//! Writes small GGUF files of every supported type and reads them back.

use half::f16;
use rand::{Rng, SeedableRng, rngs::StdRng};
use samantha_gguf::{GgmlType, GgufFile, GgufWriter, Value, quantize::quantize};

fn random_values(seed: u64, count: usize) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count).map(|_| rng.random_range(-2.0f32..2.0)).collect()
}

fn write_and_open(writer: &GgufWriter) -> (tempfile::TempDir, GgufFile) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.gguf");
    writer.write(&path).unwrap();
    let file = GgufFile::open(&path).unwrap();
    (dir, file)
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn metadata_roundtrip() {
    let mut writer = GgufWriter::new();
    writer
        .metadata("general.architecture", Value::String("llama".into()))
        .metadata("llama.block_count", Value::U32(2))
        .metadata("llama.rope.freq_base", Value::F32(10000.0))
        .metadata("flag", Value::Bool(true))
        .metadata("signed", Value::I64(-5))
        .metadata(
            "tokenizer.ggml.tokens",
            Value::Array(vec![Value::String("a".into()), Value::String("ü😀".into())]),
        );
    writer.tensor_f32("x", &[32], &[1.0; 32]);

    let (_dir, file) = write_and_open(&writer);

    assert_eq!(file.version(), 3);
    assert_eq!(file.get_str("general.architecture").unwrap(), "llama");
    assert_eq!(file.get_u64("llama.block_count").unwrap(), 2);
    assert_eq!(file.get_f64("llama.rope.freq_base").unwrap(), 10000.0);
    assert_eq!(file.get("flag").and_then(Value::as_bool), Some(true));
    assert_eq!(file.get("signed").and_then(Value::as_i64), Some(-5));
    assert_eq!(file.get_string_array("tokenizer.ggml.tokens").unwrap(), vec!["a", "ü😀"]);
    assert!(file.get_u64("missing.key").is_err());
    assert!(file.get_u64("general.architecture").is_err());
}

#[test]
fn float_types_roundtrip() {
    let values = random_values(1, 64);

    for (ty, tolerance) in [(GgmlType::F32, 0.0), (GgmlType::F16, 2e-3), (GgmlType::BF16, 1.6e-2)] {
        let mut writer = GgufWriter::new();
        writer.tensor("w", &[32, 2], ty, quantize(ty, &values));
        let (_dir, file) = write_and_open(&writer);

        let tensor = file.tensor("w").unwrap();
        assert_eq!(tensor.ty, ty);
        let diff = max_abs_diff(&tensor.to_f32(), &values);
        assert!(diff <= tolerance, "{ty}: max difference {diff} above {tolerance}");
    }
}

#[test]
fn legacy_quants_roundtrip() {
    let values = random_values(2, 32 * 8);

    // Worst-case rounding error is half a step: 4/15/2 for Q4_1 over a range
    // of 4, 4/8/2 for Q4_0 and 2/127/2 for Q8_0, plus f16 scale error.
    for (ty, tolerance) in [(GgmlType::Q4_0, 0.27), (GgmlType::Q4_1, 0.14), (GgmlType::Q8_0, 0.009)] {
        let mut writer = GgufWriter::new();
        writer.tensor("w", &[64, 4], ty, quantize(ty, &values));
        let (_dir, file) = write_and_open(&writer);

        let tensor = file.tensor_with_dims("w", &[64, 4]).unwrap();
        let diff = max_abs_diff(&tensor.to_f32(), &values);
        assert!(diff <= tolerance, "{ty}: max difference {diff} above {tolerance}");
    }
}

#[test]
fn q4_1_exact_values() {
    // d = 0.5, m = -1: element j takes nibble j % 16 (low for j < 16).
    let mut block = Vec::new();
    block.extend_from_slice(&f16::from_f32(0.5).to_le_bytes());
    block.extend_from_slice(&f16::from_f32(-1.0).to_le_bytes());
    for j in 0..16u8 {
        block.push(j | ((15 - j) << 4));
    }

    let mut out = [0.0f32; 32];
    samantha_gguf::dequant::dequantize_q4_1(&block, &mut out);

    for j in 0..16 {
        assert_eq!(out[j], j as f32 * 0.5 - 1.0, "low nibble {j}");
        assert_eq!(out[j + 16], (15 - j) as f32 * 0.5 - 1.0, "high nibble {j}");
    }
}

/// Packs eight 6-bit scales and mins the way Q4_K and Q5_K store them.
fn pack_scales(scales: &[u8; 8], mins: &[u8; 8]) -> [u8; 12] {
    let mut packed = [0u8; 12];
    for j in 0..4 {
        packed[j] = scales[j] | ((scales[j + 4] >> 4) << 6);
        packed[j + 4] = mins[j] | ((mins[j + 4] >> 4) << 6);
        packed[j + 8] = (scales[j + 4] & 0x0f) | ((mins[j + 4] & 0x0f) << 4);
    }
    packed
}

struct KBlock {
    d: f32,
    dmin: f32,
    scales: [u8; 8],
    mins: [u8; 8],
    q: [u8; 256],
}

impl KBlock {
    fn random(rng: &mut StdRng, max_q: u8) -> Self {
        let mut q = [0u8; 256];
        q.iter_mut().for_each(|v| *v = rng.random_range(0..=max_q));
        Self {
            d: 0.0078125,
            dmin: 0.015625,
            scales: std::array::from_fn(|_| rng.random_range(0..64)),
            mins: std::array::from_fn(|_| rng.random_range(0..64)),
            q,
        }
    }

    fn expected(&self) -> Vec<f32> {
        (0..256)
            .map(|i| {
                let sub = i / 32;
                self.d * self.scales[sub] as f32 * self.q[i] as f32 - self.dmin * self.mins[sub] as f32
            })
            .collect()
    }

    fn header(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&f16::from_f32(self.d).to_le_bytes());
        out.extend_from_slice(&f16::from_f32(self.dmin).to_le_bytes());
        out.extend_from_slice(&pack_scales(&self.scales, &self.mins));
        out
    }

    /// Low nibbles: sub-block 2p in the low half of byte 32p + l, 2p + 1 in the high half.
    fn nibbles(&self) -> Vec<u8> {
        let mut qs = vec![0u8; 128];
        for pair in 0..4 {
            for l in 0..32 {
                let lo = self.q[64 * pair + l] & 0x0f;
                let hi = self.q[64 * pair + 32 + l] & 0x0f;
                qs[32 * pair + l] = lo | (hi << 4);
            }
        }
        qs
    }

    fn q4_k(&self) -> Vec<u8> {
        let mut out = self.header();
        out.extend(self.nibbles());
        out
    }

    fn q5_k(&self) -> Vec<u8> {
        let mut qh = [0u8; 32];
        for i in 0..256 {
            if self.q[i] & 0x10 != 0 {
                qh[i % 32] |= 1 << (i / 32);
            }
        }

        let mut out = self.header();
        out.extend_from_slice(&qh);
        out.extend(self.nibbles());
        out
    }
}

#[test]
fn q4_k_and_q5_k_known_values() {
    let mut rng = StdRng::seed_from_u64(3);

    let block = KBlock::random(&mut rng, 15);
    let mut out = vec![0.0; 256];
    samantha_gguf::dequant::dequantize_q4_k(&block.q4_k(), &mut out);
    assert!(max_abs_diff(&out, &block.expected()) < 1e-4, "Q4_K");

    let block = KBlock::random(&mut rng, 31);
    samantha_gguf::dequant::dequantize_q5_k(&block.q5_k(), &mut out);
    assert!(max_abs_diff(&out, &block.expected()) < 1e-4, "Q5_K");
}

#[test]
fn q6_k_known_values() {
    let mut rng = StdRng::seed_from_u64(4);
    let q: Vec<i32> = (0..256).map(|_| rng.random_range(-32..32)).collect();
    let scales: Vec<i8> = (0..16).map(|_| rng.random_range(-128..=127)).collect();
    let d = 0.003f32;

    let mut ql = [0u8; 128];
    let mut qh = [0u8; 64];
    for i in 0..256 {
        let half = i / 128;
        let within = i % 128;
        let quarter = within / 32;
        let l = within % 32;
        let value = (q[i] + 32) as u8;

        let ql_index = 64 * half + l + if quarter % 2 == 1 { 32 } else { 0 };
        let shift = if quarter >= 2 { 4 } else { 0 };
        ql[ql_index] |= (value & 0x0f) << shift;
        qh[32 * half + l] |= (value >> 4) << (2 * quarter);
    }

    let mut block = Vec::new();
    block.extend_from_slice(&ql);
    block.extend_from_slice(&qh);
    block.extend(scales.iter().map(|&s| s as u8));
    block.extend_from_slice(&f16::from_f32(d).to_le_bytes());

    let mut out = vec![0.0; 256];
    samantha_gguf::dequant::dequantize_q6_k(&block, &mut out);

    let d = f16::from_f32(d).to_f32();
    for i in 0..256 {
        let expected = d * scales[i / 16] as f32 * q[i] as f32;
        assert!((out[i] - expected).abs() < 1e-5, "element {i}: {} vs {expected}", out[i]);
    }
}

#[test]
fn k_quant_tensor_in_file() {
    let mut rng = StdRng::seed_from_u64(5);
    let blocks: Vec<KBlock> = (0..2).map(|_| KBlock::random(&mut rng, 15)).collect();
    let data: Vec<u8> = blocks.iter().flat_map(KBlock::q4_k).collect();
    let expected: Vec<f32> = blocks.iter().flat_map(KBlock::expected).collect();

    let mut writer = GgufWriter::new();
    writer.tensor("k", &[256, 2], GgmlType::Q4K, data);
    let (_dir, file) = write_and_open(&writer);

    let values = file.tensor("k").unwrap().to_f32();
    assert!(max_abs_diff(&values, &expected) < 1e-4);
}
