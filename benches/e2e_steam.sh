#!/usr/bin/env bash
# End-to-end benchmark: `runner batch` against a local Steam-protocol server.
#
#   benches/e2e_steam.sh [APPSxREVIEWS] [FORMATS]
#
#   benches/e2e_steam.sh                          # 50 apps x 2,000 reviews (100k), ndjson
#   benches/e2e_steam.sh 50x20000                 # 1M reviews, to see RSS against size
#   benches/e2e_steam.sh 50x2000 ndjson,csv,json  # every text format at once
#
# Builds the release `runner` and `fixture-server`, starts
# `fixture-server --steam-synth APPSxREVIEWS` on 127.0.0.1 (a random port),
# exports every app with 8 jobs at once (100 reviews a page, as the Steam
# adapter asks) and prints: reviews exported (summary.json totals.records),
# wall seconds, reviews/s, user+sys CPU seconds of the runner, CPU µs per
# review, peak RSS of the runner, and the fixture server's CPU over the run
# (it runs on the same cores and competes with the runner for them).
#
# Environment:
#   E2E_NO_BUILD=1      skip `cargo build` (binaries must already exist)
#   E2E_KEEP=1          keep the work folder (outputs, logs) instead of deleting it
#   E2E_WORK=DIR        work folder (default: a fresh mktemp -d, deleted at exit;
#                       a folder given here is kept)
#   E2E_CONCURRENCY=N   jobs at once, global and for steam (default 8)
#   E2E_RATE=R          also pass --rate steam=R (default: not passed; a loopback
#                       --base-url is not rate-limited by default)
#   E2E_FIRST_APPID=N   first synthetic appid (default 6000000)
#   E2E_EXTRA_ARGS      more runner arguments, e.g. "--no-combined"
#   E2E_RUNNER_PREFIX   command put before the runner, e.g. "perf record -g -o perf.data"
#
set -euo pipefail

SIZE="${1:-50x2000}"
FORMATS="${2:-ndjson}"
if [[ ! "$SIZE" =~ ^([0-9]+)[xX]([0-9]+)$ ]]; then
    echo "usage: $0 [APPSxREVIEWS] [FORMATS]   e.g. $0 50x2000 ndjson,csv,json" >&2
    exit 2
fi
APPS="${BASH_REMATCH[1]}"
REVIEWS="${BASH_REMATCH[2]}"
CONCURRENCY="${E2E_CONCURRENCY:-8}"
RATE="${E2E_RATE:-}"
FIRST_APPID="${E2E_FIRST_APPID:-6000000}"

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
e2e_setup steam
COMMIT="$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"

# --- the server -------------------------------------------------------------
start_server --steam-synth "${APPS}x${REVIEWS}" --first-appid "$FIRST_APPID"

CLK_TCK="$(getconf CLK_TCK)"
# utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# --- the URL list -------------------------------------------------------------
for ((i = 0; i < APPS; i++)); do
    echo "https://store.steampowered.com/app/$((FIRST_APPID + i))/"
done >"$WORK/urls.txt"

# --- the run ------------------------------------------------------------------
OUT="$WORK/out"
CMD=("$RUNNER" batch "$WORK/urls.txt" --out "$OUT" --base-url "steam=$BASE_URL" --quiet
     --platform-concurrency "steam=$CONCURRENCY" --concurrency "$CONCURRENCY"
     --format "$FORMATS")
if [[ -n "$RATE" ]]; then CMD+=(--rate "steam=$RATE"); fi
if [[ -n "${E2E_EXTRA_ARGS:-}" ]]; then read -r -a EXTRA <<<"$E2E_EXTRA_ARGS"; CMD+=("${EXTRA[@]}"); fi
PREFIX=()
if [[ -n "${E2E_RUNNER_PREFIX:-}" ]]; then read -r -a PREFIX <<<"$E2E_RUNNER_PREFIX"; fi

echo "# ${PREFIX[*]:+${PREFIX[*]} }/usr/bin/time -v runner batch urls.txt --out DIR --base-url steam=$BASE_URL --quiet --platform-concurrency steam=$CONCURRENCY --concurrency $CONCURRENCY --format $FORMATS${RATE:+ --rate steam=$RATE}${E2E_EXTRA_ARGS:+ $E2E_EXTRA_ARGS}" >&2
SERVER_CPU0="$(cpu_ticks "$SERVER_PID")"
T0="$(date +%s.%N)"
set +e
"${PREFIX[@]}" /usr/bin/time -v -o "$WORK/time.txt" "${CMD[@]}" >"$WORK/runner.out" 2>"$WORK/runner.err"
STATUS=$?
set -e
T1="$(date +%s.%N)"
SERVER_CPU1="$(cpu_ticks "$SERVER_PID")"
if [[ "$STATUS" != 0 ]]; then
    echo "runner exited with $STATUS" >&2
    tail -n 20 "$WORK/runner.out" "$WORK/runner.err" >&2
    exit 1
fi

# --- the report ----------------------------------------------------------------
python3 - "$WORK" "$T0" "$T1" "$SERVER_CPU0" "$SERVER_CPU1" "$CLK_TCK" "$SIZE" "$FORMATS" "$OUT" "$COMMIT" <<'PY'
import json, os, re, sys
work, t0, t1, s0, s1, tck, size, formats, out, commit = sys.argv[1:]
wall = float(t1) - float(t0)
time_v = open(os.path.join(work, "time.txt")).read()
def field(name):
    m = re.search(r"^\s*" + re.escape(name) + r":\s*(\S+)\s*$", time_v, re.M)
    if not m:
        sys.exit(f"no {name!r} in /usr/bin/time output")
    return m.group(1)
user, sys_ = float(field("User time (seconds)")), float(field("System time (seconds)"))
rss_kb = int(field("Maximum resident set size (kbytes)"))
summary = json.load(open(os.path.join(out, "summary.json")))
records = summary["totals"]["records"]
cpu = user + sys_
server_cpu = (int(s1) - int(s0)) / int(tck)
out_bytes = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out)
                if os.path.isfile(os.path.join(out, f)))
rows = [
    ("commit", commit),
    ("size", size),
    ("formats", formats),
    ("jobs", f'{summary["totals"]["done"]} done / {summary["totals"]["jobs"]}'),
    ("reviews exported", f"{records}"),
    ("wall seconds", f"{wall:.2f}"),
    ("reviews/s", f"{records / wall:,.0f}"),
    ("runner CPU seconds (user+sys)", f"{cpu:.2f} ({user:.2f} user + {sys_:.2f} sys)"),
    ("runner CPU µs per review", f"{cpu / records * 1e6:.1f}"),
    ("runner peak RSS MB", f"{rss_kb / 1024:.1f}"),
    ("fixture-server CPU seconds", f"{server_cpu:.2f}"),
    ("fixture-server CPU µs per review", f"{server_cpu / records * 1e6:.1f}"),
    ("output MB", f"{out_bytes / 1e6:,.0f}"),
]
width = max(len(k) for k, _ in rows)
for k, v in rows:
    print(f"{k:<{width}}  {v}")
PY
