#!/usr/bin/env bash
# Memory: peak resident memory of one 100,000-request run (completions, 64 in flight, with the
# response cache on) against the refmodel server. Target: under 300 MB.
# Usage: bench/memory.sh BUILD_DIR [REQUESTS]
set -euo pipefail
BUILD=${1:?usage: memory.sh BUILD_DIR [REQUESTS]}
N=${2:-100000}
source "$(dirname "$0")/lib.sh"

start_refmodel
MODEL=$(curl -fsS "http://127.0.0.1:$PORT/v1/models" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
python3 -c "
import json
for i in range($N):
    print(json.dumps({'prompt': f'요청 {i}: 오늘의 날씨는', 'max_tokens': 8, 'temperature': 0}))
" >"$WORK/requests.jsonl"

/usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$KAIEVAL" request --quiet \
  --model-args "model=$MODEL,base_url=http://127.0.0.1:$PORT/v1,concurrency=64" \
  --cache-path "$WORK/cache.db" --input "$WORK/requests.jsonl" --output "$WORK/out.jsonl"
read -r WALL MAXRSS <"$WORK/time.txt"
LINES=$(wc -l <"$WORK/out.jsonl")
echo "requests            $N (answered $LINES) in ${WALL}s"
echo "kaieval max RSS     $((MAXRSS / 1024)) MB (target < 300)"
