//! Grouped-query attention of one new position over the host KV cache.

use super::math;

/// Head counts and sizes of one attention layer.
#[derive(Debug, Clone, Copy)]
pub struct HeadLayout {
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
}

/// Attends from one query position to the first `len` cached positions.
///
/// On x86-64 processors with AVX2 and FMA the same code is compiled for
/// 256-bit registers. It gives the same results, because Rust never fuses
/// a multiply and an add on its own, so only the register width changes.
///
/// # Shapes
/// - query: `[heads * head_dim]`, rotated
/// - keys, values: `[kv_heads, capacity, head_dim]`, the new position
///   already written
/// - scores: at least `len` values of scratch space
/// - context: `[heads * head_dim]`, overwritten
#[allow(clippy::too_many_arguments)]
pub fn attend(
    layout: HeadLayout,
    query: &[f32],
    keys: &[f32],
    values: &[f32],
    capacity: usize,
    len: usize,
    scores: &mut [f32],
    context: &mut [f32],
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the processor supports the features `attend_avx2` is
        // compiled for, as just checked.
        unsafe { attend_avx2(layout, query, keys, values, capacity, len, scores, context) };
        return;
    }

    attend_portable(layout, query, keys, values, capacity, len, scores, context);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn attend_avx2(
    layout: HeadLayout,
    query: &[f32],
    keys: &[f32],
    values: &[f32],
    capacity: usize,
    len: usize,
    scores: &mut [f32],
    context: &mut [f32],
) {
    attend_portable(layout, query, keys, values, capacity, len, scores, context);
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn attend_portable(
    layout: HeadLayout,
    query: &[f32],
    keys: &[f32],
    values: &[f32],
    capacity: usize,
    len: usize,
    scores: &mut [f32],
    context: &mut [f32],
) {
    let HeadLayout { heads, kv_heads, head_dim } = layout;
    let group = heads / kv_heads;
    let scale = (head_dim as f32).sqrt().recip();
    let scores = &mut scores[..len];

    for head in 0..heads {
        let kv_head = head / group;
        let head_query = &query[head * head_dim..(head + 1) * head_dim];
        let head_keys = &keys[kv_head * capacity * head_dim..][..len * head_dim];
        let head_values = &values[kv_head * capacity * head_dim..][..len * head_dim];

        for (score, key) in scores.iter_mut().zip(head_keys.chunks_exact(head_dim)) {
            *score = math::dot(head_query, key) * scale;
        }
        math::softmax(scores);

        let out = &mut context[head * head_dim..(head + 1) * head_dim];
        out.fill(0.0);
        for (&weight, value) in scores.iter().zip(head_values.chunks_exact(head_dim)) {
            math::add_scaled(out, weight, value);
        }
    }
}
