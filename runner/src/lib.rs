//! The `runner` command: a thin layer over the engine and adapters
//! (argument parsing, config, progress display, exit codes).

mod cli;
mod client;
mod client_cmds;
mod config;
mod cookies;
mod demo;
mod eval;
mod mcp;
mod progress;
mod provider;
mod realtime;
mod serve;
mod sessions;
mod table;

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use engine::batch::{parse_url_list, BatchInput, BatchReport};
use engine::{Batch, CancellationToken};

use cli::{Cli, Command};
use config::Resolved;
use progress::Progress;

/// Exit code when every job is done (or skipped as a duplicate).
pub const EXIT_OK: u8 = 0;
/// Exit code when some jobs failed; the outputs of the others are kept.
pub const EXIT_JOBS_FAILED: u8 = 1;
/// Exit code for usage, config or checkpoint errors (nothing was exported).
pub const EXIT_USAGE: u8 = 2;
/// Exit code after Ctrl-C: outputs are consistent and `--resume` continues.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Entry point of the binary: parses `std::env::args`, runs, returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    init_tracing();
    restore_sigpipe();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Output piped into `head` and the like ends the process quietly, as for
/// other command-line tools, instead of a panic on a broken pipe.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called once at start, before any thread is spawned; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUNNER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Batch(args) => {
            let registry = adapters::registry();
            let resolved = Resolved::new(&args.export, &known_keys(&registry))?;
            let text = if args.urls.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
                    .context("cannot read URLs from standard input")?
            } else {
                std::fs::read_to_string(&args.urls)
                    .with_context(|| format!("cannot read URL list {}", args.urls.display()))?
            };
            let inputs = parse_url_list(&text);
            if inputs.is_empty() {
                anyhow::bail!(
                    "{} holds no URL (one URL a line; # starts a comment)",
                    args.urls.display()
                );
            }
            let report = run_batch(
                registry,
                inputs,
                resolved,
                args.export.resume,
                args.export.quiet,
            )
            .await?;
            Ok(exit_code(&report))
        }
        Command::Demo(args) => demo::run(args).await,
        Command::Platforms(args) => platforms(args),
        Command::EvalSentiment(args) => eval::run(args),
        Command::Serve(args) => serve::serve(*args, true, &known_keys(&adapters::registry())).await,
        Command::Worker(args) => {
            serve::serve(*args, false, &known_keys(&adapters::registry())).await
        }
        Command::Export(cmd) => client_cmds::export(*cmd).await,
        Command::Status(cmd) => client_cmds::status(*cmd).await,
        Command::List(cmd) => client_cmds::list(*cmd).await,
        Command::Download(cmd) => client_cmds::download(*cmd).await,
        Command::Ping(cmd) => client_cmds::ping(*cmd).await,
        Command::Mcp(args) => mcp::run(*args).await,
        Command::Token(args) => tokio::task::spawn_blocking(move || serve::token(args))
            .await
            .context("token command failed")?,
    }
}

fn known_keys(registry: &engine::Registry) -> Vec<&'static str> {
    engine::known::KNOWN_PLATFORMS
        .iter()
        .map(|p| p.key)
        .chain(registry.adapters().iter().map(|a| a.info().key))
        .collect()
}

/// 0 all done, 1 some failed, 130 interrupted.
fn exit_code(report: &BatchReport) -> u8 {
    if report.totals.stopped > 0 {
        EXIT_INTERRUPTED
    } else if report.totals.error > 0 {
        EXIT_JOBS_FAILED
    } else {
        EXIT_OK
    }
}

async fn run_batch(
    registry: engine::Registry,
    inputs: Vec<BatchInput>,
    r: Resolved,
    resume: bool,
    quiet: bool,
) -> Result<BatchReport> {
    let progress = Progress::new(quiet, inputs.len());
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nstopping after the current pages; run again with --resume to continue");
            on_signal.cancel();
        }
    });
    let mut batch = Batch::new(registry, inputs);
    // With --lang the job detects languages before its filter; running the
    // detector again would only re-read the texts it could not judge.
    if r.detect_language && r.options.languages.is_empty() {
        batch = batch.enricher(std::sync::Arc::new(engine::LanguageDetector::default()));
    }
    let mut provider = None;
    if let Some(cfg) = r.sentiment_provider.clone() {
        // Falls back to the offline analyzer itself, so it replaces it.
        let p = std::sync::Arc::new(engine::sentiment::providers::ProviderEnricher::new(cfg)?);
        batch = batch.enricher(p.clone());
        provider = Some(p);
    } else if r.sentiment {
        // After language detection, so non-English records are read for emoji only.
        batch = batch.enricher(std::sync::Arc::new(engine::SentimentAnalyzer::new()));
    }
    let report = batch
        .options(r.options)
        .http(r.http)
        .out_dir(&r.out)
        .formats(r.formats)
        .sink_options(r.sink_options)
        .combined(r.combined)
        .concurrency(r.concurrency)
        .dedup_store(r.dedup_store)
        .resume(resume)
        .events(progress.sink())
        .cancel_token(cancel)
        .run()
        .await;
    progress.finish();
    if let Some(p) = &provider {
        provider::report(p, quiet);
    }
    let report = report?;
    print!("{}", table::render(&report));
    Ok(report)
}

fn platforms(args: cli::PlatformsArgs) -> Result<u8> {
    let registry = adapters::registry();
    let out = |json_out: bool, data: serde_json::Value, human: String| {
        if json_out {
            println!("{}", serde_json::json!({"ok": true, "data": data}));
        } else {
            print!("{human}");
        }
    };
    let fail = |json_out: bool, code: &str, msg: String| {
        if json_out {
            println!(
                "{}",
                serde_json::json!({"ok": false, "error": msg, "error_code": code, "detail": ""})
            );
        } else {
            println!("{msg}");
        }
        Ok(EXIT_JOBS_FAILED)
    };
    if let Some(url) = args.detect {
        return match registry.detect(&url) {
            Ok((adapter, target)) => {
                let human = format!(
                    "{} ({}): id {} → {}\n",
                    adapter.info().name,
                    target.platform,
                    target.id,
                    target.url
                );
                out(
                    args.json,
                    mcp::platform_json(adapter.info(), Some(&target)),
                    human,
                );
                Ok(EXIT_OK)
            }
            Err(e) => fail(
                args.json,
                if e.kind() == "unsupported_platform" {
                    "PLATFORM_NOT_SUPPORTED"
                } else {
                    "INVALID_URL"
                },
                e.to_string(),
            ),
        };
    }
    if let Some(id) = args.id {
        return match registry.adapter(&id) {
            Some(a) => {
                let v = mcp::platform_json(a.info(), None);
                let human = format!(
                    "{} ({}): hosts {}\n",
                    a.info().name,
                    a.info().key,
                    a.info().hosts.join(", ")
                );
                out(args.json, v, human);
                Ok(EXIT_OK)
            }
            None => fail(
                args.json,
                "PLATFORM_NOT_FOUND",
                format!("no supported platform {id:?}"),
            ),
        };
    }
    let list = registry.platforms();
    let supported = list.iter().filter(|p| p.supported).count();
    let mut human = format!("{supported} supported, {} known platforms\n\n", list.len());
    for p in &list {
        human.push_str(&format!(
            "  {:<16} {:<20} {}\n",
            p.key,
            p.name,
            if p.supported { "supported" } else { "not yet" }
        ));
    }
    let data: Vec<serde_json::Value> = list
        .iter()
        .map(|p| serde_json::json!({"id": p.key, "name": p.name, "supported": p.supported}))
        .collect();
    out(args.json, serde_json::Value::Array(data), human);
    Ok(EXIT_OK)
}
