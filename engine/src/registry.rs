//! The registry of adapters: which adapter claims a URL, and what we say when none does.

use std::sync::Arc;

use url::Url;

use crate::known::{known_platform, KNOWN_PLATFORMS};
use crate::{redact_url, Adapter, Error, Target};

/// Support status of a platform, as `runner platforms` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformStatus {
    /// Key (`steam`).
    pub key: String,
    /// Display name.
    pub name: String,
    /// True when an adapter is registered.
    pub supported: bool,
}

/// All adapters of a build, plus the list of known platforms.
///
/// ```
/// let reg = engine::Registry::new();
/// let err = reg.detect("https://www.youtube.com/watch?v=x").err().unwrap();
/// assert_eq!(err.kind(), "unsupported_platform");
/// let err = reg.detect("https://example.org/").err().unwrap();
/// assert_eq!(err.kind(), "unsupported_url");
/// ```
#[derive(Clone, Default)]
pub struct Registry {
    adapters: Vec<Arc<dyn Adapter>>,
}

impl Registry {
    /// An empty registry (knows platforms, supports none).
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds an adapter, builder style.
    pub fn with(mut self, adapter: impl Adapter) -> Registry {
        self.adapters.push(Arc::new(adapter));
        self
    }

    /// Adds an adapter.
    pub fn register(&mut self, adapter: Arc<dyn Adapter>) {
        self.adapters.push(adapter);
    }

    /// The adapter registered for a platform key.
    pub fn adapter(&self, key: &str) -> Option<&Arc<dyn Adapter>> {
        self.adapters.iter().find(|a| a.info().key == key)
    }

    /// Every registered adapter.
    pub fn adapters(&self) -> &[Arc<dyn Adapter>] {
        &self.adapters
    }

    /// Which adapter claims `input`, or a precise error: not a URL, a known
    /// platform without adapter, or no platform at all.
    pub fn detect(&self, input: &str) -> Result<(Arc<dyn Adapter>, Target), Error> {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.chars().any(char::is_whitespace) {
            return Err(Error::InvalidUrl {
                input: redact_url(trimmed),
                reason: "not a URL (one URL a line, without spaces)".into(),
            });
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_string()
        } else {
            format!("https://{trimmed}")
        };
        let url = Url::parse(&with_scheme).map_err(|e| Error::InvalidUrl {
            input: redact_url(trimmed),
            reason: e.to_string(),
        })?;
        let web = matches!(url.scheme(), "http" | "https");
        if web && url.host_str().is_none_or(|h| !h.contains('.')) {
            return Err(Error::InvalidUrl {
                input: redact_url(trimmed),
                reason: "not an http(s) URL with a host name".into(),
            });
        }
        if !web {
            // Export APIs that are not pages (e.g. `openweb://<spot>?since=…`) are
            // named by a scheme of their own; only an adapter may claim one.
            for a in &self.adapters {
                if let Some(t) = a.detect(&url) {
                    return Ok((a.clone(), t));
                }
            }
            return Err(Error::InvalidUrl {
                input: redact_url(trimmed),
                reason: "not an http(s) URL with a host name".into(),
            });
        }
        for a in &self.adapters {
            if let Some(t) = a.detect(&url) {
                return Ok((a.clone(), t));
            }
        }
        match known_platform(&url) {
            Some(p) if self.adapter(p.key).is_some() => Err(Error::InvalidUrl {
                input: redact_url(trimmed),
                reason: format!(
                    "a {} URL, but not one that points at something to export",
                    p.name
                ),
            }),
            Some(p) => Err(Error::Unsupported {
                platform: p.name.to_string(),
                url: redact_url(trimmed),
            }),
            None => Err(Error::NoPlatform {
                url: redact_url(trimmed),
            }),
        }
    }

    /// Every known platform with its support status, supported first.
    pub fn platforms(&self) -> Vec<PlatformStatus> {
        let mut out: Vec<PlatformStatus> = KNOWN_PLATFORMS
            .iter()
            .map(|p| PlatformStatus {
                key: p.key.to_string(),
                name: p.name.to_string(),
                supported: self.adapter(p.key).is_some(),
            })
            .collect();
        for a in &self.adapters {
            if !out.iter().any(|p| p.key == a.info().key) {
                out.push(PlatformStatus {
                    key: a.info().key.to_string(),
                    name: a.info().name.to_string(),
                    supported: true,
                });
            }
        }
        out.sort_by_key(|p| !p.supported);
        out
    }
}
