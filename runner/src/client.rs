//! The CLI client of the job service (`runner export|status|list|download|ping`)
//! and the shared client the MCP server uses: against a server (`--server URL`
//! with a token) or, with no server given, in-process on the embedded store.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use serde_json::{json, Value};

/// Statuses after which a job changes no more.
pub(crate) fn terminal(status: Option<&str>) -> bool {
    matches!(status, Some("done" | "error" | "stopped"))
}

/// Where the client sends its requests.
#[derive(Debug, Args, Clone, Default)]
pub struct ClientArgs {
    /// Job service to talk to (e.g. http://127.0.0.1:8787); none = in-process on --data.
    #[arg(long, env = "RUNNER_SERVER")]
    pub server: Option<String>,
    /// API token for --server (or EXPORTCOMMENTS_API_TOKEN).
    #[arg(long, env = "RUNNER_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Data folder of the in-process service (when no --server is given).
    #[arg(long, default_value = "service-data")]
    pub data: PathBuf,
    /// In-process mode: send a platform's requests elsewhere, e.g. `steam=http://127.0.0.1:8080`.
    #[arg(long, value_name = "PLATFORM=URL")]
    pub base_url: Vec<String>,
    /// Print the `{"ok": …, "data": …}` envelope instead of a human summary.
    #[arg(long)]
    pub json: bool,
}

/// An error in the documented CLI envelope.
#[derive(Debug)]
pub struct ClientError {
    /// Human-readable message.
    pub error: String,
    /// Machine-readable code.
    pub code: String,
    /// More context.
    pub detail: String,
}

impl ClientError {
    pub(crate) fn new(
        code: &str,
        error: impl Into<String>,
        detail: impl Into<String>,
    ) -> ClientError {
        ClientError {
            error: error.into(),
            code: code.into(),
            detail: detail.into(),
        }
    }

    /// The error envelope.
    pub fn envelope(&self) -> Value {
        json!({"ok": false, "error": self.error, "error_code": self.code, "detail": self.detail})
    }
}

/// A connected client (to a remote server, or to one started in this process).
pub struct Client {
    base: String,
    token: String,
    http: reqwest::Client,
    /// Keeps the in-process server (and its workers) alive.
    local: Option<(service::Server, String)>,
}

impl Client {
    /// Connects as `args` say.
    pub async fn connect(args: &ClientArgs) -> Result<Client> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .build()?;
        if let Some(server) = &args.server {
            let token = args
                .token
                .clone()
                .or_else(|| std::env::var("EXPORTCOMMENTS_API_TOKEN").ok())
                .context(
                    "--server needs a token: --token, RUNNER_TOKEN or EXPORTCOMMENTS_API_TOKEN",
                )?;
            return Ok(Client {
                base: server.trim_end_matches('/').to_string(),
                token,
                http,
                local: None,
            });
        }
        let mut config = service::ServiceConfig::new(&args.data).workers(2);
        config.progress_interval = Duration::from_millis(500);
        for s in &args.base_url {
            let (k, v) = s
                .split_once('=')
                .with_context(|| format!("--base-url must look like PLATFORM=URL, got {s:?}"))?;
            config.http.set_base_url(k.trim(), v.trim())?;
        }
        // One run-scoped token of a local user; revoked when the command ends.
        let db = config.db_path();
        let (token, uuid) = tokio::task::spawn_blocking(move || -> Result<(String, String)> {
            let store = service::store::Store::open(&db)?;
            let user = store.user_named("local")?;
            let token = service::auth::new_token();
            let row =
                store.insert_token(&user, Some("cli"), &service::auth::hash_token(&token), 1)?;
            Ok((token, row.uuid))
        })
        .await??;
        let server = service::Server::start(config, "127.0.0.1:0".parse()?).await?;
        Ok(Client {
            base: format!("http://{}", server.addr()),
            token,
            http,
            local: Some((server, uuid)),
        })
    }

    /// Ends the in-process service (workers stop after their current page; jobs resume next time).
    pub async fn close(mut self) {
        if let Some((server, uuid)) = self.local.take() {
            let _ = self
                .http
                .delete(format!("{}/api/v1/api_tokens/{uuid}", self.base))
                .header("X-AUTH-TOKEN", &self.token)
                .send()
                .await;
            server.shutdown().await;
        }
    }

    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ClientError> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("X-AUTH-TOKEN", &self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.map_err(|e| {
            ClientError::new(
                "CONNECTION_ERROR",
                "cannot reach the server",
                e.without_url().to_string(),
            )
        })?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| {
            ClientError::new("CONNECTION_ERROR", "the response broke off", e.to_string())
        })?;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if status.is_success() {
            Ok(v)
        } else {
            Err(ClientError::new(
                v["error_code"].as_str().unwrap_or("HTTP_ERROR"),
                v["detail"].as_str().unwrap_or("request failed").to_string(),
                format!("HTTP {}", status.as_u16()),
            ))
        }
    }

    /// `GET /api/v1/ping`.
    pub async fn ping(&self) -> Result<Value, ClientError> {
        self.send(reqwest::Method::GET, "/api/v1/ping", None).await
    }

    /// Creates a job; returns the job object.
    pub async fn create(&self, url: &str, options: Value) -> Result<Value, ClientError> {
        let created = self
            .send(
                reqwest::Method::POST,
                "/api/v3/job",
                Some(json!({"url": url, "options": options})),
            )
            .await?;
        let guid = created["guid"].as_str().unwrap_or_default().to_string();
        self.job(&guid).await
    }

    /// A job, with the CLI's extra fields (`totalComments`, `exportedComments`, `downloadUrl`).
    pub async fn job(&self, guid: &str) -> Result<Value, ClientError> {
        if uuid_ok(guid).is_none() {
            return Err(ClientError::new(
                "INVALID_GUID",
                format!("{guid:?} is not a job GUID"),
                "GUIDs look like b4219d47-3138-5efd-9762-2ef9f9495084",
            ));
        }
        let mut j = self
            .send(reqwest::Method::GET, &format!("/api/v3/job/{guid}"), None)
            .await?;
        j["totalComments"] = j["total"].clone();
        j["exportedComments"] = j["totalExported"].clone();
        j["downloadUrl"] = j["download_link"].clone();
        Ok(j)
    }

    /// The server's HTTP base.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Waits for a job: over the WebSocket when `realtime` (progress on
    /// stderr unless `quiet`), else by polling every `interval`.
    pub async fn wait_for(
        &self,
        guid: &str,
        realtime: bool,
        interval: Duration,
        timeout: Duration,
        quiet: bool,
    ) -> Result<Value, ClientError> {
        if !realtime {
            return self.wait(guid, interval, timeout).await;
        }
        let r = self
            .wait_realtime(guid, timeout, |n, total| {
                if !quiet {
                    match total {
                        Some(t) => eprintln!("{guid}: {n} of {t} exported"),
                        None => eprintln!("{guid}: {n} exported"),
                    }
                }
            })
            .await;
        match r {
            // The socket failed, not the job: fall back to polling.
            Err(e) if e.code == "REALTIME_ERROR" => {
                if !quiet {
                    eprintln!("{}: {}; polling instead", e.error, e.detail);
                }
                self.wait(guid, interval, timeout).await
            }
            r => r,
        }
    }

    /// Polls a job until it is done, failed or stopped, or `timeout` passes.
    pub async fn wait(
        &self,
        guid: &str,
        interval: Duration,
        timeout: Duration,
    ) -> Result<Value, ClientError> {
        let start = Instant::now();
        loop {
            let j = self.job(guid).await?;
            if terminal(j["status"].as_str()) {
                return Ok(j);
            }
            if start.elapsed() >= timeout {
                return Err(ClientError::new(
                    "WAIT_TIMEOUT",
                    "the job did not finish in time",
                    format!("status {}", j["status"]),
                ));
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// Jobs, newest first.
    pub async fn list(&self, page: u32, limit: u32) -> Result<Value, ClientError> {
        self.send(
            reqwest::Method::GET,
            &format!("/api/v3/jobs?page={page}&limit={limit}"),
            None,
        )
        .await
    }

    /// A done job's file bytes (`json` or `xlsx`).
    pub async fn download(&self, guid: &str, json: bool) -> Result<Vec<u8>, ClientError> {
        let j = self.job(guid).await?;
        if j["status"] != "done" {
            return Err(ClientError::new(
                "JOB_NOT_DONE",
                "the job is not done",
                format!("status {}", j["status"]),
            ));
        }
        let link = if json {
            &j["json_url"]
        } else {
            &j["download_link"]
        };
        let link = link
            .as_str()
            .ok_or_else(|| ClientError::new("NO_FILE", "the job has no such file", ""))?;
        // The link names the server's public address; fetch its path from the server we talk to.
        let path = link.find("/exports/").map(|i| &link[i..]).unwrap_or(link);
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header("X-AUTH-TOKEN", &self.token)
            .send()
            .await
            .map_err(|e| {
                ClientError::new(
                    "CONNECTION_ERROR",
                    "cannot download",
                    e.without_url().to_string(),
                )
            })?;
        if !resp.status().is_success() {
            return Err(ClientError::new(
                "DOWNLOAD_FAILED",
                "the download failed",
                format!("HTTP {}", resp.status().as_u16()),
            ));
        }
        Ok(resp
            .bytes()
            .await
            .map_err(|e| {
                ClientError::new("CONNECTION_ERROR", "the download broke off", e.to_string())
            })?
            .to_vec())
    }
}

fn uuid_ok(s: &str) -> Option<()> {
    let parts: Vec<&str> = s.split('-').collect();
    (parts.len() == 5 && s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        .then_some(())
}

/// Options of `runner export URL`, mapped to the API's `options` object.
#[derive(Debug, Args, Clone, Default)]
pub struct ExportOptions {
    /// Include replies.
    #[arg(long)]
    pub replies: bool,
    /// At most this many items.
    #[arg(long)]
    pub limit: Option<u64>,
    /// Oldest date kept (ISO 8601: 2024-01-15 or an RFC 3339 time).
    #[arg(long, alias = "since")]
    pub min_date: Option<String>,
    /// Newest date kept (ISO 8601).
    #[arg(long, alias = "until")]
    pub max_date: Option<String>,
    /// Exit location name (see the server's VPN locations).
    #[arg(long)]
    pub vpn: Option<String>,
    /// Cookies as a JSON object, e.g. '{"sessionid": "…"}'.
    #[arg(long)]
    pub cookies: Option<String>,
    /// Wait for the job to finish.
    #[arg(long)]
    pub wait: bool,
    /// Wait over the WebSocket (pushed progress and end) instead of polling (implies --wait).
    #[arg(long)]
    pub realtime: bool,
    /// Polling interval in milliseconds while waiting.
    #[arg(long, default_value_t = 5000)]
    pub wait_interval: u64,
    /// Give up waiting after this many milliseconds.
    #[arg(long, default_value_t = 600_000)]
    pub wait_timeout: u64,
    /// Download the XLSX file when done (implies --wait).
    #[arg(long)]
    pub download: bool,
    /// Download the raw JSON when done (implies --wait).
    #[arg(long)]
    pub download_json: bool,
    /// Where to save a download [default: <guid>.xlsx or <guid>.json].
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Turns a date option into a Unix timestamp.
pub fn timestamp(s: &str) -> Result<i64, ClientError> {
    crate::config::parse_when(s, chrono::Utc::now())
        .map(|t| t.timestamp())
        .map_err(|e| {
            ClientError::new(
                "INVALID_DATE",
                format!("{s:?} is not a date"),
                e.to_string(),
            )
        })
}

impl ExportOptions {
    /// The API's `options` object.
    pub fn to_api(&self) -> Result<Value, ClientError> {
        let mut o = serde_json::Map::new();
        if self.replies {
            o.insert("replies".into(), json!(true));
        }
        if let Some(l) = self.limit {
            o.insert("limit".into(), json!(l));
        }
        if let Some(d) = &self.min_date {
            o.insert("minTimestamp".into(), json!(timestamp(d)?));
        }
        if let Some(d) = &self.max_date {
            o.insert("maxTimestamp".into(), json!(timestamp(d)?));
        }
        if let Some(v) = &self.vpn {
            o.insert("vpn".into(), json!(v));
        }
        if let Some(c) = &self.cookies {
            let v: Value = serde_json::from_str(c).map_err(|e| {
                ClientError::new(
                    "INVALID_COOKIES",
                    "--cookies must be a JSON object",
                    e.to_string(),
                )
            })?;
            o.insert("cookies".into(), v);
        }
        Ok(Value::Object(o))
    }
}

/// Prints `data` (envelope with --json, else a short human form) and returns the exit code.
pub fn print_ok(json_out: bool, data: &Value) -> u8 {
    if json_out {
        println!("{}", json!({"ok": true, "data": data}));
    } else {
        print!("{}", human(data));
    }
    crate::EXIT_OK
}

/// Prints an error (envelope with --json, else one line on stderr) and returns the exit code.
pub fn print_err(json_out: bool, e: &ClientError) -> u8 {
    if json_out {
        println!("{}", e.envelope());
    } else {
        eprintln!("error: {} ({}): {}", e.error, e.code, e.detail);
    }
    crate::EXIT_JOBS_FAILED
}

fn human(v: &Value) -> String {
    let line = |j: &Value| {
        format!(
            "{}  {:<9} {:>8}  {}\n",
            j["guid"].as_str().unwrap_or("-"),
            j["status"].as_str().unwrap_or("-"),
            j["totalExported"]
                .as_i64()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            j["url"].as_str().unwrap_or("")
        )
    };
    match v {
        Value::Array(list) => list.iter().map(line).collect(),
        Value::Object(o) if o.contains_key("guid") => {
            let mut s = line(v);
            for k in ["json_url", "download_link", "error"] {
                if let Some(x) = v[k].as_str() {
                    s.push_str(&format!("  {k}: {x}\n"));
                }
            }
            s
        }
        other => format!(
            "{}\n",
            serde_json::to_string_pretty(other).unwrap_or_default()
        ),
    }
}
