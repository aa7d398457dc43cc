//! Bulk downloads: a ZIP of several done jobs' files.

use super::db::vals;
use super::{now_text, Store};
use crate::ServiceError;

/// A stored bulk download.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkRow {
    /// Row id.
    pub id: i64,
    /// Public identifier.
    pub uuid: String,
    /// Owner.
    pub user_id: i64,
    /// Job guids asked for.
    pub guids: Vec<String>,
    /// `processing`, `ready`, `error`.
    pub status: String,
    /// Files in the ZIP (or to be).
    pub file_count: i64,
    /// Why it failed.
    pub error: Option<String>,
}

impl Store {
    /// Inserts a bulk download in `processing`.
    pub fn insert_bulk(
        &self,
        user_id: i64,
        guids: &[String],
        file_count: i64,
    ) -> Result<BulkRow, ServiceError> {
        let uuid = uuid::Uuid::new_v4().to_string();
        let list = serde_json::to_string(guids).unwrap_or_else(|_| "[]".into());
        let id = self.with(|c| {
            c.row(
                "INSERT INTO bulk_downloads(uuid, user_id, guids, status, file_count, created_at)
                 VALUES (?1, ?2, ?3, 'processing', ?4, ?5) RETURNING id",
                vals![&uuid, user_id, list, file_count, now_text()],
            )?
            .ok_or_else(|| ServiceError::Store("insert returned nothing".into()))?
            .i64("id")
        })?;
        Ok(BulkRow {
            id,
            uuid,
            user_id,
            guids: guids.to_vec(),
            status: "processing".into(),
            file_count,
            error: None,
        })
    }

    /// A user's bulk download.
    pub fn bulk_for(&self, user_id: i64, uuid: &str) -> Result<Option<BulkRow>, ServiceError> {
        self.with(|c| {
            c.row(
                "SELECT id, uuid, user_id, guids, status, file_count, error FROM bulk_downloads
                 WHERE uuid = ?1 AND user_id = ?2",
                vals![uuid, user_id],
            )?
            .map(|r| {
                Ok(BulkRow {
                    id: r.i64("id")?,
                    uuid: r.text("uuid")?,
                    user_id: r.i64("user_id")?,
                    guids: serde_json::from_str(&r.text("guids")?).unwrap_or_default(),
                    status: r.text("status")?,
                    file_count: r.i64("file_count")?,
                    error: r.opt_text("error")?,
                })
            })
            .transpose()
        })
    }

    /// Sets a bulk download's outcome.
    pub fn set_bulk_status(
        &self,
        id: i64,
        status: &str,
        file_count: i64,
        error: Option<&str>,
    ) -> Result<(), ServiceError> {
        self.with(|c| {
            c.exec(
                "UPDATE bulk_downloads SET status = ?1, file_count = ?2, error = ?3 WHERE id = ?4",
                vals![status, file_count, error, id],
            )?;
            Ok(())
        })
    }
}
