//! The export loop: one export per window, polled until done, each link
//! downloaded as one page; expired links and failed exports are requested
//! again; an export still being prepared when the job stops is aborted.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use engine::{Cursor, Error, FetchContext, HttpClient, Page, PageStream, Target};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::api::{self, Status};
use super::export_csv::parse_export;
use super::range::{parse_bound, window, window_count, Window};

/// Exports requested for one window before its failure ends the job.
pub const MAX_ATTEMPTS: u32 = 3;

/// Times one window's export is requested again because a link expired.
pub const MAX_RENEWALS: u32 = 3;

/// Where the loop stands: the next link to download, as the resume cursor
/// `{"window":2,"link":1,"request_id":"r-9"}` (the request id of the ready
/// export whose links are being downloaded, when there is one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Index of the window (0 = the one starting at `since`).
    pub window: u64,
    /// Index of the next link of that window's export.
    pub link: usize,
    /// The export whose links are being read, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// How often and how long to poll a preparing export.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Polling {
    /// First wait between two status requests (then × 1.5 each time).
    pub first: Duration,
    /// Longest wait between two status requests.
    pub max: Duration,
    /// Longest time one export may take before it is aborted.
    pub deadline: Duration,
}

impl Polling {
    /// From `--param openweb_poll_ms=…` / `openweb_wait_minutes=…`, else
    /// 5 s growing to 60 s with a 2-hour limit; against a loopback server
    /// (tests, local mirrors) 20 ms growing to 200 ms with a 1-minute limit.
    fn from(ctx: &FetchContext) -> Polling {
        let local = ctx
            .http
            .resolve(api::API)
            .ok()
            .is_some_and(|u| match u.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            });
        let mut p = if local {
            Polling {
                first: Duration::from_millis(20),
                max: Duration::from_millis(200),
                deadline: Duration::from_secs(60),
            }
        } else {
            Polling {
                first: Duration::from_secs(5),
                max: Duration::from_secs(60),
                deadline: Duration::from_secs(2 * 3600),
            }
        };
        let num = |k: &str| ctx.options.param(k).and_then(|v| v.parse::<f64>().ok());
        if let Some(ms) = num("openweb_poll_ms").filter(|v| v.is_finite() && *v >= 0.0) {
            p.first = Duration::from_secs_f64(ms / 1000.0);
            p.max = p.max.max(p.first);
        }
        if let Some(m) = num("openweb_wait_minutes").filter(|v| v.is_finite() && *v > 0.0) {
            p.deadline = Duration::from_secs_f64((m * 60.0).min(1e9));
        }
        p
    }
}

/// Aborts the export it holds when dropped (the job was stopped while the
/// export was being prepared): the engine drops a stopped job's stream, and
/// this is the only hook it leaves. Best effort: the abort is sent on the
/// runtime in the background, and a process exiting at once may not wait for it.
struct AbortOnDrop {
    http: HttpClient,
    key: String,
    active: Option<String>,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        let Some(id) = self.active.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (http, key) = (self.http.clone(), self.key.clone());
        runtime.spawn(async move {
            if let Err(e) = api::abort(&http, &key, &id).await {
                tracing::debug!(error = %e, "openweb: abort of a stopped export failed");
            }
        });
    }
}

/// An export of the current window that is ready to download.
struct Ready {
    request_id: String,
    links: Vec<String>,
}

/// Everything the loop carries between two pages.
struct State {
    target: Target,
    ctx: FetchContext,
    key: String,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    windows: u64,
    pos: Position,
    ready: Option<Ready>,
    /// Message ids given out for the current window (a renewed export repeats
    /// the links already read).
    seen: HashSet<String>,
    renewals: u32,
    polling: Polling,
    guard: AbortOnDrop,
    notes: Vec<String>,
}

/// The range of the export: the URL's `since`/`until`, else the job's
/// `--since`/`--until`; no end means now.
fn range(target: &Target, ctx: &FetchContext) -> Result<(DateTime<Utc>, DateTime<Utc>), Error> {
    let bound = |k: &str, end: bool| target.params.get(k).and_then(|v| parse_bound(v, end));
    let since = bound("since", false).or(ctx.options.since).ok_or_else(|| {
        Error::Config(format!(
            "openweb: {} needs a start date: openweb://<spot-id>?since=2024-05-01&until=2024-05-07, \
             or --since",
            target.url
        ))
    })?;
    let until = bound("until", true)
        .or(ctx.options.until)
        .unwrap_or_else(Utc::now);
    if until <= since {
        return Err(Error::Config(format!(
            "openweb: {}: the range ends ({until}) before it starts ({since})",
            target.url
        )));
    }
    Ok((since, until))
}

/// Exports every comment of `target`'s range, starting at `resume` (a
/// [`Position`]) when given. See the [module docs](crate::openweb).
pub(crate) fn fetch(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
    match start(target, ctx, resume) {
        Ok(state) => futures::stream::unfold(Some(state), |state| async move {
            let mut state = state?;
            match state.next_page().await {
                Ok(Some(page)) => {
                    let more = page.next.is_some();
                    Some((Ok(page), more.then_some(state)))
                }
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        })
        .boxed(),
        Err(e) => futures::stream::once(async move { Err(e) }).boxed(),
    }
}

fn start(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> Result<State, Error> {
    let Some(key) = ctx.http.credential().map(str::to_string) else {
        return Err(Error::Config(
            "openweb: no export token: set `api_key` under [platforms.openweb] in the config file \
             or the RUNNER_API_KEY_OPENWEB environment variable (OpenWeb Admin Dashboard → \
             Settings → Authentication Tokens → Export)"
                .into(),
        ));
    };
    let (since, until) = range(&target, &ctx)?;
    let pos = match resume {
        None | Some(serde_json::Value::Null) => Position {
            window: 0,
            link: 0,
            request_id: None,
        },
        Some(c) => serde_json::from_value::<Position>(c.clone()).map_err(|_| {
            Error::Checkpoint(format!(
                "openweb: resume cursor must be {{\"window\":n,\"link\":n[,\"request_id\":…]}}, got {c}"
            ))
        })?,
    };
    let polling = Polling::from(&ctx);
    let guard = AbortOnDrop {
        http: ctx.http.clone(),
        key: key.clone(),
        active: None,
    };
    let windows = window_count(since, until);
    let mut notes = Vec::new();
    if pos.window == 0 && pos.link == 0 {
        notes.push(format!(
            "OpenWeb exports at most 24 hours per request: {} was requested as {windows} window(s)",
            super::range::Window { since, to: until }.label()
        ));
    }
    Ok(State {
        target,
        ctx,
        key,
        since,
        until,
        windows,
        pos,
        ready: None,
        seen: HashSet::new(),
        renewals: 0,
        polling,
        guard,
        notes,
    })
}

/// True when a link download failed because the link is no longer valid.
fn expired(e: &Error) -> bool {
    match e {
        Error::Forbidden { .. } | Error::NotFound { .. } => true,
        Error::Http {
            status: 400,
            excerpt,
            ..
        } => excerpt.to_ascii_lowercase().contains("expired"),
        _ => false,
    }
}

impl State {
    /// The next page (one downloaded link), or `None` after the last window.
    async fn next_page(&mut self) -> Result<Option<Page>, Error> {
        loop {
            let Some(w) = window(self.since, self.until, self.pos.window) else {
                // Notes not yet given (windows without comments) end the job.
                if self.notes.is_empty() {
                    return Ok(None);
                }
                let mut page = Page::new(Vec::new(), None);
                page.notes = std::mem::take(&mut self.notes);
                return Ok(Some(page));
            };
            if self.ready.is_none() {
                let resumed = match self.pos.request_id.take() {
                    Some(id) => self.resume_export(id).await?,
                    None => None,
                };
                let ready = match resumed {
                    Some(r) => r,
                    None => {
                        self.pos.link = 0;
                        self.prepare(w).await?
                    }
                };
                self.ready = Some(ready);
            }
            let Some(ready) = &self.ready else { continue };
            let (link, request_id, links) = (
                ready.links.get(self.pos.link).cloned(),
                ready.request_id.clone(),
                ready.links.len(),
            );
            let Some(link) = link else {
                self.next_window();
                continue;
            };
            let response = match self.ctx.http.get(&link).await {
                Ok(r) => r,
                Err(e) if expired(&e) => {
                    self.renew(w, &e)?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let name = engine::redact_url(&response.url);
            let records = parse_export(&response.body, &self.target, &name)?;
            let mut page = Page::new(Vec::with_capacity(records.len()), None);
            for r in records {
                if self.seen.insert(r.id.clone()) {
                    page.records.push(r);
                }
            }
            page.notes = std::mem::take(&mut self.notes);
            self.pos.link += 1;
            let last_link = self.pos.link >= links;
            let next = if last_link {
                self.next_window();
                (self.pos.window < self.windows).then_some(Position {
                    window: self.pos.window,
                    link: 0,
                    request_id: None,
                })
            } else {
                Some(Position {
                    window: self.pos.window,
                    link: self.pos.link,
                    request_id: Some(request_id),
                })
            };
            page.next = next.map(serde_json::to_value).transpose().map_err(|e| {
                Error::Checkpoint(format!("openweb: cannot encode the cursor: {e}"))
            })?;
            return Ok(Some(page));
        }
    }

    /// Moves to the first link of the next window.
    fn next_window(&mut self) {
        self.pos.window += 1;
        self.pos.link = 0;
        self.ready = None;
        self.seen.clear();
        self.renewals = 0;
    }

    /// A link of window `w` expired: request the window again (its links
    /// are read anew from the first; messages already given are skipped).
    fn renew(&mut self, w: Window, e: &Error) -> Result<(), Error> {
        self.renewals += 1;
        if self.renewals > MAX_RENEWALS {
            return Err(Error::Http {
                status: 410,
                url: engine::redact_url(&api::export_url()),
                excerpt: format!(
                    "the download links of window {} kept expiring ({MAX_RENEWALS} new exports); \
                     last: {e}",
                    w.label()
                ),
            });
        }
        self.notes.push(format!(
            "OpenWeb: a download link of window {} had expired; the window was exported again",
            w.label()
        ));
        self.ready = None;
        self.pos.link = 0;
        Ok(())
    }

    /// After a resume: the export the cursor names, if it is still done
    /// with the links to continue from; `None` means request the window anew.
    async fn resume_export(&mut self, id: String) -> Result<Option<Ready>, Error> {
        match api::status(&self.ctx.http, &self.key, &id).await {
            Ok(Status::Done(links)) if self.pos.link < links.len() => Ok(Some(Ready {
                request_id: id,
                links,
            })),
            Ok(_) | Err(Error::NotFound { .. }) | Err(Error::Parse { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Requests an export of `w` and waits until it is done, requesting it
    /// again when it fails (up to [`MAX_ATTEMPTS`] in all).
    async fn prepare(&mut self, w: Window) -> Result<Ready, Error> {
        let mut last = String::new();
        for attempt in 1..=MAX_ATTEMPTS {
            let id = api::request(&self.ctx.http, &self.key, &w).await?;
            self.guard.active = Some(id.clone());
            let outcome = self.wait(&id, w).await;
            self.guard.active = None;
            match outcome? {
                Status::Done(links) => {
                    return Ok(Ready {
                        request_id: id,
                        links,
                    })
                }
                Status::Ended(status) | Status::Waiting(status) => {
                    if attempt < MAX_ATTEMPTS {
                        self.notes.push(format!(
                            "OpenWeb: the export of window {} ended {status:?}; it was requested again",
                            w.label()
                        ));
                    }
                    last = status;
                }
            }
        }
        Err(Error::Http {
            status: 200,
            url: engine::redact_url(&api::export_url()),
            excerpt: format!(
                "the export of window {} ({} of {}) ended with status {last} {MAX_ATTEMPTS} times; \
                 the windows before it are exported, run again with --resume to retry from it",
                w.label(),
                self.pos.window + 1,
                self.windows
            ),
        })
    }

    /// Polls export `id` until it is done or ended; past the deadline it is
    /// aborted and the wait is an error.
    async fn wait(&mut self, id: &str, w: Window) -> Result<Status, Error> {
        let started = tokio::time::Instant::now();
        let mut pause = self.polling.first;
        loop {
            tokio::time::sleep(pause).await;
            match api::status(&self.ctx.http, &self.key, id).await? {
                Status::Waiting(status) => {
                    if started.elapsed() >= self.polling.deadline {
                        self.guard.active = None;
                        let _ = api::abort(&self.ctx.http, &self.key, id).await;
                        return Err(Error::Network {
                            url: engine::redact_url(&api::status_url(id)),
                            message: format!(
                                "the export of window {} was still {status:?} after {} s; it was \
                                 aborted (raise --param openweb_wait_minutes=…)",
                                w.label(),
                                self.polling.deadline.as_secs()
                            ),
                        });
                    }
                }
                done_or_ended => return Ok(done_or_ended),
            }
            pause = pause.mul_f64(1.5).min(self.polling.max);
        }
    }
}
