# Shared helpers for the end-to-end tests. Each test sources this with the kaieval binary as $1.
set -euo pipefail
KAIEVAL=${1:?usage: test.sh path/to/kaieval}
SRC=${KAIEVAL_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# Waits until FILE exists and is non-empty (at most ~20 s).
wait_for_file() {
  for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.1; done
  fail "timed out waiting for $1"
}

# Starts the reference model server; sets REF_PORT and REF_URL. Extra args are passed on.
start_refmodel() {
  rm -f "$WORK/ref.port"
  "$KAIEVAL" refmodel serve --config "$SRC/examples/refmodel/models.yaml" --port 0 \
    --port-file "$WORK/ref.port" "$@" 2>"$WORK/refmodel.log" &
  PIDS+=($!)
  wait_for_file "$WORK/ref.port"
  REF_PORT=$(cat "$WORK/ref.port")
  REF_URL="http://127.0.0.1:$REF_PORT/v1"
}

# Starts tests/e2e/fake_openai.py in MODE; sets FAKE_PORT.
start_fake() {
  rm -f "$WORK/fake.port"
  python3 "$SRC/tests/e2e/fake_openai.py" "$1" "$WORK/fake.port" &
  PIDS+=($!)
  wait_for_file "$WORK/fake.port"
  FAKE_PORT=$(cat "$WORK/fake.port")
}

# Requests that reached the refmodel server at ENDPOINT (e.g. /v1/completions).
served() {
  curl -fsS "http://127.0.0.1:$REF_PORT/stats" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"].get(sys.argv[1], 0))' "$1"
}

# expect_error CODE PATTERN -- command...: the command exits CODE and prints exactly one
# stderr line, "kaieval: error: ..." matching PATTERN.
expect_error() {
  local code=$1 pattern=$2
  shift 3
  local rc=0
  "$@" >"$WORK/.expect.out" 2>"$WORK/.expect.err" </dev/null || rc=$?
  [ "$rc" -eq "$code" ] || fail "expected exit $code, got $rc from: $* ($(cat "$WORK/.expect.err"))"
  local lines
  lines=$(grep -c . "$WORK/.expect.err" || true)
  [ "$lines" -eq 1 ] || fail "expected one line on stderr, got $lines: $(cat "$WORK/.expect.err")"
  grep -q "^kaieval: error: " "$WORK/.expect.err" || fail "stderr is not an error line: $(cat "$WORK/.expect.err")"
  grep -qE "$pattern" "$WORK/.expect.err" || fail "stderr does not match '$pattern': $(cat "$WORK/.expect.err")"
}
