#!/usr/bin/env bash
# Load test of the job service (issue 9): many concurrent API clients against
# `runner serve` on 127.0.0.1, bounded in count and time, measured with wrk.
#
#   benches/service_load.sh [CLIENTS] [SECONDS]      # default: 50 clients, 10 s a phase
#
# Builds the release `runner` (unless SVC_NO_BUILD=1), starts
# `runner serve --workers 1` on a fresh data dir and a random port, creates a
# token, seeds 30 sandbox jobs, then runs two phases, each CLIENTS connections
# for SECONDS with `wrk --latency` (2 threads):
#   1. GET  /api/v3/jobs               (list, one SQLite read a request)
#   2. POST /api/v3/job  X-Sandbox: true  (create + sample JSON/XLSX files + events)
# and prints, per phase: requests/s, p50/p90/p99 latency, non-2xx answers and
# the server's CPU seconds. The per-token rate limit is lifted for the run
# (--rate-per-minute 100000000): this measures the server, not the limiter.
#
# Needs wrk (Debian: apt-get install -y wrk).
#
# Environment:
#   SVC_NO_BUILD=1   skip `cargo build --release -p runner`
#   SVC_KEEP=1       keep the work folder (data dir, logs, wrk outputs)
#   SVC_THREADS=N    wrk threads (default 2)
set -euo pipefail

CLIENTS="${1:-50}"
SECONDS_PER_PHASE="${2:-10}"
THREADS="${SVC_THREADS:-2}"
[[ "$CLIENTS" =~ ^[0-9]+$ && "$SECONDS_PER_PHASE" =~ ^[0-9]+$ ]] || {
    echo "usage: $0 [CLIENTS] [SECONDS]" >&2
    exit 2
}
(( CLIENTS >= 1 && CLIENTS <= 1000 && SECONDS_PER_PHASE >= 1 && SECONDS_PER_PHASE <= 120 )) || {
    echo "bounded on purpose: 1..1000 clients, 1..120 s" >&2
    exit 2
}
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ "${SVC_NO_BUILD:-0}" != 1 ]]; then
    echo "# cargo build --release -p runner" >&2
    cargo build --release -p runner >&2
fi
TARGET_DIR="${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')}"
RUNNER="$TARGET_DIR/release/runner"
[[ -x "$RUNNER" ]] || { echo "missing $RUNNER (build first)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/service_load.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ "${SVC_KEEP:-0}" == 1 ]]; then echo "# work folder kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TOKEN="$("$RUNNER" token create --data "$WORK/data" --name load 2>/dev/null)"
"$RUNNER" serve --data "$WORK/data" --bind 127.0.0.1:0 --workers 1 \
    --rate-per-minute 100000000 --queued-exports 1000000 \
    >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 200); do
    BASE="$(sed -n 's#^listening on \(http://127\.0\.0\.1:[0-9]*\).*#\1#p' "$WORK/server.out")"
    [[ -n "$BASE" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
done
[[ -n "$BASE" ]] || { echo "runner serve did not start" >&2; cat "$WORK/server.err" >&2; exit 1; }

BODY='{"url":"https://store.steampowered.com/app/440/Team_Fortress_2/","options":{"limit":20}}'
for _ in $(seq 1 30); do
    curl -fsS -o /dev/null -X POST "$BASE/api/v3/job" -H "X-AUTH-TOKEN: $TOKEN" \
        -H "X-Sandbox: true" -H "Content-Type: application/json" -d "$BODY"
done

cat >"$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Sandbox"] = "true"
EOF

CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# phase NAME PATH [wrk args...]: runs wrk, prints one result line.
phase() {
    local name="$1" path="$2"; shift 2
    local before after
    before="$(cpu_ticks "$SERVER_PID")"
    wrk -t"$THREADS" -c"$CLIENTS" -d"${SECONDS_PER_PHASE}s" --latency --timeout 10s \
        -H "X-AUTH-TOKEN: $TOKEN" "$@" "$BASE$path" >"$WORK/$name.wrk"
    after="$(cpu_ticks "$SERVER_PID")"
    awk -v name="$name" -v cpu="$(( after - before ))" -v tck="$CLK_TCK" '
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
        /requests in/ { total = $1 }
        /Non-2xx or 3xx responses/ { bad = $NF }
        /Socket errors/ { sock = $0 }
        END {
            printf "%-12s %9s req/s  p50 %8s  p90 %8s  p99 %8s  requests %s  non-2xx %s  server CPU %.1f s%s\n",
                name, rps, p50, p90, p99, total, (bad == "" ? 0 : bad), cpu / tck,
                (sock == "" ? "" : "  [" sock "]")
        }' "$WORK/$name.wrk"
}

echo "# $CLIENTS clients, ${SECONDS_PER_PHASE} s a phase, $THREADS wrk threads, $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown), server $BASE"
phase list_jobs "/api/v3/jobs"
phase create_job "/api/v3/job" -s "$WORK/post.lua"
# The server must still answer normally afterwards.
code="$(curl -s -o /dev/null -w '%{http_code}' -H "X-AUTH-TOKEN: $TOKEN" "$BASE/api/v1/ping")"
echo "# after the run: GET /api/v1/ping → $code; server RSS $(awk '/VmHWM/ {print $2/1024 " MiB (peak)"}' "/proc/$SERVER_PID/status")"
[[ "$code" == 200 ]]
