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
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ "${E2E_NO_BUILD:-0}" != 1 ]]; then
    echo "# cargo build --release -p runner -p fixtures" >&2
    cargo build --release -p runner -p fixtures >&2
fi
TARGET_DIR="${E2E_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null \
    || echo "$ROOT/target")}"
RUNNER="$TARGET_DIR/release/runner"
SERVER="$TARGET_DIR/release/fixture-server"
for bin in "$RUNNER" "$SERVER"; do
    [[ -x "$bin" ]] || { echo "missing $bin (build first)" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/e2e_reddit.XXXXXX")"
SERVER_PID=""
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
    [[ "${E2E_KEEP:-0}" == 1 ]] && echo "work folder kept: $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

"$SERVER" --reddit-synth "$COMMENTS" --latency-ms "$LATENCY" >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 1 200); do
    grep -q '^listening on ' "$WORK/server.out" 2>/dev/null && break
    sleep 0.05
done
BASE="$(sed -n 's/^listening on //p' "$WORK/server.out")"
[[ -n "$BASE" ]] || { echo "fixture-server did not start: $(cat "$WORK/server.err")" >&2; exit 1; }

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
