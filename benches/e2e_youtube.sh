#!/usr/bin/env bash
# End-to-end benchmark: `runner batch` against the local YouTube-protocol server.
#
#   benches/e2e_youtube.sh [THREADS] [LATENCY_MS]
#
#   benches/e2e_youtube.sh              # 2,000 threads (~10k comments), 50 ms per response
#   benches/e2e_youtube.sh 2000 0       # CPU-bound: no latency
#   benches/e2e_youtube.sh 20000 0      # ~10x the comments, to see RSS against size
#
# Builds the release `runner` and `fixture-server`, starts
# `fixture-server --youtube-synth THREADS --latency-ms LATENCY_MS` on 127.0.0.1
# (video ySynthVid00: 20 threads a page, 10 replies a page, heavy-tailed reply
# counts), exports it once with `/usr/bin/time -v` and prints: comments
# exported, wall seconds, comments/s, user+sys CPU of the runner, CPU µs per
# comment, peak RSS of the runner.
#
# Environment:
#   E2E_NO_BUILD=1        skip `cargo build` (binaries must already exist)
#   E2E_KEEP=1            keep the work folder
#   E2E_SORT=new|top      listing order (default new)
#   E2E_PARALLEL=N        --parallel-requests (default 8)
set -euo pipefail

THREADS="${1:-2000}"
LATENCY="${2:-50}"
SORT="${E2E_SORT:-new}"
PARALLEL="${E2E_PARALLEL:-8}"
VIDEO="ySynthVid00"

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
e2e_setup youtube
start_server --youtube-synth "$THREADS" --latency-ms "$LATENCY"
BASE="$BASE_URL"

echo "https://www.youtube.com/watch?v=$VIDEO" >"$WORK/urls.txt"
/usr/bin/time -v "$RUNNER" batch "$WORK/urls.txt" --out "$WORK/out" \
    --base-url "youtube=$BASE" --rate youtube=0 --sort "$SORT" \
    --parallel-requests "$PARALLEL" --quiet 2>"$WORK/time.txt" >/dev/null \
    || { echo "runner failed" >&2; cat "$WORK/time.txt" >&2; exit 1; }

python3 - "$WORK" "$THREADS" "$LATENCY" "$SORT" "$PARALLEL" <<'PY'
import re, sys
work, threads, latency, sort, par = sys.argv[1:]
t = open(f"{work}/time.txt").read()
def field(name):
    return re.search(re.escape(name) + r":\s*(.+)", t).group(1).strip()
user, sys_ = float(field("User time (seconds)")), float(field("System time (seconds)"))
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
parts = [float(p) for p in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
rss_kb = int(field("Maximum resident set size (kbytes)"))
n = sum(1 for _ in open(f"{work}/out/youtube_ySynthVid00.ndjson"))
print(f"youtube e2e: threads={threads} latency={latency}ms sort={sort} parallel_requests={par}")
print(f"  comments exported : {n}")
print(f"  wall              : {secs:.2f} s  ({n / secs:.0f} comments/s)")
print(f"  runner CPU        : {user + sys_:.2f} s user+sys  ({(user + sys_) * 1e6 / max(n, 1):.1f} µs/comment)")
print(f"  runner peak RSS   : {rss_kb / 1024:.1f} MiB")
PY
