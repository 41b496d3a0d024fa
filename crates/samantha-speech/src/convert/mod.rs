//! Conversion of a CTranslate2 Whisper model into whisper.cpp's ggml file.
//!
//! CTranslate2 stores the same weights as OpenAI's checkpoint but fuses the
//! attention projections: self-attention has one `[3 * d, d]` matrix for
//! query, key and value, cross-attention one `[2 * d, d]` matrix for key and
//! value. The converter splits them back and drops the key bias, which is
//! zero in Whisper and absent from whisper.cpp's model. The output is
//! deterministic: the same input always gives the same bytes.

mod ct2;
mod ggml;
mod mel;
mod vocab;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub use ggml::{Hyperparameters, TensorType};
pub use mel::mel_filters;

use ct2::{Ct2Model, Variable};

/// Errors raised while converting a model.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("could not {action} {path}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "invalid CTranslate2 model at byte {offset}: {reason}; run `samantha setup` again to fetch a fresh copy"
    )]
    Format { offset: usize, reason: String },

    #[error(
        "the CTranslate2 model has spec {spec:?}, expected \"WhisperSpec\"; only Whisper models can be converted"
    )]
    NotWhisper { spec: String },

    #[error("the CTranslate2 model has no variable {name}; it is not a complete Whisper model")]
    MissingVariable { name: String },

    #[error("variable {name} has shape {actual:?}, expected {expected}")]
    Shape {
        name: String,
        actual: Vec<usize>,
        expected: String,
    },

    #[error("variable {name} has type {dtype}, which the converter does not read")]
    UnsupportedType { name: String, dtype: String },

    #[error("invalid tokenizer {path}: {reason}")]
    Tokenizer { path: PathBuf, reason: String },

    #[error("tokenizer {path} is not valid JSON")]
    TokenizerJson {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    #[error("invalid ggml header: {reason}")]
    Header { reason: String },
}

impl ConvertError {
    fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> Self + 'a {
        move |source| Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Converts the CTranslate2 model held in `model_parts` (concatenated in
/// order, as a split download is) and `tokenizer.json` into a ggml file at
/// `output`. The file is written under a temporary name and renamed, so
/// `output` never contains a partial model.
pub fn convert(
    model_parts: &[PathBuf],
    tokenizer: &Path,
    output: &Path,
) -> Result<Hyperparameters, ConvertError> {
    let mut bytes = Vec::new();
    for part in model_parts {
        let mut file = File::open(part).map_err(ConvertError::io("open", part))?;
        io::Read::read_to_end(&mut file, &mut bytes).map_err(ConvertError::io("read", part))?;
    }

    let model = Ct2Model::parse(&bytes)?;
    if model.spec != "WhisperSpec" {
        return Err(ConvertError::NotWhisper { spec: model.spec });
    }
    tracing::debug!(
        revision = model.revision,
        variables = model.variables.len(),
        "parsed CTranslate2 model"
    );

    let params = hyperparameters(&model)?;
    let tokens = vocab::read_vocabulary(tokenizer)?;
    let tensors = collect_tensors(&model, &params)?;

    if let Some(parent) = output.parent() {
        fs::create_dir_all(parent).map_err(ConvertError::io("create", parent))?;
    }
    let partial = output.with_extension("partial");
    let result = write_file(&partial, &params, &tokens, &tensors);
    if let Err(error) = result {
        let _ = fs::remove_file(&partial);
        return Err(error);
    }
    fs::rename(&partial, output).map_err(ConvertError::io("rename", &partial))?;

    tracing::info!(path = %output.display(), tensors = tensors.len(), "wrote ggml model");
    Ok(params)
}

/// Reads the hyper-parameters from the header of a ggml file.
pub fn read_ggml_header(path: &Path) -> Result<Hyperparameters, ConvertError> {
    let mut file = File::open(path).map_err(ConvertError::io("open", path))?;
    ggml::read_header(&mut file)
}

fn write_file(
    path: &Path,
    params: &Hyperparameters,
    tokens: &[Vec<u8>],
    tensors: &[Tensor],
) -> Result<(), ConvertError> {
    let file = File::create(path).map_err(ConvertError::io("create", path))?;
    let mut out = BufWriter::new(file);
    let write_error = ConvertError::io("write", path);

    let result = (|| -> io::Result<()> {
        ggml::write_header(&mut out, params)?;
        let n_mels = params.n_mels as usize;
        ggml::write_mel_filters(&mut out, n_mels, mel::N_BINS, &mel_filters(n_mels))?;
        ggml::write_vocabulary(&mut out, tokens)?;
        for tensor in tensors {
            ggml::write_tensor(
                &mut out,
                &tensor.name,
                &tensor.shape,
                tensor.kind,
                &tensor.values,
            )?;
        }
        out.flush()?;
        out.get_ref().sync_all()
    })();
    result.map_err(write_error)
}

fn hyperparameters(model: &Ct2Model) -> Result<Hyperparameters, ConvertError> {
    let embeddings = shape_2d(model, "decoder/embeddings/weight")?;
    let audio_positions = shape_2d(model, "encoder/position_encodings/encodings")?;
    let text_positions = shape_2d(model, "decoder/position_encodings/encodings")?;
    let conv1 = model.get("encoder/conv1/weight")?;
    let &[_, n_mels, _] = conv1.shape.as_slice() else {
        return Err(ConvertError::Shape {
            name: "encoder/conv1/weight".to_owned(),
            actual: conv1.shape.clone(),
            expected: "[n_audio_state, n_mels, 3]".to_owned(),
        });
    };

    let to_i32 = |value: usize| i32::try_from(value).unwrap_or(i32::MAX);
    let head_count = |name: &str| -> Result<i32, ConvertError> {
        let value = model.get(name)?.to_scalar_int(name)?;
        Ok(i32::try_from(value).unwrap_or(i32::MAX))
    };

    Ok(Hyperparameters {
        n_vocab: to_i32(embeddings[0]),
        n_audio_ctx: to_i32(audio_positions[0]),
        n_audio_state: to_i32(audio_positions[1]),
        n_audio_head: head_count("encoder/num_heads")?,
        n_audio_layer: to_i32(count_layers(model, "encoder")),
        n_text_ctx: to_i32(text_positions[0]),
        n_text_state: to_i32(text_positions[1]),
        n_text_head: head_count("decoder/num_heads")?,
        n_text_layer: to_i32(count_layers(model, "decoder")),
        n_mels: to_i32(n_mels),
        ftype: 1,
    })
}

fn shape_2d(model: &Ct2Model, name: &str) -> Result<[usize; 2], ConvertError> {
    let variable = model.get(name)?;
    match variable.shape.as_slice() {
        &[rows, columns] => Ok([rows, columns]),
        other => Err(ConvertError::Shape {
            name: name.to_owned(),
            actual: other.to_vec(),
            expected: "two dimensions".to_owned(),
        }),
    }
}

fn count_layers(model: &Ct2Model, stack: &str) -> usize {
    (0..)
        .take_while(|index| {
            let prefix = format!("{stack}/layer_{index}/");
            model.variables.keys().any(|name| name.starts_with(&prefix))
        })
        .count()
}

/// One tensor ready to be written, with its whisper.cpp name.
struct Tensor {
    name: String,
    shape: Vec<usize>,
    kind: TensorType,
    values: Vec<f32>,
}

/// Collects every tensor whisper.cpp loads, in the order of OpenAI's
/// checkpoint. Matrices are f16; biases, norms, positional embeddings and
/// the conv biases are f32, as whisper.cpp's Python converter writes them.
fn collect_tensors(
    model: &Ct2Model,
    params: &Hyperparameters,
) -> Result<Vec<Tensor>, ConvertError> {
    let mut tensors = Vec::new();

    tensors.push(plain(
        model,
        "encoder/position_encodings/encodings",
        "encoder.positional_embedding",
        TensorType::F32,
    )?);
    for conv in ["conv1", "conv2"] {
        tensors.push(plain(
            model,
            &format!("encoder/{conv}/weight"),
            &format!("encoder.{conv}.weight"),
            TensorType::F16,
        )?);
        let mut bias = plain(
            model,
            &format!("encoder/{conv}/bias"),
            &format!("encoder.{conv}.bias"),
            TensorType::F32,
        )?;
        bias.shape.push(1);
        tensors.push(bias);
    }

    let audio_state = params.n_audio_state as usize;
    for layer in 0..params.n_audio_layer {
        let from = format!("encoder/layer_{layer}");
        let to = format!("encoder.blocks.{layer}");
        self_attention(
            model,
            &mut tensors,
            &format!("{from}/self_attention"),
            &format!("{to}.attn"),
            audio_state,
        )?;
        layer_norm(
            model,
            &mut tensors,
            &format!("{from}/self_attention/layer_norm"),
            &format!("{to}.attn_ln"),
        )?;
        feed_forward(model, &mut tensors, &from, &to)?;
    }
    layer_norm(model, &mut tensors, "encoder/layer_norm", "encoder.ln_post")?;

    tensors.push(plain(
        model,
        "decoder/embeddings/weight",
        "decoder.token_embedding.weight",
        TensorType::F16,
    )?);
    tensors.push(plain(
        model,
        "decoder/position_encodings/encodings",
        "decoder.positional_embedding",
        TensorType::F32,
    )?);

    let text_state = params.n_text_state as usize;
    for layer in 0..params.n_text_layer {
        let from = format!("decoder/layer_{layer}");
        let to = format!("decoder.blocks.{layer}");
        self_attention(
            model,
            &mut tensors,
            &format!("{from}/self_attention"),
            &format!("{to}.attn"),
            text_state,
        )?;
        layer_norm(
            model,
            &mut tensors,
            &format!("{from}/self_attention/layer_norm"),
            &format!("{to}.attn_ln"),
        )?;
        cross_attention(
            model,
            &mut tensors,
            &format!("{from}/attention"),
            &format!("{to}.cross_attn"),
            text_state,
        )?;
        layer_norm(
            model,
            &mut tensors,
            &format!("{from}/attention/layer_norm"),
            &format!("{to}.cross_attn_ln"),
        )?;
        feed_forward(model, &mut tensors, &from, &to)?;
    }
    layer_norm(model, &mut tensors, "decoder/layer_norm", "decoder.ln")?;

    Ok(tensors)
}

fn plain(model: &Ct2Model, from: &str, to: &str, kind: TensorType) -> Result<Tensor, ConvertError> {
    let variable = model.get(from)?;
    Ok(Tensor {
        name: to.to_owned(),
        shape: variable.shape.clone(),
        kind,
        values: variable.to_f32(from)?,
    })
}

fn layer_norm(
    model: &Ct2Model,
    tensors: &mut Vec<Tensor>,
    from: &str,
    to: &str,
) -> Result<(), ConvertError> {
    tensors.push(plain(
        model,
        &format!("{from}/gamma"),
        &format!("{to}.weight"),
        TensorType::F32,
    )?);
    tensors.push(plain(
        model,
        &format!("{from}/beta"),
        &format!("{to}.bias"),
        TensorType::F32,
    )?);
    Ok(())
}

fn linear(
    model: &Ct2Model,
    tensors: &mut Vec<Tensor>,
    from: &str,
    to: &str,
) -> Result<(), ConvertError> {
    tensors.push(plain(
        model,
        &format!("{from}/weight"),
        &format!("{to}.weight"),
        TensorType::F16,
    )?);
    tensors.push(plain(
        model,
        &format!("{from}/bias"),
        &format!("{to}.bias"),
        TensorType::F32,
    )?);
    Ok(())
}

fn feed_forward(
    model: &Ct2Model,
    tensors: &mut Vec<Tensor>,
    from: &str,
    to: &str,
) -> Result<(), ConvertError> {
    linear(
        model,
        tensors,
        &format!("{from}/ffn/linear_0"),
        &format!("{to}.mlp.0"),
    )?;
    linear(
        model,
        tensors,
        &format!("{from}/ffn/linear_1"),
        &format!("{to}.mlp.2"),
    )?;
    layer_norm(
        model,
        tensors,
        &format!("{from}/ffn/layer_norm"),
        &format!("{to}.mlp_ln"),
    )
}

/// Splits the fused `[3 * d, d]` query/key/value projection.
fn self_attention(
    model: &Ct2Model,
    tensors: &mut Vec<Tensor>,
    from: &str,
    to: &str,
    state: usize,
) -> Result<(), ConvertError> {
    let fused = format!("{from}/linear_0");
    let parts = split_linear(model, &fused, state, 3)?;
    push_split(tensors, to, ["query", "key", "value"], parts);
    linear(
        model,
        tensors,
        &format!("{from}/linear_1"),
        &format!("{to}.out"),
    )
}

/// Copies the query projection and splits the fused `[2 * d, d]` key/value one.
fn cross_attention(
    model: &Ct2Model,
    tensors: &mut Vec<Tensor>,
    from: &str,
    to: &str,
    state: usize,
) -> Result<(), ConvertError> {
    linear(
        model,
        tensors,
        &format!("{from}/linear_0"),
        &format!("{to}.query"),
    )?;
    let parts = split_linear(model, &format!("{from}/linear_1"), state, 2)?;
    push_split(tensors, to, ["key", "value"], parts);
    linear(
        model,
        tensors,
        &format!("{from}/linear_2"),
        &format!("{to}.out"),
    )
}

/// Weight and bias rows of one projection cut out of a fused one.
struct SplitPart {
    weight: Vec<f32>,
    bias: Vec<f32>,
    state: usize,
}

fn push_split<const N: usize>(
    tensors: &mut Vec<Tensor>,
    to: &str,
    names: [&str; N],
    parts: Vec<SplitPart>,
) {
    for (name, part) in names.into_iter().zip(parts) {
        tensors.push(Tensor {
            name: format!("{to}.{name}.weight"),
            shape: vec![part.state, part.state],
            kind: TensorType::F16,
            values: part.weight,
        });
        // whisper.cpp has no key bias: Whisper trains its key projection without one.
        if name != "key" {
            tensors.push(Tensor {
                name: format!("{to}.{name}.bias"),
                shape: vec![part.state],
                kind: TensorType::F32,
                values: part.bias,
            });
        }
    }
}

fn split_linear(
    model: &Ct2Model,
    from: &str,
    state: usize,
    count: usize,
) -> Result<Vec<SplitPart>, ConvertError> {
    let weight_name = format!("{from}/weight");
    let bias_name = format!("{from}/bias");
    let weight = model.get(&weight_name)?;
    let bias = model.get(&bias_name)?;
    check_shape(&weight_name, weight, &[count * state, state])?;
    check_shape(&bias_name, bias, &[count * state])?;

    let weight_values = weight.to_f32(&weight_name)?;
    let bias_values = bias.to_f32(&bias_name)?;
    let parts = (0..count)
        .map(|index| SplitPart {
            weight: weight_values[index * state * state..(index + 1) * state * state].to_vec(),
            bias: bias_values[index * state..(index + 1) * state].to_vec(),
            state,
        })
        .collect();
    Ok(parts)
}

fn check_shape(name: &str, variable: &Variable, expected: &[usize]) -> Result<(), ConvertError> {
    if variable.shape == expected {
        return Ok(());
    }
    Err(ConvertError::Shape {
        name: name.to_owned(),
        actual: variable.shape.clone(),
        expected: format!("{expected:?}"),
    })
}
