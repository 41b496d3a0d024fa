//! Key-value cache, kept outside the model so that one model can serve
//! several conversations.

use burn::tensor::{Device, Tensor};

/// Keys and values of one attention layer for the positions seen so far.
#[derive(Debug, Clone)]
pub struct LayerCache {
    keys: Tensor<4>,
    values: Tensor<4>,
    len: usize,
}

impl LayerCache {
    /// Allocates room for `capacity` positions.
    ///
    /// # Shapes
    /// keys and values: `[batch, kv_heads, capacity, head_dim]`
    pub fn new(batch: usize, kv_heads: usize, capacity: usize, head_dim: usize, device: &Device) -> Self {
        Self {
            keys: Tensor::zeros([batch, kv_heads, capacity, head_dim], device),
            values: Tensor::zeros([batch, kv_heads, capacity, head_dim], device),
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn capacity(&self) -> usize {
        self.keys.dims()[2]
    }

    /// Appends new keys and values and returns all cached ones.
    ///
    /// # Shapes
    /// - keys, values: `[batch, kv_heads, positions, head_dim]`
    /// - returned: `[batch, kv_heads, len + positions, head_dim]`
    ///
    /// # Panics
    /// Panics when the cache would overflow; the generator checks the
    /// context length before running the model.
    pub fn append(&mut self, keys: Tensor<4>, values: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
        let [batch, heads, positions, head_dim] = keys.dims();
        let end = self.len + positions;
        assert!(end <= self.capacity(), "KV cache of {} positions cannot take {end}", self.capacity());

        let target = [0..batch, 0..heads, self.len..end, 0..head_dim];
        self.keys = self.keys.clone().slice_assign(target.clone(), keys);
        self.values = self.values.clone().slice_assign(target, values);
        self.len = end;

        let filled = [0..batch, 0..heads, 0..end, 0..head_dim];
        (self.keys.clone().slice(filled.clone()), self.values.clone().slice(filled))
    }

    /// Forgets positions from `len` on, as when a reply is regenerated.
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

/// One [`LayerCache`] per decoder block.
#[derive(Debug, Clone)]
pub struct KvCache {
    layers: Vec<LayerCache>,
}

impl KvCache {
    pub fn new(layers: usize, kv_heads: usize, capacity: usize, head_dim: usize, device: &Device) -> Self {
        Self {
            layers: (0..layers).map(|_| LayerCache::new(1, kv_heads, capacity, head_dim, device)).collect(),
        }
    }

    /// Number of positions cached.
    pub fn len(&self) -> usize {
        self.layers.first().map_or(0, LayerCache::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn capacity(&self) -> usize {
        self.layers.first().map_or(0, LayerCache::capacity)
    }

    pub fn layer_mut(&mut self, index: usize) -> &mut LayerCache {
        &mut self.layers[index]
    }

    pub fn truncate(&mut self, len: usize) {
        self.layers.iter_mut().for_each(|layer| layer.truncate(len));
    }
}
