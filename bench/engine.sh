#!/usr/bin/env bash
# Benchmark engine at scale (issue 3): a generated four-choice task of N items (4N
# loglikelihood requests) run cold against refmodel, then again with the cache warm.
# Reports wall time, kaieval's CPU time (user + sys) as a share of the wall time, and peak RSS.
# Usage: bench/engine.sh BUILD_DIR [ITEMS]
set -euo pipefail
BUILD=${1:?usage: engine.sh BUILD_DIR [ITEMS]}
N=${2:-14000}
source "$(dirname "$0")/lib.sh"

start_refmodel

python3 - "$N" "$WORK/items.jsonl" <<'PY'
import json, random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(5)
cities = ["서울", "부산", "도쿄", "파리", "로마", "베를린", "런던", "마드리드"]
with open(path, "w") as f:
    for i in range(n):
        ch = rng.sample(cities, 4)
        f.write(json.dumps({"q": f"문항 {i}: 다음 중 도시의 이름은 무엇인가?", "choices": ch,
                            "gold": rng.randrange(4)}, ensure_ascii=False) + "\n")
PY
cat >"$WORK/scale.yaml" <<'YAML'
task: scale_mc
output_type: multiple_choice
test_split: items.jsonl
doc_to_text: "{{q}}"
doc_to_choice: choices
doc_to_target: gold
YAML

run() {
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$KAIEVAL" run --quiet \
    --model-args "model=hanul-7b,base_url=http://127.0.0.1:$PORT/v1,concurrency=64" \
    --tasks "$WORK/scale.yaml" --cache-path "$WORK/cache.db" --output-path "$WORK/out" \
    --log-samples >/dev/null
  read -r WALL USER SYS RSS <"$WORK/time.txt"
  python3 -c "
w, u, s, r = $WALL, $USER, $SYS, $RSS
print(f'$1  items $N  requests {4*$N}  wall {w:6.2f} s  kaieval CPU {u+s:6.2f} s ({100*(u+s)/w:4.1f}% of wall)  max RSS {r/1024:6.1f} MB')"
}
run "cold"
run "warm"
