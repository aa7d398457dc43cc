//! The config file (TOML) and its merge with command-line options.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use engine::sink::Format;
use engine::{HttpSettings, JobOptions, Limits, RetryPolicy, Sort};

use crate::cli::ExportArgs;

/// `runner.toml`: every export option, plus per-platform sections.
///
/// ```toml
/// out = "export"
/// formats = ["ndjson", "csv"]
/// limit = 1000
/// since = "30d"
/// [platforms.steam]
/// base_url = "http://127.0.0.1:8080"
/// rate = 2.0
/// concurrency = 4
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub out: Option<PathBuf>,
    pub formats: Option<Vec<String>>,
    pub fields: Option<Vec<String>>,
    pub chunk_rows: Option<u64>,
    pub zip: Option<bool>,
    pub combined: Option<bool>,
    pub dedup_store: Option<PathBuf>,
    pub limit: Option<u64>,
    pub max_top_level: Option<u64>,
    pub max_replies: Option<u64>,
    pub max_replies_per_thread: Option<u64>,
    pub max_depth: Option<u32>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub replies: Option<bool>,
    pub sort: Option<String>,
    pub language: Option<String>,
    pub detect_language: Option<bool>,
    /// `lang = ["en", "de"]` (`--lang`).
    pub lang: Option<Vec<String>>,
    /// `sentiment = true` or a `[sentiment]` provider section.
    pub sentiment: Option<crate::provider::SentimentSetting>,
    pub parallel_requests: Option<usize>,
    pub concurrency: Option<usize>,
    pub proxy: Option<String>,
    /// Proxy pool every request goes through (`--proxy-pool`).
    pub proxy_pool: Option<String>,
    /// Exit country: the pools tagged with it (`--vpn`).
    pub vpn: Option<String>,
    /// `[proxy_pools.NAME]`: see `sessions.rs`.
    #[serde(default)]
    pub proxy_pools: HashMap<String, crate::sessions::ProxyPoolConfig>,
    pub cookies_file: Option<PathBuf>,
    pub retries: Option<u32>,
    pub user_agent: Option<String>,
    /// Platform parameters (`country = "jp,us"`, `stars = "5"`), as `--param`.
    #[serde(default)]
    pub params: HashMap<String, String>,
    #[serde(default)]
    pub platforms: HashMap<String, PlatformConfig>,
}

/// `[platforms.<key>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformConfig {
    pub base_url: Option<String>,
    pub rate: Option<f64>,
    pub concurrency: Option<usize>,
    /// `Cookie` header value (a secret).
    pub cookies: Option<String>,
    /// Named cookie fields, as hosted exporters take them (secrets).
    pub sessionid: Option<String>,
    pub auth_token: Option<String>,
    pub ct0: Option<String>,
    pub c_user: Option<String>,
    pub xs: Option<String>,
    /// API key or token the platform's protocol needs (a secret), e.g. OpenWeb's export key.
    pub api_key: Option<String>,
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<ConfigFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid config {}", path.display()))
    }
}

/// Everything a batch needs, resolved from config + command line.
pub struct Resolved {
    pub out: PathBuf,
    pub formats: Vec<Format>,
    pub sink_options: engine::sink::SinkOptions,
    pub combined: bool,
    pub options: JobOptions,
    pub http: HttpSettings,
    pub concurrency: usize,
    pub dedup_store: Option<PathBuf>,
    pub detect_language: bool,
    pub sentiment: bool,
    pub sentiment_provider: Option<engine::sentiment::providers::ProviderConfig>,
}

fn split_pair<'a>(s: &'a str, what: &str) -> Result<(&'a str, &'a str)> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => Ok((k.trim(), v.trim())),
        _ => bail!("{what} must look like PLATFORM=VALUE, got {s:?}"),
    }
}

/// Parses `--since`/`--until`: an age (`30d`, `12h`), a date (`2024-05-01`, midnight UTC) or RFC 3339.
pub fn parse_when(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).context("bad date")?.and_utc());
    }
    let age = humantime::parse_duration(s).with_context(|| {
        format!("{s:?} is not a date (2024-05-01), an RFC 3339 time, or an age (30d, 12h)")
    })?;
    let age = chrono::Duration::from_std(age).context("age too large")?;
    now.checked_sub_signed(age).context("age too large")
}

/// `--fields`, `--chunk-rows` and `--zip` (command line over config file).
fn sink_options(
    args: &ExportArgs,
    file: &ConfigFile,
    formats: &[Format],
) -> Result<engine::sink::SinkOptions> {
    let fields = match args.fields.clone().or(file.fields.clone()) {
        Some(names) => engine::sink::Fields::from_names(names)?,
        None => engine::sink::Fields::all(),
    };
    let chunk_rows = args.chunk_rows.or(file.chunk_rows);
    let zip = args.zip || file.zip.unwrap_or(false);
    if chunk_rows == Some(0) {
        bail!("--chunk-rows must be at least 1");
    }
    if formats.contains(&Format::Parquet) && !engine::sink::PARQUET {
        return Err(engine::sink::parquet_unavailable().into());
    }
    if (zip || chunk_rows.is_some()) && !formats.contains(&Format::Csv) {
        bail!("--chunk-rows and --zip apply to CSV output: add csv to --format");
    }
    Ok(engine::sink::SinkOptions {
        fields,
        chunk_rows,
        zip,
    })
}

impl Resolved {
    pub fn new(args: &ExportArgs, known: &[&str]) -> Result<Resolved> {
        let file = match &args.config {
            Some(p) => ConfigFile::load(p)?,
            None => ConfigFile::default(),
        };
        let check_platform = |k: &str| -> Result<()> {
            if known.contains(&k) {
                Ok(())
            } else {
                bail!("unknown platform {k:?} (known: {})", known.join(", "))
            }
        };
        let formats: Vec<String> = args
            .format
            .clone()
            .or(file.formats.clone())
            .unwrap_or_else(|| vec!["ndjson".into()]);
        let formats = formats
            .iter()
            .map(|f| f.parse::<Format>().map_err(anyhow::Error::msg))
            .collect::<Result<Vec<_>>>()?;
        let sink_options = sink_options(args, &file, &formats)?;
        let now = Utc::now();
        let since = args
            .since
            .clone()
            .or(file.since.clone())
            .map(|s| parse_when(&s, now))
            .transpose()?;
        let until = args
            .until
            .clone()
            .or(file.until.clone())
            .map(|s| parse_when(&s, now))
            .transpose()?;
        if let (Some(a), Some(b)) = (since, until) {
            if a > b {
                bail!("--since is after --until");
            }
        }
        let replies = if args.no_replies {
            false
        } else if args.replies {
            true
        } else {
            file.replies.unwrap_or(true)
        };
        let sort = match args.sort.clone().or(file.sort.clone()) {
            Some(s) => s.parse::<Sort>().map_err(anyhow::Error::msg)?,
            None => Sort::Newest,
        };
        let options = JobOptions {
            limits: Limits {
                total: args.limit.or(file.limit),
                top_level: args.max_top_level.or(file.max_top_level),
                replies: args.max_replies.or(file.max_replies),
                replies_per_thread: args.max_replies_per_thread.or(file.max_replies_per_thread),
                depth: args.max_depth.or(file.max_depth),
            },
            replies,
            since,
            until,
            sort,
            language: args.language.clone().or(file.language.clone()),
            languages: language_list(if args.lang.is_empty() {
                file.lang.as_deref().unwrap_or_default()
            } else {
                &args.lang
            })?,
            parallel_requests: args
                .parallel_requests
                .or(file.parallel_requests)
                .unwrap_or(16)
                .max(1),
            params: Default::default(),
        };
        let mut options = options;
        for (k, v) in &file.params {
            options.params.insert(k.clone(), v.clone());
        }
        for s in &args.param {
            let (k, v) = split_pair(s, "--param")?;
            options.params.insert(k.to_string(), v.to_string());
        }

        let mut http = HttpSettings::default();
        for (k, p) in &file.platforms {
            check_platform(k)?;
            if let Some(u) = &p.base_url {
                http.set_base_url(k, u)?;
            }
            if let Some(r) = p.rate {
                http.rates.insert(k.clone(), r);
            }
            if let Some(c) = p.concurrency {
                http.concurrency.insert(k.clone(), c);
            }
            if let Some(c) = &p.cookies {
                crate::sessions::add_cookies(&mut http, k, c);
            }
            if let Some(c) = crate::sessions::named_fields(&[
                ("sessionid", &p.sessionid),
                ("auth_token", &p.auth_token),
                ("ct0", &p.ct0),
                ("c_user", &p.c_user),
                ("xs", &p.xs),
            ]) {
                crate::sessions::add_cookies(&mut http, k, &c);
            }
            if let Some(c) = &p.api_key {
                http.credentials.insert(k.clone(), c.clone());
            }
        }
        // `RUNNER_API_KEY_<PLATFORM>` (e.g. RUNNER_API_KEY_OPENWEB): keys stay out of
        // shell history and config files; the environment wins over the file.
        for k in known {
            let var = format!("RUNNER_API_KEY_{}", k.to_ascii_uppercase());
            if let Ok(v) = std::env::var(&var) {
                if !v.trim().is_empty() {
                    http.credentials.insert(k.to_string(), v.trim().to_string());
                }
            }
        }
        for s in &args.base_url {
            let (k, v) = split_pair(s, "--base-url")?;
            check_platform(k)?;
            http.set_base_url(k, v)?;
        }
        for s in &args.rate {
            let (k, v) = split_pair(s, "--rate")?;
            check_platform(k)?;
            let r: f64 = v
                .parse()
                .with_context(|| format!("--rate {k}: {v:?} is not a number"))?;
            http.rates.insert(k.to_string(), r);
        }
        for s in &args.platform_concurrency {
            let (k, v) = split_pair(s, "--platform-concurrency")?;
            check_platform(k)?;
            let n: usize = v
                .parse()
                .with_context(|| format!("--platform-concurrency {k}: {v:?} is not a count"))?;
            http.concurrency.insert(k.to_string(), n);
        }
        http.proxy = args.proxy.clone().or(file.proxy.clone());
        http.proxy_pool = crate::sessions::pick_pool(
            &file.proxy_pools,
            args.proxy_pool.as_deref().or(file.proxy_pool.as_deref()),
            args.vpn.as_deref().or(file.vpn.as_deref()),
            http.proxy.as_deref(),
        )?;
        if let Some(path) = args.cookies.clone().or(file.cookies_file.clone()) {
            for (platform, header) in crate::cookies::load_netscape(&path)? {
                crate::sessions::add_cookies(&mut http, &platform, &header);
            }
        }
        if let Some(n) = args.retries.or(file.retries) {
            http.retry = Some(RetryPolicy {
                max_retries: n,
                ..RetryPolicy::default()
            });
        }
        http.user_agent = file.user_agent.clone();
        let sentiment = args.sentiment || file.sentiment.as_ref().is_some_and(|s| s.enabled());
        let sentiment_provider = crate::provider::resolve(args, file.sentiment.as_ref())?;
        let filters_language = !options.languages.is_empty();
        Ok(Resolved {
            out: args
                .out
                .clone()
                .or(file.out.clone())
                .unwrap_or_else(|| PathBuf::from("export")),
            formats,
            combined: !args.no_combined && file.combined.unwrap_or(true),
            options,
            http,
            concurrency: args.concurrency.or(file.concurrency).unwrap_or(8).max(1),
            dedup_store: args.dedup_store.clone().or(file.dedup_store.clone()),
            sink_options,
            // Sentiment reads non-English records for emoji only, so it needs
            // each record's language; a language filter needs it too.
            detect_language: args.detect_language
                || file.detect_language.unwrap_or(false)
                || sentiment
                || sentiment_provider.is_some()
                || filters_language,
            sentiment,
            sentiment_provider,
        })
    }
}

/// `--lang` / `lang = [...]`: ISO 639 codes with an optional region
/// (`pt-BR`), or `und`; lowercased.
fn language_list(codes: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for raw in codes {
        let code = raw.trim().to_ascii_lowercase();
        if code.is_empty() {
            continue;
        }
        let mut parts = code.split(['-', '_']);
        let primary_ok = parts.next().is_some_and(|p| {
            (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase())
        });
        let rest_ok = parts
            .all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !primary_ok || !rest_ok {
            bail!("--lang: {raw:?} is not an ISO 639 language code (e.g. en, de, pt-BR, or und for unknown)");
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_forms() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_when("30d", now).unwrap(),
            now - chrono::Duration::days(30)
        );
        assert_eq!(
            parse_when("2026-01-02", now).unwrap().to_rfc3339(),
            "2026-01-02T00:00:00+00:00"
        );
        assert!(parse_when("yesterday-ish", now).is_err());
    }
}
