//! `--sentiment-provider`, `--max-provider-comments` and the config's
//! `[sentiment]` section, resolved into the engine's provider config; and
//! the line printed after the run.

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use engine::sentiment::providers::{ProviderConfig, ProviderEnricher, ProviderKind};

use crate::cli::ExportArgs;

/// `sentiment = true`, or a `[sentiment]` table (which turns sentiment on).
///
/// ```toml
/// [sentiment]
/// provider = "anthropic"          # openai | anthropic | google
/// model = "claude-haiku-4-5"      # LLMs; each provider has a default
/// api_key = "…"                   # else OPENAI_API_KEY / ANTHROPIC_API_KEY / GOOGLE_API_KEY
/// base_url = "http://127.0.0.1:8080"
/// max_comments = 10000            # per run, the rest is scored offline
/// ```
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum SentimentSetting {
    On(bool),
    Section(SentimentSection),
}

impl SentimentSetting {
    pub fn enabled(&self) -> bool {
        match self {
            SentimentSetting::On(b) => *b,
            SentimentSetting::Section(_) => true,
        }
    }
}

/// `[sentiment]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentimentSection {
    pub provider: Option<String>,
    pub model: Option<String>,
    /// A secret: never printed.
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub max_comments: Option<u64>,
    pub batch_size: Option<usize>,
    pub concurrency: Option<usize>,
}

/// The provider to use, if one is asked for on the command line or in the config.
pub fn resolve(
    args: &ExportArgs,
    file: Option<&SentimentSetting>,
) -> Result<Option<ProviderConfig>> {
    let empty = SentimentSection::default();
    let section = match file {
        Some(SentimentSetting::Section(s)) => s,
        _ => &empty,
    };
    let Some(name) = args
        .sentiment_provider
        .as_deref()
        .or(section.provider.as_deref())
    else {
        if args.max_provider_comments.is_some() {
            bail!(
                "--max-provider-comments needs --sentiment-provider (or provider in [sentiment])"
            );
        }
        return Ok(None);
    };
    let kind: ProviderKind = name.parse()?;
    let base_url = section
        .base_url
        .as_deref()
        .map(|u| {
            u.parse::<url::Url>().with_context(|| {
                format!(
                    "[sentiment] base_url {:?} is not a URL",
                    engine::redact_url(u)
                )
            })
        })
        .transpose()?;
    let mut cfg = ProviderConfig::with_key_or_env(kind, section.api_key.clone())?
        .model(section.model.clone())
        .base_url(base_url)
        .max_comments(args.max_provider_comments.or(section.max_comments));
    if let Some(n) = section.batch_size {
        cfg = cfg.batch_size(n);
    }
    if let Some(n) = section.concurrency {
        cfg = cfg.concurrency(n);
    }
    Ok(Some(cfg))
}

/// After the run: what the provider did, and why it stopped if it did.
pub fn report(p: &ProviderEnricher, quiet: bool) {
    let s = p.stats();
    if !quiet {
        eprintln!(
            "sentiment: {} of {} comments sent classified by {} ({} requests); the rest scored offline",
            s.classified,
            s.sent,
            p.method(),
            s.requests
        );
    }
    if let Some(e) = p.last_error() {
        eprintln!("warning: sentiment provider: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> ExportArgs {
        let mut v = vec!["runner", "batch", "urls.txt"];
        v.extend_from_slice(extra);
        match crate::cli::Cli::parse_from(v).command {
            crate::cli::Command::Batch(b) => b.export,
            _ => unreachable!(),
        }
    }

    #[test]
    fn flags_and_section_resolve() {
        let file: crate::config::ConfigFile = toml::from_str(
            "[sentiment]\nprovider = \"anthropic\"\nmodel = \"claude-x\"\napi_key = \"k-abcdef\"\nmax_comments = 7\n",
        )
        .unwrap();
        assert!(file.sentiment.as_ref().unwrap().enabled());
        let cfg = resolve(&args(&[]), file.sentiment.as_ref())
            .unwrap()
            .unwrap();
        assert_eq!(
            (cfg.kind, cfg.model.as_str(), cfg.max_comments),
            (ProviderKind::Anthropic, "claude-x", Some(7))
        );
        let cfg = resolve(
            &args(&[
                "--sentiment-provider",
                "google",
                "--max-provider-comments",
                "3",
            ]),
            file.sentiment.as_ref(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (cfg.kind, cfg.max_comments),
            (ProviderKind::Google, Some(3))
        );
        assert!(!format!("{cfg:?}").contains("k-abcdef"));
    }

    #[test]
    fn plain_switch_and_errors() {
        let file: crate::config::ConfigFile = toml::from_str("sentiment = true\n").unwrap();
        assert!(file.sentiment.as_ref().unwrap().enabled());
        assert!(resolve(&args(&[]), file.sentiment.as_ref())
            .unwrap()
            .is_none());
        assert!(resolve(&args(&["--max-provider-comments", "3"]), None).is_err());
        let e = resolve(&args(&["--sentiment-provider", "bard"]), None).unwrap_err();
        assert!(e.to_string().contains("unknown sentiment provider"), "{e}");
        let bad: Result<crate::config::ConfigFile, _> =
            toml::from_str("[sentiment]\nprovidr = \"openai\"\n");
        assert!(bad.is_err());
    }
}
