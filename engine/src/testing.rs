//! Helpers for testing adapters against a local server (the `fixtures`
//! crate's, or a mirror): a context with no rate limit and fast retries, and
//! a fetch driven to its end.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;

use crate::{
    Adapter, Comment, Cursor, Error, FetchContext, HttpClient, JobOptions, Page, RetryPolicy,
};

/// A fetch context for `platform` whose every host goes to `base_url`, with no
/// rate limit and quick retries (3, from 10 ms), so tests stay fast.
///
/// ```
/// let ctx = engine::testing::local_context("steam", "http://127.0.0.1:9", engine::JobOptions::new());
/// assert_eq!(ctx.http.platform(), "steam");
/// ```
pub fn local_context(platform: &str, base_url: &str, options: JobOptions) -> FetchContext {
    let http = HttpClient::builder(platform)
        .base_url(Some(base_url.parse().expect("a valid base URL")))
        .requests_per_second(None)
        .retry(RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
        })
        .timeout(Duration::from_secs(20))
        .build()
        .expect("an HTTP client");
    FetchContext {
        http,
        options: Arc::new(options),
    }
}

/// Runs a fetch of `url` by `adapter` to its end: the pages, and the error that
/// ended it if any. Panics when the adapter does not claim `url`, or when its
/// stream yields anything after an error (an adapter's stream ends at its
/// first error).
pub async fn fetch_to_end(
    adapter: &dyn Adapter,
    ctx: FetchContext,
    url: &str,
    resume: Option<Cursor>,
) -> (Vec<Page>, Option<Error>) {
    let parsed = url.parse().expect("a valid URL");
    let target = adapter
        .detect(&parsed)
        .unwrap_or_else(|| panic!("{} does not claim {url}", adapter.info().key));
    let mut stream = adapter.fetch(target, ctx, resume);
    let mut pages = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(page) => pages.push(page),
            Err(e) => {
                assert!(
                    stream.next().await.is_none(),
                    "the stream ends after an error"
                );
                return (pages, Some(e));
            }
        }
    }
    (pages, None)
}

/// Every record of `pages`, in order.
///
/// ```
/// assert!(engine::testing::records(&[engine::Page::default()]).is_empty());
/// ```
pub fn records(pages: &[Page]) -> Vec<Comment> {
    pages
        .iter()
        .flat_map(|p| p.records.iter().cloned())
        .collect()
}
