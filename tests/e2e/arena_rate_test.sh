#!/usr/bin/env bash
# `kaieval arena rate` end to end: on generated battles its Bradley-Terry ratings match FastChat's
# compute_bt definition (tests/conformance/fastchat_bt.py, numpy + scipy) within 0.1 points,
# and style control matches compute_style_control; both file formats agree; the bootstrap is
# reproducible; filters, the anchor and bad input behave as documented.
source "$(dirname "$0")/lib.sh"

# A Python with numpy and scipy (Debian's python3-numpy and python3-scipy).
PY=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c "import numpy, scipy" 2>/dev/null; then PY=$candidate; break; fi
done
[ -n "$PY" ] || fail "no python3 with numpy and scipy (apt-get install python3-numpy python3-scipy)"
GEN="$SRC/tests/conformance/generate_battles.py"
REF="$SRC/tests/conformance/fastchat_bt.py"

"$PY" "$GEN" "$WORK/battles.jsonl" --models 14 --battles 30000 --seed 7 --ties 0.12 --style
"$PY" "$GEN" "$WORK/battles.json" --models 14 --battles 30000 --seed 7 --ties 0.12 --style

# max_diff OURS.json REF.json: the largest |rating difference| over all models (both must have
# the same models).
max_diff() {
  "$PY" - "$1" "$2" <<'PY'
import json, sys
ours = {m["name"]: m["rating"] for m in json.load(open(sys.argv[1]))["models"]}
ref = json.load(open(sys.argv[2]))["ratings"]
assert set(ours) == set(ref), (sorted(ours), sorted(ref))
print(f"{max(abs(ours[m] - ref[m]) for m in ref):.6f}")
PY
}
below() { "$PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$1" "$2"; }

"$KAIEVAL" arena rate "$WORK/battles.jsonl" --json --bootstrap 50 >"$WORK/ours.json" 2>/dev/null
"$PY" "$REF" "$WORK/battles.jsonl" >"$WORK/ref.json"
DIFF=$(max_diff "$WORK/ours.json" "$WORK/ref.json")
below "$DIFF" 0.1 || fail "Bradley-Terry differs from FastChat's definition by $DIFF points"
pass "Bradley-Terry matches FastChat's compute_bt definition: max |difference| $DIFF < 0.1 over 14 models"

# Many models: the fit's ridge must not grow with the size of the field.
"$PY" "$GEN" "$WORK/wide.jsonl" --models 100 --battles 100000 --seed 3
"$KAIEVAL" arena rate "$WORK/wide.jsonl" --json --bootstrap 2 >"$WORK/wide.json" 2>/dev/null
"$PY" "$REF" "$WORK/wide.jsonl" >"$WORK/ref_wide.json"
DIFF=$(max_diff "$WORK/wide.json" "$WORK/ref_wide.json")
below "$DIFF" 0.1 || fail "with 100 models Bradley-Terry differs from FastChat's definition by $DIFF"
pass "and over 100 models and 100,000 battles: max |difference| $DIFF"

"$KAIEVAL" arena rate "$WORK/battles.jsonl" --json --bootstrap 50 --anchor model-003=1114 \
  >"$WORK/anchored.json" 2>/dev/null
"$PY" "$REF" "$WORK/battles.jsonl" --anchor model-003=1114 >"$WORK/ref_anchored.json"
DIFF=$(max_diff "$WORK/anchored.json" "$WORK/ref_anchored.json")
below "$DIFF" 0.1 || fail "anchored ratings differ by $DIFF points"
"$PY" - "$WORK/anchored.json" <<'PY' || fail "the anchor model is not at 1114"
import json, sys
m = {m["name"]: m["rating"] for m in json.load(open(sys.argv[1]))["models"]}
assert abs(m["model-003"] - 1114) < 1e-9, m["model-003"]
PY
pass "--anchor model-003=1114 puts it at 1114 and matches FastChat's offset (max |difference| $DIFF)"

"$KAIEVAL" arena rate "$WORK/battles.jsonl" --json --bootstrap 50 --style-control \
  >"$WORK/style.json" 2>/dev/null
"$PY" "$REF" "$WORK/battles.jsonl" --style-control >"$WORK/ref_style.json"
DIFF=$(max_diff "$WORK/style.json" "$WORK/ref_style.json")
below "$DIFF" 0.1 || fail "style-controlled ratings differ from FastChat's definition by $DIFF"
"$PY" - "$WORK/style.json" "$WORK/ref_style.json" <<'PY' || fail "style coefficients differ"
import json, sys
ours = json.load(open(sys.argv[1]))["style_control"]
ref = json.load(open(sys.argv[2]))["coefficients"]
assert ours["features"] == ["length", "headers", "lists", "bold"], ours["features"]
assert max(abs(a - b) for a, b in zip(ours["coefficients"], ref)) < 1e-3, (ours, ref)
assert ours["coefficients"][0] > 0.1  # the generator favours longer answers
PY
pass "style control matches compute_style_control's definition (max |difference| $DIFF, coefficients within 1e-3)"

"$KAIEVAL" arena rate "$WORK/battles.json" --json --bootstrap 50 >"$WORK/fastchat_format.json" 2>/dev/null
cmp -s "$WORK/ours.json" "$WORK/fastchat_format.json" || fail "the .json and .jsonl files rate differently"
"$KAIEVAL" arena rate "$WORK/battles.json" --json --bootstrap 50 --threads 1 >"$WORK/one_thread.json" 2>/dev/null
cmp -s "$WORK/ours.json" "$WORK/one_thread.json" || fail "the result depends on the thread count"
pass "FastChat's JSON array and kaieval JSONL give the same leaderboard, with 1 thread or all"

"$PY" - "$WORK/ours.json" <<'PY' || fail "leaderboard JSON"
import json, sys
j = json.load(open(sys.argv[1]))
assert set(j) == {"models", "matrix", "bootstrap"}, set(j)
assert j["bootstrap"] == {"resamples": 50, "seed": 1234}
ms = j["models"]
assert [m["rating"] for m in ms] == sorted((m["rating"] for m in ms), reverse=True)
assert sum(m["votes"] for m in ms) == 2 * 30000
for m in ms:
    assert m["lower"] < m["rating"] < m["upper"], m
    assert m["rank"] == 1 + sum(o["lower"] > m["upper"] for o in ms), m
    assert m["wins"] + m["losses"] + m["ties"] == m["votes"]
names = j["matrix"]["models"]
assert names == [m["name"] for m in ms]
wr, n = j["matrix"]["win_rate"], j["matrix"]["battles"]
for i in range(len(names)):
    assert wr[i][i] is None and n[i][i] == 0
    for k in range(len(names)):
        if i != k:
            assert n[i][k] == n[k][i] > 0
            assert abs(wr[i][k] + wr[k][i] - 1) < 1e-12
PY
pass "the leaderboard JSON has models by rating, documented ranks, and a consistent matrix"

"$KAIEVAL" arena rate "$WORK/battles.jsonl" --bootstrap 20 --drop-ties --anony-only --json \
  >"$WORK/filtered.json" 2>/dev/null
"$PY" - "$WORK/battles.jsonl" "$WORK/filtered.json" <<'PY' || fail "--drop-ties --anony-only"
import json, sys
kept = sum(1 for l in open(sys.argv[1]) for b in [json.loads(l)]
           if b["anony"] and "tie" not in b["winner"])
ms = json.load(open(sys.argv[2]))["models"]
assert sum(m["votes"] for m in ms) == 2 * kept, (sum(m["votes"] for m in ms), kept)
assert sum(m["ties"] for m in ms) == 0
PY
pass "--drop-ties --anony-only count only anonymous decisive battles"

"$KAIEVAL" arena rate "$WORK/battles.jsonl" --bootstrap 20 --style-control >"$WORK/table.txt" 2>/dev/null
grep -qE "^ +1  model-[0-9]+ +[0-9.]+  \[[0-9.]+, [0-9.]+\] +[0-9]+$" "$WORK/table.txt" ||
  fail "table: $(head -3 "$WORK/table.txt")"
grep -qE "^  length +\+" "$WORK/table.txt" || fail "no style coefficients: $(cat "$WORK/table.txt")"
pass "the table shows rank, model, rating, 95% CI and votes, and the style coefficients"

head -3 "$WORK/battles.jsonl" >"$WORK/bad.jsonl"
echo '{"model_a": "model-001", "model_b": "model-002", "winner": "A"}' >>"$WORK/bad.jsonl"
expect_error 2 "bad.jsonl:4: winner: 'A'; expected model_a, model_b, tie or tie \(bothbad\)" -- \
  "$KAIEVAL" arena rate "$WORK/bad.jsonl"
expect_error 2 "anchor: model 'nope' has no counted battle" -- \
  "$KAIEVAL" arena rate "$WORK/battles.jsonl" --anchor nope=1000
expect_error 2 "conv_metadata: missing" -- \
  "$KAIEVAL" arena rate "$SRC/tests/fuzz_seeds/battle_file_fuzz/jsonl" --format kaieval --style-control
printf '[{"model_a": "x", "model_b": "y", "winner": "tie"},]' >"$WORK/bad.json"
expect_error 2 "bad.json\[1\]: expected a battle after ','" -- "$KAIEVAL" arena rate "$WORK/bad.json"
pass "bad battle files fail with one line naming file, line or element, and field"
