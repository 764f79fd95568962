#!/usr/bin/env bash
# `kaieval lineage generate` and `kaieval lineage count`: the table and the JSON (raw ->
# adjusted with a reason per step, the derivative tree), rules switched off for audit, bad
# lines reported with their number while the count goes on, and bad input refused with exit 2.
source "$(dirname "$0")/lib.sh"
SNAP="$WORK/demo.jsonl"
ROOTS=(--root hanul-ai/hanul-7b --root dalbit-lab/dalbit-5b --root sanmaru/sanmaru-3b
       --root narae/narae-2b --root byeol/byeol-1b)

"$KAIEVAL" lineage generate --models 4000 --seed 11 "${ROOTS[@]}" --out "$SNAP" 2>/dev/null
[ "$(wc -l <"$SNAP")" -eq 4000 ] || fail "generate wrote $(wc -l <"$SNAP") lines"
pass "generated 4000 models for 5 roots"

"$KAIEVAL" lineage count "$SNAP" "${ROOTS[@]}" --since 2025-11-01 --affiliated byeol/byeol-1b=star-lab \
  --json >"$WORK/count.json"
python3 - "$WORK/count.json" <<'PY' || fail "count --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["snapshot"]["records"] == 4000 and len(d["snapshot"]["content_hash"]) == 32
assert d["options"]["since"] == "2025-11-01"
assert d["options"]["affiliated"]["by_root"] == {"byeol/byeol-1b": ["star-lab"]}
farms = 0
for r in d["roots"]:
    raw, adj = r["raw"]["transitive"]["total"], r["adjusted"]["transitive"]["total"]
    assert r["headline"] == adj < raw, (r["root"], raw, adj)
    assert [s["rule"] for s in r["steps"]] == ["affiliated", "empty", "near_duplicate", "farm"]
    assert r["steps"][-1]["remaining"] == adj
    assert raw - sum(s["removed"] for s in r["steps"]) == adj
    assert len(r["exclusions"]) == raw - adj
    assert all(e["reason"] in ("affiliated", "no_weight_files", "zero_downloads", "near_duplicate", "farm") for e in r["exclusions"])
    assert r["affiliated"]["transitive"]["total"] == r["steps"][0]["removed"]
    t = r["tree"]
    assert t["nodes"][0]["id"] == r["root"] and len(t["nodes"]) <= 300
    assert t["capped"] == (t["total_nodes"] > 300)
    ids = {n["id"] for n in t["nodes"]}
    assert all(e["parent"] in ids and e["child"] in ids for e in t["edges"])
    assert r["relation_disagreements"]["total"] > 0
    farms += len(r["farms"])
assert farms >= 1
PY
pass "count --json: raw -> adjusted adds up per step, every exclusion has a reason, trees capped at 300"

"$KAIEVAL" lineage count "$SNAP" "${ROOTS[@]}" --disable affiliated,empty,near_duplicate,farm \
  --json >"$WORK/audit.json"
python3 - "$WORK/audit.json" <<'PY' || fail "--disable"
import json, sys
for r in json.load(open(sys.argv[1]))["roots"]:
    assert r["headline"] == r["raw"]["transitive"]["total"]
    assert all(s["disabled"] and s["removed"] == 0 for s in r["steps"])
PY
pass "--disable with every rule gives the raw count"

"$KAIEVAL" lineage count "$SNAP" --root hanul-ai/hanul-7b >"$WORK/table.txt"
grep -q "^hanul-ai/hanul-7b$" "$WORK/table.txt" || fail "no root heading"
grep -qE "^  raw derivatives +[0-9]+" "$WORK/table.txt" || fail "no raw row"
grep -qE "^  - near_duplicate +-[0-9]+ +-> [0-9]+  [0-9]+ repo\(s\) with the same weight files" "$WORK/table.txt" ||
  fail "no near-duplicate step with its reason"
grep -qE "^  = adjusted third-party +[0-9]+" "$WORK/table.txt" || fail "no adjusted row"
pass "the table shows raw -> adjusted with the reason of each step"

{ head -3 "$SNAP"; echo '{"id": "broken'; echo '{"id":"bad id"}';
  echo '{"id":"x/y","cardData":{"base_model":[1]}}'; tail -n +4 "$SNAP"; } >"$WORK/bad.jsonl"
"$KAIEVAL" lineage count "$WORK/bad.jsonl" --root hanul-ai/hanul-7b --json \
  >"$WORK/bad.json" 2>"$WORK/bad.err"
grep -q "bad.jsonl:4: not valid JSON" "$WORK/bad.err" || fail "line 4 not reported"
grep -q "bad.jsonl:5: id: 'bad id' is not a model id" "$WORK/bad.err" || fail "line 5 not reported"
grep -q "bad.jsonl:6: cardData.base_model\[0\]: expected a string, got a number" "$WORK/bad.err" ||
  fail "line 6 not reported"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["snapshot"]["skipped_lines"] == 2 and d["snapshot"]["records"] == 4001' "$WORK/bad.json" ||
  fail "bad lines not skipped"
pass "bad lines are reported with their number and the count goes on"

printf 'garbage\n{"nope":1}\n' >"$WORK/unreadable.jsonl"
expect_error 2 "unreadable.jsonl: no usable model record \(line 1: not valid JSON" -- \
  "$KAIEVAL" lineage count "$WORK/unreadable.jsonl" --root a/b
expect_error 2 "cannot open the snapshot" -- "$KAIEVAL" lineage count "$WORK/missing.jsonl" --root a/b
expect_error 2 "root: 'hanul' is not a model id" -- "$KAIEVAL" lineage count "$SNAP" --root hanul
expect_error 2 "disable: unknown rule 'farms'" -- "$KAIEVAL" lineage count "$SNAP" --root a/b --disable farms
expect_error 2 "since: '2025-13-01'" -- "$KAIEVAL" lineage count "$SNAP" --root a/b --since 2025-13-01
pass "an unreadable snapshot and bad options exit 2 with one line"
