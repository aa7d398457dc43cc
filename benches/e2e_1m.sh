#!/usr/bin/env bash
# End-to-end writer benchmark: 1,000,000 rows through the whole pipeline
# (fixture server → Steam adapter → dedup → filter → sentiment → writer),
# once per output format, reporting rows/s and the runner's peak RSS.
#
#   benches/e2e_1m.sh [FORMATS] [APPSxREVIEWS]
#
#   benches/e2e_1m.sh                         # ndjson,csv,json,xlsx; 50 x 20,000 = 1M
#   benches/e2e_1m.sh xlsx 50x2000            # one format, 100k rows
#
# Each format is one run of benches/e2e_steam.sh (see it for what is
# measured and how), with `--sentiment` so the rows carry sentiment labels as
# in the issue's reference set, and the per-URL files plus the combined
# `all.<ext>` written (a batch's default: every row is written twice).
# Extra runner arguments go in E2E_EXTRA_ARGS (e.g. "--no-combined",
# "--fields id,text", "--chunk-rows 10000 --zip"); E2E_NO_BUILD=1 skips the build.
set -euo pipefail

FORMATS="${1:-ndjson,csv,json,xlsx}"
SIZE="${2:-50x20000}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXTRA="--sentiment ${E2E_EXTRA_ARGS:-}"

if [[ "${E2E_NO_BUILD:-0}" != 1 ]]; then
    (cd "$HERE/.." && cargo build --release -p runner -p fixtures >&2)
fi

printf '%-8s %10s %8s %12s %14s %12s\n' format rows wall_s rows_per_s "runner_cpu_us" peak_rss_MB
IFS=',' read -r -a LIST <<<"$FORMATS"
for f in "${LIST[@]}"; do
    out="$(E2E_NO_BUILD=1 E2E_EXTRA_ARGS="$EXTRA" "$HERE/e2e_steam.sh" "$SIZE" "$f")"
    get() { awk -v k="$1" 'index($0, k) == 1 { v = substr($0, length(k) + 1); gsub(/^ +/, "", v); print v; exit }' <<<"$out"; }
    printf '%-8s %10s %8s %12s %14s %12s\n' "$f" \
        "$(get 'reviews exported')" "$(get 'wall seconds')" "$(get 'reviews/s')" \
        "$(get 'runner CPU µs per review')" "$(get 'runner peak RSS MB')"
done
