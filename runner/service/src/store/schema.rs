//! The store's tables, written once in SQLite's dialect; PostgreSQL's are
//! derived from them (`INTEGER` → `BIGINT`, row ids → `BIGSERIAL`), plus the
//! columns later builds added to `jobs`, applied to older stores too.

use crate::ServiceError;

/// Core tables: users, tokens, jobs, events, webhooks, deliveries, usage,
/// bulk downloads, meta.
const CORE_SCHEMA: &str = r#"
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

/// Tables of schedules, workflows, runs, proxy pools and tasks, in SQLite's
/// dialect; [`pg_schema`] derives PostgreSQL's.
const AUTOMATION_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS schedules (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    platform TEXT,
    name TEXT,
    frequency TEXT NOT NULL,
    custom_cron TEXT,
    preferred_time TEXT,
    timezone TEXT NOT NULL,
    anchor TEXT NOT NULL,
    options TEXT NOT NULL,
    secrets TEXT,
    steps TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    delivery_method TEXT NOT NULL,
    webhook_uuid TEXT,
    send_notification INTEGER NOT NULL DEFAULT 1,
    last_run_at INTEGER,
    next_run_at INTEGER,
    run_count INTEGER NOT NULL DEFAULT 0,
    fail_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schedules_due ON schedules(enabled, next_run_at);
CREATE INDEX IF NOT EXISTS schedules_user ON schedules(user_id, kind, id);
CREATE TABLE IF NOT EXISTS schedule_runs (
    id INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    slot INTEGER,
    status TEXT NOT NULL,
    step INTEGER NOT NULL DEFAULT 1,
    steps_completed INTEGER NOT NULL DEFAULT 0,
    total_results INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    completed_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS schedule_runs_slot ON schedule_runs(schedule_id, slot);
CREATE INDEX IF NOT EXISTS schedule_runs_open ON schedule_runs(status);
CREATE TABLE IF NOT EXISTS run_jobs (
    job_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES schedule_runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS run_jobs_run ON run_jobs(run_id, step);
CREATE TABLE IF NOT EXISTS mails (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mails_due ON mails(state, next_attempt_at);
CREATE TABLE IF NOT EXISTS proxy_pools (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    location TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS proxies (
    id INTEGER PRIMARY KEY,
    pool_id INTEGER NOT NULL REFERENCES proxy_pools(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    address TEXT NOT NULL,
    has_auth INTEGER NOT NULL,
    successes INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_used_at INTEGER
);
CREATE TABLE IF NOT EXISTS job_proxies (
    job_id INTEGER PRIMARY KEY,
    proxy_id INTEGER NOT NULL REFERENCES proxies(id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    group_id TEXT NOT NULL,
    group_name TEXT,
    max_posts INTEGER NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    job_id INTEGER NOT NULL,
    worker_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_user ON tasks(user_id, id);
"#;

/// Columns the automation features add to `jobs` (name, SQLite type).
const JOB_COLUMNS: &[(&str, &str)] = &[
    ("priority", "INTEGER NOT NULL DEFAULT 0"),
    ("dedup_key", "TEXT"),
];

/// `users` columns added after the first schema (notification address).
const USER_COLUMNS: &[(&str, &str)] = &[("email", "TEXT")];

fn pg_text(sqlite: &str) -> String {
    sqlite
        .replace(
            "\n    id INTEGER PRIMARY KEY",
            "\n    id BIGSERIAL PRIMARY KEY",
        )
        .replace(" INTEGER", " BIGINT")
}

/// Every table and `jobs` column for PostgreSQL (idempotent).
pub(crate) fn pg_schema() -> String {
    let mut s = pg_text(CORE_SCHEMA);
    s.push_str(&pg_text(AUTOMATION_SCHEMA));
    for (table, columns) in [("jobs", JOB_COLUMNS), ("users", USER_COLUMNS)] {
        for (name, ty) in columns {
            s.push_str(&format!(
                "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {};\n",
                pg_text(&format!(" {ty}")).trim()
            ));
        }
    }
    s.push_str("CREATE INDEX IF NOT EXISTS jobs_priority ON jobs(status, priority, id);\n");
    s
}

/// Creates every table and adds the `jobs` columns a store made by
/// an older build lacks (SQLite has no `ADD COLUMN IF NOT EXISTS`).
pub(crate) fn create_sqlite(conn: &rusqlite::Connection) -> Result<(), ServiceError> {
    conn.execute_batch(CORE_SCHEMA)?;
    conn.execute_batch(AUTOMATION_SCHEMA)?;
    for (table, columns) in [("jobs", JOB_COLUMNS), ("users", USER_COLUMNS)] {
        let have: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for (name, ty) in columns {
            if !have.iter().any(|h| h == name) {
                conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {name} {ty}"))?;
            }
        }
    }
    conn.execute_batch("CREATE INDEX IF NOT EXISTS jobs_priority ON jobs(status, priority, id)")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn postgres_schema_is_derived() {
        let pg = super::pg_schema();
        assert!(pg.contains("id BIGSERIAL PRIMARY KEY"));
        assert!(pg.contains("job_id BIGINT PRIMARY KEY"));
        assert!(!pg.contains("INTEGER"));
        assert!(pg.contains("ADD COLUMN IF NOT EXISTS priority BIGINT NOT NULL DEFAULT 0"));
        assert!(pg.contains("ALTER TABLE users ADD COLUMN IF NOT EXISTS email TEXT"));
    }

    #[test]
    fn sqlite_migration_adds_job_columns_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("s.db")).unwrap();
        drop(store);
        // Opening again runs the migration on a store that already has the columns.
        let store = crate::store::Store::open(&dir.path().join("s.db")).unwrap();
        assert_eq!(store.job_dedup_key(1).unwrap(), None);
    }
}
