//! Crash safety: `kill -9` (twice) or Ctrl-C in the middle of a batch, then
//! `--resume`, must give exactly the full set: nothing lost, nothing twice.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use common::*;
use fixtures::SynthApp;
use serde_json::Value;

const APPS: [(u64, usize); 4] = [
    (3_000_001, 2_400),
    (3_000_002, 1_900),
    (3_000_003, 2_600),
    (3_000_004, 700),
];
const DEV_EVERY: usize = 11;

fn committed_pages(out: &Path) -> usize {
    std::fs::read_to_string(out.join(".runner/journal.ndjson"))
        .map(|s| s.lines().filter(|l| l.contains("\"t\":\"page\"")).count())
        .unwrap_or(0)
}

/// Waits until the journal holds at least `pages` page entries, then returns.
fn wait_for_pages(child: &mut Child, out: &Path, pages: usize) {
    let t = Instant::now();
    while committed_pages(out) < pages {
        assert!(
            child.try_wait().unwrap().is_none(),
            "runner finished before it could be interrupted"
        );
        assert!(t.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(3));
    }
}

fn verify(out: &Path) {
    let mut total = 0;
    for (id, n) in APPS {
        let nd = read_ndjson(&out.join(format!("steam_{id}.ndjson")));
        assert_ground_truth(&nd, id, n, DEV_EVERY);
        let json: Vec<Value> =
            serde_json::from_slice(&std::fs::read(out.join(format!("steam_{id}.json"))).unwrap())
                .expect("per-job JSON array is valid after resume");
        assert_eq!(json, nd);
        let mut csv = csv::Reader::from_path(out.join(format!("steam_{id}.csv"))).unwrap();
        assert_eq!(csv.records().count(), nd.len(), "CSV of {id}");
        let ids: Vec<&str> = nd.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            xlsx_ids(&out.join(format!("steam_{id}.xlsx"))),
            ids,
            "XLSX of {id}"
        );
        total += nd.len();
    }
    let all = read_ndjson(&out.join("all.ndjson"));
    let ids: HashSet<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), all.len(), "combined NDJSON has duplicates");
    assert_eq!(all.len(), total, "combined NDJSON lost records");
    let json: Vec<Value> =
        serde_json::from_slice(&std::fs::read(out.join("all.json")).unwrap()).unwrap();
    assert_eq!(json.len(), total);
    let s = summary(out);
    assert_eq!(s["totals"]["done"], APPS.len());
    assert_eq!(s["totals"]["records"], total as u64);
}

/// The `id` column of every data row of every sheet of a workbook, read by an
/// independent reader (calamine).
fn xlsx_ids(path: &Path) -> Vec<String> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut book: Xlsx<_> =
        open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut ids = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let mut rows = range.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(header, engine::sink::COLUMNS, "header of {name}");
        let col = header.iter().position(|h| h == "id").unwrap();
        ids.extend(rows.map(|r| r[col].to_string()));
    }
    ids
}

fn args_for(
    urls: &Path,
    out: &Path,
    server: &fixtures::FixtureServer,
    resume: bool,
) -> Vec<String> {
    let mut a = batch_args(urls, out, server);
    a.extend(["--format".into(), "ndjson,json,csv,xlsx".into()]);
    if resume {
        a.push("--resume".into());
    }
    a
}

/// Starts a batch of the four apps against a server slowed to 25 ms a page,
/// so it can be interrupted mid-export; outputs go to `<dir>/out`.
fn start_slow_batch() -> (fixtures::FixtureServer, tempfile::TempDir, Child) {
    let server = steam_server(
        APPS.iter()
            .map(|&(id, n)| SynthApp::new(id, n).dev_response_every(DEV_EVERY))
            .collect(),
        25,
    );
    let dir = tempfile::tempdir().unwrap();
    let urls = url_list(dir.path(), &APPS.map(|a| a.0), &[]);
    let child = runner()
        .args(args_for(&urls, &dir.path().join("out"), &server, false))
        .spawn()
        .unwrap();
    (server, dir, child)
}

#[test]
fn kill_9_twice_then_resume_gives_exactly_the_full_set() {
    let (server, dir, mut child) = start_slow_batch();
    let (out, urls) = (dir.path().join("out"), dir.path().join("urls.txt"));
    wait_for_pages(&mut child, &out, 9);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let after_first = committed_pages(&out);
    assert!(after_first < 73, "the batch had finished before the kill");

    let mut child = runner()
        .args(args_for(&urls, &out, &server, true))
        .spawn()
        .unwrap();
    wait_for_pages(&mut child, &out, after_first + 17);
    child.kill().unwrap();
    child.wait().unwrap();

    run_ok(&args_for(&urls, &out, &server, true));
    verify(&out);
    assert_eq!(summary(&out)["resumed"], true);
}

#[test]
fn ctrl_c_stops_cleanly_and_resume_completes() {
    let (server, dir, mut child) = start_slow_batch();
    let (out, urls) = (dir.path().join("out"), dir.path().join("urls.txt"));
    wait_for_pages(&mut child, &out, 12);
    let st = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "Ctrl-C exit code");
    let s = summary(&out);
    assert!(s["totals"]["stopped"].as_u64().unwrap() > 0, "{s}");
    // Outputs are valid JSON even when stopped.
    let _: Vec<Value> =
        serde_json::from_slice(&std::fs::read(out.join("all.json")).unwrap()).unwrap();

    run_ok(&args_for(&urls, &out, &server, true));
    verify(&out);
}

#[test]
fn resume_refuses_a_different_batch() {
    let server = steam_server(vec![SynthApp::new(3_100_001, 50)], 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = url_list(dir.path(), &[3_100_001], &[]);
    assert_eq!(
        run(&batch_args(&urls, &out, &server)).status.code(),
        Some(0)
    );
    let urls = url_list(dir.path(), &[3_100_001, 3_100_002], &[]);
    let mut a = batch_args(&urls, &out, &server);
    a.push("--resume".into());
    let o = run(&a);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("different batch"));
}

#[test]
fn resume_without_a_checkpoint_starts_from_the_beginning() {
    let server = steam_server(vec![SynthApp::new(3_200_001, 150)], 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never-started");
    let urls = url_list(dir.path(), &[3_200_001], &[]);
    let mut a = batch_args(&urls, &out, &server);
    a.push("--resume".into());
    run_ok(&a);
    assert_ground_truth(
        &read_ndjson(&out.join("steam_3200001.ndjson")),
        3_200_001,
        150,
        0,
    );
    assert_eq!(summary(&out)["resumed"], false);
}

/// The cross-run dedup store (`--dedup-store`, what schedules use for "only
/// new items") after a crash that committed a page to the journal but not to
/// the store: the resumed run repairs it, so it holds every exported record's
/// key exactly once and the next run exports nothing again.
#[test]
fn kill_9_with_a_dedup_store_keeps_the_store_exact() {
    let server = steam_server(
        APPS.iter()
            .map(|&(id, n)| SynthApp::new(id, n).dev_response_every(DEV_EVERY))
            .collect(),
        25,
    );
    let dir = tempfile::tempdir().unwrap();
    let urls = url_list(dir.path(), &APPS.map(|a| a.0), &[]);
    let out = dir.path().join("out");
    let store = dir.path().join("store.bin");
    let with_store = |out: &Path, resume: bool| {
        let mut a = args_for(&urls, out, &server, resume);
        a.extend(["--dedup-store".into(), store.display().to_string()]);
        a
    };
    let mut child = runner().args(with_store(&out, false)).spawn().unwrap();
    wait_for_pages(&mut child, &out, 9);
    child.kill().unwrap();
    child.wait().unwrap();
    // The crash between the journal line and the store append: the last
    // committed page's keys never reached the store.
    let len = std::fs::metadata(&store).unwrap().len();
    assert!(len >= 8 * 60, "pages were stored: {len} bytes");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&store)
        .unwrap()
        .set_len(len - 8 * 60)
        .unwrap();

    run_ok(&with_store(&out, true));
    verify(&out);
    let keys: Vec<u64> = std::fs::read(&store)
        .unwrap()
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let all = read_ndjson(&out.join("all.ndjson"));
    let want: HashSet<u64> = all
        .iter()
        .map(|r| engine::dedup::record_key("steam", r["id"].as_str().unwrap()))
        .collect();
    let got: HashSet<u64> = keys.iter().copied().collect();
    assert_eq!(keys.len(), got.len(), "a key stored twice");
    assert_eq!(got, want, "the store holds exactly the exported records");

    let again = dir.path().join("again");
    run_ok(&with_store(&again, false));
    assert_eq!(summary(&again)["totals"]["records"], 0, "nothing new");
}
