//! The job store: SQLite in WAL mode, one file under the data directory.
//!
//! Every table the service needs lives here (users, tokens, jobs, events,
//! webhooks, deliveries, usage, bulk downloads). Calls run on the blocking
//! pool: SQLite is synchronous and fast enough for a job service; several
//! processes may share one file (`busy_timeout`, short `IMMEDIATE`
//! transactions for leases).

mod bulk;
mod events;
mod jobs;
mod tokens;
mod usage;
mod webhooks;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

pub use bulk::BulkRow;
pub use events::EventRow;
pub use jobs::{Heartbeat, JobRow, Lease, NewJob};
pub use tokens::{TokenLookup, TokenRow, User};
pub use usage::UsageDay;
pub use webhooks::{DeliveryRow, WebhookPatch, WebhookRow, SUSPEND_AFTER};

use crate::ServiceError;

/// Handle to the store; cheap to clone.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let store = service::store::Store::open(&dir.path().join("service.db")).unwrap();
/// assert_eq!(store.schema_version().unwrap(), service::store::SCHEMA_VERSION);
/// ```
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// Version of the schema this build creates (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    url TEXT NOT NULL,
    platform TEXT,
    options TEXT NOT NULL,
    secrets TEXT,
    status TEXT NOT NULL,
    sandbox INTEGER NOT NULL DEFAULT 0,
    total_exported INTEGER NOT NULL DEFAULT 0,
    total INTEGER,
    error TEXT,
    error_kind TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER,
    json_file TEXT,
    xlsx_file TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS jobs_queue ON jobs(status, id);
CREATE INDEX IF NOT EXISTS jobs_user ON jobs(user_id, id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    guid TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    suspended INTEGER NOT NULL DEFAULT 0,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_event_at TEXT,
    events_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    message_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    response_code INTEGER,
    number_of_calls INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt_at);
CREATE TABLE IF NOT EXISTS usage (
    user_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    platform TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    exports INTEGER NOT NULL DEFAULT 0,
    records INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day, platform)
);
CREATE TABLE IF NOT EXISTS bulk_downloads (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL,
    guids TEXT NOT NULL,
    status TEXT NOT NULL,
    file_count INTEGER NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

impl Store {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, ServiceError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                ServiceError::Store(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let conn = Connection::open(path)?;
        // WAL lets readers (API) and the writer (workers) proceed together;
        // busy_timeout lets several processes share the file.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64, ServiceError> {
        self.with(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
    }

    /// Runs `f` with the connection (synchronously; call from blocking contexts).
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        let mut guard = self
            .conn
            .lock()
            .map_err(|_| ServiceError::Store("store lock poisoned".into()))?;
        f(&mut guard)
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.with(f))
            .await
            .map_err(|e| ServiceError::Store(format!("store task failed: {e}")))?
    }

    /// A value of the `meta` table (server secrets, first-run markers).
    pub fn meta(&self, key: &str) -> Result<Option<String>, ServiceError> {
        self.with(|c| {
            use rusqlite::OptionalExtension;
            Ok(
                c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    /// Sets a value of the `meta` table.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), ServiceError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )?;
            Ok(())
        })
    }
}

/// Current time as RFC 3339 with seconds and `+00:00`, the format the API documents.
pub(crate) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Current time in milliseconds since the epoch (leases, delivery schedule).
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) use now_ms as now_ms_pub;
