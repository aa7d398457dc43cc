//! One job's InnerTube session: the watch page read once, then
//! `POST /youtubei/v1/next` continuations with its context.

use chrono::Utc;
use engine::{Error, FetchContext, Target};
use serde_json::json;

use super::parse::{parse_reply_page, parse_top_page, ReplyPage, TopPage};
use super::watch::{parse_watch_page, WatchPage};

/// Consent cookie that skips the EU consent interstitial (`consent.youtube.com`).
pub(crate) const CONSENT_COOKIE: &str = "SOCS=CAI";

/// A watch page read and the client to continue with.
pub(crate) struct Session {
    pub ctx: FetchContext,
    pub target: Target,
    pub watch: WatchPage,
}

impl Session {
    /// GETs the watch page (English, consent cookie) and reads it.
    pub(crate) async fn open(target: Target, ctx: FetchContext) -> Result<Session, Error> {
        let url = format!("https://www.youtube.com/watch?v={}&hl=en", target.id);
        let resp = ctx
            .http
            .get_with_headers(
                &url,
                &[
                    ("cookie", CONSENT_COOKIE),
                    ("accept-language", "en-US,en;q=0.9"),
                ],
            )
            .await?;
        let watch = parse_watch_page(&resp.text(), &target, &resp.url)?;
        Ok(Session { ctx, target, watch })
    }

    /// POSTs one continuation token and returns the raw response.
    async fn next(&self, token: &str) -> Result<engine::Response, Error> {
        let mut url = "https://www.youtube.com/youtubei/v1/next?prettyPrint=false".to_string();
        if let Some(key) = &self.watch.api_key {
            // Older clients authenticate the call with the page's API key.
            url.push_str("&key=");
            url.push_str(key);
        }
        let body = json!({"context": self.watch.context, "continuation": token});
        let name = self.watch.client_name.as_deref().unwrap_or("1");
        let headers = [
            ("cookie", CONSENT_COOKIE),
            ("origin", "https://www.youtube.com"),
            ("x-youtube-client-name", name),
            (
                "x-youtube-client-version",
                self.watch.client_version.as_str(),
            ),
        ];
        self.ctx.http.post_json(&url, &body, &headers).await
    }

    /// Fetches and parses a top-level page.
    pub(crate) async fn top_page(&self, token: &str) -> Result<TopPage, Error> {
        let resp = self.next(token).await?;
        parse_top_page(&resp.body, &self.target, &resp.url, Utc::now())
    }

    /// Fetches and parses a replies page.
    pub(crate) async fn reply_page(&self, token: &str) -> Result<ReplyPage, Error> {
        let resp = self.next(token).await?;
        parse_reply_page(&resp.body, &self.target, &resp.url, Utc::now())
    }
}
