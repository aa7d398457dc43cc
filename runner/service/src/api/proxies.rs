//! `/api/v1/proxies…`: proxy pools (create, retrieve, list, update, delete).
//! Proxies arrive in the documented CSV form (`protocol://address:port;user;pass`,
//! one a line); their credentials are stored for the workers and never shown.
//! A pool may carry a `location` so that jobs asking for that `options.vpn`
//! exit through it. Each proxy's health (jobs that ended well or failed with
//! a network-class error through it) is shown with the pool.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::{db, deleted, json_object as object, only_fields, path_uuid, PageQuery};
use crate::auth::Caller;
use crate::store::{PoolRow, ProxyEntry};
use crate::{ApiError, AppState};

/// Most proxies in one pool.
pub const MAX_PROXIES: usize = 1000;

/// Parses one documented proxy line.
///
/// ```
/// let e = service::api::parse_proxy_line("http://192.168.1.1:8080;user;pass").unwrap();
/// assert_eq!(e.address, "http://192.168.1.1:8080");
/// assert_eq!(e.url, "http://user:pass@192.168.1.1:8080");
/// assert!(service::api::parse_proxy_line("ftp://h:1;;").is_err());
/// ```
pub fn parse_proxy_line(line: &str) -> Result<ProxyEntry, String> {
    let mut parts = line.trim().splitn(3, ';');
    let addr = parts.next().unwrap_or_default().trim();
    let user = parts.next().unwrap_or_default();
    let pass = parts.next().unwrap_or_default();
    let mut u =
        url::Url::parse(addr).map_err(|_| "not a protocol://address:port URL".to_string())?;
    if !matches!(u.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err("the protocol must be http, https, socks5 or socks5h".into());
    }
    let host = u
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("no address")?
        .to_string();
    // The URL parser drops a default port (`:80`): look at the text for it.
    let authority = addr
        .split_once("://")
        .map_or("", |(_, a)| a.split('/').next().unwrap_or_default());
    let explicit = authority.rsplit_once(':').is_some_and(|(h, p)| {
        !h.is_empty() && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
    });
    let port = u
        .port_or_known_default()
        .filter(|_| explicit)
        .ok_or("no port")?;
    if !matches!(u.path(), "" | "/") || u.query().is_some() || u.fragment().is_some() {
        return Err("a proxy is protocol://address:port, without a path".into());
    }
    let has_auth = !user.is_empty() || !pass.is_empty() || !u.username().is_empty();
    if !user.is_empty() {
        u.set_username(&userinfo(user))
            .map_err(|_| "bad username")?;
    }
    if !pass.is_empty() {
        u.set_password(Some(&userinfo(pass)))
            .map_err(|_| "bad password")?;
    }
    let address = format!("{}://{host}:{port}", u.scheme());
    let url = u.as_str().trim_end_matches('/').to_string();
    Ok(ProxyEntry {
        url,
        address,
        has_auth,
    })
}

/// Percent-encodes a user name or password for a URL (all but unreserved
/// characters, so that `%`, `@`, `:` and `;` survive the round trip).
fn userinfo(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn parse_proxies(v: &Value) -> Result<Vec<ProxyEntry>, ApiError> {
    let lines: Vec<String> = match v {
        Value::String(s) => s.lines().map(str::to_string).collect(),
        Value::Array(a) => a
            .iter()
            .map(|l| {
                l.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ApiError::validation("proxies must hold strings"))
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(ApiError::validation(
                "proxies must be a string of protocol://address:port;username;password lines",
            ))
        }
    };
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // The line may hold a password: say where, not what.
        let e = parse_proxy_line(line)
            .map_err(|why| ApiError::validation(format!("proxies line {}: {why}", i + 1)))?;
        out.push(e);
    }
    if out.is_empty() || out.len() > MAX_PROXIES {
        return Err(ApiError::validation(format!(
            "proxies must hold 1 to {MAX_PROXIES} proxies"
        )));
    }
    Ok(out)
}

fn check_fields(obj: &Map<String, Value>) -> Result<(), ApiError> {
    only_fields(obj, &["name", "proxies", "location"])
}

fn name(v: &Value) -> Result<String, ApiError> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.chars().count() <= 255)
        .map(str::to_string)
        .ok_or_else(|| ApiError::validation("name must be a string of 1 to 255 characters"))
}

fn location(v: &Value) -> Result<Option<String>, ApiError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if !s.trim().is_empty() && s.chars().count() <= 64 => {
            Ok(Some(s.trim().to_string()))
        }
        _ => Err(ApiError::validation(
            "location must be a location name or code (1 to 64 characters) or null",
        )),
    }
}

fn pool_json(p: &PoolRow) -> Value {
    json!({
        "uuid": p.uuid,
        "name": p.name,
        "proxyCount": p.proxies.len(),
        "location": p.location,
        "createdAt": p.created_at,
        "updatedAt": p.updated_at,
        "proxies": p.proxies.iter().map(|h| json!({
            "address": h.address,
            "auth": h.has_auth,
            "successes": h.successes,
            "failures": h.failures,
            "consecutiveFailures": h.consecutive_failures,
            "lastError": h.last_error,
            "lastUsedAt": h.last_used_at
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)),
        })).collect::<Vec<_>>(),
    })
}

/// `POST /api/v1/proxies`: 201.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let obj = object(&body)?;
    check_fields(&obj)?;
    let name = name(
        obj.get("name")
            .ok_or_else(|| ApiError::validation("name is required"))?,
    )?;
    let entries = parse_proxies(
        obj.get("proxies")
            .ok_or_else(|| ApiError::validation("proxies is required"))?,
    )?;
    let loc = obj.get("location").map(location).transpose()?.flatten();
    let uid = caller.user.id;
    let pool = db(&state, move |s| {
        s.insert_pool(uid, &name, loc.as_deref(), &entries)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(pool_json(&pool))).into_response())
}

/// `GET /api/v1/proxies/{uuid}`.
pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let uuid = path_uuid(&uuid, "proxy pool")?;
    let uid = caller.user.id;
    let pool = db(&state, move |s| s.pool_for(uid, &uuid))
        .await?
        .ok_or_else(|| ApiError::not_found("proxy pool"))?;
    Ok(Json(pool_json(&pool)))
}

/// `GET /api/v1/proxies?page=&limit=`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let (page, limit) = q.resolve(10)?;
    let uid = caller.user.id;
    let pools = db(&state, move |s| s.list_pools(uid, page, limit)).await?;
    Ok(Json(pools.iter().map(pool_json).collect()))
}

/// `PATCH /api/v1/proxies/{uuid}`: only the fields given change.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let uuid = path_uuid(&uuid, "proxy pool")?;
    let obj = object(&body)?;
    check_fields(&obj)?;
    let name = obj.get("name").map(name).transpose()?;
    let entries = obj.get("proxies").map(parse_proxies).transpose()?;
    let loc = obj.get("location").map(location).transpose()?;
    let uid = caller.user.id;
    let pool = db(&state, move |s| {
        s.update_pool(
            uid,
            &uuid,
            name.as_deref(),
            loc.as_ref().map(|l| l.as_deref()),
            entries.as_deref(),
        )
    })
    .await?
    .ok_or_else(|| ApiError::not_found("proxy pool"))?;
    Ok(Json(pool_json(&pool)))
}

/// `DELETE /api/v1/proxies/{uuid}`: 204; jobs naming it fall back to no pool.
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Response, ApiError> {
    let uuid = path_uuid(&uuid, "proxy pool")?;
    let uid = caller.user.id;
    deleted(
        db(&state, move |s| s.delete_pool(uid, &uuid)).await?,
        "proxy pool",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_lines() {
        let e = parse_proxy_line("https://proxy2.com:3128;;").unwrap();
        assert_eq!(
            (e.address.as_str(), e.has_auth),
            ("https://proxy2.com:3128", false)
        );
        let e = parse_proxy_line("socks5://10.0.0.1:1080;admin;se;cret").unwrap();
        assert_eq!(e.url, "socks5://admin:se%3Bcret@10.0.0.1:1080");
        let e = parse_proxy_line("http://h.example:80;u%;p@ss").unwrap();
        assert!(
            e.url.starts_with("http://u%25:p%40ss@h.example"),
            "{}",
            e.url
        );
        for bad in [
            "",
            "h:8080",
            "http://h",
            "http://h:1/path",
            "ftp://h:21;;",
            "http://:80",
        ] {
            assert!(parse_proxy_line(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_never_repeat_passwords() {
        let e = parse_proxies(&json!("http://h:1;u;s3cret\nbad line;u;s3cret")).unwrap_err();
        assert!(
            e.detail.contains("line 2") && !e.detail.contains("s3cret"),
            "{}",
            e.detail
        );
    }
}
