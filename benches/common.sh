# Shared by the end-to-end benchmark scripts (sourced, not run):
#   e2e_setup NAME     build (unless E2E_NO_BUILD=1), find RUNNER and SERVER,
#                      make WORK (E2E_WORK to choose and keep it), clean up at exit
#   start_server ARGS  start fixture-server ARGS in the background; sets
#                      SERVER_PID and BASE_URL (http://127.0.0.1:PORT)

e2e_setup() {
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
    if [[ -n "${E2E_WORK:-}" ]]; then
        WORK="$E2E_WORK"; OWN_WORK=0   # given by the caller: never deleted
        mkdir -p "$WORK"
    else
        WORK="$(mktemp -d "${TMPDIR:-/tmp}/e2e_$1.XXXXXX")"; OWN_WORK=1
    fi
    SERVER_PID=""
    trap e2e_cleanup EXIT
    trap 'exit 130' INT TERM
}

e2e_cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ "$OWN_WORK" == 1 && "${E2E_KEEP:-0}" != 1 ]]; then
        rm -rf "$WORK"
    else
        echo "# work folder kept: $WORK" >&2
    fi
}

start_server() {
    "$SERVER" "$@" >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    BASE_URL=""
    for _ in $(seq 1 200); do
        BASE_URL="$(sed -n 's#^listening on \(http://127\.0\.0\.1:[0-9]*\).*#\1#p' "$WORK/server.out" 2>/dev/null)"
        [[ -n "$BASE_URL" ]] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "fixture-server did not announce its address" >&2
    cat "$WORK/server.err" >&2
    exit 1
}
