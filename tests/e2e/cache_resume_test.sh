#!/usr/bin/env bash
# Kill a run with SIGKILL half-way, run it again: the requests answered before the kill are
# served from the cache and never reach the server a second time.
source "$(dirname "$0")/lib.sh"
start_refmodel

N=3000
python3 - "$N" >"$WORK/requests.jsonl" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"prompt": f"질문 {i}: 대한민국의 수도는", "max_tokens": 48, "temperature": 0}))
PY
ARGS="model=hanul-7b,base_url=$REF_URL,concurrency=8"
CACHE="$WORK/cache.db"

"$KAIEVAL" request --quiet --model-args "$ARGS" --cache-path "$CACHE" \
  --input "$WORK/requests.jsonl" --output "$WORK/first.jsonl" &
RUN=$!
rows() { sqlite3 "$CACHE" "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
for _ in $(seq 600); do
  [ "$(rows)" -ge 300 ] && break
  kill -0 "$RUN" 2>/dev/null || fail "the first run finished before it could be killed"
  sleep 0.05
done
kill -9 "$RUN"
wait "$RUN" 2>/dev/null || true
CACHED=$(rows)
SENT_BEFORE=$(served /v1/completions)
[ "$CACHED" -ge 300 ] && [ "$CACHED" -lt "$N" ] || fail "killed at $CACHED of $N cached"
pass "killed the first run with $CACHED of $N answers cached ($SENT_BEFORE reached the server)"

"$KAIEVAL" request --quiet --model-args "$ARGS" --cache-path "$CACHE" \
  --input "$WORK/requests.jsonl" --output "$WORK/second.jsonl"
SENT_AFTER=$(served /v1/completions)
RESENT=$((SENT_AFTER - SENT_BEFORE))
[ "$RESENT" -eq $((N - CACHED)) ] ||
  fail "second run sent $RESENT requests, expected exactly $((N - CACHED))"
[ "$(wc -l <"$WORK/second.jsonl")" -eq "$N" ] || fail "second run did not answer every request"
FROM_CACHE=$(grep -c '"from_cache":true' "$WORK/second.jsonl")
[ "$FROM_CACHE" -eq "$CACHED" ] || fail "$FROM_CACHE answers from cache, expected $CACHED"
pass "second run sent only the $RESENT unanswered requests"

"$KAIEVAL" request --quiet --model-args "$ARGS" --cache-path "$CACHE" \
  --input "$WORK/requests.jsonl" --output "$WORK/third.jsonl"
[ "$(served /v1/completions)" -eq "$SENT_AFTER" ] || fail "third run reached the server"
cmp -s <(sed 's/"from_cache":[a-z]*//' "$WORK/second.jsonl") \
  <(sed 's/"from_cache":[a-z]*//' "$WORK/third.jsonl") || fail "cached answers differ"
pass "third run is served entirely from the cache, with the same answers"

"$KAIEVAL" request --quiet --cache refresh --model-args "$ARGS" --cache-path "$CACHE" \
  --input <(head -5 "$WORK/requests.jsonl") --output /dev/null
[ "$(served /v1/completions)" -eq $((SENT_AFTER + 5)) ] || fail "--cache refresh did not resend"
pass "--cache refresh sends again"
