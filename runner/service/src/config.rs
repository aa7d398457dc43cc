//! Settings of a service process.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::LimitSettings;

/// An exit location jobs may pick with `options.vpn` (by `name`, as documented).
///
/// ```
/// let v = service::VpnLocation { name: "Norway".into(), code: "NO".into(), proxy: None };
/// assert_eq!(v.code, "NO");
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VpnLocation {
    /// Display name (`United States`); what `options.vpn` names.
    pub name: String,
    /// ISO country code (`US`).
    pub code: String,
    /// Proxy that exits there (a secret: never shown).
    #[serde(default, skip_serializing)]
    pub proxy: Option<String>,
}

/// Settings of one service process (API, workers, or both).
///
/// ```
/// let c = service::ServiceConfig::new("/tmp/svc").workers(2);
/// assert_eq!(c.workers, 2);
/// ```
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Folder holding `service.db` and `jobs/<guid>/` outputs. Processes sharing
    /// a PostgreSQL store must share this folder too (NFS or the like): a job's
    /// checkpoint and files live there, whichever worker ran it.
    pub data_dir: PathBuf,
    /// `postgres://…` to keep the store in PostgreSQL; `None` = SQLite in `data_dir`.
    pub database: Option<String>,
    /// Base of the links the API hands out (`json_url`, `download_link`);
    /// default: `http://` + the bound address.
    pub public_url: Option<String>,
    /// Per-token limits.
    pub limits: LimitSettings,
    /// Jobs this process runs at once (0 = API only).
    pub workers: usize,
    /// Run the API (false for `runner worker`).
    pub api: bool,
    /// A worker's lease on a job; a worker that stops renewing it (crash, kill)
    /// loses the job to another worker after this long.
    pub lease: Duration,
    /// Shortest interval between two `job.progress` events of one job (documented: 5 s).
    pub progress_interval: Duration,
    /// How often idle workers look at the queue and servers at the event outbox.
    pub poll_interval: Duration,
    /// Network settings of the exports (base URLs, rates, proxy, cookies).
    pub http: engine::HttpSettings,
    /// Defaults of every job's engine options (e.g. `parallel_requests`).
    pub job_defaults: engine::JobOptions,
    /// Exit locations offered to `options.vpn`.
    pub vpn_locations: Vec<VpnLocation>,
    /// First webhook retry delay (doubles each time).
    pub webhook_backoff: Duration,
    /// Delivery attempts of one webhook event before it is marked failed.
    pub webhook_attempts: u32,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Mail server for email delivery and notifications; `None` = no mail.
    pub smtp: Option<crate::mailer::SmtpSettings>,
}

impl ServiceConfig {
    /// Defaults: API + 4 workers, 60 s leases, 5 s progress events.
    pub fn new(data_dir: impl Into<PathBuf>) -> ServiceConfig {
        ServiceConfig {
            data_dir: data_dir.into(),
            database: None,
            public_url: None,
            limits: LimitSettings::default(),
            workers: 4,
            api: true,
            lease: Duration::from_secs(60),
            progress_interval: Duration::from_secs(5),
            poll_interval: Duration::from_millis(250),
            http: engine::HttpSettings::default(),
            job_defaults: engine::JobOptions::default(),
            vpn_locations: Vec::new(),
            webhook_backoff: Duration::from_secs(2),
            webhook_attempts: 8,
            max_body_bytes: 256 * 1024,
            smtp: None,
        }
    }

    /// Sets how many jobs this process runs at once.
    pub fn workers(mut self, n: usize) -> ServiceConfig {
        self.workers = n;
        self
    }

    /// Path of the SQLite store.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("service.db")
    }

    /// What [`Store::open_spec`](crate::store::Store::open_spec) opens: the
    /// PostgreSQL URL, or the SQLite file.
    pub fn store_spec(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| self.db_path().to_string_lossy().into_owned())
    }

    /// Output folder of one job.
    pub fn job_dir(&self, guid: &str) -> PathBuf {
        self.data_dir.join("jobs").join(guid)
    }
}
