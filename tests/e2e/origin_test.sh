#!/usr/bin/env bash
# `kaieval origin` end to end on generated models: B (A + noise) derived from A, C original,
# exactly D's vision encoder derived from A, E (A with permuted hidden units) seen through by
# the canonical-order measure, a GGUF rendering matched across naming schemes, a baseline from
# independent pairs, and one-line errors for truncated or lying files.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
M="$WORK/models"
"$KAIEVAL" origin make-test-models "$M" --seed 3 >/dev/null
[ -s "$M/E/model.safetensors" ] && [ -s "$M/A/tokenizer.json" ] || fail "make-test-models wrote no models"
pass "make-test-models wrote A-E with tokenizers"

# field FILE EXPR: a Python expression over the JSON report `r`.
field() { "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }

"$KAIEVAL" origin compare "$M/B" "$M/A" --json >"$WORK/b.json"
[ "$(field "$WORK/b.json" 'r["verdict"]')" = derived ] || fail "B is not derived from A"
[ "$(field "$WORK/b.json" 'r["null"]["used"]')" = analytic ] || fail "the analytic null is not named"
[ "$(field "$WORK/b.json" 'r["references"][0]["compared_fraction"]')" = 1.0 ] || fail "B: not all compared"
[ "$(field "$WORK/b.json" 'r["references"][0]["vocabulary"]["derived"]')" = True ] || fail "B's tokenizer not derived"
pass "B (A + noise) is derived from A in every component; 100% of parameters compared"

"$KAIEVAL" origin compare "$M/C" "$M/A" >"$WORK/c.txt"
grep -q "^verdict: original" "$WORK/c.txt" || fail "C is not original: $(cat "$WORK/c.txt")"
grep -q "^null: analytic (no baseline given" "$WORK/c.txt" || fail "the text does not say the analytic null was used"
pass "C (independent) is original, and the text says the analytic null was used"

"$KAIEVAL" origin compare "$M/D" "$M/A" "$M/C" --json --out "$WORK/d-out.json" >"$WORK/d.json"
cmp -s "$WORK/d.json" "$WORK/d-out.json" || fail "--out differs from --json"
FOUND=$(field "$WORK/d.json" '";".join(sorted(d["component"] + "<" + d["reference"].split("/")[-1] for d in r["derived"]))')
[ "$FOUND" = "embeddings<C;language_model<C;lm_head<C;projector<C;vision_encoder<A" ] ||
  fail "D: derived findings are $FOUND"
pass "D: exactly the vision encoder is derived from A (and the rest from C)"

"$KAIEVAL" origin compare "$M/E" "$M/A" --json >"$WORK/e.json"
[ "$(field "$WORK/e.json" 'r["verdict"]')" = derived ] || fail "E is not derived"
HIDDEN=$(field "$WORK/e.json" 'sum(1 for t in r["references"][0]["tensors"] if t["z_pearson"] < 6 and t["z_canonical"] > 6)')
[ "$HIDDEN" -ge 6 ] || fail "E: only $HIDDEN matrices hidden from Pearson and found by the canonical order"
pass "E (permuted hidden units): $HIDDEN matrices invisible to Pearson, found by the canonical-order measure"

# A baseline from independently generated pairs, then verdicts against it.
"$KAIEVAL" origin make-test-models "$WORK/n1" --seed 21 --models AC >/dev/null
"$KAIEVAL" origin make-test-models "$WORK/n2" --seed 22 --models AC >/dev/null
"$KAIEVAL" origin baseline "$WORK/n1/A" "$WORK/n1/C" "$WORK/n2/A" "$WORK/n2/C" --all-pairs \
  --out "$WORK/null.json" >/dev/null
"$KAIEVAL" origin compare "$M/B" "$M/A" --baseline "$WORK/null.json" --json >"$WORK/bn.json"
[ "$(field "$WORK/bn.json" 'r["null"]["used"] + " " + r["verdict"]')" = "baseline derived" ] ||
  fail "B against the baseline: $(field "$WORK/bn.json" 'r["null"]')"
"$KAIEVAL" origin compare "$M/C" "$M/A" --baseline "$WORK/null.json" --json >"$WORK/cn.json"
[ "$(field "$WORK/cn.json" 'r["verdict"]')" = original ] || fail "C against the baseline is not original"
pass "baseline from 6 independent pairs: B derived, C original, with empirical p-values"

# GGUF: another naming scheme and Q8_0 blocks.
"$KAIEVAL" origin make-test-gguf "$M/A" "$WORK/a.gguf" --type Q8_0 --base-model org/Base-A
"$KAIEVAL" origin inspect "$WORK/a.gguf" >"$WORK/inspect.txt"
grep -q "provenance: general.base_model.0.name = \"org/Base-A\"" "$WORK/inspect.txt" || fail "no provenance shown"
grep -q "blk.0.attn_q.weight *Q8_0" "$WORK/inspect.txt" || fail "inspect: no Q8_0 attn_q"
"$KAIEVAL" origin compare "$WORK/a.gguf" "$M/A" --json >"$WORK/g.json"
[ "$(field "$WORK/g.json" 'r["verdict"]')" = derived ] || fail "the GGUF of A is not derived from A"
pass "a Q8_0 GGUF of A (llama.cpp names) is derived from A; its base_model keys are shown"

# Bad input: one line naming the file, exit 2.
head -c 300 "$M/A/model.safetensors" >"$WORK/cut.safetensors"
expect_error 2 "cut.safetensors: header length [0-9]+ runs past the end" -- "$KAIEVAL" origin compare "$WORK/cut.safetensors" "$M/A"
head -c 5000 "$WORK/a.gguf" >"$WORK/cut.gguf"
expect_error 2 "cut.gguf: " -- "$KAIEVAL" origin compare "$WORK/cut.gguf" "$M/A"
"$PY" - "$M/A/model.safetensors" "$WORK/lie.safetensors" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n])
name = next(k for k in h if k != "__metadata__")
h[name]["shape"] = [h[name]["shape"][0] * 2] + h[name]["shape"][1:]
t = json.dumps(h).encode()
open(sys.argv[2], "wb").write(struct.pack("<Q", len(t)) + t + raw[8 + n:])
PY
expect_error 2 "lie.safetensors: tensor '.*': [0-9]+ bytes for shape" -- "$KAIEVAL" origin compare "$WORK/lie.safetensors" "$M/A"
expect_error 2 "nope: cannot open" -- "$KAIEVAL" origin compare "$WORK/nope" "$M/A"
expect_error 2 "give models in pairs" -- "$KAIEVAL" origin baseline "$M/A" "$M/B" "$M/C" --out "$WORK/x.json"
pass "truncated and lying files, a missing file and an odd baseline give one-line errors (exit 2)"
