#!/usr/bin/env bash
# Bad input and failing endpoints: one clear line on stderr and the documented exit code.
source "$(dirname "$0")/lib.sh"

"$KAIEVAL" --version | grep -qE '^kaieval [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]+|unknown)\)' ||
  fail "--version does not print version and commit"
pass "--version"

echo '{"prompt":"안녕"}' >"$WORK/one.jsonl"
echo '{"context":"대한민국의 수도는","continuation":" 서울"}' >"$WORK/ll.jsonl"

expect_error 2 "expected key=value" -- \
  "$KAIEVAL" request --quiet --model-args "model=m,base_url" --input "$WORK/one.jsonl"
expect_error 2 "unknown key 'colour'" -- \
  "$KAIEVAL" request --quiet --model-args "model=m,base_url=http://127.0.0.1:9/v1,colour=red" \
  --input "$WORK/one.jsonl"
pass "malformed model spec exits 2"

expect_error 3 "127.0.0.1:9" -- \
  "$KAIEVAL" request --quiet --model-args "model=m,base_url=http://127.0.0.1:9/v1,max_retries=2" \
  --input "$WORK/one.jsonl"
pass "unreachable URL exits 3 after retries"

echo '{"prompt": 5}' >"$WORK/bad.jsonl"
expect_error 2 "bad.jsonl:1: 'prompt' must be a string" -- \
  "$KAIEVAL" request --quiet --model-args "model=m,base_url=http://127.0.0.1:9/v1" \
  --input "$WORK/bad.jsonl"
pass "bad input line names file, line and field"

start_fake html
expect_error 2 "not JSON" -- \
  "$KAIEVAL" request --quiet --model-args "model=m,base_url=http://127.0.0.1:$FAKE_PORT/v1" \
  --input "$WORK/one.jsonl"
pass "non-JSON response exits 2"

start_fake nologprobs
expect_error 2 "no logprobs" -- \
  "$KAIEVAL" request --quiet --kind loglikelihood \
  --model-args "model=m,base_url=http://127.0.0.1:$FAKE_PORT/v1" --input "$WORK/ll.jsonl"
pass "response without logprobs exits 2"

start_fake huge
expect_error 2 "larger than" -- \
  "$KAIEVAL" request --quiet --model-args "model=m,base_url=http://127.0.0.1:$FAKE_PORT/v1" \
  --input "$WORK/one.jsonl"
pass "oversized body exits 2"

start_fake flaky
"$KAIEVAL" request --quiet --model-args "model=m,base_url=http://127.0.0.1:$FAKE_PORT/v1" \
  --input "$WORK/one.jsonl" >"$WORK/flaky.out"
grep -q '"text":"fine"' "$WORK/flaky.out" || fail "flaky server: no answer after retries"
[ "$(curl -fsS "http://127.0.0.1:$FAKE_PORT/count")" = '{"count": 3}' ] || fail "expected 3 attempts"
pass "503 with Retry-After is retried"

start_refmodel
expect_error 2 "model 'no-such-model'.*404" -- \
  "$KAIEVAL" request --quiet --model-args "model=no-such-model,base_url=$REF_URL" \
  --input "$WORK/one.jsonl"
pass "unknown model name exits 2"

echo "all cli error cases passed"
