#!/usr/bin/env bash
# The embedded-default job (`make demo`) runs end to end: five reference models, the built-in
# tasks, a table with intervals, results, samples and the evidence store.
source "$(dirname "$0")/lib.sh"
cd "$SRC"
"$KAIEVAL" demo --quiet --out "$WORK/demo" >"$WORK/table.txt" 2>"$WORK/demo.log" ||
  fail "demo failed: $(tail -3 "$WORK/demo.log")"
for model in hanul-7b dalbit-5b sanmaru-3b narae-2b byeol-1b; do
  grep -q "$model" "$WORK/table.txt" || fail "no column for $model"
done
grep -qE "^ko_cloze acc,none +[0-9.]+ ± [0-9.]+" "$WORK/table.txt" || fail "no ko_cloze row with an interval"
[ "$(sqlite3 "$WORK/demo/campaign.db" "SELECT count(*) FROM runs WHERE finished_ms IS NOT NULL")" -eq 5 ] ||
  fail "the evidence store does not hold five finished runs"
python3 - "$WORK/table.txt" <<'PY'
import re, sys
rows = {l.split()[0] + " " + l.split()[1]: [float(x) for x in re.findall(r"([0-9.]+) ±", l)]
        for l in open(sys.argv[1]) if " ± " in l}
best, worst = rows["ko_cloze acc,none"][0], rows["ko_cloze acc,none"][-1]
assert best - worst > 0.3, rows["ko_cloze acc,none"]
print(f"ok: demo table: ko_cloze acc {best:.3f} (hanul-7b) vs {worst:.3f} (byeol-1b)")
PY
# The simulated contest: named as simulated, the two simulated riggers' votes excluded, and the
# best reference model ahead of the worst.
grep -q "Public contest (SIMULATED voters" "$WORK/table.txt" || fail "the contest part is not marked simulated"
SUSPICIOUS=$(sed -n 's/^excluded:.* suspicious_voter \([0-9]*\).*/\1/p' "$WORK/table.txt")
[ "${SUSPICIOUS:-0}" -ge 100 ] || fail "the simulated riggers (120 votes) were not excluded: $(grep excluded: "$WORK/table.txt")"
[ "$(sqlite3 "$WORK/demo/contest.db" "SELECT count(*) FROM votes")" -gt 500 ] || fail "the contest store has too few votes"
python3 - "$WORK/table.txt" <<'PY'
import sys
rank = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) >= 3 and parts[1] in ("hanul-7b", "byeol-1b") and parts[0].isdigit():
        rank[parts[1]] = float(parts[2])
assert rank["hanul-7b"] > rank["byeol-1b"], rank
print(f"ok: simulated contest: hanul-7b {rank['hanul-7b']} above byeol-1b {rank['byeol-1b']}")
PY

# `kaieval stage run` on the demo's evidence: benchmark results and samples, the contest store,
# and recorded values (this test's own expert scores, not a review panel).
cat >"$WORK/stage.yaml" <<YAML
name: e2e stage
bootstrap: 200
selection: {advance: 3}
teams: [{name: hanul-7b}, {name: dalbit-5b}, {name: sanmaru-3b}, {name: narae-2b}, {name: byeol-1b}]
evidence: {runs: $WORK/demo/runs, contest: $WORK/demo/contest.db}
rubric:
  id: total
  points: 100
  items:
    - {id: bench.facts, points: 40, evidence: {benchmark: {task: ko_facts_mc, metric: acc}}, rule: {relative_to_reference: {reference: 0.95}}}
    - {id: expert, points: 35, evidence: {value: {hanul-7b: 8, dalbit-5b: 7, sanmaru-3b: 6, narae-2b: 6, byeol-1b: 4}}, rule: {linear: {floor: 1, ceiling: 10}}}
    - {id: user, points: 25, evidence: {arena: {}}, rule: rank_based}
gates:
  originality: {verdicts: {dalbit-5b: fail}}
YAML
"$KAIEVAL" stage run "$WORK/stage.yaml" --out "$WORK/stage" >"$WORK/stage.txt" 2>"$WORK/stage.log" ||
  fail "stage run failed: $(tail -3 "$WORK/stage.log")"
python3 - "$WORK/stage/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = {x["name"]: x for x in r["teams"]}
assert not t["dalbit-5b"]["passes_gates"] and not t["dalbit-5b"]["advances"], t["dalbit-5b"]
assert t["dalbit-5b"]["p_advance"] == 0, "a gate failure never advances"
assert t["hanul-7b"]["advances"] and t["hanul-7b"]["p_advance"] > 0.9, t["hanul-7b"]
assert sum(x["advances"] for x in r["teams"]) == 3
for x in r["teams"]:
    assert x["lower"] <= x["total"] <= x["upper"] + 1e-9, x
assert r["bootstrap"]["replicates"] == 200 and len(r["evidence"]) >= 6
print("ok: stage run: gates, selection of 3, P(advance) and intervals in report.json")
PY
grep -q "dalbit-5b: originality check failed" "$WORK/stage.txt" || fail "the gate failure is not reported"
"$KAIEVAL" stage verify "$WORK/stage/report.json" | grep -q "reproduces bit for bit" ||
  fail "stage verify did not reproduce the report"
sed -i '0,/"p_advance": [0-9.]*/s//"p_advance": 0.5/' "$WORK/stage/report.json"
expect_error 2 "report.json: 'teams' differs when recomputed" -- "$KAIEVAL" stage verify "$WORK/stage/report.json"
pass "stage verify reproduces the report and catches a changed one"
sed -i 's/points: 40/points: 45/' "$WORK/stage.yaml"
expect_error 2 "stage.yaml: rubric item 'total': its items add up to 105 points, not 100" -- \
  "$KAIEVAL" stage run "$WORK/stage.yaml" --out "$WORK/stage"
pass "a rubric that does not add up is refused, naming the item"

# The demo's own stage: simulated experts, the recorded originality failure cuts narae-2b although
# its points are fourth, and the report reproduces.
grep -q "Expert evaluation (SIMULATED experts)" "$WORK/table.txt" || fail "the experts are not marked simulated"
grep -qE "^narae-2b .* FAIL eliminated$" "$WORK/table.txt" || fail "narae-2b was not cut by the originality gate"
grep -qE "^hanul-7b .* pass advances$" "$WORK/table.txt" || fail "hanul-7b does not advance"
[ "$(grep -cE " (pass|FAIL) (advances|eliminated)$" "$WORK/table.txt")" -eq 5 ] || fail "the decision table lacks teams"
"$KAIEVAL" stage verify "$WORK/demo/stage/report.json" --store "$WORK/demo/campaign.db" >"$WORK/verify.txt" ||
  fail "the demo's stage report does not reproduce: $(cat "$WORK/verify.txt")"
grep -q "reproduces bit for bit" "$WORK/verify.txt" && grep -q "campaign.db decision [0-9]* .* is this report" "$WORK/verify.txt" ||
  fail "stage verify --store did not check the recorded decision: $(cat "$WORK/verify.txt")"
pass "demo stage: decision table, gate, simulated experts, verified report and recorded decision"
# The demo's originality gate comes from weight comparisons, its ecosystem item from a Hub
# snapshot: narae-2b's reused vision encoder is found (and nothing else), every team has a count.
grep -qE "^gate: byeol-1b: benchmarks.national.safety = 0\.[0-9]+ above the maximum 0.7$" "$WORK/table.txt" ||
  fail "the safety gate did not cut byeol-1b: $(grep '^gate:' "$WORK/table.txt")"
grep -q "Originality (SIMULATED weights" "$WORK/table.txt" || fail "the generated weights are not marked simulated"
grep -q "Ecosystem (SIMULATED Hub snapshot)" "$WORK/table.txt" || fail "the Hub snapshot is not marked simulated"
grep -qE "^  narae-2b +derived +vision_encoder from public-vlm" "$WORK/table.txt" || fail "narae-2b's vision encoder was not found: $(grep -A6 Originality "$WORK/table.txt")"
[ "$(grep -cE "^  (hanul-7b|dalbit-5b|sanmaru-3b|byeol-1b) +original" "$WORK/table.txt")" -eq 4 ] || fail "an original team was not called original"
python3 - "$WORK/demo/stage/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
o = {x["team"]: x for x in r["originality"]}
assert o["narae-2b"]["gate"] == "fail" and o["narae-2b"]["source"] == "report", o["narae-2b"]
assert [d["component"] for d in o["narae-2b"]["evidence"]["derived"]] == ["vision_encoder"], o["narae-2b"]["evidence"]["derived"]
assert all(o[t]["gate"] == "pass" for t in o if t != "narae-2b")
leaf = next(l for l in r["leaves"] if l["kind"] == "derivatives")
for team, d in zip(r["teams"], leaf["details"]["teams"]):
    root = d["roots"][0]
    assert root["found"] and root["headline"] > 0, (team["name"], root["headline"])
    removed = sum(s["removed"] for s in root["steps"])
    assert root["raw"]["transitive"]["total"] - removed == root["headline"], root["steps"]
    assert len(root["tree"]["nodes"]) > 1
print("ok: originality from the weights, derivative counts from the snapshot, in report.json")
PY
# A recorded decision that was changed afterwards is caught.
cp "$WORK/demo/campaign.db" "$WORK/tampered.db"
python3 - "$WORK/tampered.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE decisions SET report = replace(report, '\"advances\":true', '\"advances\":false')")
db.commit()
PY
expect_error 2 "tampered.db: decision [0-9]+ of stage .* differs from" -- \
  "$KAIEVAL" stage verify "$WORK/demo/stage/report.json" --store "$WORK/tampered.db"
pass "stage verify --store catches a recorded decision changed afterwards"
[ -s "$WORK/demo/report/report.html" ] || fail "the demo wrote no report.html"
head -c 4 "$WORK/demo/report/report.pdf" | grep -q "%PDF" || fail "the demo wrote no report.pdf"
pass "demo report: report.html and report.pdf"

# A benchmark item needs results: a team with neither a model endpoint nor results is refused,
# naming the team and the item.
mkdir -p "$WORK/noruns"
cat >"$WORK/noendpoint.yaml" <<'YAML'
name: no endpoint
teams: [{name: ghost-1b, organisation: Nowhere}, {name: ghost-2b, organisation: Elsewhere}]
evidence: {runs: noruns}
rubric:
  id: total
  points: 100
  items:
    - {id: bench, points: 100, evidence: {benchmark: {task: ko_cloze, metric: acc}}, rule: {linear: {floor: 0, ceiling: 1}}}
YAML
expect_error 2 "noendpoint.yaml: teams: 'ghost-1b' has no model endpoint .* but rubric item 'bench' needs them" -- \
  "$KAIEVAL" stage run "$WORK/noendpoint.yaml" --out "$WORK/noendpoint"
pass "a team with no endpoint and no results for a benchmark item is refused, naming both"
