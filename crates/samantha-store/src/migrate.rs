//! Schema migrations and the backup written before them.
//!
//! Migrations live in `migrations/` at the repository root and are embedded
//! at build time. All pending ones run inside a single `BEGIN IMMEDIATE`
//! transaction, so a failure leaves the database as it was and a second
//! process that opens the file at the same time waits and then finds
//! nothing left to do.
//!
//! To change the schema, add a new file `migrations/<UTC timestamp>_<what>.sql`
//! and never edit an applied one, because sqlx rejects a changed checksum.
//! Then add a fixture for the new version as `tests/make_fixtures.rs`
//! describes, so the upgrade test covers the step from it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::open::{connect_options, open_error};
use crate::{StoreError, Timestamp};

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// Table in which sqlx records the applied migrations.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// Returns the versions of the embedded migrations, oldest first.
pub fn schema_versions() -> Vec<i64> {
    MIGRATOR
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration())
        .map(|migration| migration.version)
        .collect()
}

/// Returns the name of the backup written before migrating a database
/// named `file_name` that has `applied` migrations, such as
/// `samantha.db.backup-v1-20261204T210547Z`.
pub fn backup_file_name(file_name: &str, applied: usize, at: Timestamp) -> String {
    let stamp: String = at
        .to_rfc3339()
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();

    format!("{file_name}.backup-v{applied}-{stamp}Z")
}

/// Switches the file to WAL mode, backs it up when migrations are pending,
/// and applies them.
pub(crate) async fn prepare(path: &Path, busy_timeout: Duration) -> Result<(), StoreError> {
    prepare_with(path, &MIGRATOR, busy_timeout).await
}

pub(crate) async fn prepare_with(
    path: &Path,
    migrator: &Migrator,
    busy_timeout: Duration,
) -> Result<(), StoreError> {
    let mut connection = connect_options(path, busy_timeout)
        .connect()
        .await
        .map_err(|source| open_error(path, source))?;

    enable_wal(&mut connection, path, busy_timeout).await?;

    let result = migrate(&mut connection, path, migrator).await;

    if let Err(error) = connection.close().await {
        tracing::debug!(path = %path.display(), %error, "closing the migration connection failed");
    }

    result
}

async fn migrate(
    connection: &mut SqliteConnection,
    path: &Path,
    migrator: &Migrator,
) -> Result<(), StoreError> {
    let applied = applied_versions(connection, path).await?;

    let known: Vec<i64> = migrator.iter().map(|migration| migration.version).collect();
    if let Some(unknown) = applied.iter().find(|version| !known.contains(version)) {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            version: *unknown,
        });
    }

    let pending = migrator
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration())
        .filter(|migration| !applied.contains(&migration.version))
        .count();
    if pending == 0 {
        return Ok(());
    }

    let backup = if has_tables(connection, path).await? {
        Some(write_backup(connection, path, applied.len()).await?)
    } else {
        None
    };

    tracing::info!(path = %path.display(), pending, "migrating database");

    let mut transaction = connection
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|source| StoreError::from_sqlx(path, source))?;

    // Another process may have migrated while this one wrote the backup;
    // the migrator re-reads the applied versions under the write lock.
    let outcome = migrator.run(&mut *transaction).await;

    match outcome {
        Ok(()) => transaction
            .commit()
            .await
            .map_err(|source| StoreError::from_sqlx(path, source)),
        Err(source) => {
            if let Err(error) = transaction.rollback().await {
                tracing::warn!(path = %path.display(), %error, "rolling back the failed migration failed");
            }

            tracing::error!(path = %path.display(), error = %source, "migration failed");

            Err(StoreError::Migrate {
                path: path.to_path_buf(),
                backup,
                source,
            })
        }
    }
}

/// Sets `journal_mode = WAL`. Changing the journal mode needs an exclusive
/// lock that SQLite's busy handler does not wait for, so this retries for
/// up to the busy timeout while another process holds the file.
async fn enable_wal(
    connection: &mut SqliteConnection,
    path: &Path,
    busy_timeout: Duration,
) -> Result<(), StoreError> {
    let deadline = std::time::Instant::now() + busy_timeout;

    loop {
        let result: Result<String, sqlx::Error> = sqlx::query_scalar("PRAGMA journal_mode = WAL")
            .fetch_one(&mut *connection)
            .await;

        match result.map_err(|source| StoreError::from_sqlx(path, source)) {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => {
                tracing::warn!(path = %path.display(), %mode, "SQLite kept another journal mode than WAL");
                return Ok(());
            }
            Err(StoreError::Busy { .. }) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => return Err(error),
        }
    }
}

async fn applied_versions(
    connection: &mut SqliteConnection,
    path: &Path,
) -> Result<Vec<i64>, StoreError> {
    let table_exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_one(&mut *connection)
    .await
    .map_err(|source| StoreError::from_sqlx(path, source))?;

    if !table_exists {
        return Ok(Vec::new());
    }

    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&mut *connection)
        .await
        .map_err(|source| StoreError::from_sqlx(path, source))
}

async fn has_tables(connection: &mut SqliteConnection, path: &Path) -> Result<bool, StoreError> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%')",
    )
    .fetch_one(&mut *connection)
    .await
    .map_err(|source| StoreError::from_sqlx(path, source))
}

/// Copies the database with `VACUUM INTO`, which reads through the
/// connection and so includes content still in the WAL file.
async fn write_backup(
    connection: &mut SqliteConnection,
    path: &Path,
    applied: usize,
) -> Result<PathBuf, StoreError> {
    let file_name = path.file_name().map_or_else(
        || "samantha.db".to_owned(),
        |name| name.to_string_lossy().into_owned(),
    );
    let folder = path.parent().unwrap_or_else(|| Path::new("."));

    let base = backup_file_name(&file_name, applied, Timestamp::now());
    let mut backup = folder.join(&base);
    let mut attempt = 1;
    while backup.exists() {
        attempt += 1;
        backup = folder.join(format!("{base}-{attempt}"));
    }

    let target = backup.to_string_lossy().into_owned();
    sqlx::query("VACUUM INTO ?1")
        .bind(target)
        .execute(&mut *connection)
        .await
        .map_err(|source| StoreError::Backup {
            path: path.to_path_buf(),
            backup: backup.clone(),
            source,
        })?;

    tracing::info!(path = %path.display(), backup = %backup.display(), "backup written before migration");

    Ok(backup)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use sqlx::migrate::{Migration, MigrationType};
    use sqlx::{AssertSqlSafe, SqlSafeStr};

    use super::*;
    use crate::Store;

    /// Builds a migrator with the embedded migrations and one more that runs `sql`.
    fn with_extra_migration(sql: &str) -> Migrator {
        let mut migrations: Vec<Migration> = MIGRATOR.iter().cloned().collect();
        migrations.push(Migration::new(
            99_990_101_000_000,
            Cow::Borrowed("test extra"),
            MigrationType::Simple,
            AssertSqlSafe(sql.to_owned()).into_sql_str(),
            false,
        ));
        Migrator::with_migrations(migrations)
    }

    async fn database_with_one_conversation() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("samantha.db");

        let store = Store::open(&path).await.expect("open");
        store
            .create_conversation("kept", "samantha")
            .await
            .expect("conversation");
        store.close().await;

        (dir, path)
    }

    async fn count(path: &Path, sql: &'static str) -> i64 {
        let mut connection = connect_options(path, crate::DEFAULT_BUSY_TIMEOUT)
            .connect()
            .await
            .expect("connect");
        sqlx::query_scalar(sql)
            .fetch_one(&mut connection)
            .await
            .expect("count")
    }

    fn backups(dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .expect("list folder")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.to_string_lossy().contains(".backup-v"))
            .collect()
    }

    #[tokio::test]
    async fn backup_before_pending_migration() {
        let (dir, path) = database_with_one_conversation().await;
        let migrator = with_extra_migration("ALTER TABLE conversations ADD COLUMN mood TEXT;");

        prepare_with(&path, &migrator, crate::DEFAULT_BUSY_TIMEOUT)
            .await
            .expect("migrate");

        let backups = backups(dir.path());
        assert_eq!(backups.len(), 1);
        let name = backups[0]
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        assert!(name.is_some_and(|name| name.starts_with("samantha.db.backup-v1-")));
        assert_eq!(
            count(&backups[0], "SELECT count(*) FROM conversations").await,
            1
        );
        assert_eq!(
            count(
                &path,
                "SELECT count(*) FROM pragma_table_info('conversations') WHERE name = 'mood'"
            )
            .await,
            1
        );
        assert_eq!(count(&path, "SELECT count(*) FROM conversations").await, 1);
    }

    #[tokio::test]
    async fn failed_migration_leaves_database() {
        let (dir, path) = database_with_one_conversation().await;
        let migrator = with_extra_migration(
            "ALTER TABLE conversations ADD COLUMN mood TEXT; INSERT INTO no_such_table VALUES (1);",
        );

        let error = prepare_with(&path, &migrator, crate::DEFAULT_BUSY_TIMEOUT)
            .await
            .expect_err("the migration must fail");

        let backups = backups(dir.path());
        assert_eq!(backups.len(), 1);
        let message = error.to_string();
        assert!(
            matches!(
                error,
                StoreError::Migrate {
                    backup: Some(_),
                    ..
                }
            ),
            "{message}"
        );
        assert!(
            message.contains(&backups[0].display().to_string()),
            "{message}"
        );

        assert_eq!(
            count(
                &path,
                "SELECT count(*) FROM pragma_table_info('conversations') WHERE name = 'mood'"
            )
            .await,
            0
        );
        assert_eq!(
            count(&path, "SELECT count(*) FROM _sqlx_migrations").await,
            1
        );
        assert_eq!(count(&path, "SELECT count(*) FROM conversations").await, 1);
    }

    #[tokio::test]
    async fn fresh_database_has_no_backup() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("nested").join("samantha.db");

        Store::open(&path).await.expect("open").close().await;

        assert!(backups(dir.path().join("nested").as_path()).is_empty());
    }

    #[tokio::test]
    async fn newer_schema_rejected() {
        let (_dir, path) = database_with_one_conversation().await;
        let mut connection = connect_options(&path, crate::DEFAULT_BUSY_TIMEOUT)
            .connect()
            .await
            .expect("connect");
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99999999999999, 'from the future', 1, x'00', 0)",
        )
        .execute(&mut connection)
        .await
        .expect("insert");
        connection.close().await.expect("close");

        let error = Store::open(&path)
            .await
            .expect_err("a newer schema must be rejected");
        assert!(
            matches!(
                error,
                StoreError::NewerSchema {
                    version: 99_999_999_999_999,
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn backup_name_format() {
        let name = backup_file_name("samantha.db", 3, Timestamp(1_796_418_347_123));
        assert_eq!(name, "samantha.db.backup-v3-20261204T210547Z");
    }
}
