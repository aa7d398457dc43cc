//! The watch page: InnerTube configuration (`ytcfg`), the video's
//! playability, and the comments entry point with its sort tokens.

use engine::{Error, Target};
use serde_json::{json, Value};

use super::extract::{initial_data, initial_player_response, ytcfg};
use super::json::{at, continuation_token, str_at, text};
use super::parse::SortTokens;

/// Client used when a page carries no `INNERTUBE_CONTEXT` (as yt-dlp does).
const DEFAULT_CLIENT_NAME: &str = "WEB";
/// Client version of that fallback context.
const DEFAULT_CLIENT_VERSION: &str = "2.20260123.01.00";

/// Where the comments of a video start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The comment section's continuation token and the sort tokens found on the page.
    Comments {
        /// Token of the `comment-item-section` (YouTube's default order, Top).
        section: String,
        /// Sort menu tokens, when the page has the menu (engagement panel).
        sort: SortTokens,
    },
    /// No comments to fetch, with the page's reason ("Comments are turned off.").
    Disabled(String),
}

/// What the watch page tells the client.
#[derive(Debug, Clone)]
pub struct WatchPage {
    /// `INNERTUBE_API_KEY` (older clients send it as `?key=`).
    pub api_key: Option<String>,
    /// `INNERTUBE_CONTEXT`, with `hl` forced to `en` so relative times are English.
    pub context: Value,
    /// `INNERTUBE_CONTEXT_CLIENT_NAME` (a number) for the `X-YouTube-Client-Name` header.
    pub client_name: Option<String>,
    /// Client version for `X-YouTube-Client-Version`.
    pub client_version: String,
    /// The comments entry point.
    pub entry: Entry,
}

/// Parses a watch page. A video that cannot be played is `Forbidden`
/// (private, login or age check) or `NotFound` (removed, unavailable) with
/// YouTube's own reason.
pub fn parse_watch_page(html: &str, target: &Target, url: &str) -> Result<WatchPage, Error> {
    if let Some(player) = initial_player_response(html) {
        check_playability(&player, target)?;
    }
    if !html.contains("ytInitialData") && html.contains("consent.youtube.com") {
        // The consent cookie was not honoured (or a proxy stripped it).
        return Err(Error::Forbidden {
            platform: "youtube".into(),
            url: target.url.clone(),
            detail: "YouTube answered with its cookie consent page instead of the video".into(),
        });
    }
    let data = initial_data(html)
        .ok_or_else(|| Error::parse("youtube", url, "watch page has no ytInitialData", html, 0))?;
    let cfg = ytcfg(html);
    let mut context = cfg.get("INNERTUBE_CONTEXT").cloned().unwrap_or_else(|| {
        json!({"client": {
            "clientName": str_at(&cfg, &["INNERTUBE_CLIENT_NAME"]).unwrap_or(DEFAULT_CLIENT_NAME),
            "clientVersion": str_at(&cfg, &["INNERTUBE_CLIENT_VERSION"]).unwrap_or(DEFAULT_CLIENT_VERSION),
            "gl": "US",
        }})
    });
    let client_version = str_at(&context, &["client", "clientVersion"])
        .or_else(|| str_at(&cfg, &["INNERTUBE_CLIENT_VERSION"]))
        .unwrap_or(DEFAULT_CLIENT_VERSION)
        .to_string();
    if let Some(client) = context.get_mut("client").and_then(Value::as_object_mut) {
        client.insert("hl".into(), Value::String("en".into()));
    }
    let client_name = cfg
        .get("INNERTUBE_CONTEXT_CLIENT_NAME")
        .and_then(|v| match v {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        });
    Ok(WatchPage {
        api_key: str_at(&cfg, &["INNERTUBE_API_KEY"]).map(str::to_string),
        context,
        client_name,
        client_version,
        entry: find_entry(&data, url, html)?,
    })
}

fn check_playability(player: &Value, target: &Target) -> Result<(), Error> {
    let Some(ps) = player.get("playabilityStatus") else {
        return Ok(());
    };
    let status = str_at(ps, &["status"]).unwrap_or("OK");
    if matches!(status, "OK" | "LIVE_STREAM_OFFLINE") {
        return Ok(());
    }
    let reason = ps
        .get("reason")
        .and_then(text)
        .or_else(|| at(ps, &["errorScreen", "playerErrorMessageRenderer", "reason"]).and_then(text))
        .unwrap_or_default();
    let sub = at(
        ps,
        &["errorScreen", "playerErrorMessageRenderer", "subreason"],
    )
    .and_then(text);
    let detail = match sub {
        Some(s) if !s.is_empty() && s != reason => format!("{status}: {reason} — {s}"),
        _ => format!("{status}: {reason}"),
    };
    let (platform, url) = ("youtube".to_string(), target.url.clone());
    Err(match status {
        "ERROR" => Error::NotFound {
            platform,
            url,
            detail,
        },
        _ => Error::Forbidden {
            platform,
            url,
            detail,
        },
    })
}

/// Finds the `comment-item-section` (its token or its message) and the
/// first `sortFilterSubMenuRenderer`, anywhere in `ytInitialData`.
fn find_entry(data: &Value, url: &str, html: &str) -> Result<Entry, Error> {
    let mut section: Option<&Value> = None;
    let mut menu: Option<&Value> = None;
    let mut stack = vec![data];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(s) = map.get("itemSectionRenderer") {
                    if str_at(s, &["sectionIdentifier"]) == Some("comment-item-section")
                        // Prefer the main column's section over the panel's.
                        && (section.is_none() || str_at(s, &["targetId"]) == Some("comments-section"))
                    {
                        section = Some(s);
                    }
                }
                if menu.is_none() {
                    menu = map.get("sortFilterSubMenuRenderer");
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    let sort = menu.map(SortTokens::from_menu).unwrap_or_default();
    let Some(section) = section else {
        if at(data, &["contents", "twoColumnWatchNextResults"]).is_some()
            || at(data, &["contents", "singleColumnWatchNextResults"]).is_some()
        {
            return Ok(Entry::Disabled(
                "the watch page has no comment section (comments are turned off or unavailable)"
                    .into(),
            ));
        }
        return Err(super::json::shape_error(
            url,
            "ytInitialData.contents.twoColumnWatchNextResults",
            "no watch-next results",
            html,
        ));
    };
    let contents = section.get("contents").and_then(Value::as_array);
    let token = contents.and_then(|c| c.iter().find_map(continuation_token));
    match token {
        Some(t) => Ok(Entry::Comments {
            section: t.to_string(),
            sort,
        }),
        None => {
            let message = contents
                .and_then(|c| {
                    c.iter()
                        .find_map(|i| at(i, &["messageRenderer", "text"]).and_then(text))
                })
                .unwrap_or_else(|| {
                    "the comment section has no continuation (comments are turned off)".into()
                });
            Ok(Entry::Disabled(message.trim().to_string()))
        }
    }
}
