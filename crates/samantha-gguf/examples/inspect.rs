//! Prints a GGUF file's metadata and tensor index.
//!
//! Usage: `cargo run -p samantha-gguf --example inspect -- FILE`

use samantha_gguf::{GgufFile, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: inspect FILE")?;
    let file = GgufFile::open(&path)?;
    println!("version {} alignment {}", file.version(), file.alignment());

    for (key, value) in file.metadata() {
        match value {
            Value::Array(values) => println!("{key}: array of {}", values.len()),
            Value::String(text) if text.len() > 200 => println!("{key}: {:?}…", &text[..200]),
            other => println!("{key}: {other:?}"),
        }
    }

    for info in file.tensors() {
        let ty = info.ggml_type().map_or_else(|| format!("type {}", info.type_id), |ty| ty.to_string());
        println!("{} {:?} {ty}", info.name, info.dims);
    }
    Ok(())
}
