//! Bulk downloads: a ZIP of several done jobs' files.

use rusqlite::{params, OptionalExtension};

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
        self.with(|c| {
            c.execute(
                "INSERT INTO bulk_downloads(uuid, user_id, guids, status, file_count, created_at)
                 VALUES (?1, ?2, ?3, 'processing', ?4, ?5)",
                params![uuid, user_id, list, file_count, now_text()],
            )?;
            Ok(BulkRow {
                id: c.last_insert_rowid(),
                uuid: uuid.clone(),
                user_id,
                guids: guids.to_vec(),
                status: "processing".into(),
                file_count,
                error: None,
            })
        })
    }

    /// A user's bulk download.
    pub fn bulk_for(&self, user_id: i64, uuid: &str) -> Result<Option<BulkRow>, ServiceError> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT id, uuid, user_id, guids, status, file_count, error FROM bulk_downloads
                 WHERE uuid = ?1 AND user_id = ?2",
                params![uuid, user_id],
                |r| {
                    let guids: String = r.get(3)?;
                    Ok(BulkRow {
                        id: r.get(0)?,
                        uuid: r.get(1)?,
                        user_id: r.get(2)?,
                        guids: serde_json::from_str(&guids).unwrap_or_default(),
                        status: r.get(4)?,
                        file_count: r.get(5)?,
                        error: r.get(6)?,
                    })
                },
            )
            .optional()?)
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
            c.execute(
                "UPDATE bulk_downloads SET status = ?1, file_count = ?2, error = ?3 WHERE id = ?4",
                params![status, file_count, error, id],
            )?;
            Ok(())
        })
    }
}
