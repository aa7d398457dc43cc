//! The documented CLI (`runner export|status|list|download|ping|platforms`) and the
//! MCP server (`runner mcp`, spoken to over stdio as an MCP client would), both
//! in-process on an embedded store, exporting from a local fixture server.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use fixtures::SynthApp;
use serde_json::{json, Value};

fn runner() -> Command {
    Command::new(env!("CARGO_BIN_EXE_runner-e2e"))
}

fn cli(args: &[&str]) -> (i32, Value) {
    let out = runner().args(args).output().expect("runner runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "not one JSON envelope ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

#[test]
fn cli_exports_waits_lists_and_downloads_in_process() {
    let server = common::steam_server(vec![SynthApp::new(620, 140)], 0);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("svc");
    let data = data.to_str().unwrap();
    let base = format!("steam={}", server.base_url());
    let url = "https://store.steampowered.com/app/620/Portal_2/";
    let (code, v) = cli(&[
        "export",
        url,
        "--limit",
        "120",
        "--wait",
        "--wait-interval",
        "100",
        "--data",
        data,
        "--base-url",
        &base,
        "--json",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["ok"], true);
    let job = &v["data"];
    assert_eq!(
        (job["status"].as_str(), job["exportedComments"].as_i64()),
        (Some("done"), Some(120)),
        "{v}"
    );
    let guid = job["guid"].as_str().unwrap().to_string();
    // status, list, download (records and XLSX file), ping — each a separate process on the same store.
    let (code, v) = cli(&["status", &guid, "--data", data, "--json"]);
    assert_eq!((code, v["data"]["status"].as_str()), (0, Some("done")));
    let (code, v) = cli(&["list", "--data", data, "--json"]);
    assert_eq!(code, 0);
    assert_eq!(v["data"].as_array().unwrap()[0]["guid"], guid.as_str());
    let (code, v) = cli(&["download", &guid, "--json-data", "--data", data, "--json"]);
    assert_eq!(code, 0);
    let records = v["data"].as_array().unwrap();
    assert_eq!(records.len(), 120);
    let xlsx = dir.path().join("out.xlsx");
    let (code, v) = cli(&[
        "dl",
        &guid,
        "-o",
        xlsx.to_str().unwrap(),
        "--data",
        data,
        "--json",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
    let (code, v) = cli(&["ping", "--data", data, "--json"]);
    assert_eq!((code, v["data"]["status"].as_str()), (0, Some("ok")));
    // Errors come in the documented envelope with a non-zero exit code.
    let (code, v) = cli(&["status", "not-a-guid", "--data", data, "--json"]);
    assert_eq!(
        (code, v["ok"].as_bool(), v["error_code"].as_str()),
        (1, Some(false), Some("INVALID_GUID"))
    );
    let (code, v) = cli(&["export", "https://example.org/x", "--data", data, "--json"]);
    assert_eq!(
        (code, v["error_code"].as_str()),
        (1, Some("INVALID_URL")),
        "{v}"
    );
    let (code, v) = cli(&["status", &uuid_like(), "--data", data, "--json"]);
    assert_eq!((code, v["error_code"].as_str()), (1, Some("NOT_FOUND")));
    // Against a server that is not there.
    let (code, v) = cli(&[
        "ping",
        "--server",
        "http://127.0.0.1:9",
        "--token",
        "t",
        "--json",
    ]);
    assert_eq!(
        (code, v["error_code"].as_str()),
        (1, Some("CONNECTION_ERROR"))
    );
}

/// `--realtime` waits on the WebSocket: with a 10-minute polling interval
/// the command still answers as soon as the job ends (polling would sleep
/// the whole interval after its first look at the running job).
#[test]
fn cli_realtime_waits_on_the_websocket() {
    // Five pages 400 ms apart: still running when the wait starts.
    let server = common::steam_server(vec![SynthApp::new(440, 500)], 400);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("svc");
    let data = data.to_str().unwrap();
    let base = format!("steam={}", server.base_url());
    let started = std::time::Instant::now();
    let out = runner()
        .args([
            "export",
            "https://store.steampowered.com/app/440/TF2/",
            "--realtime",
            "--wait-interval",
            "600000",
            "--data",
            data,
            "--base-url",
            &base,
        ])
        .output()
        .unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("done"), "{stdout}");
    assert!(!stderr.contains("polling instead"), "{stderr}");
    assert!(
        took < std::time::Duration::from_secs(60),
        "answered after {took:?}: not on the push"
    );
    let (code, v) = cli(&["list", "--data", data, "--json"]);
    assert_eq!(code, 0);
    let job = &v["data"][0];
    assert_eq!(
        (job["status"].as_str(), job["totalExported"].as_i64()),
        (Some("done"), Some(500)),
        "{v}"
    );
}

fn uuid_like() -> String {
    "b4219d47-3138-5efd-9762-2ef9f9495084".into()
}

struct Mcp {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
    next: u64,
}

impl Mcp {
    fn send(&mut self, v: Value) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "MCP server closed stdout"
            );
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not JSON-RPC ({e}): {line}"));
            if v["id"] == id {
                return v;
            }
        }
    }

    /// Calls a tool and parses its text content (the CLI envelope).
    fn tool(&mut self, name: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": name, "arguments": args}));
        let text = r["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("no text content: {r}"));
        serde_json::from_str(text).unwrap()
    }
}

#[test]
fn mcp_server_drives_a_full_export_over_stdio() {
    let server = common::steam_server(vec![SynthApp::new(730, 60), SynthApp::new(570, 300)], 0);
    let dir = tempfile::tempdir().unwrap();
    let mut child = runner()
        .args([
            "mcp",
            "--data",
            dir.path().join("svc").to_str().unwrap(),
            "--base-url",
            &format!("steam={}", server.base_url()),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut mcp = Mcp {
        child,
        out,
        next: 0,
    };
    let init = mcp.request(
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "1"}}),
    );
    assert!(
        init["result"]["capabilities"]["tools"].is_object(),
        "{init}"
    );
    mcp.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let tools = mcp.request("tools/list", json!({}));
    let mut names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "check_export",
            "detect_platform",
            "download_export",
            "export_comments",
            "list_exports",
            "list_platforms"
        ]
    );
    let det = mcp.tool(
        "detect_platform",
        json!({"url": "https://store.steampowered.com/app/730/CS/"}),
    );
    assert_eq!(
        (det["ok"].as_bool(), det["data"]["id"].as_str()),
        (Some(true), Some("steam")),
        "{det}"
    );
    let bad = mcp.tool("detect_platform", json!({"url": "https://example.org/"}));
    assert_eq!(bad["ok"], false);
    let plats = mcp.tool("list_platforms", json!({}));
    assert!(plats["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "youtube" && p["supported"] == true));
    let done = mcp.tool(
        "export_comments",
        json!({"url": "https://store.steampowered.com/app/730/CS/", "wait": true}),
    );
    assert_eq!(
        (done["ok"].as_bool(), done["data"]["status"].as_str()),
        (Some(true), Some("done")),
        "{done}"
    );
    let guid = done["data"]["guid"].as_str().unwrap();
    // A second export, not waited for, then checked with realtime=true.
    let queued = mcp.tool(
        "export_comments",
        json!({"url": "https://store.steampowered.com/app/570/Dota/"}),
    );
    let second = queued["data"]["guid"].as_str().unwrap().to_string();
    let ended = mcp.tool("check_export", json!({"guid": second, "realtime": true}));
    assert_eq!(
        (ended["ok"].as_bool(), ended["data"]["status"].as_str()),
        (Some(true), Some("done")),
        "{ended}"
    );
    let checked = mcp.tool("check_export", json!({"guid": guid}));
    assert_eq!(checked["data"]["exportedComments"], 60);
    let listed = mcp.tool("list_exports", json!({"limit": 5}));
    assert_eq!(listed["data"][1]["guid"], guid, "newest first");
    let records = mcp.tool("download_export", json!({"guid": guid}));
    assert_eq!(records["data"].as_array().unwrap().len(), 60);
    let missing = mcp.tool("check_export", json!({"guid": "nope"}));
    assert_eq!(
        (missing["ok"].as_bool(), missing["error_code"].as_str()),
        (Some(false), Some("INVALID_GUID"))
    );
    drop(mcp.child.stdin.take());
    let status = mcp.child.wait().unwrap();
    assert!(
        status.success(),
        "runner mcp exits cleanly when stdin closes: {status:?}"
    );
}
