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
