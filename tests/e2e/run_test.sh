#!/usr/bin/env bash
# `kaieval run` end to end against refmodel: the results JSON schema, every aggregate recomputed
# from the samples, secrets kept out, resume after SIGKILL, bad input caught before any request,
# and `kaieval compare`.
source "$(dirname "$0")/lib.sh"
start_refmodel
export KAIEVAL_E2E_KEY="sk-e2e-secret-never-written"

for model in hanul-7b byeol-1b; do
  "$KAIEVAL" run --quiet --model openai \
    --model-args "model=$model,base_url=$REF_URL,api_key_env=KAIEVAL_E2E_KEY" \
    --tasks kaieval_demo --include-path "$SRC/tasks" --output-path "$WORK/out" --log-samples \
    --cache-path "$WORK/cache.db" --store "$WORK/campaign.db" >"$WORK/$model.table"
done
grep -q "ko_facts_mc" "$WORK/hanul-7b.table" || fail "no table printed"
pass "ran the built-in tasks against two models"

python3 - "$WORK/out/hanul-7b" <<'PY'
import glob, json, math, os, sys
d = sys.argv[1]
res_file, = glob.glob(os.path.join(d, "results_*.json"))
r = json.load(open(res_file))
for key in ["results", "configs", "versions", "n-shot", "higher_is_better", "n-samples", "config",
            "git_hash", "date", "total_evaluation_time_seconds", "groups", "group_subtasks"]:
    assert key in r, key
assert set(r["results"]) == {"ko_facts_mc", "ko_cloze", "arith_gen", "ko_en_perplexity", "kaieval_refusal"}, r["results"].keys()
assert r["config"]["model"] == "openai" and "model=hanul-7b" in r["config"]["model_args"]
assert r["n-samples"]["ko_facts_mc"] == {"original": 86, "effective": 86}
assert len(r["versions"]["ko_cloze"]) == 32
checked = 0
for task, values in r["results"].items():
    samples = [json.loads(l) for l in open(os.path.join(d, r["samples_files"][task]))]
    for s in samples:
        for f in ["doc_id", "doc", "target", "arguments", "resps", "filtered_resps", "doc_hash", "prompt_hash"]:
            assert f in s, (task, f)
    for key, value in values.items():
        if "," not in key or "_stderr," in key:
            continue
        metric, filt = key.split(",")
        # A judged task's per-category rate is over the samples of that category; its overall
        # grade is in no sample (tests/e2e/judge_test.sh checks it).
        xs = [s[metric] for s in samples if s["filter"] == filt and metric in s]
        if not xs:
            assert "judge" in values and metric == "safety_grade", (task, key)
            continue
        if isinstance(xs[0], list):  # rolling: [loglikelihood, weight], a ratio of sums
            ll, w = sum(x[0] for x in xs), sum(x[1] for x in xs)
            want = -ll / w / math.log(2) if metric == "bits_per_byte" else math.exp(-ll / w)
            assert abs(value - want) < 1e-9 * max(1, want), (task, key, value, want)
            assert values[metric + "_stderr," + filt] > 0
        else:
            n = len(xs)
            mean = sum(xs) / n
            assert abs(value - mean) < 1e-12, (task, key, value, mean)
            if n > 1:
                se = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1) / n)
                assert abs(values[metric + "_stderr," + filt] - se) < 1e-12, (task, key)
        checked += 1
g = r["groups"]["kaieval_demo"]
assert "acc,none" in g and "acc_stderr,none" in g
print(f"ok: {checked} aggregates recomputed from the samples files")
PY

if grep -rq "sk-e2e-secret" "$WORK/out" "$WORK/cache.db"* "$WORK/campaign.db"*; then
  fail "the API key was written"
fi
pass "the API key is in no results, samples, cache or store file"

STORED=$(sqlite3 "$WORK/campaign.db" "SELECT count(*) FROM samples")
LOGGED=$(cat "$WORK"/out/*/samples_*.jsonl | wc -l)
FINISHED=$(sqlite3 "$WORK/campaign.db" "SELECT count(*) FROM runs WHERE finished_ms IS NOT NULL")
[ "$STORED" -eq "$LOGGED" ] && [ "$FINISHED" -eq 2 ] ||
  fail "store has $STORED samples and $FINISHED finished runs; expected $LOGGED and 2"
pass "the evidence store holds both runs and all $STORED sample records"

"$KAIEVAL" compare "$(ls "$WORK"/out/hanul-7b/results_*.json)" "$(ls "$WORK"/out/byeol-1b/results_*.json)" \
  --task ko_cloze >"$WORK/compare.txt"
grep -E "^ko_cloze +acc +none" "$WORK/compare.txt" >/dev/null || fail "compare: $(cat "$WORK/compare.txt")"
pass "compare: $(grep -E '^ko_cloze +acc ' "$WORK/compare.txt" | tr -s ' ')"

# --limit, and a run served entirely from the cache.
BEFORE=$(served /v1/completions)
"$KAIEVAL" run --quiet --model-args "model=hanul-7b,base_url=$REF_URL,api_key_env=KAIEVAL_E2E_KEY" \
  --tasks ko_facts_mc --include-path "$SRC/tasks" --limit 5 --cache-path "$WORK/cache.db" \
  --output-path "$WORK/limited" >/dev/null
[ "$(served /v1/completions)" -eq "$BEFORE" ] || fail "a cached run reached the server"
grep -q '"effective": 5' "$WORK"/limited/hanul-7b/results_*.json || fail "--limit not applied"
pass "--limit 5 from a warm cache sends nothing"

# A task whose template names a missing column fails before any request is sent.
mkdir -p "$WORK/badtask"
printf '{"q":"가","a":"나"}\n' >"$WORK/badtask/d.jsonl"
printf 'task: bad\ntest_split: d.jsonl\ndoc_to_text: "{{q}} {{qq}}"\ndoc_to_target: a\n' \
  >"$WORK/badtask/bad.yaml"
BEFORE=$(served /v1/completions)
expect_error 2 "d.jsonl:1: .*bad.yaml:3: doc_to_text.*'qq'" -- \
  "$KAIEVAL" run --quiet --model-args "model=hanul-7b,base_url=$REF_URL" \
  --tasks "$WORK/badtask/bad.yaml"
[ "$(served /v1/completions)" -eq "$BEFORE" ] || fail "requests were sent before the error"
printf 'task: bad2\ntest_split: d.jsonl\ndoc_to_text: q\ndoc_to_target: a\nnum_fewshot: many\n' \
  >"$WORK/badtask/bad2.yaml"
expect_error 2 "bad2.yaml:5: num_fewshot: expected a whole number" -- \
  "$KAIEVAL" run --quiet --model-args "model=hanul-7b,base_url=$REF_URL" \
  --tasks "$WORK/badtask/bad2.yaml"
expect_error 2 "no task or group 'nope'" -- \
  "$KAIEVAL" run --quiet --model-args "model=hanul-7b,base_url=$REF_URL" --tasks nope \
  --include-path "$SRC/tasks"
pass "bad tasks fail with one line naming file, line and field, before any request"

# Resume after SIGKILL: a big generated task, killed half-way, then finished from the cache.
mkdir -p "$WORK/big"
python3 - "$WORK/big/items.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1500):
        f.write(json.dumps({"q": f"{i}번 질문: 대한민국의 수도는", "choices": ["서울이다.", "부산이다.", "파리이다.", "로마이다."], "gold": i % 4}, ensure_ascii=False) + "\n")
PY
printf 'task: big\noutput_type: multiple_choice\ntest_split: items.jsonl\ndoc_to_text: "{{q}}"\ndoc_to_choice: choices\ndoc_to_target: gold\n' \
  >"$WORK/big/big.yaml"
RUN_ARGS=(run --quiet --model-args "model=dalbit-5b,base_url=$REF_URL,concurrency=8"
  --tasks "$WORK/big/big.yaml" --cache-path "$WORK/resume.db" --output-path "$WORK/resume")
"$KAIEVAL" "${RUN_ARGS[@]}" >/dev/null &
RUN=$!
rows() { sqlite3 "$WORK/resume.db" "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
for _ in $(seq 600); do [ "$(rows)" -ge 1000 ] && break; sleep 0.05; done
kill -9 "$RUN"; wait "$RUN" 2>/dev/null || true
CACHED=$(rows)
[ "$CACHED" -ge 1000 ] && [ "$CACHED" -lt 6000 ] || fail "killed with $CACHED of 6000 cached"
BEFORE=$(served /v1/completions)
"$KAIEVAL" "${RUN_ARGS[@]}" >/dev/null
RESENT=$(( $(served /v1/completions) - BEFORE ))
[ "$RESENT" -eq $((6000 - CACHED)) ] || fail "resumed run sent $RESENT, expected $((6000 - CACHED))"
pass "killed at $CACHED of 6000 requests; the resumed run sent only the other $RESENT"

# A chat-only model: generation goes through /v1/chat/completions; loglikelihood tasks are refused.
BEFORE=$(served /v1/chat/completions)
"$KAIEVAL" run --quiet --model local-chat-completions --model-args "model=hanul-7b,base_url=$REF_URL" \
  --tasks arith_gen --include-path "$SRC/tasks" --limit 5 >/dev/null
[ $(( $(served /v1/chat/completions) - BEFORE )) -eq 5 ] || fail "chat model did not use the chat endpoint"
expect_error 2 "chat-only model" -- \
  "$KAIEVAL" run --quiet --model local-chat-completions --model-args "model=hanul-7b,base_url=$REF_URL" \
  --tasks ko_cloze --include-path "$SRC/tasks"
pass "local-chat-completions generates through the chat endpoint and refuses loglikelihood tasks"
