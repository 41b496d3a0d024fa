//! Building a [`Llama`] from the tensors of a GGUF file.

use std::sync::Arc;

use burn::tensor::{Device, Tensor, TensorData};
use samantha_gguf::{GgmlType, GgufFile};

use crate::config::{ConfigError, DEFAULT_MAX_CONTEXT, LlamaConfig};
use crate::model::Llama;
use crate::nn::{
    AttentionConfig, EmbeddingConfig, Linear, LinearConfig, MlpConfig, RmsNormConfig, WeightMatrix,
};
use crate::quant::PackedMatrix;

/// Memory layout of weight matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightLayout {
    /// Expanded to `f32` tensors on the device: for GPU backends.
    Dense,

    /// Kept as quantized blocks and multiplied by CPU kernels. Types with
    /// no kernel (F16, BF16 and the K-quants) are expanded to `f32` rows.
    Packed,
}

/// Loads a llama-architecture model from `file`.
///
/// # Errors
/// Returns an error naming the file and tensor when a tensor is missing,
/// has an unsupported type or the wrong shape.
pub fn load_llama(
    file: Arc<GgufFile>,
    layout: WeightLayout,
    max_context: Option<usize>,
    device: &Device,
) -> Result<Llama, ConfigError> {
    let config = LlamaConfig::from_gguf(&file)?;
    let _span = tracing::info_span!("load_llama", path = %file.path().display(), ?layout).entered();
    let loader = Loader {
        file: &file,
        layout,
        device,
    };

    let embedding_weight = loader.matrix("token_embd.weight", config.vocab_size, config.d_model)?;
    let embedding = EmbeddingConfig::new(config.vocab_size, config.d_model).init_with(embedding_weight.clone());

    let mut blocks = Vec::with_capacity(config.layers);
    for index in 0..config.layers {
        blocks.push(loader.block(&config, index)?);
    }

    let norm = RmsNormConfig::new(config.d_model, config.norm_epsilon).init_with(loader.vector("output_norm.weight", config.d_model)?);

    // Many small models tie the output head to the token embedding and ship
    // no `output.weight`.
    let head_weight = match file.tensor_info("output.weight") {
        Some(_) => loader.matrix("output.weight", config.vocab_size, config.d_model)?,
        None => embedding_weight,
    };
    let head = LinearConfig::new(config.d_model, config.vocab_size).init_with(head_weight);

    let max_context = max_context.unwrap_or(DEFAULT_MAX_CONTEXT);
    Ok(Llama::from_parts(config, embedding, blocks, norm, head, max_context, device))
}

struct Loader<'a> {
    file: &'a Arc<GgufFile>,
    layout: WeightLayout,
    device: &'a Device,
}

impl Loader<'_> {
    fn block(&self, config: &LlamaConfig, index: usize) -> Result<crate::nn::DecoderBlock, ConfigError> {
        let name = |suffix: &str| format!("blk.{index}.{suffix}");
        let block = config.block();
        let attention: AttentionConfig = block.attention;
        let q_dim = attention.heads * attention.head_dim;
        let kv_dim = attention.kv_heads * attention.head_dim;
        let norm = RmsNormConfig::new(config.d_model, config.norm_epsilon);

        let attention_layer = attention.init_with(
            self.linear(&name("attn_q.weight"), config.d_model, q_dim)?,
            self.linear(&name("attn_k.weight"), config.d_model, kv_dim)?,
            self.linear(&name("attn_v.weight"), config.d_model, kv_dim)?,
            self.linear(&name("attn_output.weight"), q_dim, config.d_model)?,
        );
        let mlp = MlpConfig {
            d_model: config.d_model,
            d_hidden: config.d_hidden,
        }
        .init_with(
            self.linear(&name("ffn_gate.weight"), config.d_model, config.d_hidden)?,
            self.linear(&name("ffn_up.weight"), config.d_model, config.d_hidden)?,
            self.linear(&name("ffn_down.weight"), config.d_hidden, config.d_model)?,
        );

        Ok(block.init_with(
            norm.init_with(self.vector(&name("attn_norm.weight"), config.d_model)?),
            attention_layer,
            norm.init_with(self.vector(&name("ffn_norm.weight"), config.d_model)?),
            mlp,
        ))
    }

    fn linear(&self, name: &str, d_input: usize, d_output: usize) -> Result<Linear, ConfigError> {
        Ok(LinearConfig::new(d_input, d_output).init_with(self.matrix(name, d_output, d_input)?))
    }

    /// Reads a `[rows, cols]` matrix, stored by ggml as dims `[cols, rows]`.
    fn matrix(&self, name: &str, rows: usize, cols: usize) -> Result<WeightMatrix, ConfigError> {
        let tensor = self.file.tensor_with_dims(name, &[cols as u64, rows as u64])?;

        let weight = match self.layout {
            WeightLayout::Packed if PackedMatrix::supports(tensor.ty) => {
                WeightMatrix::Packed(Arc::new(PackedMatrix::mapped(self.file.clone(), tensor.range.clone(), tensor.ty, rows, cols)))
            }
            WeightLayout::Packed => {
                tracing::debug!(tensor = name, ty = %tensor.ty, "no packed kernel; expanding to f32");
                let bytes = tensor.to_f32().iter().flat_map(|value| value.to_le_bytes()).collect();
                WeightMatrix::Packed(Arc::new(PackedMatrix::owned(bytes, GgmlType::F32, rows, cols)))
            }
            WeightLayout::Dense => {
                WeightMatrix::Dense(Tensor::from_data(TensorData::new(tensor.to_f32(), [rows, cols]), self.device))
            }
        };
        Ok(weight)
    }

    fn vector(&self, name: &str, len: usize) -> Result<Tensor<1>, ConfigError> {
        let tensor = self.file.tensor_with_dims(name, &[len as u64])?;
        Ok(Tensor::from_data(TensorData::new(tensor.to_f32(), [len]), self.device))
    }
}
