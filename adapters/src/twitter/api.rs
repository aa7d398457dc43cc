//! The `TweetDetail` request as X's web client sends it, the two ways of
//! being let in (a logged-in session's `auth_token` + `ct0` cookies, or a
//! guest token), and X's errors mapped to precise typed errors.

use engine::{Error, FetchContext, HttpClient, Response};
use serde_json::{json, Map, Value};

use super::wire::{api_errors, parse_detail, ApiError, Detail};
use super::PLATFORM;

/// The bearer token of X's public web client (the same for every visitor;
/// it identifies the client, not a user).
pub const WEB_BEARER: &str = "AAAAAAAAAAAAAAAAAAAAANRILgAAAAAAnNwIzUejRCOuH5E6I8xnZz4puTs%3D1Zv7ttfk8LF81IUq16cHjhLTvJu4FA33AGWWjCpTnA";

/// The `TweetDetail` query id of X's web client (changes when X ships a new
/// client: when X answers 404 the current one is read from the client's
/// bundle, see [`super::discover`]; `--param query_id=…` overrides it).
pub const TWEET_DETAIL_QUERY_ID: &str = "GtcBtFhtQymrpxAs5MALVA";

/// Job parameter overriding [`TWEET_DETAIL_QUERY_ID`].
pub const PARAM_QUERY_ID: &str = "query_id";

/// Where guest tokens are handed out.
pub const GUEST_ACTIVATE_URL: &str = "https://api.x.com/1.1/guest/activate.json";

/// Feature switches the web client sends with `TweetDetail`; X answers 400
/// ("features cannot be null") when one it expects is missing.
const FEATURES: &[(&str, bool)] = &[
    ("rweb_video_screen_enabled", false),
    ("profile_label_improvements_pcf_label_in_post_enabled", true),
    ("rweb_tipjar_consumption_enabled", true),
    ("verified_phone_label_enabled", false),
    ("creator_subscriptions_tweet_preview_api_enabled", true),
    ("responsive_web_graphql_timeline_navigation_enabled", true),
    (
        "responsive_web_graphql_skip_user_profile_image_extensions_enabled",
        false,
    ),
    ("premium_content_api_read_enabled", false),
    ("communities_web_enable_tweet_community_results_fetch", true),
    ("c9s_tweet_anatomy_moderator_badge_enabled", true),
    (
        "responsive_web_grok_analyze_button_fetch_trends_enabled",
        false,
    ),
    ("responsive_web_grok_analyze_post_followups_enabled", false),
    ("responsive_web_jetfuel_frame", false),
    ("responsive_web_grok_share_attachment_enabled", false),
    ("articles_preview_enabled", true),
    ("responsive_web_edit_tweet_api_enabled", true),
    (
        "graphql_is_translatable_rweb_tweet_is_translatable_enabled",
        true,
    ),
    ("view_counts_everywhere_api_enabled", true),
    ("longform_notetweets_consumption_enabled", true),
    (
        "responsive_web_twitter_article_tweet_consumption_enabled",
        true,
    ),
    ("tweet_awards_web_tipping_enabled", false),
    ("responsive_web_grok_show_grok_translated_post", false),
    ("responsive_web_grok_analysis_button_from_backend", false),
    ("creator_subscriptions_quote_tweet_preview_enabled", false),
    ("freedom_of_speech_not_reach_fetch_enabled", true),
    ("standardized_nudges_misinfo", true),
    (
        "tweet_with_visibility_results_prefer_gql_limited_actions_policy_enabled",
        true,
    ),
    ("longform_notetweets_rich_text_read_enabled", true),
    ("longform_notetweets_inline_media_enabled", true),
    ("responsive_web_grok_image_annotation_enabled", false),
    ("responsive_web_enhance_cards_enabled", false),
];

/// How the job is let in.
#[derive(Clone)]
pub enum Auth {
    /// A logged-in session: the `auth_token` and `ct0` cookies (sent by the
    /// engine from the user's jar); `ct0` also goes in `x-csrf-token`.
    Session {
        /// The `ct0` value (a secret).
        csrf: String,
    },
    /// No cookies: a guest token from `guest/activate.json`.
    Guest {
        /// The guest token (sent as `x-guest-token` and the `gt` cookie).
        token: String,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Auth::Session { .. } => "Auth::Session",
            Auth::Guest { .. } => "Auth::Guest",
        })
    }
}

/// `rankingMode` for the job's sort: newest → `Recency`, top → `Likes`,
/// updated → `Relevance` (X's default order).
pub fn ranking_mode(sort: engine::Sort) -> &'static str {
    match sort {
        engine::Sort::Newest => "Recency",
        engine::Sort::Top => "Likes",
        engine::Sort::Updated => "Relevance",
    }
}

/// The `TweetDetail` URL for `focal`, after `cursor`.
///
/// ```
/// let u = adapters::twitter::api::tweet_detail_url("Q1", "20", Some("C+/="), "Relevance");
/// let url = url::Url::parse(&u).unwrap();
/// assert_eq!(url.path(), "/i/api/graphql/Q1/TweetDetail");
/// let vars: serde_json::Value = serde_json::from_str(
///     &url.query_pairs().find(|(k, _)| k == "variables").unwrap().1).unwrap();
/// assert_eq!((vars["focalTweetId"].as_str(), vars["cursor"].as_str()), (Some("20"), Some("C+/=")));
/// assert!(url.query_pairs().any(|(k, _)| k == "features"));
/// ```
pub fn tweet_detail_url(
    query_id: &str,
    focal: &str,
    cursor: Option<&str>,
    ranking: &str,
) -> String {
    let mut vars = json!({
        "focalTweetId": focal,
        "referrer": "tweet",
        "with_rux_injections": false,
        "rankingMode": ranking,
        "includePromotedContent": false,
        "withCommunity": true,
        "withQuickPromoteEligibilityTweetFields": true,
        "withBirdwatchNotes": true,
        "withVoice": true,
    });
    if let Some(c) = cursor {
        vars["cursor"] = Value::from(c);
    }
    let features: Map<String, Value> = FEATURES
        .iter()
        .map(|(k, v)| (k.to_string(), Value::Bool(*v)))
        .collect();
    let toggles = json!({
        "withArticleRichContentState": true,
        "withArticlePlainText": false,
        "withGrokAnalyze": false,
        "withDisallowedReplyControls": false,
    });
    let mut url = url::Url::parse(&format!(
        "https://x.com/i/api/graphql/{query_id}/TweetDetail"
    ))
    .unwrap_or_else(|_| {
        url::Url::parse("https://x.com/i/api/graphql/x/TweetDetail").expect("a constant URL")
    });
    url.query_pairs_mut()
        .append_pair("variables", &vars.to_string())
        .append_pair("features", &Value::Object(features).to_string())
        .append_pair("fieldToggles", &toggles.to_string());
    url.to_string()
}

/// The headers of an API request for `auth`.
pub fn headers(auth: &Auth, referer: &str) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("authorization", format!("Bearer {WEB_BEARER}")),
        ("x-twitter-active-user", "yes".to_string()),
        ("x-twitter-client-language", "en".to_string()),
        ("content-type", "application/json".to_string()),
        ("referer", referer.to_string()),
    ];
    match auth {
        Auth::Session { csrf } => {
            h.push(("x-csrf-token", csrf.clone()));
            h.push(("x-twitter-auth-type", "OAuth2Session".to_string()));
        }
        Auth::Guest { token } => {
            h.push(("x-guest-token", token.clone()));
            h.push(("cookie", format!("gt={token}")));
        }
    }
    h
}

/// How the job gets in: the user's `auth_token` + `ct0` cookies when set, a
/// guest token otherwise.
pub async fn authenticate(ctx: &FetchContext) -> Result<Auth, Error> {
    let http = &ctx.http;
    match (http.cookie("auth_token"), http.cookie("ct0")) {
        (Some(_), Some(ct0)) => Ok(Auth::Session {
            csrf: ct0.to_string(),
        }),
        (Some(_), None) => Err(forbidden(
            GUEST_ACTIVATE_URL,
            "the auth_token cookie is set but ct0 is missing: X needs both (ct0 is echoed as \
             x-csrf-token); export both from the same logged-in browser",
        )),
        _ => guest_token(http).await.map(|token| Auth::Guest { token }),
    }
}

/// `POST guest/activate.json` with the web bearer → `{"guest_token":"…"}`.
async fn guest_token(http: &HttpClient) -> Result<String, Error> {
    let url = http.resolve(GUEST_ACTIVATE_URL)?;
    let resp = http
        .execute(|c| {
            c.post(url.clone())
                .header("authorization", format!("Bearer {WEB_BEARER}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("")
        })
        .await?;
    let refused = |why: String| {
        forbidden(
            GUEST_ACTIVATE_URL,
            &format!(
                "no auth_token/ct0 cookies were given and X refused a guest token ({why}); \
                 set the cookies of a logged-in session (--cookies cookies.txt, or \
                 auth_token and ct0 under [platforms.twitter])"
            ),
        )
    };
    if !(200..300).contains(&resp.status) {
        return Err(refused(status_and_errors(&resp)));
    }
    let v: Value = serde_json::from_slice(&resp.body).map_err(|e| {
        Error::parse(
            PLATFORM,
            &resp.url,
            format!("guest token answer: {e}"),
            &resp.text(),
            0,
        )
    })?;
    v.get("guest_token")
        .and_then(|t| {
            t.as_str()
                .map(str::to_string)
                .or_else(|| t.as_u64().map(|n| n.to_string()))
        })
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric()))
        .ok_or_else(|| refused("no guest_token in the answer".into()))
}

fn status_and_errors(resp: &Response) -> String {
    let errors = serde_json::from_slice::<Value>(&resp.body)
        .map(|v| api_errors(&v))
        .unwrap_or_default();
    let mut s = format!("HTTP {}", resp.status);
    if !errors.is_empty() {
        s.push_str(": ");
        s.push_str(&describe(&errors));
    }
    s
}

fn describe(errors: &[ApiError]) -> String {
    errors
        .iter()
        .map(|e| match e.code {
            Some(c) => format!("code {c}: {}", e.message.trim()),
            None => e.message.trim().to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn forbidden(url: &str, detail: &str) -> Error {
    Error::Forbidden {
        platform: PLATFORM.into(),
        url: engine::redact_url(url),
        detail: detail.to_string(),
    }
}

/// Reads a `TweetDetail` answer, mapping X's refusals to precise errors.
pub fn read_detail(http: &HttpClient, auth: &Auth, resp: Response) -> Result<Detail, Error> {
    let parsed = parse_detail(&resp.body, &resp.url);
    let errors = match &parsed {
        Ok(d) => d.errors.clone(),
        Err(_) => Vec::new(),
    };
    let has = |code: i64| errors.iter().any(|e| e.code == Some(code));
    let guest = matches!(auth, Auth::Guest { .. });
    let said = || http.scrub(&status_and_errors(&resp));
    match resp.status {
        200..=299 => {}
        401 | 403 | 404 if guest => {
            return Err(forbidden(
                &resp.url,
                &format!(
                    "X answers conversations only to logged-in sessions: guest access was refused ({}); \
                     set the auth_token and ct0 cookies (--cookies cookies.txt, or [platforms.twitter])",
                    said()
                ),
            ))
        }
        401 | 403 if has(353) => {
            return Err(forbidden(
                &resp.url,
                &format!(
                    "the ct0 cookie does not match the session ({}); export auth_token and ct0 \
                     together from one logged-in browser",
                    said()
                ),
            ))
        }
        401 | 403 if has(326) || has(64) => {
            return Err(forbidden(
                &resp.url,
                &format!("the account of these cookies is locked or suspended ({})", said()),
            ))
        }
        401 | 403 => {
            return Err(forbidden(
                &resp.url,
                &format!(
                    "X refused the auth_token/ct0 cookies ({}): they have expired or the session \
                     was logged out; export fresh cookies from a logged-in browser",
                    said()
                ),
            ))
        }
        404 => {
            return Err(Error::Http {
                status: 404,
                url: resp.url.clone(),
                excerpt: format!(
                    "X does not know this TweetDetail query ({}): its web client changed; pass \
                     the current query id with --param {PARAM_QUERY_ID}=…",
                    said()
                ),
            })
        }
        _ => return http.check_status(resp).map(|_| Detail::default()),
    }
    let detail = parsed?;
    if detail.has_timeline {
        return Ok(detail);
    }
    // An answer with errors and no conversation.
    if errors
        .iter()
        .any(|e| e.code == Some(144) || e.message.contains("_Missing"))
    {
        return Err(Error::NotFound {
            platform: PLATFORM.into(),
            url: resp.url.clone(),
            detail: http.scrub(&describe(&errors)),
        });
    }
    if has(88) {
        return Err(Error::RateLimited {
            platform: PLATFORM.into(),
            url: resp.url.clone(),
            retry_after: engine::http::retry_after(&resp.headers),
        });
    }
    if has(32) || has(89) || has(239) {
        return Err(forbidden(
            &resp.url,
            &format!(
                "X refused the auth_token/ct0 cookies ({}): they have expired or the session was \
                 logged out; export fresh cookies from a logged-in browser",
                said()
            ),
        ));
    }
    if errors.is_empty() {
        // `{"data":{}}`: X's answer for a post it does not show.
        return Err(Error::NotFound {
            platform: PLATFORM.into(),
            url: resp.url.clone(),
            detail: "X returned no conversation for this post".into(),
        });
    }
    Err(Error::Http {
        status: resp.status,
        url: resp.url.clone(),
        excerpt: http.scrub(&describe(&errors)),
    })
}
