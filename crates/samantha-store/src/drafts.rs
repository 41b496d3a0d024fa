//! Drafts of the writing studio, each with numbered versions.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::{ConversationId, DraftId, Store, StoreError, Timestamp};

/// A piece of writing with its version history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Draft {
    pub id: DraftId,
    pub title: String,
    /// Conversation the draft was started from, while it exists.
    pub conversation_id: Option<ConversationId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Number of the newest version; versions count from 1.
    pub latest_version: i64,
}

/// One saved version of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct DraftVersion {
    pub draft_id: DraftId,
    pub version: i64,
    pub content: String,
    /// Description of the change in this version, when the writer gave one.
    pub note: Option<String>,
    pub created_at: Timestamp,
}

/// A draft with all its versions, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftDocument {
    pub draft: Draft,
    pub versions: Vec<DraftVersion>,
}

const DRAFT_SELECT: &str = "SELECT d.id, d.title, d.conversation_id, d.created_at, d.updated_at, \
     coalesce((SELECT max(v.version) FROM draft_versions v WHERE v.draft_id = d.id), 0) AS latest_version \
     FROM drafts d";

impl Store {
    /// Creates a draft whose version 1 is `content`.
    ///
    /// # Errors
    ///
    /// [`StoreError::ConversationNotFound`] when `conversation` names no
    /// conversation.
    pub async fn create_draft(
        &self,
        title: &str,
        content: &str,
        conversation: Option<ConversationId>,
    ) -> Result<Draft, StoreError> {
        if let Some(conversation) = conversation {
            self.conversation(conversation).await?;
        }

        let now = Timestamp::now();
        let mut transaction = self.begin_write().await?;

        let id: DraftId = sqlx::query_scalar(
            "INSERT INTO drafts (title, conversation_id, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?3) RETURNING id",
        )
        .bind(title)
        .bind(conversation)
        .bind(now)
        .fetch_one(&mut *transaction)
        .await
        .map_err(|error| self.error(error))?;

        sqlx::query(
            "INSERT INTO draft_versions (draft_id, version, content, created_at) \
             VALUES (?1, 1, ?2, ?3)",
        )
        .bind(id)
        .bind(content)
        .bind(now)
        .execute(&mut *transaction)
        .await
        .map_err(|error| self.error(error))?;

        transaction
            .commit()
            .await
            .map_err(|error| self.error(error))?;

        Ok(Draft {
            id,
            title: title.to_owned(),
            conversation_id: conversation,
            created_at: now,
            updated_at: now,
            latest_version: 1,
        })
    }

    /// Saves `content` as the next version of a draft.
    ///
    /// # Errors
    ///
    /// [`StoreError::DraftNotFound`] for an unknown id.
    pub async fn add_draft_version(
        &self,
        draft: DraftId,
        content: &str,
        note: Option<&str>,
    ) -> Result<DraftVersion, StoreError> {
        let now = Timestamp::now();
        let mut transaction = self.begin_write().await?;

        let touched =
            sqlx::query("UPDATE drafts SET updated_at = max(updated_at, ?1) WHERE id = ?2")
                .bind(now)
                .bind(draft)
                .execute(&mut *transaction)
                .await
                .map_err(|error| self.error(error))?;
        if touched.rows_affected() == 0 {
            return Err(StoreError::DraftNotFound(draft.0));
        }

        let version: i64 = sqlx::query_scalar(
            "INSERT INTO draft_versions (draft_id, version, content, note, created_at) \
             SELECT ?1, coalesce(max(version), 0) + 1, ?2, ?3, ?4 FROM draft_versions \
             WHERE draft_id = ?1 RETURNING version",
        )
        .bind(draft)
        .bind(content)
        .bind(note)
        .bind(now)
        .fetch_one(&mut *transaction)
        .await
        .map_err(|error| self.error(error))?;

        transaction
            .commit()
            .await
            .map_err(|error| self.error(error))?;

        Ok(DraftVersion {
            draft_id: draft,
            version,
            content: content.to_owned(),
            note: note.map(str::to_owned),
            created_at: now,
        })
    }

    /// Lists drafts, most recently updated first.
    ///
    /// # Errors
    ///
    /// Database errors only.
    pub async fn list_drafts(&self) -> Result<Vec<Draft>, StoreError> {
        let sql = format!("{DRAFT_SELECT} ORDER BY d.updated_at DESC, d.id DESC");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(|error| self.error(error))
    }

    /// Returns a draft with all its versions.
    ///
    /// # Errors
    ///
    /// [`StoreError::DraftNotFound`] for an unknown id.
    pub async fn draft(&self, id: DraftId) -> Result<DraftDocument, StoreError> {
        let sql = format!("{DRAFT_SELECT} WHERE d.id = ?1");
        let draft: Draft = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|error| self.error(error))?
            .ok_or(StoreError::DraftNotFound(id.0))?;

        let versions = sqlx::query_as(
            "SELECT draft_id, version, content, note, created_at FROM draft_versions \
             WHERE draft_id = ?1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(|error| self.error(error))?;

        Ok(DraftDocument { draft, versions })
    }

    /// Exports the newest version of a draft as Markdown, under its title.
    ///
    /// # Errors
    ///
    /// [`StoreError::DraftNotFound`] for an unknown id.
    pub async fn export_draft_markdown(&self, id: DraftId) -> Result<String, StoreError> {
        let document = self.draft(id).await?;
        let mut markdown = format!("# {}\n\n", document.draft.title);

        if let Some(latest) = document.versions.last() {
            let _ = writeln!(
                markdown,
                "_Version {} of {}, saved {}._\n",
                latest.version, document.draft.latest_version, latest.created_at
            );
            markdown.push_str(&latest.content);
            if !latest.content.ends_with('\n') {
                markdown.push('\n');
            }
        }

        Ok(markdown)
    }
}
