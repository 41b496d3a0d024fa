//! Reads the GoEmotions Ekman splits: `ekman/{train,dev,test}.tsv` with
//! `text <TAB> label ids, comma-separated <TAB> comment id` and the label
//! order in `ekman/labels.txt`.

use std::path::{Path, PathBuf};

use crate::emotion::{EMOTION_COUNT, Emotion};

/// Errors raised while reading the data set.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("failed to read {path}: {source}; pass the GoEmotions folder that holds ekman/")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} lists labels {found:?}, expected {expected:?}")]
    Labels {
        path: PathBuf,
        expected: Vec<String>,
        found: Vec<String>,
    },
    #[error("{path}:{line}: {message}")]
    Row { path: PathBuf, line: usize, message: String },
    #[error("unknown split {0:?}; expected train, dev or test")]
    Split(String),
}

/// One labelled comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    /// Whether each label (in [`Emotion::ALL`] order) is gold for this row.
    pub labels: [bool; EMOTION_COUNT],
}

/// A data set split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Dev,
    Test,
}

impl Split {
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Dev => "dev",
            Split::Test => "test",
        }
    }
}

impl std::str::FromStr for Split {
    type Err = DataError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "train" => Ok(Split::Train),
            "dev" | "validation" => Ok(Split::Dev),
            "test" => Ok(Split::Test),
            other => Err(DataError::Split(other.to_string())),
        }
    }
}

/// Path of a split file under the data set folder.
pub fn split_path(dir: &Path, split: Split) -> PathBuf {
    dir.join("ekman").join(format!("{}.tsv", split.as_str()))
}

fn read(path: &Path) -> Result<String, DataError> {
    std::fs::read_to_string(path).map_err(|source| DataError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads one split after checking the label order in `ekman/labels.txt`.
pub fn read_split(dir: &Path, split: Split) -> Result<Vec<Example>, DataError> {
    let labels_path = dir.join("ekman").join("labels.txt");
    let found: Vec<String> = read(&labels_path)?
        .lines()
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty())
        .collect();
    let expected: Vec<String> = Emotion::ALL.iter().map(|e| e.as_str().to_string()).collect();
    if found != expected {
        return Err(DataError::Labels {
            path: labels_path,
            expected,
            found,
        });
    }

    let path = split_path(dir, split);
    let text = read(&path)?;
    let mut examples = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let row_error = |message: String| DataError::Row {
            path: path.clone(),
            line: index + 1,
            message,
        };
        let mut fields = line.split('\t');
        let (Some(text), Some(ids)) = (fields.next(), fields.next()) else {
            return Err(row_error("expected text, label ids and comment id separated by tabs".into()));
        };
        let mut labels = [false; EMOTION_COUNT];
        for id in ids.split(',') {
            let id: usize = id
                .trim()
                .parse()
                .map_err(|_| row_error(format!("invalid label id {id:?}")))?;
            if id >= EMOTION_COUNT {
                return Err(row_error(format!("label id {id} is out of range 0..{EMOTION_COUNT}")));
            }
            labels[id] = true;
        }
        examples.push(Example {
            text: text.to_string(),
            labels,
        });
    }
    Ok(examples)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_data(dir: &Path, rows: &str) {
        std::fs::create_dir_all(dir.join("ekman")).unwrap();
        std::fs::write(
            dir.join("ekman/labels.txt"),
            "anger\ndisgust\nfear\njoy\nneutral\nsadness\nsurprise\n",
        )
        .unwrap();
        std::fs::write(dir.join("ekman/dev.tsv"), rows).unwrap();
    }

    #[test]
    fn multi_label_rows_parse() {
        let dir = tempfile::tempdir().unwrap();
        write_data(dir.path(), "so happy\t3\ta1\nwhat?! no\t0,6\ta2\n");
        let rows = read_split(dir.path(), Split::Dev).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].text, "so happy");
        assert!(rows[0].labels[3]);
        assert_eq!(rows[1].labels, [true, false, false, false, false, false, true]);
    }

    #[test]
    fn bad_label_id_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        write_data(dir.path(), "fine\t4\ta1\nbad\t9\ta2\n");
        let error = read_split(dir.path(), Split::Dev).unwrap_err().to_string();
        assert!(error.contains("dev.tsv:2"), "{error}");
        assert!(error.contains("label id 9 is out of range"), "{error}");
    }

    #[test]
    fn missing_folder_says_what_to_pass() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_split(&dir.path().join("nowhere"), Split::Test).unwrap_err().to_string();
        assert!(error.contains("GoEmotions folder"), "{error}");
    }
}
