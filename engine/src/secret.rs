//! Keeping secrets out of logs, errors, outputs and checkpoints.

use url::Url;

/// Query parameter names whose values are secrets and are masked in any URL we print.
const SECRET_PARAMS: &[&str] = &[
    "key",
    "api_key",
    "apikey",
    "access_token",
    "token",
    "auth",
    "auth_token",
    "sig",
    "signature",
    "sessionid",
    "password",
    "secret",
    "client_secret",
    "ct0",
];

/// Returns `url` with credentials (user:password@) removed and secret-looking
/// query parameters masked; input that is not a URL is returned unchanged.
///
/// ```
/// let r = engine::redact_url("http://user:pw@proxy.example:8080/p?key=abc&cursor=x");
/// assert_eq!(r, "http://***@proxy.example:8080/p?key=***&cursor=x");
/// ```
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return url.to_string();
    };
    let had_credentials = !parsed.username().is_empty() || parsed.password().is_some();
    if had_credentials {
        let _ = parsed.set_password(None);
        let _ = parsed.set_username("***");
    }
    let has_secret_param = parsed
        .query_pairs()
        .any(|(k, _)| SECRET_PARAMS.iter().any(|s| k.eq_ignore_ascii_case(s)));
    if !had_credentials && !has_secret_param {
        return url.to_string();
    }
    if has_secret_param {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let secret = SECRET_PARAMS.iter().any(|s| k.eq_ignore_ascii_case(s));
                (
                    k.into_owned(),
                    if secret {
                        "***".to_string()
                    } else {
                        v.into_owned()
                    },
                )
            })
            .collect();
        // Rebuild by hand so the masked value is not percent-encoded into noise.
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| {
                if v == "***" {
                    format!("{}=***", encode(k))
                } else {
                    format!("{}={}", encode(k), encode(v))
                }
            })
            .collect();
        parsed.set_query(Some(&query.join("&")));
    }
    parsed.to_string()
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_plain_urls() {
        let u = "https://store.steampowered.com/appreviews/440?json=1&cursor=%2A";
        assert_eq!(redact_url(u), u);
    }

    #[test]
    fn masks_socks_credentials() {
        let r = redact_url("socks5://alice:s3cret@10.0.0.1:1080");
        assert!(!r.contains("s3cret") && !r.contains("alice"), "{r}");
    }
}
