#!/usr/bin/env bash
# `kaieval lineage crawl` against a fake Hub on loopback (tests/e2e/fake_hub.py): pagination by
# Link rel="next", 429s with Retry-After and with RateLimit headers, the token, the depth limit,
# and a crawl cut off by an outage that resumes without asking again for what it had finished.
source "$(dirname "$0")/lib.sh"

# start_hub NAME [--fail-after N]: sets HUB_URL; the hub logs its requests to $WORK/NAME.log.
start_hub() {
  local name=$1
  shift
  python3 "$SRC/tests/e2e/fake_hub.py" "$WORK/$name.port" "$WORK/$name.log" "$@" &
  PIDS+=($!)
  wait_for_file "$WORK/$name.port"
  HUB_URL="http://127.0.0.1:$(cat "$WORK/$name.port")"
}
ids() { python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in open(sys.argv[1])]' "$1"; }
count_log() { python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    n += eval(sys.argv[2], {}, {"r": r, "q": r["query"]})
print(n)' "$@"; }
ROOTS=(--root hanul-ai/hanul-7b --root dalbit-lab/dalbit-5b)

start_hub full
HF_TOKEN=hf_test_token "$KAIEVAL" lineage crawl "${ROOTS[@]}" --out "$WORK/full.jsonl" \
  --base-url "$HUB_URL" --depth 3 2>"$WORK/full.err"
[ "$(ids "$WORK/full.jsonl" | wc -l)" -eq 16 ] || fail "expected 16 models, got $(ids "$WORK/full.jsonl" | wc -l)"
[ "$(ids "$WORK/full.jsonl" | sort -f | uniq -di | wc -l)" -eq 0 ] || fail "duplicate records"
ids "$WORK/full.jsonl" | grep -qx "user9/hanul-lora-merged" || fail "depth 3 model missing"
pass "crawled 16 models to depth 3, each once"
[ "$(count_log "$WORK/full.log" 'r["status"] == 429')" -eq 2 ] || fail "expected two 429s"
[ "$(count_log "$WORK/full.log" '"cursor" in q and r["status"] == 200')" -ge 3 ] ||
  fail "the next pages were not fetched"
[ "$(count_log "$WORK/full.log" 'q.get("cursor") == ["2"] and r["status"] == 200')" -ge 1 ] ||
  fail "the page answered 429 was not fetched again"
grep -q "HTTP 429; waiting 1.0 s" "$WORK/full.err" || fail "no back-off message"
pass "followed Link rel=next pages and waited out both 429s (Retry-After, RateLimit t=)"
[ "$(count_log "$WORK/full.log" 'r["authorization"] != "Bearer hf_test_token"')" -eq 0 ] ||
  fail "a request went without the token"
pass "HF_TOKEN sent as a Bearer token on every request"
grep -q '"queue": \[\]' "$WORK/full.jsonl.crawl.json" || fail "state file does not show an empty queue"

"$KAIEVAL" lineage count "$WORK/full.jsonl" "${ROOTS[@]}" --json >"$WORK/count.json"
python3 - "$WORK/count.json" <<'PY' || fail "counts on the crawled snapshot"
import json, sys
d = json.load(open(sys.argv[1]))
hanul, dalbit = d["roots"]
assert hanul["raw"]["transitive"]["total"] == 11, hanul["raw"]
assert hanul["raw"]["direct"]["total"] == 9, hanul["raw"]
assert hanul["raw"]["transitive"]["quantized"] == 3
assert hanul["raw"]["transitive"]["adapter"] == 1
assert hanul["raw"]["direct"]["merge"] == 1 and dalbit["raw"]["direct"]["merge"] == 1
assert dalbit["raw"]["transitive"]["total"] == 4
assert hanul["headline"] == 11 and hanul["farms"] == []
PY
pass "the crawled snapshot counts 11 derivatives of hanul-7b (3 quantized, 1 adapter, 1 merge), 4 of dalbit-5b"

start_hub shallow
"$KAIEVAL" lineage crawl "${ROOTS[@]}" --out "$WORK/shallow.jsonl" --base-url "$HUB_URL" \
  --depth 1 --quiet 2>/dev/null
[ "$(ids "$WORK/shallow.jsonl" | wc -l)" -eq 14 ] || fail "--depth 1 kept $(ids "$WORK/shallow.jsonl" | wc -l) models"
[ "$(count_log "$WORK/shallow.log" 'q.get("filter", [""])[0].startswith("base_model:") and "user0" in q["filter"][0]')" -eq 0 ] ||
  fail "--depth 1 listed the derivatives of a derivative"
pass "--depth 1 stops at direct derivatives"

# An outage after 30 requests: the crawl exits 3 and keeps what it fetched.
start_hub outage --fail-after 30
rc=0
"$KAIEVAL" lineage crawl "${ROOTS[@]}" --out "$WORK/resume.jsonl" --base-url "$HUB_URL" \
  --depth 3 --retries 1 2>"$WORK/outage.err" || rc=$?
[ "$rc" -eq 3 ] || fail "an outage should exit 3, got $rc"
tail -1 "$WORK/outage.err" | grep -q "run the same command again to resume" || fail "no resume hint"
FIRST=$(ids "$WORK/resume.jsonl" | wc -l)
DONE=$(python3 -c 'import json,sys; print(" ".join(d for d in json.load(open(sys.argv[1]))["done"] if not d.startswith("root:")))' "$WORK/resume.jsonl.crawl.json")
[ "$FIRST" -gt 2 ] && [ "$FIRST" -lt 16 ] || fail "the cut crawl kept $FIRST models"
[ -n "$DONE" ] || fail "the cut crawl finished no query"
printf '{"id": "half/writ' >>"$WORK/resume.jsonl"  # as if killed while writing
pass "the outage stopped the crawl with exit 3 after $FIRST models ($(echo $DONE | wc -w) bases done)"

start_hub after
"$KAIEVAL" lineage crawl "${ROOTS[@]}" --out "$WORK/resume.jsonl" --base-url "$HUB_URL" \
  --depth 3 2>"$WORK/resume.err"
grep -q "cut an unfinished last line" "$WORK/resume.err" || fail "the partial line was not reported"
[ "$(ids "$WORK/resume.jsonl" | wc -l)" -eq 16 ] || fail "the resumed crawl has $(ids "$WORK/resume.jsonl" | wc -l) models"
cmp -s <(ids "$WORK/full.jsonl" | sort) <(ids "$WORK/resume.jsonl" | sort) || fail "resumed snapshot differs"
for id in $DONE; do
  n=$(count_log "$WORK/after.log" "q.get('filter', [''])[0].lower().endswith(':' + '$id') and r['path'] == '/api/models'")
  [ "$n" -eq 0 ] || fail "the resumed crawl listed the derivatives of $id again"
done
[ "$(count_log "$WORK/after.log" 'r["path"].startswith("/api/models/")')" -eq 0 ] ||
  fail "the resumed crawl fetched the roots again"
pass "the resumed crawl completed the same 16 models without repeating the finished queries"

expect_error 2 "root: 'not a root' is not ORG/NAME" -- \
  "$KAIEVAL" lineage crawl --root "not a root" --out "$WORK/x.jsonl" --base-url "$HUB_URL"
expect_error 2 "other roots or depth" -- \
  "$KAIEVAL" lineage crawl --root hanul-ai/hanul-7b --out "$WORK/full.jsonl" --base-url "$HUB_URL"
pass "bad roots and a state file from another crawl are refused with exit 2"
