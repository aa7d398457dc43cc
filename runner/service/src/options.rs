//! The documented `options` object of `POST /api/v3/job`, validated and
//! turned into engine options. Cookies are split off as secrets: they are
//! stored apart and never returned.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::ApiError;

/// Options as validated: what is shown back, what the engine gets, the secrets.
#[derive(Debug, Clone)]
pub struct ParsedOptions {
    /// The options object shown in job responses (cookies reduced to their names).
    pub shown: Value,
    /// Engine options.
    pub engine: engine::JobOptions,
    /// `Cookie` header for the platform, built from `options.cookies` (a secret).
    pub cookie_header: Option<String>,
    /// Exit location name (`options.vpn`).
    pub vpn: Option<String>,
    /// Proxy pool uuid (`options.pool`); the caller checks it is the user's.
    pub pool: Option<String>,
}

const BOOLS: &[&str] = &[
    "replies",
    "likes",
    "shares",
    "followers",
    "following",
    "tweets",
    "live",
    "facebookAds",
    "advanced",
];
const COOKIE_FIELDS: &[(&str, &str)] = &[
    ("sessionid", "sessionid"),
    ("auth_token", "auth_token"),
    ("cookie_user", "c_user"),
    ("cookie_xs", "xs"),
    ("ct0", "ct0"),
];

/// Validates `options` (absent = `{}`), with `defaults` for what it leaves out.
///
/// ```
/// let o = service::options::parse(
///     Some(&serde_json::json!({"limit": 10, "replies": true})),
///     &engine::JobOptions::default(),
/// ).unwrap();
/// assert_eq!(o.engine.limits.total, Some(10));
/// assert!(service::options::parse(Some(&serde_json::json!({"limit": "ten"})), &Default::default()).is_err());
/// ```
pub fn parse(
    options: Option<&Value>,
    defaults: &engine::JobOptions,
) -> Result<ParsedOptions, ApiError> {
    let empty = Map::new();
    let obj = match options {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return Err(ApiError::validation("options must be an object")),
    };
    let mut engine = defaults.clone();
    // Documented default: replies off unless asked for.
    engine.replies = false;
    let mut shown = Map::new();
    let mut cookie_header = None;
    let mut vpn = None;
    let mut pool = None;
    for (k, v) in obj {
        match k.as_str() {
            "limit" => {
                let n = v.as_u64().filter(|n| *n > 0).ok_or_else(|| {
                    ApiError::validation("options.limit must be a positive integer")
                })?;
                engine.limits.total = Some(n);
                shown.insert(k.clone(), v.clone());
            }
            b if BOOLS.contains(&b) => {
                let on = v.as_bool().ok_or_else(|| {
                    ApiError::validation(format!("options.{b} must be a boolean"))
                })?;
                if b == "replies" {
                    engine.replies = on;
                }
                shown.insert(k.clone(), v.clone());
            }
            "minTimestamp" | "maxTimestamp" => {
                let t = v
                    .as_i64()
                    .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                    .ok_or_else(|| {
                        ApiError::validation(format!(
                            "options.{k} must be a Unix timestamp in seconds"
                        ))
                    })?;
                if k == "minTimestamp" {
                    engine.since = Some(t);
                } else {
                    engine.until = Some(t);
                }
                shown.insert(k.clone(), v.clone());
            }
            "vpn" => {
                let s = v
                    .as_str()
                    .filter(|s| !s.trim().is_empty())
                    .ok_or_else(|| ApiError::validation("options.vpn must be a location name"))?;
                vpn = Some(s.trim().to_string());
                shown.insert(k.clone(), v.clone());
            }
            "pool" => {
                let s = v
                    .as_str()
                    .ok_or_else(|| ApiError::validation("options.pool must be a uuid"))?;
                let u = uuid::Uuid::parse_str(s)
                    .map_err(|_| ApiError::validation("options.pool must be a uuid"))?;
                pool = Some(u.to_string());
                shown.insert(k.clone(), v.clone());
            }
            "cursor" => {
                v.as_str()
                    .ok_or_else(|| ApiError::validation("options.cursor must be a string"))?;
                return Err(ApiError::validation(
                    "options.cursor: continuing another service's export is not supported; retry the job instead (it resumes from its checkpoint)",
                ));
            }
            "cookies" => {
                let m = v
                    .as_object()
                    .ok_or_else(|| ApiError::validation("options.cookies must be an object"))?;
                let mut parts = Vec::new();
                let mut names = Vec::new();
                for (ck, cv) in m {
                    let Some((_, wire)) = COOKIE_FIELDS.iter().find(|(api, _)| api == ck) else {
                        return Err(ApiError::validation(format!(
                            "options.cookies.{ck} is not a known cookie (sessionid, auth_token, ct0, cookie_user, cookie_xs)"
                        )));
                    };
                    let val = cv.as_str().ok_or_else(|| {
                        ApiError::validation(format!("options.cookies.{ck} must be a string"))
                    })?;
                    if val.contains([';', '\r', '\n']) {
                        return Err(ApiError::validation(format!(
                            "options.cookies.{ck} holds a character a cookie cannot"
                        )));
                    }
                    parts.push(format!("{wire}={val}"));
                    names.push(Value::String(ck.clone()));
                }
                if !parts.is_empty() {
                    cookie_header = Some(parts.join("; "));
                }
                shown.insert("cookies".into(), Value::Array(names));
            }
            "sort" => {
                let s = v
                    .as_str()
                    .ok_or_else(|| ApiError::validation("options.sort must be a string"))?;
                engine.sort = s
                    .parse()
                    .map_err(|e: String| ApiError::validation(format!("options.sort: {e}")))?;
                shown.insert(k.clone(), v.clone());
            }
            "language" => {
                let s = v
                    .as_str()
                    .ok_or_else(|| ApiError::validation("options.language must be a string"))?;
                engine.language = Some(s.to_string());
                shown.insert(k.clone(), v.clone());
            }
            "params" => {
                let m = v.as_object().ok_or_else(|| {
                    ApiError::validation("options.params must be an object of strings")
                })?;
                let mut params = BTreeMap::new();
                for (pk, pv) in m {
                    let s = pv.as_str().ok_or_else(|| {
                        ApiError::validation(format!("options.params.{pk} must be a string"))
                    })?;
                    params.insert(pk.clone(), s.to_string());
                }
                engine.params.extend(params);
                shown.insert(k.clone(), v.clone());
            }
            other => {
                return Err(ApiError::validation(format!(
                    "options.{other} is not a known option"
                )))
            }
        }
    }
    if let (Some(a), Some(b)) = (engine.since, engine.until) {
        if a > b {
            return Err(ApiError::validation(
                "options.minTimestamp is after options.maxTimestamp",
            ));
        }
    }
    Ok(ParsedOptions {
        shown: Value::Object(shown),
        engine,
        cookie_header,
        vpn,
        pool,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_options_map_to_the_engine() {
        let o = parse(
            Some(
                &json!({"limit": 5, "replies": true, "minTimestamp": 1700000000,
                "cookies": {"sessionid": "s3cr3t", "cookie_user": "1"}}),
            ),
            &engine::JobOptions::default(),
        )
        .unwrap();
        assert_eq!(o.engine.limits.total, Some(5));
        assert!(o.engine.replies);
        assert_eq!(o.engine.since.unwrap().timestamp(), 1700000000);
        assert_eq!(
            o.cookie_header.as_deref(),
            Some("c_user=1; sessionid=s3cr3t")
        );
        assert!(!o.shown.to_string().contains("s3cr3t"));
    }

    #[test]
    fn replies_default_off_as_documented() {
        assert!(
            !parse(None, &engine::JobOptions::default())
                .unwrap()
                .engine
                .replies
        );
    }

    #[test]
    fn wrong_types_and_unknown_keys_are_422() {
        for bad in [
            json!({"limit": -1}),
            json!({"replies": "yes"}),
            json!({"minTimestamp": "2024"}),
            json!({"nope": 1}),
            json!({"cookies": {"password": "x"}}),
            json!({"cookies": {"sessionid": "a;b"}}),
            json!({"minTimestamp": 20, "maxTimestamp": 10}),
            json!([1]),
        ] {
            let e = parse(Some(&bad), &engine::JobOptions::default()).unwrap_err();
            assert_eq!(e.status, 422, "{bad}");
        }
    }
}
