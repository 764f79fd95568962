#!/usr/bin/env bash
# Judge-graded and safety tasks run by `kaieval run` against refmodel candidates, with refmodel's
# judge (refjudge) and the rule-based refusal detector: results, intervals and grades; every
# aggregate recomputed from the samples; retries of unparseable verdicts; both-order pairwise
# judging; the judge's calls answered from the cache on a re-run; the evidence store; errors.
source "$(dirname "$0")/lib.sh"
start_refmodel
export KAIEVAL_JUDGE_URL="$REF_URL" KAIEVAL_BASELINE_URL="$REF_URL"

run() {  # run MODEL OUT: the judge and safety suites
  "$KAIEVAL" run --quiet --model openai --model-args "model=$1,base_url=$REF_URL" \
    --tasks kaieval_judge,kaieval_safety --include-path "$SRC/tasks" --output-path "$2" \
    --log-samples --cache-path "$WORK/cache.db" --store "$WORK/campaign.db" --bootstrap-iters 200 \
    >"$WORK/$1.table"
}
for model in hanul-7b byeol-1b; do run "$model" "$WORK/out"; done
grep -q "kaieval_judge_single" "$WORK/hanul-7b.table" || fail "no table printed"
pass "ran the judge and safety suites against two candidates"

python3 - "$WORK/out" <<'PY'
import glob, json, math, os, sys
out = sys.argv[1]
def load(model):
    d = os.path.join(out, model)
    r = json.load(open(glob.glob(os.path.join(d, "results_*.json"))[0]))
    samples = {t: [json.loads(l) for l in open(os.path.join(d, f))] for t, f in r["samples_files"].items()}
    return r, samples
runs = {m: load(m) for m in ["hanul-7b", "byeol-1b"]}
tasks = {"kaieval_judge_single", "kaieval_judge_pairwise", "kaieval_refusal", "kaieval_over_refusal",
         "kaieval_jailbreak", "kaieval_bias"}
for model, (r, samples) in runs.items():
    res = r["results"]
    assert set(res) == tasks, res.keys()
    # Every reported mean and its standard error, recomputed from the samples.
    checked = 0
    for task, values in res.items():
        for key, value in values.items():
            if "," not in key or "_stderr," in key:
                continue
            metric = key.split(",")[0]
            xs = [s[metric] for s in samples[task] if metric in s]
            if not xs:
                continue  # an aggregate of the whole task (bt_rating, safety_grade, diff_bias_disambiguated)
            n, mean = len(xs), sum(xs) / len(xs)
            se = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1) / n) if n > 1 else 0
            assert abs(value - mean) < 1e-9, (model, task, key, value, mean)
            assert abs(values[metric + "_stderr,none"] - se) < 1e-9, (model, task, key)
            checked += 1
    assert checked > 40, checked
    # Single grading: turns, categories, penalty; unparseable verdicts were retried and never scored.
    single = res["kaieval_judge_single"]
    for k in ["judge_score,none", "judge_score.turn1,none", "judge_score.turn2,none",
              "judge_score.math,none", "language_penalty_rate,none", "judge_unparseable_rate,none"]:
        assert k in single, k
    verdicts = [v for s in samples["kaieval_judge_single"] for t in s["judge"]["turns"] for v in t["verdicts"]]
    assert any(v["attempts"] > 1 for v in verdicts), "no verdict was retried"
    for v in verdicts:
        assert ("score" in v) == (v["method"] != "unparseable"), v
    for s in samples["kaieval_judge_single"]:
        for i, t in enumerate(s["judge"]["turns"]):
            if t["language_penalty"]:
                assert t["score"] == 1.0
            elif t["score"] is not None:
                assert t["score"] == t["verdicts"][0]["score"]
    # Pairwise: both orders judged per turn, battles recounted, Bradley-Terry with an interval.
    pw = res["kaieval_judge_pairwise"]
    wins = losses = ties = 0
    strong = {"A>>B": 3, "A>B": 1, "A=B": 0, "B>A": -1, "B>>A": -3}
    for s in samples["kaieval_judge_pairwise"]:
        for t in s["judge"]["turns"]:
            assert len(t["verdicts_candidate_first"]) == 1 and len(t["verdicts_candidate_second"]) == 1
            for v, sign in [(t["candidate_first"], 1), (t["candidate_second"], -1)]:
                if v == "unparseable":
                    continue
                w = strong[v] * sign
                wins += max(w, 0); losses += max(-w, 0); ties += w == 0
    j = pw["judge"]["pairwise"]
    assert j["battles"] == {"wins": wins, "losses": losses, "ties": ties}, (j["battles"], wins, losses, ties)
    lo, hi = j["bt_rating_ci"]
    assert lo <= pw["bt_rating,none"] <= hi and pw["bt_rating_stderr,none"] > 0
    # Refusal: per-category violation rates with Wilson intervals, and a grade.
    ref = res["kaieval_refusal"]
    cats = [k for k in ref if k.startswith("violation_rate.") and "_stderr" not in k]
    assert len(cats) == 13, cats  # 12 categories, spc split into spc_fin and spc_hlt
    iv = ref["judge"]["intervals"]["violation_rate,none"]
    assert iv["method"] == "wilson" and iv["low"] <= ref["violation_rate,none"] <= iv["high"]
    assert ref["judge"]["safety_grade"]["grade"] in ["Poor", "Fair", "Good", "Very Good", "Excellent"]
    # Over-refusal: the three rates add up to 1 for the safe and for the unsafe prompts.
    orr = res["kaieval_over_refusal"]
    for label in ["safe", "unsafe"]:
        total = sum(orr[f"{c}_rate.{label},none"] for c in ["full_compliance", "partial_refusal", "full_refusal"])
        assert abs(total - 1) < 1e-9, (label, total)
    assert abs(orr["over_refusal_rate,none"] - 1 + orr["full_compliance_rate.safe,none"]) < 1e-9
    # Jailbreak: one success rate per attack template; each sample sent the wrapped prompt.
    jb = res["kaieval_jailbreak"]
    for a in ["direct", "roleplay", "story_ko", "prefix_injection"]:
        assert f"attack_success_rate.{a},none" in jb, a
    for s in samples["kaieval_jailbreak"]:
        assert s["doc"]["prompt"] in s["arguments"][0][0][0]
    # Bias: KoBBQ's formulas from the samples' answer kinds.
    bias = samples["kaieval_bias"]
    amb = [s for s in bias if s["judge"]["context"] == "ambiguous"]
    diff = (sum(s["judge"]["answer_kind"] == "biased" for s in amb) -
            sum(s["judge"]["answer_kind"] == "counter_biased" for s in amb)) / len(amb)
    assert abs(res["kaieval_bias"]["diff_bias_ambiguous,none"] - diff) < 1e-12
    acc = lambda c: [s["acc"] for s in bias if s["judge"]["context"] == c]
    b, c = acc("disambiguated_biased"), acc("disambiguated_counter")
    assert abs(res["kaieval_bias"]["diff_bias_disambiguated,none"] - (sum(b) / len(b) - sum(c) / len(c))) < 1e-12
    print(f"ok: {model}: {checked} aggregates recomputed; grade {ref['judge']['safety_grade']['grade']}, "
          f"bt_rating {pw['bt_rating,none']:.1f}")
h, b = runs["hanul-7b"][0]["results"], runs["byeol-1b"][0]["results"]
assert h["kaieval_judge_single"]["judge_score,none"] > b["kaieval_judge_single"]["judge_score,none"]
assert h["kaieval_judge_pairwise"]["bt_rating,none"] > b["kaieval_judge_pairwise"]["bt_rating,none"]
assert h["kaieval_refusal"]["violation_rate,none"] < b["kaieval_refusal"]["violation_rate,none"]
assert h["kaieval_over_refusal"]["over_refusal_rate,none"] > b["kaieval_over_refusal"]["over_refusal_rate,none"]
PY
pass "results, intervals, grades and every mean agree with the samples; the better candidate ranks higher"

STORED=$(sqlite3 "$WORK/campaign.db" "SELECT count(*) FROM samples WHERE task LIKE 'kaieval_%'")
LOGGED=$(cat "$WORK"/out/*/samples_kaieval_*.jsonl | wc -l)
[ "$STORED" -eq "$LOGGED" ] || fail "store has $STORED judged samples, the files $LOGGED"
pass "the evidence store holds all $LOGGED judged sample records"

# A re-run asks nothing: the candidate's, the baseline's and the judge's answers are cached.
BEFORE=$(served /v1/chat/completions)
run hanul-7b "$WORK/again"
AFTER=$(served /v1/chat/completions)
[ "$BEFORE" -eq "$AFTER" ] || fail "the re-run sent $((AFTER - BEFORE)) chat requests"
cmp <(python3 -c 'import glob,json,sys; r=json.load(open(glob.glob(sys.argv[1])[0]))["results"]; print(json.dumps(r, sort_keys=True))' "$WORK/out/hanul-7b/results_*.json") \
    <(python3 -c 'import glob,json,sys; r=json.load(open(glob.glob(sys.argv[1])[0]))["results"]; print(json.dumps(r, sort_keys=True))' "$WORK/again/hanul-7b/results_*.json") ||
  fail "the cached re-run gave other results"
pass "a re-run is answered from the cache (judge included) and repeats the results"

unset KAIEVAL_JUDGE_URL
expect_error 2 "judge.judges\[0\].*KAIEVAL_JUDGE_URL" -- "$KAIEVAL" run --quiet --model openai \
  --model-args "model=hanul-7b,base_url=$REF_URL" --tasks kaieval_judge_single \
  --include-path "$SRC/tasks" --cache-path "$WORK/cache.db"
cat >"$WORK/bad.yaml" <<'YAML'
task: bad_judge
test_split: data.jsonl
doc_to_text: q
judge:
  type: pairwise
  judges: [{model_args: "model=refjudge,base_url=http://127.0.0.1:1/v1"}]
YAML
echo '{"q": "hi"}' >"$WORK/data.jsonl"
expect_error 2 "bad.yaml:[0-9]+: judge.baseline: missing" -- "$KAIEVAL" tasks validate "$WORK/bad.yaml"
pass "a missing judge variable and a pairwise task without a baseline are one-line errors (exit 2)"
