//! Typed errors: each says what failed, where, and whether retrying may help.

use std::time::Duration;

/// Everything that can go wrong while exporting.
///
/// Messages never contain secrets: URLs pass through [`crate::redact_url`]
/// before they are stored in an error.
///
/// ```
/// let e = engine::Error::NoPlatform { url: "https://example.org/x".into() };
/// assert_eq!(e.kind(), "unsupported_url");
/// assert!(e.to_string().contains("no platform matches"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The connection failed, timed out, or broke while reading the body.
    #[error("network error on {url}: {message}")]
    Network {
        /// The (redacted) URL requested.
        url: String,
        /// What the transport said.
        message: String,
    },
    /// The platform answered with an HTTP status we cannot use.
    #[error("HTTP {status} from {url}{}", excerpt_suffix(.excerpt))]
    Http {
        /// The status code.
        status: u16,
        /// The (redacted) URL requested.
        url: String,
        /// The start of the body, for diagnosis.
        excerpt: String,
    },
    /// The platform kept answering 429 (or its equivalent) after our retries.
    #[error("rate limited by {platform} on {url}{}", wait_suffix(.retry_after))]
    RateLimited {
        /// Platform key.
        platform: String,
        /// The (redacted) URL requested.
        url: String,
        /// How long the platform asked us to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The thing does not exist (deleted video, unknown app id).
    #[error("not found on {platform}: {url}{}", detail_suffix(.detail))]
    NotFound {
        /// Platform key.
        platform: String,
        /// The (redacted) URL.
        url: String,
        /// What the platform said, if anything.
        detail: String,
    },
    /// Private, age-gated, login required or blocked.
    #[error("access denied by {platform} (private, login required or blocked): {url}{}", detail_suffix(.detail))]
    Forbidden {
        /// Platform key.
        platform: String,
        /// The (redacted) URL.
        url: String,
        /// What the platform said, if anything.
        detail: String,
    },
    /// A response did not have the shape the protocol promises.
    #[error("could not parse {platform} response from {url}: {message} (near: {excerpt:?})")]
    Parse {
        /// Platform key.
        platform: String,
        /// The (redacted) URL.
        url: String,
        /// What was wrong.
        message: String,
        /// A short excerpt of the input around the problem.
        excerpt: String,
    },
    /// No adapter claims this URL, and it belongs to no platform we know.
    #[error("no platform matches this URL: {url}")]
    NoPlatform {
        /// The URL as given.
        url: String,
    },
    /// The URL belongs to a known platform that has no adapter yet.
    #[error("platform {platform} is not supported yet: {url}")]
    Unsupported {
        /// Display name of the platform.
        platform: String,
        /// The URL as given.
        url: String,
    },
    /// The input is not a URL at all, or a URL of the platform we cannot use.
    #[error("invalid URL {input:?}: {reason}")]
    InvalidUrl {
        /// The input line.
        input: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Reading or writing a local file failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Options or configuration are inconsistent.
    #[error("configuration error: {0}")]
    Config(String),
    /// The checkpoint journal cannot be used for `--resume`.
    #[error("checkpoint error: {0}")]
    Checkpoint(String),
    /// The job was stopped (Ctrl-C or a stop request) before it finished.
    #[error("stopped before completion")]
    Stopped,
}

fn excerpt_suffix(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!(": {excerpt:?}")
    }
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

fn wait_suffix(wait: &Option<Duration>) -> String {
    match wait {
        Some(d) => format!("; asked to wait {}s", d.as_secs()),
        None => String::new(),
    }
}

impl Error {
    /// A stable machine-readable kind, used in `summary.json` and job records.
    ///
    /// ```
    /// let e = engine::Error::Stopped;
    /// assert_eq!(e.kind(), "stopped");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Network { .. } => "network",
            Error::Http { .. } => "http_status",
            Error::RateLimited { .. } => "rate_limited",
            Error::NotFound { .. } => "not_found",
            Error::Forbidden { .. } => "forbidden",
            Error::Parse { .. } => "parse",
            Error::NoPlatform { .. } => "unsupported_url",
            Error::Unsupported { .. } => "unsupported_platform",
            Error::InvalidUrl { .. } => "invalid_url",
            Error::Io { .. } => "io",
            Error::Config(_) => "config",
            Error::Checkpoint(_) => "checkpoint",
            Error::Stopped => "stopped",
        }
    }

    /// Whether trying the same request again later may succeed.
    ///
    /// ```
    /// let e = engine::Error::Http { status: 503, url: "u".into(), excerpt: String::new() };
    /// assert!(e.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Network { .. } | Error::RateLimited { .. } => true,
            Error::Http { status, .. } => *status >= 500 || *status == 408,
            _ => false,
        }
    }

    /// Builds a [`Error::Parse`] with a short, char-boundary-safe excerpt of `input` around `at`.
    ///
    /// ```
    /// let e = engine::Error::parse("steam", "https://x/", "missing field", "{\"a\":1}", 0);
    /// assert_eq!(e.kind(), "parse");
    /// ```
    pub fn parse(
        platform: &str,
        url: &str,
        message: impl Into<String>,
        input: &str,
        at: usize,
    ) -> Error {
        Error::Parse {
            platform: platform.to_string(),
            url: crate::redact_url(url),
            message: message.into(),
            excerpt: excerpt(input, at, 80),
        }
    }

    /// Wraps an I/O error with the file it concerns.
    ///
    /// ```
    /// let e = engine::Error::io("out.csv", std::io::Error::other("disk full"));
    /// assert!(e.to_string().contains("out.csv"));
    /// ```
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// Up to `width` characters of `input` around byte offset `at`, cut on char boundaries.
pub(crate) fn excerpt(input: &str, at: usize, width: usize) -> String {
    let at = at.min(input.len());
    let mut start = at.saturating_sub(width / 2);
    while !input.is_char_boundary(start) {
        start -= 1;
    }
    input[start..].chars().take(width).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_char_safe() {
        let s = "日本語のテキスト".repeat(20);
        for at in 0..s.len() + 3 {
            let e = excerpt(&s, at, 10);
            assert!(e.chars().count() <= 10);
        }
    }
}
