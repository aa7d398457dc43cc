//! `runner mcp`: an MCP server over stdio (rmcp) with the six documented tools.
//! Each tool answers the CLI's JSON envelope (`{"ok": true, "data": …}` or
//! `{"ok": false, "error", "error_code", "detail"}`) as text.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::schemars::JsonSchema;
use rmcp::{tool, tool_router, ServiceExt};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::client::{Client, ClientArgs, ClientError};

/// Parameters of `export_comments`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ExportParams {
    /// The URL to export comments/reviews from.
    pub url: String,
    /// Include replies to comments.
    pub replies: Option<bool>,
    /// Maximum number of items to export.
    pub limit: Option<u64>,
    /// Minimum date (ISO 8601, e.g. 2024-01-15).
    pub min_date: Option<String>,
    /// Maximum date (ISO 8601, e.g. 2024-06-30).
    pub max_date: Option<String>,
    /// Exit location name (e.g. "Norway").
    pub vpn: Option<String>,
    /// Cookies for authenticated access (e.g. {"sessionid": "abc"}).
    pub cookies: Option<serde_json::Map<String, Value>>,
    /// Wait for the export to finish before answering (polls every 2 s, up to 10 minutes).
    pub wait: Option<bool>,
    /// Use WebSocket for real-time updates instead of polling (implies wait=true).
    pub realtime: Option<bool>,
}

/// Parameters of `check_export`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct CheckParams {
    /// The job GUID returned by export_comments.
    pub guid: String,
    /// Wait for the export to finish before answering.
    pub wait: Option<bool>,
    /// Use WebSocket for real-time updates instead of polling (implies wait=true).
    pub realtime: Option<bool>,
}

/// Parameters of `list_exports`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ListParams {
    /// Page number (default 1).
    pub page: Option<u32>,
    /// Items per page (default 20, at most 30).
    pub limit: Option<u32>,
}

/// Parameters of `download_export`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DownloadParams {
    /// The job GUID to download data for.
    pub guid: String,
}

/// Parameters of `detect_platform`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DetectParams {
    /// The URL to detect the platform for.
    pub url: String,
}

/// The MCP tool set over one client.
#[derive(Clone)]
pub struct Tools {
    client: Arc<Client>,
    registry: engine::Registry,
}

fn envelope(r: Result<Value, ClientError>) -> String {
    match r {
        Ok(v) => json!({"ok": true, "data": v}).to_string(),
        Err(e) => e.envelope().to_string(),
    }
}

const WAIT: Duration = Duration::from_secs(600);

#[tool_router(server_handler)]
impl Tools {
    #[tool(
        description = "Create an export job for a URL (comments, replies or reviews) and return the job; with wait=true, answer when it is done."
    )]
    async fn export_comments(&self, Parameters(p): Parameters<ExportParams>) -> String {
        let r = async {
            let mut o = serde_json::Map::new();
            if let Some(r) = p.replies {
                o.insert("replies".into(), json!(r));
            }
            if let Some(l) = p.limit {
                o.insert("limit".into(), json!(l));
            }
            if let Some(d) = &p.min_date {
                o.insert("minTimestamp".into(), json!(crate::client::timestamp(d)?));
            }
            if let Some(d) = &p.max_date {
                o.insert("maxTimestamp".into(), json!(crate::client::timestamp(d)?));
            }
            if let Some(v) = &p.vpn {
                o.insert("vpn".into(), json!(v));
            }
            if let Some(c) = &p.cookies {
                o.insert("cookies".into(), Value::Object(c.clone()));
            }
            let job = self.client.create(&p.url, Value::Object(o)).await?;
            let realtime = p.realtime.unwrap_or(false);
            if p.wait.unwrap_or(false) || realtime {
                let guid = job["guid"].as_str().unwrap_or_default().to_string();
                // stdout carries the protocol: nothing printed while waiting.
                self.client
                    .wait_for(&guid, realtime, Duration::from_secs(2), WAIT, true)
                    .await
            } else {
                Ok(job)
            }
        }
        .await;
        envelope(r)
    }

    #[tool(
        description = "Check an export job by GUID (status queueing, progress, done, error, stopped); with wait=true, answer when it ends."
    )]
    async fn check_export(&self, Parameters(p): Parameters<CheckParams>) -> String {
        let realtime = p.realtime.unwrap_or(false);
        let r = if p.wait.unwrap_or(false) || realtime {
            self.client
                .wait_for(&p.guid, realtime, Duration::from_secs(2), WAIT, true)
                .await
        } else {
            self.client.job(&p.guid).await
        };
        envelope(r)
    }

    #[tool(description = "List export jobs, newest first, with pagination.")]
    async fn list_exports(&self, Parameters(p): Parameters<ListParams>) -> String {
        envelope(
            self.client
                .list(
                    p.page.unwrap_or(1).max(1),
                    p.limit.unwrap_or(20).clamp(1, 30),
                )
                .await,
        )
    }

    #[tool(description = "Download the exported records (JSON) of a done job.")]
    async fn download_export(&self, Parameters(p): Parameters<DownloadParams>) -> String {
        let r = async {
            let bytes = self.client.download(&p.guid, true).await?;
            serde_json::from_slice::<Value>(&bytes).map_err(|e| ClientError {
                error: "the JSON file does not parse".into(),
                code: "INVALID_JSON".into(),
                detail: e.to_string(),
            })
        }
        .await;
        envelope(r)
    }

    #[tool(
        description = "Say which platform a URL belongs to, what it points at, and the options it supports."
    )]
    async fn detect_platform(&self, Parameters(p): Parameters<DetectParams>) -> String {
        let r = match self.registry.detect(&p.url) {
            Ok((adapter, target)) => Ok(platform_json(adapter.info(), Some(&target))),
            Err(e) => Err(ClientError {
                error: e.to_string(),
                code: if e.kind() == "unsupported_platform" {
                    "PLATFORM_NOT_SUPPORTED".into()
                } else {
                    "INVALID_URL".into()
                },
                detail: e.kind().to_string(),
            }),
        };
        envelope(r)
    }

    #[tool(description = "List every platform this engine knows, with whether it is supported.")]
    async fn list_platforms(&self) -> String {
        let list: Vec<Value> = self
            .registry
            .platforms()
            .iter()
            .map(|p| json!({"id": p.key, "name": p.name, "supported": p.supported}))
            .collect();
        envelope(Ok(Value::Array(list)))
    }
}

/// A platform as the CLI and MCP describe it.
pub fn platform_json(info: &engine::PlatformInfo, target: Option<&engine::Target>) -> Value {
    let mut v = json!({
        "id": info.key,
        "name": info.name,
        "description": format!("Export comments, replies and reviews from {}", info.name),
        "options": ["limit", "replies", "minTimestamp", "maxTimestamp", "cookies", "vpn"],
        "hosts": info.hosts,
    });
    if let Some(t) = target {
        v["target"] = json!({"id": t.id, "url": t.url});
    }
    v
}

/// Serves MCP on stdin/stdout until the client disconnects.
pub async fn run(args: ClientArgs) -> Result<u8> {
    let client = Arc::new(Client::connect(&args).await?);
    let tools = Tools {
        client: client.clone(),
        registry: adapters::registry(),
    };
    let service = tools.serve(rmcp::transport::stdio()).await?;
    service.waiting().await?;
    if let Ok(c) = Arc::try_unwrap(client) {
        c.close().await;
    }
    Ok(crate::EXIT_OK)
}
