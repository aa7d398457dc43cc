//! One job's Google Play session, like a browser's: the details page read
//! once (session cookies, `f.sid`, `bl`), then reviews calls carrying the
//! cookies every answer set.

use engine::{Error, FetchContext, Response, Target};

use super::cookies::CookieJar;
use super::envelope::{rpc_answer, Answer};
use super::request::{
    batchexecute_url, details_url, form_body, page_ids, PageIds, ReviewsQuery, Rpc,
};

/// The session of one job.
pub(crate) struct Session {
    ctx: FetchContext,
    /// Language and country of the listing.
    pub hl: String,
    pub gl: String,
    jar: CookieJar,
    ids: PageIds,
    reqid: u64,
    /// The details page answered 404 (the app may not exist).
    pub details_missing: bool,
    /// Facts for the summary found while setting up.
    pub notes: Vec<String>,
}

impl Session {
    /// Opens the session of `target`: `GET /store/apps/details?id=…&hl=…&gl=…`.
    /// A 404 is remembered (an unknown app has no page, but a server may
    /// serve the reviews call alone); other failures end the job only when
    /// they are rate limits, and otherwise are noted.
    pub(crate) async fn open(
        target: &Target,
        ctx: FetchContext,
        hl: String,
        gl: String,
    ) -> Result<Session, Error> {
        let mut s = Session {
            ctx,
            hl,
            gl,
            jar: CookieJar::default(),
            ids: PageIds::default(),
            // Browsers start `_reqid` at a random 4-digit number and add 100000 a call.
            reqid: 1000 + u64::from(chrono::Utc::now().timestamp_subsec_micros() % 9000),
            details_missing: false,
            notes: Vec::new(),
        };
        let url = details_url(&target.id, &s.hl, &s.gl);
        match s
            .ctx
            .http
            .get_with_headers(&url, &[("accept-language", &s.hl)])
            .await
        {
            Ok(resp) => {
                s.absorb(&resp);
                s.ids = page_ids(&resp.text());
            }
            Err(Error::NotFound { .. }) => s.details_missing = true,
            Err(e @ Error::RateLimited { .. }) => return Err(e),
            Err(e) => s.notes.push(format!(
                "the app's details page failed ({}); reviews asked without its session",
                e.kind()
            )),
        }
        Ok(s)
    }

    fn absorb(&mut self, resp: &Response) {
        self.jar.absorb(
            resp.headers
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok()),
        );
    }

    /// One reviews call: `POST …/batchexecute?rpcids=<rpc>…` with `f.req`
    /// and the session cookies; returns the answer for `rpc` and the URL
    /// (redacted) for messages.
    pub(crate) async fn call(
        &mut self,
        rpc: Rpc,
        q: &ReviewsQuery<'_>,
    ) -> Result<(Answer, Response), Error> {
        self.reqid += 100_000;
        let real = batchexecute_url(rpc, &self.hl, &self.gl, &self.ids, self.reqid);
        let url = self.ctx.http.resolve(&real)?;
        let body = form_body(rpc, q);
        let cookie = self.jar.header();
        let referer = details_url(q.package, &self.hl, &self.gl);
        let resp = self
            .ctx
            .http
            .execute(|c| {
                let mut r = c
                    .post(url.clone())
                    .header(
                        "content-type",
                        "application/x-www-form-urlencoded;charset=UTF-8",
                    )
                    .header("origin", "https://play.google.com")
                    .header("referer", referer.as_str())
                    .header("x-same-domain", "1")
                    .body(body.clone());
                if let Some(c) = &cookie {
                    r = r.header("cookie", c.as_str());
                }
                r
            })
            .await?;
        self.absorb(&resp);
        let resp = self.ctx.http.check_status(resp)?;
        let answer = rpc_answer(&resp.body, rpc.id(), &resp.url)?;
        Ok((answer, resp))
    }
}
