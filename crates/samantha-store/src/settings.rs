//! Settings: text values by key.

use crate::{Store, StoreError, Timestamp};

impl Store {
    /// Returns the value of a setting, or `None` when it was never set.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = ?1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(|error| self.error(error))
    }

    /// Sets a setting, replacing any earlier value.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(Timestamp::now())
        .execute(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        Ok(())
    }

    /// Returns every setting as `(key, value)`, sorted by key.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        sqlx::query_as("SELECT key, value FROM settings ORDER BY key")
            .fetch_all(&self.pool)
            .await
            .map_err(|error| self.error(error))
    }
}
