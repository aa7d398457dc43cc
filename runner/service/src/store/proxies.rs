//! Proxy pools: named lists of proxies a job names with `options.pool` (or
//! reaches through `options.vpn` when a pool is tagged with that location),
//! with each proxy's health (successes, failures) as jobs report it.

use super::db::{vals, Db, Row};
use super::{now_ms, now_text, Store};
use crate::ServiceError;

/// One proxy of a pool to store: the full URL (a secret: credentials inside)
/// and what may be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyEntry {
    /// `scheme://user:pass@host:port` (never shown or logged).
    pub url: String,
    /// `scheme://host:port`.
    pub address: String,
    /// Whether it has credentials.
    pub has_auth: bool,
}

/// A proxy's health as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyHealth {
    /// Address without credentials.
    pub address: String,
    /// Whether it has credentials.
    pub has_auth: bool,
    /// Jobs that ended well through it.
    pub successes: i64,
    /// Jobs that failed through it with a network-class error.
    pub failures: i64,
    /// Failures since its last success.
    pub consecutive_failures: i64,
    /// Kind of the last failure.
    pub last_error: Option<String>,
    /// Last time a job picked it (ms).
    pub last_used_at: Option<i64>,
}

/// A stored pool with its proxies' health.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolRow {
    /// Row id.
    pub id: i64,
    /// Public identifier.
    pub uuid: String,
    /// Display name.
    pub name: String,
    /// Exit location it is tagged with (`options.vpn` picks it).
    pub location: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Its proxies, in the order given.
    pub proxies: Vec<ProxyHealth>,
}

/// Error kinds a proxy can cause (counted as its failures).
const PROXY_FAULTS: &[&str] = &["network", "http_status", "rate_limited", "forbidden"];

fn pool_in(c: &mut dyn Db, r: &Row) -> Result<PoolRow, ServiceError> {
    let id = r.i64("id")?;
    let proxies = c
        .rows(
            "SELECT address, has_auth, successes, failures, consecutive_failures, last_error,
                last_used_at FROM proxies WHERE pool_id = ?1 ORDER BY position",
            vals![id],
        )?
        .iter()
        .map(|p| {
            Ok(ProxyHealth {
                address: p.text("address")?,
                has_auth: p.flag("has_auth")?,
                successes: p.i64("successes")?,
                failures: p.i64("failures")?,
                consecutive_failures: p.i64("consecutive_failures")?,
                last_error: p.opt_text("last_error")?,
                last_used_at: p.opt_i64("last_used_at")?,
            })
        })
        .collect::<Result<_, ServiceError>>()?;
    Ok(PoolRow {
        id,
        uuid: r.text("uuid")?,
        name: r.text("name")?,
        location: r.opt_text("location")?,
        created_at: r.text("created_at")?,
        updated_at: r.text("updated_at")?,
        proxies,
    })
}

const PCOLS: &str = "id, uuid, name, location, created_at, updated_at";

fn insert_entries(
    c: &mut dyn Db,
    pool_id: i64,
    entries: &[ProxyEntry],
) -> Result<(), ServiceError> {
    for (i, e) in entries.iter().enumerate() {
        c.exec(
            "INSERT INTO proxies(pool_id, position, url, address, has_auth)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            vals![
                pool_id,
                i as i64,
                e.url.clone(),
                e.address.clone(),
                e.has_auth
            ],
        )?;
    }
    Ok(())
}

fn pool_by_uuid(c: &mut dyn Db, user_id: i64, uuid: &str) -> Result<Option<PoolRow>, ServiceError> {
    match c.row(
        &format!("SELECT {PCOLS} FROM proxy_pools WHERE uuid = ?1 AND user_id = ?2"),
        vals![uuid, user_id],
    )? {
        Some(r) => pool_in(c, &r).map(Some),
        None => Ok(None),
    }
}

impl Store {
    /// Creates a pool.
    pub fn insert_pool(
        &self,
        user_id: i64,
        name: &str,
        location: Option<&str>,
        entries: &[ProxyEntry],
    ) -> Result<PoolRow, ServiceError> {
        self.tx(|c| {
            let now = now_text();
            let uuid = uuid::Uuid::new_v4().to_string();
            let id = c
                .row(
                    "INSERT INTO proxy_pools(uuid, user_id, name, location, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id",
                    vals![uuid.clone(), user_id, name, location, now],
                )?
                .ok_or_else(|| ServiceError::Store("pool insert returned nothing".into()))?
                .i64("id")?;
            insert_entries(c, id, entries)?;
            pool_by_uuid(c, user_id, &uuid)?
                .ok_or_else(|| ServiceError::Store("pool vanished".into()))
        })
    }

    /// A user's pool (`None` when unknown or another user's).
    pub fn pool_for(&self, user_id: i64, uuid: &str) -> Result<Option<PoolRow>, ServiceError> {
        self.with(|c| pool_by_uuid(c, user_id, uuid))
    }

    /// A user's pools, oldest first.
    pub fn list_pools(
        &self,
        user_id: i64,
        page: u32,
        limit: u32,
    ) -> Result<Vec<PoolRow>, ServiceError> {
        let offset = (page.saturating_sub(1) as i64) * limit as i64;
        self.with(|c| {
            let rows = c.rows(
                &format!(
                    "SELECT {PCOLS} FROM proxy_pools WHERE user_id = ?1 ORDER BY id
                     LIMIT ?2 OFFSET ?3"
                ),
                vals![user_id, limit, offset],
            )?;
            rows.iter().map(|r| pool_in(c, r)).collect()
        })
    }

    /// Renames, retags, or replaces the proxies of a user's pool (replaced
    /// proxies start with a clean health record).
    pub fn update_pool(
        &self,
        user_id: i64,
        uuid: &str,
        name: Option<&str>,
        location: Option<Option<&str>>,
        entries: Option<&[ProxyEntry]>,
    ) -> Result<Option<PoolRow>, ServiceError> {
        self.tx(|c| {
            let Some(pool) = pool_by_uuid(c, user_id, uuid)? else {
                return Ok(None);
            };
            c.exec(
                "UPDATE proxy_pools SET name = COALESCE(?1, name),
                    location = CASE WHEN ?2 = 1 THEN ?3 ELSE location END, updated_at = ?4
                 WHERE id = ?5",
                vals![
                    name,
                    location.is_some(),
                    location.flatten(),
                    now_text(),
                    pool.id
                ],
            )?;
            if let Some(entries) = entries {
                c.exec("DELETE FROM proxies WHERE pool_id = ?1", vals![pool.id])?;
                insert_entries(c, pool.id, entries)?;
            }
            pool_by_uuid(c, user_id, uuid)
        })
    }

    /// Deletes a user's pool; jobs naming it fall back to no pool.
    pub fn delete_pool(&self, user_id: i64, uuid: &str) -> Result<bool, ServiceError> {
        self.tx(|c| {
            let Some(pool) = pool_by_uuid(c, user_id, uuid)? else {
                return Ok(false);
            };
            c.exec(
                "DELETE FROM job_proxies WHERE proxy_id IN (SELECT id FROM proxies WHERE pool_id = ?1)",
                vals![pool.id],
            )?;
            c.exec("DELETE FROM proxies WHERE pool_id = ?1", vals![pool.id])?;
            c.exec("DELETE FROM proxy_pools WHERE id = ?1", vals![pool.id])?;
            Ok(true)
        })
    }

    /// Whether a user has a pool tagged with one of `labels` (case-insensitive).
    pub fn has_pool_at(&self, user_id: i64, labels: &[String]) -> Result<bool, ServiceError> {
        self.with(|c| Ok(located_pool(c, user_id, labels)?.is_some()))
    }

    /// Picks the proxy a job runs through: from the pool `pool` names, else
    /// from a pool tagged with one of `labels`; the healthiest (fewest
    /// failures since a success), least recently used one. Records the pick
    /// for [`proxy_outcome`](Self::proxy_outcome). `None`: no pool applies.
    pub fn pick_proxy(
        &self,
        job_id: i64,
        user_id: i64,
        pool: Option<&str>,
        labels: &[String],
    ) -> Result<Option<String>, ServiceError> {
        self.tx(|c| {
            let mut pool_id = None;
            if let Some(uuid) = pool {
                pool_id = pool_by_uuid(c, user_id, uuid)?.map(|p| p.id);
            }
            if pool_id.is_none() && !labels.is_empty() {
                pool_id = located_pool(c, user_id, labels)?;
            }
            let Some(pool_id) = pool_id else {
                return Ok(None);
            };
            let Some(p) = c.row(
                "SELECT id, url FROM proxies WHERE pool_id = ?1
                 ORDER BY consecutive_failures, COALESCE(last_used_at, 0), position LIMIT 1",
                vals![pool_id],
            )?
            else {
                return Ok(None);
            };
            let id = p.i64("id")?;
            c.exec(
                "UPDATE proxies SET last_used_at = ?1 WHERE id = ?2",
                vals![now_ms(), id],
            )?;
            c.exec(
                "INSERT INTO job_proxies(job_id, proxy_id) VALUES (?1, ?2)
                 ON CONFLICT(job_id) DO UPDATE SET proxy_id = excluded.proxy_id",
                vals![job_id, id],
            )?;
            Ok(Some(p.text("url")?))
        })
    }

    /// Counts how a job ended on the proxy it ran through (if any): a success,
    /// or a failure when the error is one a proxy can cause.
    pub fn proxy_outcome(
        &self,
        job_id: i64,
        ok: bool,
        error_kind: Option<&str>,
    ) -> Result<(), ServiceError> {
        self.with(|c| {
            if ok {
                c.exec(
                    "UPDATE proxies SET successes = successes + 1, consecutive_failures = 0
                     WHERE id = (SELECT proxy_id FROM job_proxies WHERE job_id = ?1)",
                    vals![job_id],
                )?;
            } else if error_kind.is_some_and(|k| PROXY_FAULTS.contains(&k)) {
                c.exec(
                    "UPDATE proxies SET failures = failures + 1,
                        consecutive_failures = consecutive_failures + 1, last_error = ?2
                     WHERE id = (SELECT proxy_id FROM job_proxies WHERE job_id = ?1)",
                    vals![job_id, error_kind],
                )?;
            }
            Ok(())
        })
    }
}

fn located_pool(
    c: &mut dyn Db,
    user_id: i64,
    labels: &[String],
) -> Result<Option<i64>, ServiceError> {
    let rows = c.rows(
        "SELECT id, location FROM proxy_pools WHERE user_id = ?1 AND location IS NOT NULL
         ORDER BY id",
        vals![user_id],
    )?;
    for r in rows {
        let loc = r.text("location")?;
        if labels.iter().any(|l| l.eq_ignore_ascii_case(&loc)) {
            return Ok(Some(r.i64("id")?));
        }
    }
    Ok(None)
}
