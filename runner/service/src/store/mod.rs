//! The job store: SQLite in WAL mode (one file under the data directory, the
//! embedded default) or PostgreSQL (`--database postgres://…`, for workers on
//! several machines).
//!
//! Every table the service needs lives here (users, tokens, jobs, events,
//! webhooks, deliveries, usage, bulk downloads). Calls are synchronous and
//! run on the blocking pool. Several processes may share one store: SQLite
//! through `busy_timeout` and short `IMMEDIATE` transactions, PostgreSQL
//! through `SELECT … FOR UPDATE SKIP LOCKED` when leasing jobs.

mod bulk;
pub mod db;
mod events;
mod jobs;
mod mails;
mod proxies;
mod runs;
pub mod schedules;
mod schema;
mod tasks;
mod tokens;
mod usage;
mod webhooks;

use std::path::Path;
use std::sync::{Arc, Mutex};

use db::{vals, Backend, Db};

pub use bulk::BulkRow;
pub use events::EventRow;
pub use jobs::{Heartbeat, JobRow, Lease, NewJob};
pub use mails::{MailDraft, MailRow};
pub use proxies::{PoolRow, ProxyEntry, ProxyHealth};
pub use runs::{RunOutcome, RunRow, RunStart};
pub use schedules::{ScheduleFields, ScheduleRow};
pub use tasks::{TaskChange, TaskQuery, TaskRow, TaskSpec, TASK_STATUSES};
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
    conn: Arc<Mutex<Backend>>,
    pg: bool,
}

/// Version of the schema this build creates (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 1;

impl Store {
    /// Opens (creating if needed) the SQLite store at `path`.
    pub fn open(path: &Path) -> Result<Store, ServiceError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                ServiceError::Store(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let conn = rusqlite::Connection::open(path)?;
        // WAL lets readers (API) and the writer (workers) proceed together;
        // busy_timeout lets several processes share the file.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::create_sqlite(&conn)?;
        Store::init(Backend::Sqlite(conn), false)
    }

    /// Connects to a PostgreSQL store (`postgres://user:pass@host/db`), creating
    /// the tables on first use. Must not be called from an async context
    /// (use `spawn_blocking`): the client is synchronous.
    pub fn connect_postgres(url: &str) -> Result<Store, ServiceError> {
        let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(|e| {
            // The URL holds a password: never repeat it.
            ServiceError::Store(format!(
                "cannot connect to PostgreSQL at {}: {e}",
                engine::redact_url(url)
            ))
        })?;
        // Two processes starting at once must not both create the tables.
        client.batch_execute("SELECT pg_advisory_lock(727272)")?;
        let created = client.batch_execute(&schema::pg_schema());
        client.batch_execute("SELECT pg_advisory_unlock(727272)")?;
        created?;
        Store::init(Backend::Postgres(db::PgConn::new(client)), true)
    }

    /// Opens the store named by `spec`: a `postgres://` URL, or a SQLite file path.
    pub fn open_spec(spec: &str) -> Result<Store, ServiceError> {
        if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            Store::connect_postgres(spec)
        } else {
            Store::open(Path::new(spec))
        }
    }

    fn init(backend: Backend, pg: bool) -> Result<Store, ServiceError> {
        let store = Store {
            conn: Arc::new(Mutex::new(backend)),
            pg,
        };
        store.set_meta("schema_version", &SCHEMA_VERSION.to_string())?;
        Ok(store)
    }

    /// True when the store is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg
    }

    /// The schema version recorded in the store.
    pub fn schema_version(&self) -> Result<i64, ServiceError> {
        Ok(self
            .meta("schema_version")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Backend>, ServiceError> {
        self.conn
            .lock()
            .map_err(|_| ServiceError::Store("store lock poisoned".into()))
    }

    /// Runs `f` with the connection (synchronously; call from blocking contexts).
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut dyn Db) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        self.lock()?.with(f)
    }

    /// Runs `f` in one transaction (write lock first on SQLite).
    pub(crate) fn tx<T>(
        &self,
        f: impl FnOnce(&mut dyn Db) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        self.lock()?.tx(f)
    }

    /// Runs `f` with the store on the blocking pool.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| ServiceError::Store(format!("store task failed: {e}")))?
    }

    /// A value of the `meta` table (server secrets, schema version).
    pub fn meta(&self, key: &str) -> Result<Option<String>, ServiceError> {
        self.with(|c| {
            c.row("SELECT value FROM meta WHERE key = ?1", vals![key])?
                .map(|r| r.text("value"))
                .transpose()
        })
    }

    /// Sets a value of the `meta` table.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), ServiceError> {
        self.with(|c| {
            c.exec(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                vals![key, value],
            )?;
            Ok(())
        })
    }

    /// Sets a value only if the key is unset; returns the value stored.
    pub fn meta_or_insert(&self, key: &str, value: &str) -> Result<String, ServiceError> {
        self.with(|c| {
            c.exec(
                "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
                vals![key, value],
            )?;
            c.row("SELECT value FROM meta WHERE key = ?1", vals![key])?
                .map(|r| r.text("value"))
                .transpose()?
                .ok_or_else(|| ServiceError::Store(format!("meta {key} missing")))
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
