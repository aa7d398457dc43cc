//! `runner export|status|list|download|ping`: the documented CLI of the hosted
//! service, against `--server` or the in-process service.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use serde_json::{json, Value};

use crate::client::{print_err, print_ok, Client, ClientArgs, ClientError, ExportOptions};

/// `runner export URL`.
#[derive(Debug, Args)]
pub struct ExportCmd {
    /// URL to export (or `openweb://<spot>?since=…&until=…`).
    pub url: String,
    #[command(flatten)]
    pub options: ExportOptions,
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `runner status GUID`.
#[derive(Debug, Args)]
pub struct StatusCmd {
    /// Job GUID.
    pub guid: String,
    /// Wait for the job to finish.
    #[arg(long)]
    pub wait: bool,
    /// Wait over the WebSocket (pushed progress and end) instead of polling (implies --wait).
    #[arg(long)]
    pub realtime: bool,
    /// Polling interval in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub wait_interval: u64,
    /// Give up after this many milliseconds.
    #[arg(long, default_value_t = 600_000)]
    pub wait_timeout: u64,
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `runner list`.
#[derive(Debug, Args)]
pub struct ListCmd {
    /// Page (from 1).
    #[arg(long, default_value_t = 1)]
    pub page: u32,
    /// Jobs a page (at most 30).
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `runner download GUID`.
#[derive(Debug, Args)]
pub struct DownloadCmd {
    /// Job GUID.
    pub guid: String,
    /// Raw JSON records instead of the XLSX file.
    #[arg(long = "json-data", alias = "raw")]
    pub raw_json: bool,
    /// Where to save [default: <guid>.xlsx, or print the records with --json-data].
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub client: ClientArgs,
}

/// `runner ping`.
#[derive(Debug, Args)]
pub struct PingCmd {
    #[command(flatten)]
    pub client: ClientArgs,
}

async fn with_client<F, Fut>(args: &ClientArgs, f: F) -> Result<u8>
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = (Client, Result<Value, ClientError>)>,
{
    let client = match Client::connect(args).await {
        Ok(c) => c,
        Err(e) => {
            return Ok(print_err(
                args.json,
                &ClientError {
                    error: "cannot connect".into(),
                    code: "CONNECTION_ERROR".into(),
                    detail: format!("{e:#}"),
                },
            ))
        }
    };
    let (client, result) = f(client).await;
    client.close().await;
    Ok(match result {
        Ok(v) => print_ok(args.json, &v),
        Err(e) => print_err(args.json, &e),
    })
}

fn save(path: &PathBuf, bytes: &[u8]) -> Result<Value, ClientError> {
    std::fs::write(path, bytes).map_err(|e| ClientError {
        error: format!("cannot write {}", path.display()),
        code: "WRITE_FAILED".into(),
        detail: e.to_string(),
    })?;
    Ok(json!({"path": path.display().to_string(), "bytes": bytes.len()}))
}

/// `runner export`.
pub async fn export(cmd: ExportCmd) -> Result<u8> {
    let o = cmd.options.clone();
    let quiet = cmd.client.json;
    with_client(&cmd.client, move |c| async move {
        let r = async {
            let options = o.to_api()?;
            let job = c.create(&cmd.url, options).await?;
            if !(o.wait || o.realtime || o.download || o.download_json) {
                return Ok(job);
            }
            let guid = job["guid"].as_str().unwrap_or_default().to_string();
            let job = c
                .wait_for(
                    &guid,
                    o.realtime,
                    Duration::from_millis(o.wait_interval.max(50)),
                    Duration::from_millis(o.wait_timeout),
                    quiet,
                )
                .await?;
            if job["status"] != "done" || !(o.download || o.download_json) {
                return Ok(job);
            }
            let bytes = c.download(&guid, o.download_json).await?;
            let ext = if o.download_json { "json" } else { "xlsx" };
            let path = o
                .output
                .clone()
                .unwrap_or_else(|| PathBuf::from(format!("{guid}.{ext}")));
            let mut saved = save(&path, &bytes)?;
            saved["job"] = job;
            Ok(saved)
        }
        .await;
        (c, r)
    })
    .await
}

/// `runner status`.
pub async fn status(cmd: StatusCmd) -> Result<u8> {
    with_client(&cmd.client, move |c| async move {
        let r = if cmd.wait || cmd.realtime {
            c.wait_for(
                &cmd.guid,
                cmd.realtime,
                Duration::from_millis(cmd.wait_interval.max(50)),
                Duration::from_millis(cmd.wait_timeout),
                cmd.client.json,
            )
            .await
        } else {
            c.job(&cmd.guid).await
        };
        (c, r)
    })
    .await
}

/// `runner list`.
pub async fn list(cmd: ListCmd) -> Result<u8> {
    with_client(&cmd.client, move |c| async move {
        let r = c.list(cmd.page, cmd.limit.clamp(1, 30)).await;
        (c, r)
    })
    .await
}

/// `runner download`.
pub async fn download(cmd: DownloadCmd) -> Result<u8> {
    with_client(&cmd.client, move |c| async move {
        let r = async {
            let bytes = c.download(&cmd.guid, cmd.raw_json).await?;
            match (&cmd.output, cmd.raw_json) {
                (None, true) => serde_json::from_slice::<Value>(&bytes).map_err(|e| ClientError {
                    error: "the JSON file does not parse".into(),
                    code: "INVALID_JSON".into(),
                    detail: e.to_string(),
                }),
                (Some(p), _) => save(p, &bytes),
                (None, false) => save(&PathBuf::from(format!("{}.xlsx", cmd.guid)), &bytes),
            }
        }
        .await;
        (c, r)
    })
    .await
}

/// `runner ping`.
pub async fn ping(cmd: PingCmd) -> Result<u8> {
    with_client(&cmd.client, move |c| async move {
        let r = c.ping().await;
        (c, r)
    })
    .await
}
