#!/usr/bin/env bash
# Client overhead: requests per second that kaieval's ModelClient reaches against the refmodel
# server at 64 in flight, against what wrk (a C load generator) reaches against the same server
# with the same request at the same concurrency, measured in one run. Also the client's CPU
# time per request (user + sys of the kaieval process / requests).
# With PIN=1 the server runs on core 1 and the load generator or client on core 0, so that
# neither takes CPU from the server (on this 2-core machine the unpinned run measures how much
# the client's CPU slows a server that shares its cores).
# Usage: [PIN=1] bench/client_overhead.sh BUILD_DIR [REQUESTS]
set -euo pipefail
BUILD=${1:?usage: client_overhead.sh BUILD_DIR [REQUESTS]}
N=${2:-40000}
source "$(dirname "$0")/lib.sh"

SERVER_CPU=""
CLIENT_CPU=""
if [ "${PIN:-0}" = 1 ]; then SERVER_CPU="taskset -c 1"; CLIENT_CPU="taskset -c 0"; fi

start_refmodel $SERVER_CPU
MODEL=$(curl -fsS "http://127.0.0.1:$PORT/v1/models" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')

# The same small request for both: one generated token, no logprobs.
BODY="{\"model\":\"$MODEL\",\"prompt\":\"가\",\"max_tokens\":1,\"temperature\":0}"
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$BODY'
LUA
python3 -c "
import sys
line = '{\"prompt\":\"가\",\"max_tokens\":1,\"temperature\":0}\n'
sys.stdout.write(line * $N)" >"$WORK/requests.jsonl"

# Warm up both paths once.
$CLIENT_CPU wrk -t1 -c64 -d2s -s "$WORK/post.lua" "http://127.0.0.1:$PORT/v1/completions" >/dev/null
$CLIENT_CPU wrk -t1 -c64 -d10s -s "$WORK/post.lua" "http://127.0.0.1:$PORT/v1/completions" >"$WORK/wrk.txt"
WRK_RPS=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")

$CLIENT_CPU /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$KAIEVAL" request --quiet --cache off \
  --model-args "model=$MODEL,base_url=http://127.0.0.1:$PORT/v1,concurrency=64" \
  --input "$WORK/requests.jsonl" --output /dev/null
read -r WALL USER SYS MAXRSS <"$WORK/time.txt"

python3 - "$N" "$WALL" "$USER" "$SYS" "$WRK_RPS" "$MAXRSS" <<'PY'
import sys
n, wall, user, sys_, wrk_rps, rss = int(sys.argv[1]), *map(float, sys.argv[2:6]), int(sys.argv[6])
client_rps = n / wall
cpu_us = (user + sys_) / n * 1e6
print(f"requests            {n}  (pinned: {'yes' if __import__('os').environ.get('PIN') == '1' else 'no'})")
print(f"wrk  (64 conns)     {wrk_rps:10.0f} req/s")
print(f"kaieval (64 flight) {client_rps:10.0f} req/s   ratio {client_rps / wrk_rps:.2f} (target >= 0.90)")
print(f"kaieval CPU         {cpu_us:10.1f} us/request (user+sys; target <= 50)")
print(f"kaieval max RSS     {rss / 1024:10.1f} MB")
PY
