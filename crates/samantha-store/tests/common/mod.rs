//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use samantha_store::{Emotion, EmotionScores, Store};
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

/// A temporary folder with a database path inside it.
pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn temp_db() -> TempDb {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    let path = dir.path().join("samantha.db");
    TempDb { dir, path }
}

pub async fn open(path: &Path) -> Store {
    Store::open(path).await.expect("open the test database")
}

pub fn emotion(joy: f32, sadness: f32) -> Emotion {
    Emotion::from_scores(EmotionScores {
        anger: 0.01,
        disgust: 0.02,
        fear: 0.03,
        joy,
        neutral: 0.1,
        sadness,
        surprise: 0.04,
    })
}

/// Opens a plain sqlx connection, bypassing the store, to inspect a file.
pub async fn raw_connection(path: &Path) -> sqlx::SqliteConnection {
    SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("open a raw connection")
}

/// Dumps every row of `table` as text, one sorted string per row,
/// using only the `columns` given.
pub async fn dump_table(
    connection: &mut sqlx::SqliteConnection,
    table: &str,
    columns: &[String],
) -> Vec<String> {
    let expression = columns
        .iter()
        .map(|column| format!("quote(\"{column}\")"))
        .collect::<Vec<_>>()
        .join(" || char(31) || ");
    let sql = format!("SELECT {expression} AS row FROM \"{table}\" ORDER BY row");

    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_all(connection)
        .await
        .expect("dump a table")
}

/// Returns the ordinary tables of a database with their columns, leaving
/// out SQLite's own tables, FTS5 shadow tables and the migrations table.
pub async fn user_tables(connection: &mut sqlx::SqliteConnection) -> Vec<(String, Vec<String>)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '%_fts%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut *connection)
    .await
    .expect("list tables");

    let mut result = Vec::new();
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
                .bind(&table)
                .fetch_all(&mut *connection)
                .await
                .expect("list columns");
        result.push((table, columns));
    }

    result
}
