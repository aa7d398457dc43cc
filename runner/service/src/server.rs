//! Starting a service process: the store, the API listener, workers, the
//! outbox tail and the webhook sender, and stopping them all.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::events::{Hub, Links};
use crate::store::{JobRow, Store};
use crate::{Limiter, ServiceConfig, ServiceError};

/// What every request handler and background task shares.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// Settings.
    pub config: Arc<ServiceConfig>,
    /// Per-token limits.
    pub limits: Arc<Limiter>,
    /// Events for WebSocket/SSE clients of this process.
    pub hub: Hub,
    /// Platforms.
    pub registry: engine::Registry,
    /// Base of the links handed out.
    pub public_url: String,
    /// Stops background work.
    pub shutdown: CancellationToken,
}

impl AppState {
    /// Links to a done job's files.
    pub fn links(&self, job: &JobRow) -> Links {
        links(&self.public_url, job)
    }
}

/// Links of a job's files under `base` (only once it is done).
pub fn links(base: &str, job: &JobRow) -> Links {
    if job.status != "done" {
        return Links::default();
    }
    Links {
        json_url: job
            .json_file
            .as_ref()
            .map(|_| format!("{base}/exports/{}.json", job.guid)),
        download_link: job
            .xlsx_file
            .as_ref()
            .map(|_| format!("{base}/exports/{}.xlsx", job.guid)),
    }
}

/// A running service process.
pub struct Server {
    addr: Option<SocketAddr>,
    state: AppState,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    /// Opens the store under `config.data_dir` and starts the API on `bind`
    /// (when `config.api`), `config.workers` workers, and the background loops.
    pub async fn start(config: ServiceConfig, bind: SocketAddr) -> Result<Server, ServiceError> {
        let spec = config.store_spec();
        // The PostgreSQL client is synchronous: connect off the async threads.
        let store = tokio::task::spawn_blocking(move || Store::open_spec(&spec))
            .await
            .map_err(|e| ServiceError::Store(format!("store task failed: {e}")))??;
        std::fs::create_dir_all(config.data_dir.join("jobs"))?;
        let listener = if config.api {
            Some(tokio::net::TcpListener::bind(bind).await?)
        } else {
            None
        };
        let addr = match &listener {
            Some(l) => Some(l.local_addr()?),
            None => None,
        };
        let public_url = config
            .public_url
            .clone()
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_else(|| match addr {
                Some(a) => format!("http://{a}"),
                None => String::new(),
            });
        let state = AppState {
            store,
            limits: Arc::new(Limiter::new(config.limits.clone())),
            config: Arc::new(config),
            hub: crate::events::hub(),
            registry: adapters::registry(),
            public_url,
            shutdown: CancellationToken::new(),
        };
        let mut tasks = Vec::new();
        if let Some(listener) = listener {
            let app = crate::api::router(state.clone());
            let stop = state.shutdown.clone();
            tasks.push(tokio::spawn(async move {
                let serve = axum::serve(listener, app.into_make_service())
                    .with_graceful_shutdown(async move { stop.cancelled().await });
                if let Err(e) = serve.await {
                    tracing::error!("API server stopped: {e}");
                }
            }));
            tasks.push(tokio::spawn(tail_outbox(state.clone())));
        }
        // Webhook deliveries are claimed before sending, so every process may send.
        tasks.push(tokio::spawn(crate::webhooks::run_sender(state.clone())));
        if state.config.smtp.is_some() {
            tasks.push(tokio::spawn(crate::mailer::run_sender(state.clone())));
        }
        crate::api::mark_started();
        // Slots are claimed in the store, so every process may run the scheduler.
        tasks.push(tokio::spawn(crate::scheduler::run(state.clone())));
        for i in 0..state.config.workers {
            tasks.push(tokio::spawn(crate::worker::run(state.clone(), i)));
        }
        Ok(Server { addr, state, tasks })
    }

    /// The API's address (`None` for a worker-only process).
    pub fn addr(&self) -> SocketAddr {
        self.addr
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// Shared state (for tests and embedding).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting requests and stops workers after their current page
    /// (their jobs stay leased and resume from their checkpoints).
    pub async fn shutdown(self) {
        self.state.shutdown.cancel();
        for t in self.tasks {
            let _ = t.await;
        }
    }

    /// Runs until Ctrl-C, then shuts down.
    pub async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
        self.shutdown().await;
    }
}

/// Republishes outbox events written by any process to this process's clients.
async fn tail_outbox(state: AppState) {
    let store = state.store.clone();
    let mut last = tokio::task::spawn_blocking(move || store.last_event_id())
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or(0);
    let mut tick = tokio::time::interval(
        state
            .config
            .poll_interval
            .min(std::time::Duration::from_millis(200)),
    );
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        loop {
            let store = state.store.clone();
            let after = last;
            let rows =
                match tokio::task::spawn_blocking(move || store.events_after(after, 500)).await {
                    Ok(Ok(rows)) => rows,
                    Ok(Err(e)) => {
                        tracing::warn!("event outbox: {e}");
                        break;
                    }
                    Err(_) => break,
                };
            let n = rows.len();
            for r in rows {
                last = r.id;
                let _ = state.hub.send(Arc::new(r));
            }
            if n < 500 {
                break;
            }
        }
    }
}
