//! # service — the job service behind `runner serve`
//!
//! An HTTP API that follows the hosted ExportComments v3 API (jobs, tokens,
//! webhooks, real-time events, usage, bulk download), a SQLite job store, and
//! workers that run each job through the engine with a crash-safe checkpoint.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let config = service::ServiceConfig::new("service-data");
//! let server = service::Server::start(config, "127.0.0.1:8787".parse()?).await?;
//! println!("listening on {}", server.addr());
//! server.wait().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod api;
pub mod auth;
mod config;
mod error;
pub mod events;
pub mod job_setup;
mod limits;
pub mod mailer;
pub mod options;
mod sandbox;
pub mod scheduler;
mod server;
pub mod store;
pub mod webhooks;
pub mod worker;

pub use config::{ServiceConfig, VpnLocation};
pub use error::{ApiError, ServiceError};
pub use limits::{LimitSettings, Limiter};
pub use server::{AppState, Server};
