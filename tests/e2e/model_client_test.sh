#!/usr/bin/env bash
# The client against real refmodel servers: loglikelihood checked against the raw echoed
# logprobs, 512 requests in flight, replicas sharing load and one dying mid-run, streaming chat.
source "$(dirname "$0")/lib.sh"
start_refmodel --threads 600
FIRST_PORT=$REF_PORT

# 1. Loglikelihood equals the sum of the raw echoed logprobs after the context's end.
cat >"$WORK/ll.jsonl" <<'JSONL'
{"context":"대한민국의 수도는","continuation":" 서울이다."}
{"context":"대한민국의 수도는","continuation":" 부산이다."}
{"context":"The capital of France is","continuation":" Paris."}
JSONL
"$KAIEVAL" request --quiet --kind loglikelihood --model-args "model=hanul-7b,base_url=$REF_URL" \
  --input "$WORK/ll.jsonl" --output "$WORK/ll.out"
python3 - "$REF_PORT" "$WORK/ll.jsonl" "$WORK/ll.out" <<'PY'
import json, sys, urllib.request
port, reqs, outs = sys.argv[1], open(sys.argv[2]).read().splitlines(), open(sys.argv[3]).read().splitlines()
for req, out in zip(map(json.loads, reqs), map(json.loads, outs)):
    body = json.dumps({"model": "hanul-7b", "prompt": req["context"] + req["continuation"],
                       "max_tokens": 0, "echo": True, "logprobs": 1, "temperature": 0}).encode()
    r = urllib.request.Request(f"http://127.0.0.1:{port}/v1/completions", body,
                               {"Content-Type": "application/json"})
    lp = json.load(urllib.request.urlopen(r))["choices"][0]["logprobs"]
    n = len(req["context"])  # Python counts code points, as the server's text_offset does
    want = sum(l for o, l in zip(lp["text_offset"], lp["token_logprobs"]) if o >= n)
    assert abs(out["logprob"] - want) < 1e-9, (out, want)
    assert out["num_tokens"] == len(req["continuation"]), out
print("ok: loglikelihood matches the raw echoed logprobs")
PY
python3 - "$WORK/ll.out" <<'PY'
import json, sys
seoul, busan, _ = [json.loads(l) for l in open(sys.argv[1])]
assert seoul["logprob"] > busan["logprob"] + 1, (seoul, busan)
print("ok: the best model prefers the fact its corpus states")
PY

# 2. 512 requests in flight against one server.
python3 -c "
import json
for i in range(2048):
    print(json.dumps({'prompt': f'{i}번째 질문: 한강은', 'max_tokens': 16, 'temperature': 0}))
" >"$WORK/many.jsonl"
"$KAIEVAL" request --quiet --model-args "model=dalbit-5b,base_url=$REF_URL,concurrency=512" \
  --input "$WORK/many.jsonl" --output "$WORK/many.out"
[ "$(grep -c '"finish_reason"' "$WORK/many.out")" -eq 2048 ] || fail "not every request answered"
pass "2048 requests at 512 in flight all answered"

# 3. Two replicas share the load; the first dies mid-run and the run still completes.
start_refmodel
SECOND_PORT=$REF_PORT
BEFORE1=$(REF_PORT=$FIRST_PORT served /v1/completions)
"$KAIEVAL" request --quiet --model-args \
  "model=narae-2b,base_url=http://127.0.0.1:$FIRST_PORT/v1,base_url=http://127.0.0.1:$SECOND_PORT/v1,concurrency=16" \
  --input <(head -400 "$WORK/many.jsonl") --output "$WORK/lb.out"
ONE=$(( $(REF_PORT=$FIRST_PORT served /v1/completions) - BEFORE1 ))
TWO=$(REF_PORT=$SECOND_PORT served /v1/completions)
[ "$ONE" -ge 120 ] && [ "$TWO" -ge 120 ] || fail "load not shared: $ONE and $TWO of 400"
pass "two replicas shared 400 requests: $ONE and $TWO"

python3 -c "
import json
for i in range(20000):
    print(json.dumps({'prompt': f'교체 {i}: 부산은', 'max_tokens': 32, 'temperature': 0}))
" >"$WORK/failover.jsonl"
"$KAIEVAL" request --model-args \
  "model=narae-2b,base_url=http://127.0.0.1:$FIRST_PORT/v1,base_url=http://127.0.0.1:$SECOND_PORT/v1,concurrency=16" \
  --input "$WORK/failover.jsonl" --output "$WORK/failover.out" 2>"$WORK/failover.err" &
RUN=$!
BASE=$(REF_PORT=$FIRST_PORT served /v1/completions)
for _ in $(seq 200); do
  [ $(( $(REF_PORT=$FIRST_PORT served /v1/completions) - BASE )) -ge 500 ] && break
  sleep 0.05
done
kill -9 "${PIDS[0]}"
wait "$RUN" || fail "the run failed when one replica died: $(cat "$WORK/failover.err")"
[ "$(grep -c '"finish_reason"' "$WORK/failover.out")" -eq 20000 ] || fail "answers missing"
grep -q "unreachable" "$WORK/failover.err" ||
  fail "the dead replica was not reported: $(head -3 "$WORK/failover.err")"
pass "a replica killed mid-run: every request answered by the other"

# 4. Streaming chat through the CLI: the deltas add up to the answer.
echo '{"messages":[{"role":"user","content":"오늘 날씨는 어때요?"}],"max_tokens":40,"temperature":0}' \
  >"$WORK/chat.jsonl"
"$KAIEVAL" request --quiet --stream --kind chat --model-args "model=hanul-7b,base_url=$REF_URL" \
  --input "$WORK/chat.jsonl" --output "$WORK/chat.out" 2>"$WORK/chat.deltas"
python3 - "$WORK/chat.out" "$WORK/chat.deltas" <<'PY'
import json, sys
text = json.loads(open(sys.argv[1]).read())["text"]
deltas = "".join(l[4:-1] for l in open(sys.argv[2]) if l.startswith("[0] "))
assert text and deltas == text, (text, deltas)
print("ok: streamed deltas add up to the answer:", text)
PY
