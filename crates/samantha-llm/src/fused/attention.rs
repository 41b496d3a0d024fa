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
