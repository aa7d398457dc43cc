//! Cookies and proxy pools from the config file and the command line.
//!
//! ```toml
//! proxy_pool = "residential"          # or --proxy-pool NAME
//! # vpn = "us"                        # or --vpn us: the pools tagged with that country
//! [proxy_pools.residential]
//! urls = ["http://user:pass@10.0.0.1:8080", "socks5://user:pass@10.0.0.2:1080"]
//! rotation = "per_session"            # or "per_request"
//! country = "us"
//! [platforms.twitter]
//! auth_token = "…"                    # named cookie fields: sessionid, auth_token, ct0, c_user, xs
//! ct0 = "…"
//! ```

use std::collections::HashMap;

use anyhow::{bail, Result};
use serde::Deserialize;

use engine::session::{merge_cookie_headers, ProxyPool, Rotation};
use engine::HttpSettings;

/// `[proxy_pools.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxyPoolConfig {
    /// Proxy URLs (secrets): http, https, socks5, socks5h, with credentials.
    pub urls: Vec<String>,
    /// `per_request` or `per_session` (default).
    pub rotation: Option<String>,
    /// Exit country (ISO 3166 alpha-2) for `--vpn`.
    pub country: Option<String>,
}

/// Every configured pool, checked, sorted by name.
pub fn pools(config: &HashMap<String, ProxyPoolConfig>) -> Result<Vec<ProxyPool>> {
    let mut names: Vec<&String> = config.keys().collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let c = &config[name];
            let rotation = match &c.rotation {
                Some(r) => r.parse::<Rotation>()?,
                None => Rotation::default(),
            };
            Ok(ProxyPool::new(name, &c.urls)?
                .rotation(rotation)
                .country(c.country.as_deref()))
        })
        .collect()
}

/// The pool requests go through: `--proxy-pool NAME` (or `proxy_pool`), or
/// `--vpn CC` (or `vpn`): every pool tagged with that country.
pub fn pick_pool(
    config: &HashMap<String, ProxyPoolConfig>,
    by_name: Option<&str>,
    by_country: Option<&str>,
    proxy: Option<&str>,
) -> Result<Option<ProxyPool>> {
    if by_name.is_none() && by_country.is_none() {
        return Ok(None);
    }
    if proxy.is_some() {
        bail!("--proxy and a proxy pool (--proxy-pool / --vpn) exclude each other");
    }
    let all = pools(config)?;
    match (by_name, by_country) {
        (Some(_), Some(_)) => bail!("--proxy-pool and --vpn exclude each other"),
        (Some(name), None) => match all.into_iter().find(|p| p.name == name) {
            Some(p) => Ok(Some(p)),
            None => {
                let mut known: Vec<&String> = config.keys().collect();
                known.sort();
                bail!(
                    "no proxy pool named {name:?} in the config file (pools: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                )
            }
        },
        (None, Some(country)) => Ok(Some(ProxyPool::for_country(&all, country)?)),
        (None, None) => Ok(None),
    }
}

/// Adds `header` to the cookies of `platform`, keeping those already set.
pub fn add_cookies(http: &mut HttpSettings, platform: &str, header: &str) {
    let merged = match http.cookies.get(platform) {
        Some(existing) => merge_cookie_headers(existing, header),
        None => merge_cookie_headers("", header),
    };
    if !merged.is_empty() {
        http.cookies.insert(platform.to_string(), merged);
    }
}

/// The named cookie fields of a `[platforms.<key>]` section as a header
/// (`auth_token=…; ct0=…`), `None` when none is set.
pub fn named_fields(fields: &[(&str, &Option<String>)]) -> Option<String> {
    let parts: Vec<String> = fields
        .iter()
        .filter_map(|(name, v)| {
            v.as_ref()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(|v| format!("{name}={v}"))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> HashMap<String, ProxyPoolConfig> {
        toml::from_str::<HashMap<String, ProxyPoolConfig>>(
            r#"
            [res]
            urls = ["http://u:SecretPw1@10.0.0.1:8080", "socks5://u:SecretPw2@10.0.0.2:1080"]
            rotation = "per_request"
            country = "US"
            [de]
            urls = ["https://10.0.0.3:443"]
            country = "de"
            "#,
        )
        .unwrap()
    }

    #[test]
    fn pools_by_name_and_country() {
        let c = config();
        let p = pick_pool(&c, Some("res"), None, None).unwrap().unwrap();
        assert_eq!((p.len(), p.rotation), (2, Rotation::PerRequest));
        let p = pick_pool(&c, None, Some("us"), None).unwrap().unwrap();
        assert_eq!((p.name.as_str(), p.len()), ("vpn-us", 2));
        assert!(pick_pool(&c, None, None, None).unwrap().is_none());
        for e in [
            pick_pool(&c, Some("nope"), None, None).unwrap_err(),
            pick_pool(&c, None, Some("fr"), None).unwrap_err(),
            pick_pool(&c, Some("res"), None, Some("http://p:1")).unwrap_err(),
        ] {
            let msg = format!("{e:#}");
            assert!(!msg.contains("SecretPw"), "{msg}");
        }
    }

    #[test]
    fn cookies_merge_across_sources() {
        let mut http = HttpSettings::default();
        add_cookies(&mut http, "twitter", "lang=en; ct0=old");
        let named = named_fields(&[
            ("auth_token", &Some("a1".into())),
            ("ct0", &Some("c1".into())),
            ("xs", &None),
        ]);
        add_cookies(&mut http, "twitter", named.as_deref().unwrap());
        add_cookies(&mut http, "twitter", "guest_id=g");
        assert_eq!(
            http.cookies["twitter"],
            "lang=en; ct0=c1; auth_token=a1; guest_id=g"
        );
    }
}
