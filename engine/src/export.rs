//! Streaming one URL's records to a library user: the same pipeline as a
//! batch (dedup → filter → enrich), without files or checkpoints.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::stream::{self, BoxStream, StreamExt};

use crate::filter::Filter;
use crate::job::{admit, Admission};
use crate::{Comment, Dedup, Error, FetchContext, HttpSettings, JobOptions, PageStream, Registry};

struct State {
    pages: PageStream,
    filter: Filter,
    filter_options: Arc<JobOptions>,
    dedup: Dedup,
    buffered: VecDeque<Comment>,
    done: bool,
    replies_in_same_page: bool,
}

/// Exports one URL as an async stream of records, fetching pages lazily:
/// stop polling and no further page is requested.
///
/// ```no_run
/// # async fn f() -> Result<(), engine::Error> {
/// use futures::StreamExt;
/// let registry = engine::Registry::new(); // add adapters, e.g. `adapters::registry()`
/// let mut s = engine::export(&registry, "https://store.steampowered.com/app/440/",
///     engine::JobOptions::new().limit(10), &engine::HttpSettings::default())?;
/// while let Some(r) = s.next().await { println!("{}", r?.id); }
/// # Ok(()) }
/// ```
pub fn export(
    registry: &Registry,
    url: &str,
    options: JobOptions,
    http: &HttpSettings,
) -> Result<BoxStream<'static, Result<Comment, Error>>, Error> {
    let (adapter, target) = registry.detect(url)?;
    let ctx = FetchContext {
        http: http.client_for(adapter.info())?,
        options: Arc::new(options.clone()),
    };
    let filter_options = ctx.options.clone();
    let state = State {
        pages: adapter.fetch(target, ctx, None),
        filter: Filter::new(&options),
        filter_options,
        dedup: Dedup::new(),
        buffered: VecDeque::new(),
        done: false,
        replies_in_same_page: adapter.info().replies_in_same_page,
    };
    Ok(stream::unfold(state, |mut s| async move {
        loop {
            if let Some(r) = s.buffered.pop_front() {
                return Some((Ok(r), s));
            }
            if s.done {
                return None;
            }
            match s.pages.next().await {
                None => return None,
                Some(Err(e)) => {
                    s.done = true;
                    return Some((Err(e), s));
                }
                Some(Ok(page)) => {
                    s.done = page.is_last();
                    let mut records = page.records;
                    crate::language::detect_for_filter(&s.filter_options, &mut records);
                    for r in records {
                        if let Admission::Kept(_) = admit(&mut s.dedup, &mut s.filter, &r) {
                            s.buffered.push_back(r);
                        }
                    }
                    if s.filter.is_done(s.replies_in_same_page) {
                        s.done = true;
                    }
                }
            }
        }
    })
    .boxed())
}
