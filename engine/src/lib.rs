//! # engine — the streaming core of the comment export engine
//!
//! Records flow one way: an [`Adapter`] fetches pages → records are
//! normalized into [`Comment`]s → deduplicated → filtered (limits, dates,
//! replies) → enriched → written by sinks. [`batch`] runs many URLs at once
//! with crash-safe checkpoints; [`export`] streams one URL's records to
//! library users.
//!
//! ```no_run
//! # async fn demo(registry: engine::Registry) -> Result<(), engine::Error> {
//! use futures::StreamExt;
//! let options = engine::JobOptions::new().limit(100);
//! let mut records = engine::export(&registry, "https://store.steampowered.com/app/440/", options, &engine::HttpSettings::default())?;
//! while let Some(record) = records.next().await {
//!     println!("{}", record?.text);
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod adapter;
pub mod batch;
pub mod checkpoint;
pub mod counts;
pub mod dedup;
mod enrich;
pub mod error;
pub mod events;
mod export;
pub mod filter;
pub mod http;
pub mod job;
pub mod known;
mod language;
pub mod model;
pub mod options;
pub mod registry;
pub mod relative_time;
mod secret;
pub mod sentiment;
pub mod session;
mod settings;
pub mod sink;
pub mod testing;
mod writer;

pub use adapter::{Adapter, Cursor, FetchContext, Page, PageStream, PlatformInfo, Target};
pub use batch::Batch;
pub use dedup::Dedup;
pub use enrich::Enricher;
pub use error::Error;
pub use export::export;
pub use http::{HttpClient, HttpClientBuilder, Response, RetryPolicy};
pub use language::LanguageDetector;
pub use model::{Comment, Kind, Precision, Sentiment};
pub use options::{JobOptions, Limits, Sort};
pub use registry::{PlatformStatus, Registry};
pub use secret::redact_url;
pub use sentiment::SentimentAnalyzer;
pub use settings::HttpSettings;
pub use tokio_util::sync::CancellationToken;
