//! Unquantized element types.

pub(super) fn from_f32(data: &[u8], out: &mut [f32]) {
    for (bytes, value) in data.chunks_exact(4).zip(out.iter_mut()) {
        *value = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
}

pub(super) fn from_f16(data: &[u8], out: &mut [f32]) {
    for (bytes, value) in data.chunks_exact(2).zip(out.iter_mut()) {
        *value = half::f16::from_le_bytes([bytes[0], bytes[1]]).to_f32();
    }
}

pub(super) fn from_bf16(data: &[u8], out: &mut [f32]) {
    for (bytes, value) in data.chunks_exact(2).zip(out.iter_mut()) {
        *value = half::bf16::from_le_bytes([bytes[0], bytes[1]]).to_f32();
    }
}
