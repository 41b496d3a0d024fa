//! One pre-norm decoder block: attention then feed-forward, each with a
//! residual connection.

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use super::{Attention, AttentionConfig, Mlp, MlpConfig, RmsNorm, RmsNormConfig, RotaryEncoding, SeededInit};
use crate::cache::LayerCache;

/// Configuration of a [`DecoderBlock`].
#[derive(Debug, Clone, Copy)]
pub struct DecoderBlockConfig {
    pub attention: AttentionConfig,
    pub d_hidden: usize,
    pub norm_epsilon: f64,
}

impl DecoderBlockConfig {
    fn mlp(&self) -> MlpConfig {
        MlpConfig {
            d_model: self.attention.d_model,
            d_hidden: self.d_hidden,
        }
    }

    fn norm(&self) -> RmsNormConfig {
        RmsNormConfig::new(self.attention.d_model, self.norm_epsilon)
    }

    pub(crate) fn init(&self, init: &mut SeededInit, device: &Device) -> DecoderBlock {
        let norm = self.norm();
        self.init_with(
            norm.init_with(init.tensor([self.attention.d_model], 0.5, device).add_scalar(1.0)),
            self.attention.init(init, device),
            norm.init_with(init.tensor([self.attention.d_model], 0.5, device).add_scalar(1.0)),
            self.mlp().init(init, device),
        )
    }

    pub fn init_with(&self, attention_norm: RmsNorm, attention: Attention, mlp_norm: RmsNorm, mlp: Mlp) -> DecoderBlock {
        DecoderBlock {
            attention_norm,
            attention,
            mlp_norm,
            mlp,
        }
    }
}

/// A Llama decoder block.
#[derive(Module, Debug)]
pub struct DecoderBlock {
    attention_norm: RmsNorm,
    attention: Attention,
    mlp_norm: RmsNorm,
    mlp: Mlp,
}

impl DecoderBlock {
    pub fn attention_norm(&self) -> &RmsNorm {
        &self.attention_norm
    }

    pub fn attention(&self) -> &Attention {
        &self.attention
    }

    pub fn mlp_norm(&self) -> &RmsNorm {
        &self.mlp_norm
    }

    pub fn mlp(&self) -> &Mlp {
        &self.mlp
    }

    /// # Shapes
    /// - input: `[batch, positions, d_model]`
    /// - output: `[batch, positions, d_model]`
    pub fn forward(&self, input: Tensor<3>, rope: &RotaryEncoding, cache: &mut LayerCache) -> Tensor<3> {
        let hidden = input.clone() + self.attention.forward(self.attention_norm.forward(input), rope, cache);
        hidden.clone() + self.mlp.forward(self.mlp_norm.forward(hidden))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_keeps_shape_and_fills_cache() {
        let device = Device::flex();
        let mut init = SeededInit::new(9);
        let config = DecoderBlockConfig {
            attention: AttentionConfig {
                d_model: 8,
                heads: 2,
                kv_heads: 1,
                head_dim: 4,
            },
            d_hidden: 16,
            norm_epsilon: 1e-5,
        };
        let block = config.init(&mut init, &device);
        let rope = RotaryEncoding::new(4, 10000.0, 8, &device);
        let mut cache = LayerCache::new(1, 1, 8, 4, &device);

        let output = block.forward(init.tensor([1, 3, 8], 1.0, &device), &rope, &mut cache);

        assert_eq!(output.dims(), [1, 3, 8]);
        assert_eq!(cache.len(), 3);
    }
}
