//! Key-value cache, kept outside the model so that one model can serve
//! several conversations.
//!
//! On the CPU the cache lives in plain host memory, so that the prompt pass
//! (burn) and the fused decode path read and write the same buffers. GPU
//! backends keep it in device tensors.

use burn::tensor::{Device, Tensor, TensorData};

/// Storage of one layer's keys and values.
#[derive(Debug, Clone)]
enum Storage {
    /// Device tensors `[batch, kv_heads, capacity, head_dim]`.
    Device { keys: Tensor<4>, values: Tensor<4> },

    /// Host buffers `[kv_heads, capacity, head_dim]` for a batch of one.
    Host(HostLayer),
}

/// Keys and values of one layer in host memory, head-major so that one
/// head's positions are contiguous for the attention loop.
#[derive(Debug, Clone)]
pub struct HostLayer {
    keys: Vec<f32>,
    values: Vec<f32>,
}

/// Keys and values of one attention layer for the positions seen so far.
#[derive(Debug, Clone)]
pub struct LayerCache {
    storage: Storage,
    kv_heads: usize,
    head_dim: usize,
    capacity: usize,
    len: usize,
}

impl LayerCache {
    /// Allocates device tensors with room for `capacity` positions.
    ///
    /// # Shapes
    /// keys and values: `[batch, kv_heads, capacity, head_dim]`
    pub fn new(batch: usize, kv_heads: usize, capacity: usize, head_dim: usize, device: &Device) -> Self {
        Self {
            storage: Storage::Device {
                keys: Tensor::zeros([batch, kv_heads, capacity, head_dim], device),
                values: Tensor::zeros([batch, kv_heads, capacity, head_dim], device),
            },
            kv_heads,
            head_dim,
            capacity,
            len: 0,
        }
    }

    /// Allocates host buffers with room for `capacity` positions of a
    /// batch of one.
    ///
    /// The buffers are zeroed by the allocator, so pages that no position
    /// reaches are never touched and do not count towards resident memory.
    pub fn host(kv_heads: usize, capacity: usize, head_dim: usize) -> Self {
        let size = kv_heads * capacity * head_dim;
        Self {
            storage: Storage::Host(HostLayer {
                keys: vec![0.0; size],
                values: vec![0.0; size],
            }),
            kv_heads,
            head_dim,
            capacity,
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
        self.capacity
    }

    /// Returns whether the keys and values live in host memory.
    pub fn is_host(&self) -> bool {
        matches!(self.storage, Storage::Host(_))
    }

    /// Appends new keys and values and returns all cached ones.
    ///
    /// # Shapes
    /// - keys, values: `[batch, kv_heads, positions, head_dim]`
    /// - returned: `[batch, kv_heads, len + positions, head_dim]`
    ///
    /// # Panics
    /// Panics when the cache would overflow (the generator checks the
    /// context length before running the model), or when a host cache gets
    /// a batch other than one.
    pub fn append(&mut self, keys: Tensor<4>, values: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
        let [batch, heads, positions, head_dim] = keys.dims();
        let start = self.len;
        let end = start + positions;
        assert!(end <= self.capacity, "KV cache of {} positions cannot take {end}", self.capacity);
        self.len = end;

        match &mut self.storage {
            Storage::Device { keys: cached_keys, values: cached_values } => {
                let target = [0..batch, 0..heads, start..end, 0..head_dim];
                *cached_keys = cached_keys.clone().slice_assign(target.clone(), keys);
                *cached_values = cached_values.clone().slice_assign(target, values);

                let filled = [0..batch, 0..heads, 0..end, 0..head_dim];
                (cached_keys.clone().slice(filled.clone()), cached_values.clone().slice(filled))
            }
            Storage::Host(host) => {
                assert_eq!(batch, 1, "a host KV cache holds a batch of one, got {batch}");
                assert_eq!([heads, head_dim], [self.kv_heads, self.head_dim], "KV cache got heads of another shape");
                let device = keys.device();
                let capacity = self.capacity;

                let new_keys = keys.into_data().try_into_vec::<f32>().expect("keys are f32");
                let new_values = values.into_data().try_into_vec::<f32>().expect("values are f32");
                write_positions(&mut host.keys, &new_keys, capacity, start, positions, head_dim);
                write_positions(&mut host.values, &new_values, capacity, start, positions, head_dim);

                let shape = [1, heads, end, head_dim];
                let keys = read_positions(&host.keys, heads, capacity, end, head_dim);
                let values = read_positions(&host.values, heads, capacity, end, head_dim);
                (
                    Tensor::from_data(TensorData::new(keys, shape), &device),
                    Tensor::from_data(TensorData::new(values, shape), &device),
                )
            }
        }
    }

    /// Appends the key and value of one position to a host cache and
    /// returns the cached keys and values, each `[kv_heads, capacity,
    /// head_dim]` with the first `len` positions of every head filled.
    ///
    /// Returns `None` when the cache lives on a device or is full.
    ///
    /// # Shapes
    /// - key, value: `[kv_heads * head_dim]`
    pub(crate) fn push_host(&mut self, key: &[f32], value: &[f32]) -> Option<(&[f32], &[f32])> {
        let Storage::Host(host) = &mut self.storage else {
            return None;
        };
        if self.len >= self.capacity {
            return None;
        }

        let position = self.len;
        write_positions(&mut host.keys, key, self.capacity, position, 1, self.head_dim);
        write_positions(&mut host.values, value, self.capacity, position, 1, self.head_dim);
        self.len += 1;
        Some((&host.keys, &host.values))
    }

    /// Appends the keys and values of several positions to a host cache
    /// and returns the cached keys and values, each `[kv_heads, capacity,
    /// head_dim]` with the first `len` positions of every head filled.
    ///
    /// Returns `None`, leaving the cache unchanged, when the cache lives on
    /// a device or has no room for every position.
    ///
    /// # Shapes
    /// - keys, values: `[positions, kv_heads * head_dim]`
    pub(crate) fn extend_host(&mut self, keys: &[f32], values: &[f32]) -> Option<(&[f32], &[f32])> {
        let Storage::Host(host) = &mut self.storage else {
            return None;
        };
        let width = self.kv_heads * self.head_dim;
        let positions = keys.len() / width;
        if self.len + positions > self.capacity {
            return None;
        }

        for (offset, (key, value)) in keys.chunks_exact(width).zip(values.chunks_exact(width)).enumerate() {
            let position = self.len + offset;
            write_positions(&mut host.keys, key, self.capacity, position, 1, self.head_dim);
            write_positions(&mut host.values, value, self.capacity, position, 1, self.head_dim);
        }
        self.len += positions;
        Some((&host.keys, &host.values))
    }

    /// Forgets positions from `len` on, as when a reply is regenerated.
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

/// Copies `positions` new positions of every head from `source`
/// (`[heads, positions, head_dim]`) into `cache` (`[heads, capacity,
/// head_dim]`) starting at position `start`.
fn write_positions(cache: &mut [f32], source: &[f32], capacity: usize, start: usize, positions: usize, head_dim: usize) {
    let run = positions * head_dim;
    for (head, new) in source.chunks_exact(run).enumerate() {
        let offset = (head * capacity + start) * head_dim;
        cache[offset..offset + run].copy_from_slice(new);
    }
}

/// Gathers the first `len` positions of every head into a dense
/// `[heads, len, head_dim]` vector.
fn read_positions(cache: &[f32], heads: usize, capacity: usize, len: usize, head_dim: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(heads * len * head_dim);
    for head in 0..heads {
        let offset = head * capacity * head_dim;
        out.extend_from_slice(&cache[offset..offset + len * head_dim]);
    }
    out
}

/// One [`LayerCache`] per decoder block.
#[derive(Debug, Clone)]
pub struct KvCache {
    layers: Vec<LayerCache>,
}

impl KvCache {
    /// Creates a cache of device tensors.
    pub fn new(layers: usize, kv_heads: usize, capacity: usize, head_dim: usize, device: &Device) -> Self {
        Self {
            layers: (0..layers).map(|_| LayerCache::new(1, kv_heads, capacity, head_dim, device)).collect(),
        }
    }

    /// Creates a cache in host memory, shared by the burn prompt pass and
    /// the fused CPU decode path.
    pub fn host(layers: usize, kv_heads: usize, capacity: usize, head_dim: usize) -> Self {
        Self {
            layers: (0..layers).map(|_| LayerCache::host(kv_heads, capacity, head_dim)).collect(),
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

    /// Returns whether every layer lives in host memory.
    pub fn is_host(&self) -> bool {
        self.layers.iter().all(LayerCache::is_host)
    }

    /// Number of layers.
    pub fn layers(&self) -> usize {
        self.layers.len()
    }

    pub fn layer_mut(&mut self, index: usize) -> &mut LayerCache {
        &mut self.layers[index]
    }

    pub fn truncate(&mut self, len: usize) {
        self.layers.iter_mut().for_each(|layer| layer.truncate(len));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(values: Vec<f32>, shape: [usize; 4], device: &Device) -> Tensor<4> {
        Tensor::from_data(TensorData::new(values, shape), device)
    }

    #[test]
    fn host_and_device_caches_return_same_tensors() {
        let device = Device::flex();
        let mut host = LayerCache::host(2, 6, 3);
        let mut on_device = LayerCache::new(1, 2, 6, 3, &device);

        for (start, positions) in [(0, 3), (3, 1), (4, 2)] {
            let count = 2 * positions * 3;
            let keys: Vec<f32> = (0..count).map(|i| (start * 100 + i) as f32).collect();
            let values: Vec<f32> = keys.iter().map(|k| -k).collect();

            let (host_keys, host_values) =
                host.append(tensor(keys.clone(), [1, 2, positions, 3], &device), tensor(values.clone(), [1, 2, positions, 3], &device));
            let (device_keys, device_values) =
                on_device.append(tensor(keys, [1, 2, positions, 3], &device), tensor(values, [1, 2, positions, 3], &device));

            assert_eq!(host_keys.dims(), [1, 2, start + positions, 3]);
            assert_eq!(host_keys.into_data().try_into_vec::<f32>().unwrap(), device_keys.into_data().try_into_vec::<f32>().unwrap());
            assert_eq!(host_values.into_data().try_into_vec::<f32>().unwrap(), device_values.into_data().try_into_vec::<f32>().unwrap());
        }
        assert_eq!(host.len(), 6);
    }

    #[test]
    fn push_host_writes_head_major_and_stops_when_full() {
        let mut cache = LayerCache::host(2, 2, 2);

        let (keys, values) = cache.push_host(&[1.0, 2.0, 3.0, 4.0], &[5.0, 6.0, 7.0, 8.0]).unwrap();
        assert_eq!(keys, &[1.0, 2.0, 0.0, 0.0, 3.0, 4.0, 0.0, 0.0]);
        assert_eq!(values, &[5.0, 6.0, 0.0, 0.0, 7.0, 8.0, 0.0, 0.0]);

        assert!(cache.push_host(&[0.0; 4], &[0.0; 4]).is_some());
        assert!(cache.push_host(&[0.0; 4], &[0.0; 4]).is_none(), "a full cache takes no more positions");
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn extend_host_equals_pushes_and_rejects_overflow() {
        let mut pushed = LayerCache::host(2, 4, 2);
        let mut extended = LayerCache::host(2, 4, 2);
        let keys: Vec<f32> = (0..12).map(|i| i as f32).collect();
        let values: Vec<f32> = keys.iter().map(|k| -k).collect();

        for (key, value) in keys.chunks_exact(4).zip(values.chunks_exact(4)) {
            pushed.push_host(key, value).unwrap();
        }
        let (extended_keys, extended_values) = extended.extend_host(&keys, &values).unwrap();
        let (extended_keys, extended_values) = (extended_keys.to_vec(), extended_values.to_vec());
        let (pushed_keys, pushed_values) = pushed.push_host(&[0.0; 4], &[0.0; 4]).unwrap();

        assert_eq!(&extended_keys[..6], &pushed_keys[..6]);
        assert_eq!(&extended_values[8..14], &pushed_values[8..14]);
        assert!(extended.extend_host(&keys[..8], &values[..8]).is_none(), "two positions do not fit in one");
        assert_eq!(extended.len(), 3);
    }

    #[test]
    fn device_cache_rejects_push_host() {
        let mut cache = LayerCache::new(1, 1, 4, 2, &Device::flex());
        assert!(cache.push_host(&[0.0; 2], &[0.0; 2]).is_none());
    }
}
