//! The sessions of one platform (the Crawlee model): each session is a proxy,
//! a cookie jar and a user agent with an error score. The pool hands them
//! out, retires the ones that get blocked or whose proxy is dead, and keeps
//! the ones that work.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};

use super::{CookieJar, ProxyPool, Rotation, Signal};
use crate::Error;

/// Error score at which a session is retired (each 429 or broken transfer
/// adds 1, each good answer takes 0.5 off).
pub const MAX_ERROR_SCORE: f64 = 3.0;

/// Why a session was retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retired {
    /// The platform blocked it (captcha page, login wall, HTML 403).
    Blocked(&'static str),
    /// It kept being rate limited.
    RateLimited,
    /// Its proxy could not be reached.
    DeadProxy(String),
    /// Its transfers kept failing.
    Unreliable(String),
}

impl std::fmt::Display for Retired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Retired::Blocked(why) => write!(f, "blocked ({why})"),
            Retired::RateLimited => f.write_str("rate limited repeatedly"),
            Retired::DeadProxy(e) => write!(f, "proxy unreachable: {e}"),
            Retired::Unreliable(e) => write!(f, "repeated transfer errors: {e}"),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    score: f64,
    retired: Option<Retired>,
    uses: u64,
}

/// One session: a proxy (its own connection pool), a cookie jar seeded with
/// the user's cookies, a user agent, and an error score.
pub struct Session {
    index: usize,
    client: reqwest::Client,
    user_agent: String,
    jar: Mutex<CookieJar>,
    state: Mutex<State>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the proxy URL nor cookie values.
        let st = lock(&self.state);
        f.debug_struct("Session")
            .field("id", &self.index)
            .field("score", &st.score)
            .field("retired", &st.retired)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// 1-based number of the session (and of its proxy in the pool).
    pub fn id(&self) -> usize {
        self.index + 1
    }

    /// The HTTP client going through this session's proxy.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The session's user agent.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Current error score.
    pub fn error_score(&self) -> f64 {
        lock(&self.state).score
    }

    /// Requests sent through this session.
    pub fn uses(&self) -> u64 {
        lock(&self.state).uses
    }

    /// Why it was retired, if it was.
    pub fn retired(&self) -> Option<Retired> {
        lock(&self.state).retired.clone()
    }

    /// A cookie of this session's jar.
    pub fn cookie(&self, name: &str) -> Option<String> {
        lock(&self.jar).get(name).map(str::to_string)
    }

    /// Sets the request's `Cookie` header to this session's jar merged with
    /// the cookies the request already carries (those win on a shared name).
    pub(crate) fn apply_cookies(&self, headers: &mut HeaderMap) {
        let jar = lock(&self.jar).clone();
        apply_cookies(&jar, headers);
        lock(&self.state).uses += 1;
    }

    /// Takes the cookies a response sets (except the user's own, `pinned`).
    pub(crate) fn absorb(&self, headers: &HeaderMap, pinned: &[&str]) {
        let set: Vec<&str> = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if !set.is_empty() {
            lock(&self.jar).absorb(set, pinned);
        }
    }
}

/// Sets `headers`' `Cookie` to `jar` merged with the cookies already there
/// (those win on a shared name). The value is marked sensitive.
pub(crate) fn apply_cookies(jar: &CookieJar, headers: &mut HeaderMap) {
    let added: Vec<String> = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    if jar.is_empty() && added.len() <= 1 {
        return;
    }
    let mut merged = jar.clone();
    for a in &added {
        merged.merge(&CookieJar::parse_header(a));
    }
    headers.remove(COOKIE);
    if let Some(h) = merged.header() {
        if let Ok(mut v) = HeaderValue::from_str(&h) {
            v.set_sensitive(true);
            headers.insert(COOKIE, v);
        }
    }
}

/// The sessions of one platform. Shared by every clone of its HttpClient.
///
/// ```
/// use engine::session::{CookieJar, ProxyPool, SessionPool, Signal};
/// let proxies = ProxyPool::new("p", ["http://10.0.0.1:8080", "http://10.0.0.2:8080"]).unwrap();
/// let pool = SessionPool::new(&proxies, &CookieJar::default(), &["UA".into()], |_proxy, _ua| {
///     Ok(reqwest::Client::new())
/// }).unwrap();
/// let s = pool.acquire().unwrap();
/// assert_eq!(pool.report(&s, Signal::Blocked("captcha page")).map(|r| r.to_string()),
///     Some("blocked (captcha page)".to_string()));
/// assert_eq!((pool.live(), pool.acquire().unwrap().id()), (1, 2));
/// ```
pub struct SessionPool {
    name: String,
    rotation: Rotation,
    sessions: Vec<Arc<Session>>,
    next: AtomicUsize,
    last_retired: Mutex<Option<Retired>>,
}

impl std::fmt::Debug for SessionPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionPool")
            .field("name", &self.name)
            .field("rotation", &self.rotation)
            .field("sessions", &self.sessions.len())
            .field("live", &self.live())
            .finish()
    }
}

impl SessionPool {
    /// One session per proxy of `proxies`, each with a copy of `cookies` and
    /// a user agent taken in turn from `user_agents`; `make_client(proxy,
    /// user_agent)` builds each session's HTTP client.
    pub fn new(
        proxies: &ProxyPool,
        cookies: &CookieJar,
        user_agents: &[String],
        make_client: impl Fn(&str, &str) -> Result<reqwest::Client, Error>,
    ) -> Result<SessionPool, Error> {
        if proxies.is_empty() {
            return Err(Error::Config(format!(
                "proxy pool {:?} has no urls",
                proxies.name
            )));
        }
        let mut sessions = Vec::with_capacity(proxies.len());
        for (index, proxy) in proxies.urls.iter().enumerate() {
            let ua = user_agents
                .get(index % user_agents.len().max(1))
                .cloned()
                .unwrap_or_else(|| crate::http::DEFAULT_USER_AGENT.to_string());
            sessions.push(Arc::new(Session {
                index,
                client: make_client(proxy, &ua)?,
                user_agent: ua,
                jar: Mutex::new(cookies.clone()),
                state: Mutex::new(State::default()),
            }));
        }
        Ok(SessionPool {
            name: proxies.name.clone(),
            rotation: proxies.rotation,
            sessions,
            next: AtomicUsize::new(0),
            last_retired: Mutex::new(None),
        })
    }

    /// The pool's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sessions not retired.
    pub fn live(&self) -> usize {
        self.sessions
            .iter()
            .filter(|s| lock(&s.state).retired.is_none())
            .count()
    }

    /// Every session, retired or not.
    pub fn sessions(&self) -> &[Arc<Session>] {
        &self.sessions
    }

    /// The session for the next request: per request, the next live one in
    /// turn; per session, the current one until it is retired. `None` when
    /// every session is retired.
    pub fn acquire(&self) -> Option<Arc<Session>> {
        let n = self.sessions.len();
        let start = match self.rotation {
            Rotation::PerRequest => self.next.fetch_add(1, Ordering::Relaxed),
            Rotation::PerSession => self.next.load(Ordering::Relaxed),
        };
        for k in 0..n {
            let i = (start + k) % n;
            let s = &self.sessions[i];
            if lock(&s.state).retired.is_none() {
                if self.rotation == Rotation::PerSession && k > 0 {
                    self.next.store(i, Ordering::Relaxed);
                }
                return Some(s.clone());
            }
        }
        None
    }

    /// Records what a response said about `session`; returns why it was
    /// retired when this retired it.
    pub fn report(&self, session: &Session, signal: Signal) -> Option<Retired> {
        let mut st = lock(&session.state);
        if st.retired.is_some() {
            return None;
        }
        let retire = match signal {
            Signal::Good => {
                st.score = (st.score - 0.5).max(0.0);
                None
            }
            Signal::Neutral => None,
            Signal::RateLimited => {
                st.score += 1.0;
                (st.score >= MAX_ERROR_SCORE).then_some(Retired::RateLimited)
            }
            Signal::Blocked(why) => Some(Retired::Blocked(why)),
        };
        self.retire(&mut st, retire)
    }

    /// Records a failed transfer: a proxy that cannot be reached (`connect`)
    /// retires the session at once; other failures raise its score.
    pub fn report_failure(
        &self,
        session: &Session,
        connect: bool,
        message: &str,
    ) -> Option<Retired> {
        let mut st = lock(&session.state);
        if st.retired.is_some() {
            return None;
        }
        let retire = if connect {
            Some(Retired::DeadProxy(message.to_string()))
        } else {
            st.score += 1.0;
            (st.score >= MAX_ERROR_SCORE).then(|| Retired::Unreliable(message.to_string()))
        };
        self.retire(&mut st, retire)
    }

    fn retire(&self, st: &mut State, why: Option<Retired>) -> Option<Retired> {
        let why = why?;
        st.retired = Some(why.clone());
        *lock(&self.last_retired) = Some(why.clone());
        Some(why)
    }

    /// The error a request gets when no session is left.
    pub fn exhausted(&self, platform: &str, url: &str) -> Error {
        let last = lock(&self.last_retired).clone();
        let what = format!(
            "every session of proxy pool {:?} ({} proxies) was retired",
            self.name,
            self.sessions.len()
        );
        match last {
            Some(Retired::Blocked(why)) => Error::Forbidden {
                platform: platform.to_string(),
                url: url.to_string(),
                detail: format!("{what}; the last one was blocked ({why})"),
            },
            Some(Retired::RateLimited) => Error::RateLimited {
                platform: platform.to_string(),
                url: url.to_string(),
                retry_after: None,
            },
            Some(Retired::DeadProxy(e)) | Some(Retired::Unreliable(e)) => Error::Network {
                url: url.to_string(),
                message: format!("{what}; last failure: {e}"),
            },
            None => Error::Config(what),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these locks cannot leave them inconsistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(rotation: Rotation, n: usize) -> SessionPool {
        let urls: Vec<String> = (0..n).map(|i| format!("http://10.0.0.{i}:8080")).collect();
        let proxies = ProxyPool::new("t", urls).unwrap().rotation(rotation);
        let jar = CookieJar::parse_header("auth=user");
        SessionPool::new(&proxies, &jar, &["ua-a".into(), "ua-b".into()], |_, _| {
            Ok(reqwest::Client::new())
        })
        .unwrap()
    }

    #[test]
    fn per_request_rotates_and_skips_retired() {
        let p = pool(Rotation::PerRequest, 3);
        let ids: Vec<usize> = (0..4).map(|_| p.acquire().unwrap().id()).collect();
        assert_eq!(ids, vec![1, 2, 3, 1]);
        let s2 = p.sessions()[1].clone();
        assert!(p.report_failure(&s2, true, "connection refused").is_some());
        let ids: Vec<usize> = (0..4).map(|_| p.acquire().unwrap().id()).collect();
        assert!(!ids.contains(&2), "{ids:?}");
        assert_eq!(p.sessions()[1].user_agent(), "ua-b");
    }

    #[test]
    fn per_session_sticks_until_retired() {
        let p = pool(Rotation::PerSession, 3);
        assert!((0..5).all(|_| p.acquire().unwrap().id() == 1));
        let s = p.acquire().unwrap();
        // Two 429s, then a good answer, then two more: 1 + 1 - 0.5 + 1 = 2.5 < 3, then 3.5.
        for sig in [
            Signal::RateLimited,
            Signal::RateLimited,
            Signal::Good,
            Signal::RateLimited,
        ] {
            assert_eq!(p.report(&s, sig), None);
        }
        assert_eq!(
            p.report(&s, Signal::RateLimited),
            Some(Retired::RateLimited)
        );
        assert_eq!(p.acquire().unwrap().id(), 2);
        assert_eq!(p.acquire().unwrap().id(), 2);
    }

    #[test]
    fn exhausted_pool_says_why() {
        let p = pool(Rotation::PerSession, 2);
        for s in p.sessions().to_vec() {
            p.report(&s, Signal::Blocked("captcha page"));
        }
        assert!(p.acquire().is_none());
        let e = p.exhausted("twitter", "https://x.com/i/api");
        assert_eq!(e.kind(), "forbidden");
        assert!(e.to_string().contains("captcha page"), "{e}");
        let p = pool(Rotation::PerSession, 1);
        p.report_failure(&p.sessions()[0].clone(), true, "connection refused");
        assert_eq!(p.exhausted("x", "u").kind(), "network");
    }

    #[test]
    fn session_jar_keeps_user_cookies_and_learns_others() {
        let p = pool(Rotation::PerSession, 1);
        let s = p.acquire().unwrap();
        let mut h = HeaderMap::new();
        h.append(SET_COOKIE, "auth=server; Path=/".parse().unwrap());
        h.append(SET_COOKIE, "guest=g1".parse().unwrap());
        s.absorb(&h, &["auth"]);
        let mut req = HeaderMap::new();
        req.insert(COOKIE, "extra=e".parse().unwrap());
        s.apply_cookies(&mut req);
        assert_eq!(req[COOKIE], "auth=user; guest=g1; extra=e");
        assert!(req[COOKIE].is_sensitive());
        assert_eq!(s.uses(), 1);
    }
}
