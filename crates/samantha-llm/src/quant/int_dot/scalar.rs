//! Portable reference versions of the 8-bit dot products.

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
