//! Grouped-query self-attention.

use burn::module::Module;
use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{Device, Tensor};

use super::{Linear, LinearConfig, RotaryEncoding, SeededInit};
use crate::cache::LayerCache;

/// Configuration of an [`Attention`] layer.
#[derive(Debug, Clone, Copy)]
pub struct AttentionConfig {
    pub d_model: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
}

impl AttentionConfig {
    /// Checks the head layout.
    ///
    /// # Panics
    /// Panics when the query heads are not a whole multiple of the key and
    /// value heads, or a size is zero.
    pub fn validate(&self) {
        assert!(self.heads > 0 && self.kv_heads > 0 && self.head_dim > 0, "attention sizes must be non-zero: {self:?}");
        assert!(
            self.heads % self.kv_heads == 0,
            "{} query heads cannot share {} key/value heads evenly",
            self.heads,
            self.kv_heads
        );
    }

    pub(crate) fn init(&self, init: &mut SeededInit, device: &Device) -> Attention {
        self.validate();
        let q_dim = self.heads * self.head_dim;
        let kv_dim = self.kv_heads * self.head_dim;

        self.init_with(
            LinearConfig::new(self.d_model, q_dim).init(init, device),
            LinearConfig::new(self.d_model, kv_dim).init(init, device),
            LinearConfig::new(self.d_model, kv_dim).init(init, device),
            LinearConfig::new(q_dim, self.d_model).init(init, device),
        )
    }

    pub fn init_with(&self, query: Linear, key: Linear, value: Linear, output: Linear) -> Attention {
        self.validate();
        Attention {
            query,
            key,
            value,
            output,
            heads: self.heads,
            kv_heads: self.kv_heads,
            head_dim: self.head_dim,
        }
    }
}

/// Causal self-attention where groups of query heads share one key/value head.
#[derive(Module, Debug)]
pub struct Attention {
    query: Linear,
    key: Linear,
    value: Linear,
    output: Linear,

    #[module(skip)]
    heads: usize,
    #[module(skip)]
    kv_heads: usize,
    #[module(skip)]
    head_dim: usize,
}

impl Attention {
    pub fn query(&self) -> &Linear {
        &self.query
    }

    pub fn key(&self) -> &Linear {
        &self.key
    }

    pub fn value(&self) -> &Linear {
        &self.value
    }

    pub fn output(&self) -> &Linear {
        &self.output
    }

    /// Attends from the new positions to every cached one and to themselves.
    ///
    /// # Shapes
    /// - input: `[batch, positions, d_model]`
    /// - output: `[batch, positions, d_model]`
    pub fn forward(&self, input: Tensor<3>, rope: &RotaryEncoding, cache: &mut LayerCache) -> Tensor<3> {
        let [batch, positions, _] = input.dims();
        let start = cache.len();

        let split_heads = |tensor: Tensor<3>, heads: usize| {
            tensor.reshape([batch, positions, heads, self.head_dim]).swap_dims(1, 2)
        };

        let query = split_heads(self.query.forward(input.clone()), self.heads);
        let key = split_heads(self.key.forward(input.clone()), self.kv_heads);
        let value = split_heads(self.value.forward(input), self.kv_heads);

        let query = rope.apply(query, start);
        let key = rope.apply(key, start);
        let (keys, values) = cache.append(key, value);

        let keys = self.repeat_kv(keys);
        let values = self.repeat_kv(values);

        let options = AttentionModuleOptions {
            scale: None,
            softcap: None,
            is_causal: true,
        };
        let context = attention(query, keys, values, None, None, options);

        let context = context.swap_dims(1, 2).reshape([batch, positions, self.heads * self.head_dim]);
        self.output.forward(context)
    }

    /// Repeats each key/value head for the query heads that share it.
    ///
    /// # Shapes
    /// - input: `[batch, kv_heads, length, head_dim]`
    /// - output: `[batch, heads, length, head_dim]`
    fn repeat_kv(&self, tensor: Tensor<4>) -> Tensor<4> {
        let group = self.heads / self.kv_heads;
        if group == 1 {
            return tensor;
        }

        let [batch, kv_heads, length, head_dim] = tensor.dims();
        tensor
            .unsqueeze_dim::<5>(2)
            .expand([batch, kv_heads, group, length, head_dim])
            .reshape([batch, kv_heads * group, length, head_dim])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> AttentionConfig {
        AttentionConfig {
            d_model: 8,
            heads: 4,
            kv_heads: 2,
            head_dim: 4,
        }
    }

    #[test]
    fn cached_steps_equal_one_pass() {
        let device = Device::flex();
        let mut init = SeededInit::new(5);
        let layer = config().init(&mut init, &device);
        let rope = RotaryEncoding::new(4, 10000.0, 16, &device);
        let input = init.tensor([1, 5, 8], 1.0, &device);

        let mut full_cache = LayerCache::new(1, 2, 16, 4, &device);
        let full = layer.forward(input.clone(), &rope, &mut full_cache);

        let mut step_cache = LayerCache::new(1, 2, 16, 4, &device);
        let mut steps = Vec::new();
        steps.push(layer.forward(input.clone().slice([0..1, 0..3, 0..8]), &rope, &mut step_cache));
        for position in 3..5 {
            steps.push(layer.forward(input.clone().slice([0..1, position..position + 1, 0..8]), &rope, &mut step_cache));
        }
        let stepped = Tensor::cat(steps, 1);

        let full = full.into_data().try_into_vec::<f32>().unwrap();
        let stepped = stepped.into_data().try_into_vec::<f32>().unwrap();
        for (a, b) in full.iter().zip(&stepped) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        assert_eq!(step_cache.len(), 5);
    }

    #[test]
    fn first_position_sees_only_itself() {
        let device = Device::flex();
        let mut init = SeededInit::new(6);
        let layer = config().init(&mut init, &device);
        let rope = RotaryEncoding::new(4, 10000.0, 16, &device);

        let first = init.tensor([1, 1, 8], 1.0, &device);
        let later = init.tensor([1, 2, 8], 1.0, &device);
        let both = Tensor::cat(vec![first.clone(), later], 1);

        let mut cache = LayerCache::new(1, 2, 16, 4, &device);
        let alone = layer.forward(first, &rope, &mut cache).into_data().try_into_vec::<f32>().unwrap();
        let mut cache = LayerCache::new(1, 2, 16, 4, &device);
        let together = layer.forward(both, &rope, &mut cache).slice([0..1, 0..1, 0..8]);
        let together = together.into_data().try_into_vec::<f32>().unwrap();

        for (a, b) in alone.iter().zip(&together) {
            assert!((a - b).abs() < 1e-5, "causal mask leaked: {a} vs {b}");
        }
    }

    #[test]
    #[should_panic(expected = "cannot share")]
    fn uneven_heads_rejected() {
        AttentionConfig {
            d_model: 8,
            heads: 3,
            kv_heads: 2,
            head_dim: 4,
        }
        .validate();
    }
}
