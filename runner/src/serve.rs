//! `runner serve`, `runner worker` and `runner token`: the job service's commands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use crate::cli::ExportArgs;
use crate::config::Resolved;

/// Options of `runner serve` / `runner worker`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Folder of the store (`service.db`) and the jobs' files.
    #[arg(long, default_value = "service-data")]
    pub data: PathBuf,
    /// Keep the store in PostgreSQL (`postgres://user:pass@host/db`) instead of
    /// SQLite under --data; workers on several machines share it (and --data).
    #[arg(long, env = "RUNNER_DATABASE", hide_env_values = true)]
    pub database: Option<String>,
    /// Address the API listens on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub bind: SocketAddr,
    /// Jobs this process runs at once.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Base of the links handed out (json_url, download_link) [default: http://BIND].
    #[arg(long)]
    pub public_url: Option<String>,
    /// Seconds a worker's lease lasts without renewal (a dead worker's job moves on after this).
    #[arg(long, default_value_t = 60)]
    pub lease_secs: u64,
    /// Shortest interval between two progress events of a job, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub progress_ms: u64,
    /// How often idle workers look at the queue, in milliseconds.
    #[arg(long, default_value_t = 250)]
    pub poll_ms: u64,
    /// API requests per minute per token.
    #[arg(long, default_value_t = 200)]
    pub rate_per_minute: u32,
    /// Exports of one user running at once.
    #[arg(long, default_value_t = 5)]
    pub concurrent_exports: u32,
    /// Exports of one user waiting in the queue before creation answers 429.
    #[arg(long, default_value_t = 1000)]
    pub queued_exports: u32,
    /// First webhook retry delay in milliseconds (doubles on each failure).
    #[arg(long, default_value_t = 2000)]
    pub webhook_backoff_ms: u64,
    /// Mail server for `deliveryMethod: email` and run notifications:
    /// `smtp://[user:pass@]host[:port]` (`?tls=required` for STARTTLS) or `smtps://…`.
    #[arg(
        long,
        env = "RUNNER_SMTP",
        hide_env_values = true,
        requires = "mail_from"
    )]
    pub smtp: Option<String>,
    /// Sender address of those mails.
    #[arg(long, value_name = "ADDRESS")]
    pub mail_from: Option<String>,
    /// An exit location for `options.vpn`: `NAME=CODE[=PROXY_URL]`, e.g. `Norway=NO=socks5://…`. Repeatable.
    #[arg(long = "vpn-location", value_name = "NAME=CODE[=PROXY]")]
    pub vpn_location: Vec<String>,
    /// Network options of the exports (base URLs, rates, proxy, cookies, config file).
    #[command(flatten)]
    pub export: ExportArgs,
}

/// `runner token …`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: TokenCommand,
}

/// Token subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token (printed once; only its hash is stored).
    Create {
        /// Folder of the service's store.
        #[arg(long, default_value = "service-data")]
        data: PathBuf,
        /// Owner of the token (created on first use); tokens of one user see the same jobs.
        #[arg(long, default_value = "admin")]
        user: String,
        /// Display name of the token.
        #[arg(long)]
        name: Option<String>,
        /// The user's email address, where scheduled exports with email
        /// delivery or notifications report (needs `runner serve --smtp`).
        #[arg(long)]
        email: Option<String>,
        /// The service's PostgreSQL store, if it uses one.
        #[arg(long, env = "RUNNER_DATABASE", hide_env_values = true)]
        database: Option<String>,
    },
}

fn parse_vpn(s: &str) -> Result<service::VpnLocation> {
    let mut parts = s.splitn(3, '=');
    let (Some(name), Some(code)) = (parts.next(), parts.next()) else {
        bail!(
            "--vpn-location must look like NAME=CODE[=PROXY_URL], got {:?}",
            engine::redact_url(s)
        );
    };
    if name.trim().is_empty() || code.trim().is_empty() {
        bail!("--vpn-location must look like NAME=CODE[=PROXY_URL]");
    }
    Ok(service::VpnLocation {
        name: name.trim().to_string(),
        code: code.trim().to_uppercase(),
        proxy: parts
            .next()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty()),
    })
}

/// Runs the API and workers (`api = true`) or workers only, until Ctrl-C.
pub async fn serve(args: ServeArgs, api: bool, known: &[&str]) -> Result<u8> {
    let resolved = Resolved::new(&args.export, known)?;
    let mut config = service::ServiceConfig::new(&args.data).workers(args.workers);
    config.api = api;
    config.database = args.database.clone();
    config.public_url = args.public_url.clone();
    config.lease = Duration::from_secs(args.lease_secs.max(1));
    config.progress_interval = Duration::from_millis(args.progress_ms);
    config.poll_interval = Duration::from_millis(args.poll_ms.max(10));
    config.http = resolved.http;
    config.job_defaults = resolved.options;
    config.limits.rate_per_minute = args.rate_per_minute;
    config.limits.concurrent_exports = args.concurrent_exports.max(1);
    config.limits.queued_exports = args.queued_exports;
    config.webhook_backoff = Duration::from_millis(args.webhook_backoff_ms);
    config.vpn_locations = args
        .vpn_location
        .iter()
        .map(|v| parse_vpn(v))
        .collect::<Result<_>>()?;
    if let Some(url) = &args.smtp {
        let from = args.mail_from.as_deref().unwrap_or_default();
        config.smtp =
            Some(service::mailer::SmtpSettings::new(url, from).map_err(anyhow::Error::msg)?);
    }
    if !api && args.workers == 0 {
        bail!("runner worker needs --workers ≥ 1");
    }
    let server = service::Server::start(config, args.bind)
        .await
        .with_context(|| format!("cannot start the service on {}", args.bind))?;
    if api {
        // Tests and scripts read this line to learn the port (with --bind 127.0.0.1:0).
        println!("listening on http://{}", server.addr());
    } else {
        println!("worker running on {}", args.data.display());
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    server.wait().await;
    Ok(crate::EXIT_OK)
}

/// `runner token create`.
pub fn token(args: TokenArgs) -> Result<u8> {
    match args.command {
        TokenCommand::Create {
            data,
            user,
            name,
            email,
            database,
        } => {
            if let Some(e) = &email {
                if !service::mailer::valid_address(e) {
                    bail!("--email {e:?} is not an email address");
                }
            }
            let spec =
                database.unwrap_or_else(|| data.join("service.db").to_string_lossy().into_owned());
            let store = service::store::Store::open_spec(&spec)
                .with_context(|| format!("cannot open the store {}", engine::redact_url(&spec)))?;
            let user = store.user_named(&user)?;
            if let Some(e) = &email {
                store.set_user_email(user.id, Some(e))?;
            }
            let token = service::auth::new_token();
            let row = store.insert_token(
                &user,
                name.as_deref(),
                &service::auth::hash_token(&token),
                365,
            )?;
            println!("{token}");
            eprintln!(
                "token {} for user {:?}, expires {} (shown once: only its hash is stored)",
                row.uuid, user.name, row.expires_at
            );
            Ok(crate::EXIT_OK)
        }
    }
}
