#!/usr/bin/env bash
# End-to-end benchmark: one huge Reddit thread through `runner batch` against
# the synthetic Reddit server (fixtures/src/reddit_synth.rs).
#
#   benches/e2e_reddit.sh [COMMENTS] [LATENCY_MS] [PARALLEL]
#
#   benches/e2e_reddit.sh                 # 50,000 comments, 50 ms per response, 4 in flight
#   benches/e2e_reddit.sh 50000 50 8      # 8 morechildren requests in flight
#
# Builds the release `runner` and `fixture-server`, starts
# `fixture-server --reddit-synth COMMENTS --latency-ms LATENCY_MS` on 127.0.0.1,
# exports `https://www.reddit.com/comments/synth1/` under `/usr/bin/time -v` and
# prints: records (summary.json totals.records, checked against COMMENTS + 1),
# pages committed, wall seconds, user+sys CPU seconds of the runner, CPU µs per
# record, peak RSS of the runner.
#
# Environment:
#   E2E_NO_BUILD=1   skip `cargo build` (binaries must already exist)
#   E2E_KEEP=1       keep the work folder
#   E2E_TARGET_DIR   where the release binaries are (default: cargo's target dir)
#   E2E_ARGS         extra runner arguments, e.g. "--no-combined" or "--format ndjson,csv"
set -euo pipefail

COMMENTS="${1:-50000}"
LATENCY="${2:-50}"
PARALLEL="${3:-4}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
e2e_setup reddit
start_server --reddit-synth "$COMMENTS" --latency-ms "$LATENCY"
BASE="$BASE_URL"

echo "https://www.reddit.com/comments/synth1/" >"$WORK/urls.txt"
/usr/bin/time -v -o "$WORK/time.txt" "$RUNNER" batch "$WORK/urls.txt" --out "$WORK/out" \
    --base-url "reddit=$BASE" --rate reddit=0 --parallel-requests "$PARALLEL" --quiet ${E2E_ARGS:-} \
    >"$WORK/runner.out" 2>"$WORK/runner.err" || {
    echo "runner failed:" >&2; cat "$WORK/runner.err" >&2; exit 1; }

python3 - "$WORK" "$COMMENTS" "$LATENCY" "$PARALLEL" <<'PY'
import json, re, sys
work, comments, latency, parallel = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = json.load(open(f"{work}/out/summary.json"))
records = s["totals"]["records"]
t = open(f"{work}/time.txt").read()
def field(name):
    return re.search(re.escape(name) + r":\s*(.+)", t).group(1).strip()
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
parts = [float(p) for p in wall.split(":")]
secs = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = int(field("Maximum resident set size (kbytes)"))
pages = sum(1 for l in open(f"{work}/out/.runner/journal.ndjson") if '"t":"page"' in l)
ok = "OK" if records == comments + 1 else f"MISMATCH (expected {comments + 1})"
print(f"reddit thread: {comments} comments, {latency} ms latency, {parallel} requests in flight")
print(f"records        {records} {ok}")
print(f"pages          {pages} (committed to the journal)")
print(f"wall           {secs:.2f} s")
print(f"cpu            {cpu:.2f} s (user+sys), {cpu / max(records, 1) * 1e6:.1f} us/record")
print(f"peak RSS       {rss / 1024:.1f} MiB")
PY
