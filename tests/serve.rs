//! The job service as processes: `runner serve` and `runner worker` spawned
//! on one SQLite data dir, killed with SIGKILL mid-job, restarted; every job
//! must end with exactly its records, none fetched twice from the start.
//! Requests go over plain HTTP/1.1 on a `TcpStream` (this package has no HTTP
//! client, and a raw socket is what a client dropping mid-download is).

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use common::*;
use fixtures::{FixtureServer, SynthApp};
use serde_json::{json, Value};

/// One `runner serve` or `runner worker` process, SIGKILLed when dropped.
struct Proc {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    /// `host:port` of the API (`serve` only).
    addr: String,
    stderr: PathBuf,
}

impl Proc {
    /// Starts `runner <cmd>` on `data` against `fixture` and waits for its
    /// first line (`listening on http://ADDR` or `worker running on …`).
    fn start(cmd: &str, data: &Path, fixture: &FixtureServer, extra: &[&str]) -> Proc {
        let stderr = data.with_file_name(format!(
            "{cmd}-{}.stderr",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let mut args: Vec<String> = vec![
            cmd.into(),
            "--data".into(),
            data.display().to_string(),
            "--base-url".into(),
            format!("steam={}", fixture.base_url()),
            "--rate".into(),
            "steam=0".into(),
            "--lease-secs".into(),
            "2".into(),
            "--progress-ms".into(),
            "100".into(),
            "--poll-ms".into(),
            "20".into(),
        ];
        if cmd == "serve" {
            args.extend(["--bind".into(), "127.0.0.1:0".into()]);
            args.extend(["--rate-per-minute".into(), "100000".into()]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut child = runner()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("runner starts");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let addr = match line.trim().strip_prefix("listening on http://") {
            Some(a) => a.to_string(),
            None => {
                assert!(
                    line.starts_with("worker running on"),
                    "runner {cmd} did not start: {line:?}\n{}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                );
                String::new()
            }
        };
        Proc {
            child,
            _stdout: out,
            addr,
            stderr,
        }
    }

    /// SIGKILL, as a crash: no shutdown code runs.
    fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `runner token create --data DIR`: the token on stdout.
fn token(data: &Path) -> String {
    let out = run_ok(&[
        "token".into(),
        "create".into(),
        "--data".into(),
        data.display().to_string(),
    ]);
    let t = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(t.len() > 20, "{t:?}");
    t
}

/// A response read to the end.
struct Resp {
    status: u16,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Opens `http://ADDR/path` (or a path on `addr`) and sends one request.
fn send(addr: &str, target: &str, method: &str, token: &str, body: Option<&Value>) -> TcpStream {
    let (host, path) = match target.strip_prefix("http://") {
        Some(rest) => {
            let slash = rest.find('/').unwrap_or(rest.len());
            (rest[..slash].to_string(), rest[slash..].to_string())
        }
        None => (addr.to_string(), target.to_string()),
    };
    let mut s = TcpStream::connect(&host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nX-AUTH-TOKEN: {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    s
}

fn http(addr: &str, target: &str, method: &str, token: &str, body: Option<&Value>) -> Resp {
    let mut s = send(addr, target, method, token, body);
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let rest = &raw[split + 4..];
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Resp { status, body }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").expect("chunk size");
        let size = usize::from_str_radix(
            std::str::from_utf8(&b[..eol])
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

fn create(api: &Proc, token: &str, appid: u64) -> String {
    let r = http(
        &api.addr,
        "/api/v3/job",
        "POST",
        token,
        Some(&json!({"url": format!("https://store.steampowered.com/app/{appid}/Game/")})),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    r.json()["guid"].as_str().unwrap().to_string()
}

fn job(api: &Proc, token: &str, guid: &str) -> Value {
    let r = http(
        &api.addr,
        &format!("/api/v3/job/{guid}"),
        "GET",
        token,
        None,
    );
    assert_eq!(r.status, 200);
    r.json()
}

/// Polls a job until `pred` holds (panics after `secs`, naming the last state).
fn wait_job(
    api: &Proc,
    token: &str,
    guid: &str,
    secs: u64,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let j = job(api, token, guid);
        if pred(&j) {
            return j;
        }
        assert!(Instant::now() < deadline, "job never got there: {j}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The job's JSON output, checked against the synthetic app's reviews.
fn check_output(api: &Proc, token: &str, j: &Value, appid: u64, reviews: usize) {
    assert_eq!(j["status"], "done", "{j}");
    let r = http(
        &api.addr,
        j["json_url"].as_str().unwrap(),
        "GET",
        token,
        None,
    );
    assert_eq!(r.status, 200);
    let records: Vec<Value> = serde_json::from_slice(&r.body).unwrap();
    assert_ground_truth(&records, appid, reviews, 0);
    assert_eq!(j["totalExported"], reviews as u64);
}

/// Requests for the first page of an app (`cursor=*`): 1 unless a job started over.
fn first_pages(fixture: &FixtureServer, appid: u64) -> usize {
    let path = format!("/appreviews/{appid}");
    fixture
        .requests()
        .iter()
        .filter(|r| r.path == path)
        .filter(|r| {
            fixtures::parse_query(&r.query)
                .iter()
                .any(|(k, v)| k == "cursor" && v == "*")
        })
        .count()
}

#[test]
fn kill_9_mid_job_then_restart_resumes_from_the_checkpoint() {
    // 3,000 reviews, 100 a page, 80 ms a page: ~2.4 s of fetching.
    let (appid, n) = (31, 3000);
    let fixture = steam_server(vec![SynthApp::new(appid, n)], 80);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = token(&data);
    let first = Proc::start("serve", &data, &fixture, &["--workers", "1"]);
    let guid = create(&first, &token, appid);
    let j = wait_job(&first, &token, &guid, 30, |j| {
        j["totalExported"].as_u64().unwrap_or(0) >= 500
            || (j["status"] != "progress" && j["status"] != "queueing")
    });
    assert_eq!(
        j["status"], "progress",
        "the job must still run at the kill: {j}"
    );
    first.kill9();
    let hits_at_kill = fixture.hits(&format!("/appreviews/{appid}"));
    assert!((5..30).contains(&hits_at_kill), "{hits_at_kill}");

    let second = Proc::start("serve", &data, &fixture, &["--workers", "1"]);
    let j = wait_job(&second, &token, &guid, 40, |j| j["status"] == "done");
    assert!(
        j["json_url"].as_str().unwrap().contains(&second.addr),
        "links name the running server: {j}"
    );
    check_output(&second, &token, &j, appid, n);
    let total = fixture.hits(&format!("/appreviews/{appid}"));
    assert!(
        total < hits_at_kill + 30,
        "resumed, not restarted: {total} page requests, {hits_at_kill} before the kill"
    );
    assert_eq!(
        first_pages(&fixture, appid),
        1,
        "the first page was fetched once"
    );
}

/// Counts the jobs in each status (all of them fit one page of 30).
fn statuses(api: &Proc, token: &str) -> HashMap<String, usize> {
    let r = http(&api.addr, "/api/v3/jobs?limit=30", "GET", token, None);
    assert_eq!(r.status, 200);
    let mut m = HashMap::new();
    for j in r.json().as_array().unwrap() {
        *m.entry(j["status"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    m
}

#[test]
fn two_worker_processes_share_one_queue_each_job_done_once() {
    let apps: Vec<u64> = (200..210).collect();
    let n = 700;
    let fixture = steam_server(apps.iter().map(|&a| SynthApp::new(a, n)).collect(), 30);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = token(&data);
    let api = Proc::start("serve", &data, &fixture, &["--workers", "0"]);
    let w1 = Proc::start("worker", &data, &fixture, &["--workers", "1"]);
    let w2 = Proc::start("worker", &data, &fixture, &["--workers", "1"]);
    let guids: Vec<String> = apps.iter().map(|&a| create(&api, &token, a)).collect();
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut most_running = 0;
    loop {
        let s = statuses(&api, &token);
        most_running = most_running.max(s.get("progress").copied().unwrap_or(0));
        if s.get("done") == Some(&apps.len()) {
            break;
        }
        assert!(Instant::now() < deadline, "{s:?}");
        std::thread::sleep(Duration::from_millis(15));
    }
    assert_eq!(most_running, 2, "two workers of one job each, both busy");
    for (g, &a) in guids.iter().zip(&apps) {
        check_output(&api, &token, &job(&api, &token, g), a, n);
    }
    let per_app: Vec<usize> = apps
        .iter()
        .map(|a| fixture.hits(&format!("/appreviews/{a}")))
        .collect();
    assert!(
        per_app.iter().all(|&h| h == per_app[0] && h <= n / 100 + 1),
        "every app fetched page by page once: {per_app:?}"
    );
    for &a in &apps {
        assert_eq!(first_pages(&fixture, a), 1, "app {a} started once");
    }
    drop((w1, w2, api));
}

#[test]
fn kill_9_one_worker_mid_job_the_other_finishes_it() {
    let (long, n_long) = (301, 3000);
    let short: Vec<u64> = (302..307).collect();
    let n_short = 500;
    let mut apps = vec![SynthApp::new(long, n_long)];
    apps.extend(short.iter().map(|&a| SynthApp::new(a, n_short)));
    let fixture = steam_server(apps, 60);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = token(&data);
    let api = Proc::start("serve", &data, &fixture, &["--workers", "0"]);
    // Worker 1 alone takes the long job; worker 2 comes once it is under way.
    let w1 = Proc::start("worker", &data, &fixture, &["--workers", "1"]);
    let long_guid = create(&api, &token, long);
    let short_guids: Vec<String> = short.iter().map(|&a| create(&api, &token, a)).collect();
    wait_job(&api, &token, &long_guid, 30, |j| {
        j["totalExported"].as_u64().unwrap_or(0) >= 300
    });
    let mut w2 = Proc::start("worker", &data, &fixture, &["--workers", "1"]);
    wait_job(&api, &token, &short_guids[0], 30, |j| {
        j["status"] != "queueing"
    });
    let j = job(&api, &token, &long_guid);
    assert_eq!(
        j["status"], "progress",
        "worker 1 is mid-job at the kill: {j}"
    );
    w1.kill9();
    let hits_at_kill = fixture.hits(&format!("/appreviews/{long}"));

    let mut all = vec![(long_guid.clone(), long, n_long)];
    all.extend(
        short_guids
            .iter()
            .zip(&short)
            .map(|(g, &a)| (g.clone(), a, n_short)),
    );
    for (g, a, n) in &all {
        let j = wait_job(&api, &token, g, 40, |j| {
            j["status"] == "done" || j["status"] == "error"
        });
        check_output(&api, &token, &j, *a, *n);
    }
    assert!(w2.alive(), "worker 2 survived");
    let total = fixture.hits(&format!("/appreviews/{long}"));
    assert!(
        total < hits_at_kill + n_long / 100,
        "the long job resumed on worker 2: {total} page requests, {hits_at_kill} before the kill"
    );
    for (_, a, _) in &all {
        assert_eq!(first_pages(&fixture, *a), 1, "app {a} started once");
    }
}

#[test]
fn client_dropping_mid_download_does_not_hurt_the_server() {
    let (appid, n) = (401, 20_000);
    let fixture = steam_server(vec![SynthApp::new(appid, n)], 0);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = token(&data);
    let mut api = Proc::start("serve", &data, &fixture, &["--workers", "1"]);
    let guid = create(&api, &token, appid);
    let j = wait_job(&api, &token, &guid, 60, |j| j["status"] == "done");
    let link = j["json_url"].as_str().unwrap().to_string();
    // Several clients read a little of the big file and go away; one never reads.
    let mut dropped = Vec::new();
    for i in 0..8 {
        let mut s = send(&api.addr, &link, "GET", &token, None);
        if i > 0 {
            let mut buf = vec![0u8; 64 * 1024];
            let mut got = 0;
            while got < buf.len() {
                match s.read(&mut buf[got..]).unwrap() {
                    0 => break,
                    k => got += k,
                }
            }
            assert_eq!(got, buf.len(), "the file is larger than what was read");
        }
        dropped.push(s);
    }
    drop(dropped);
    std::thread::sleep(Duration::from_millis(200));
    assert!(api.alive(), "the server survived the dropped downloads");
    let r = http(&api.addr, "/api/v1/ping", "GET", &token, None);
    assert_eq!(r.status, 200);
    let r = http(&api.addr, &link, "GET", &token, None);
    assert_eq!(r.status, 200);
    assert!(r.body.len() > 64 * 1024 * 8, "{} bytes", r.body.len());
    check_output(&api, &token, &j, appid, n);
    let err = std::fs::read_to_string(&api.stderr).unwrap_or_default();
    assert!(!err.contains("panicked"), "{err}");
}
