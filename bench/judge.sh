#!/usr/bin/env bash
# Judge throughput: a 500-prompt single-answer judge task (`kaieval run`), the candidate a
# reference model, the judge a fake endpoint with a fixed latency (bench/fake_judge.py) at 64
# in flight. If kaieval is not the bottleneck, the judge phase takes about
# ceil(500 / 64) * latency and the judge throughput is about 64 / latency requests per second.
# Each latency is run cold (no cache); the latency-0 run measures everything else (the
# candidate's answers, scoring, writing).
# Usage: bench/judge.sh BUILD_DIR [PROMPTS] [IN_FLIGHT]
set -euo pipefail
BUILD=${1:?usage: judge.sh BUILD_DIR [PROMPTS] [IN_FLIGHT]}
N=${2:-500}
INFLIGHT=${3:-64}
source "$(dirname "$0")/lib.sh"
start_refmodel

python3 - "$WORK/prompts.jsonl" "$N" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"id": i, "turns": [f"질문 {i}: 대한민국의 수도는 어디인가요?"]}, ensure_ascii=False) + "\n")
PY
cat >"$WORK/judge_bench.yaml" <<YAML
task: judge_bench
test_split: prompts.jsonl
output_type: generate_until
doc_to_text: turns
generation_kwargs: {max_gen_toks: 16}
judge:
  type: single
  judges:
    - {name: fake, model_args: "base_url=\${FAKE_JUDGE_URL},model=fake,concurrency=$INFLIGHT"}
  max_retries: 0
YAML

printf "%-10s %10s %12s %14s %14s %10s\n" latency total_s judge_s judge_req/s ideal_req/s max_inflight
base=""
for latency in 0 0.05 0.1 0.2; do
  rm -f "$WORK/judge.port" "$WORK/judge.max"
  python3 "$SRC/bench/fake_judge.py" "$latency" "$WORK/judge.port" "$WORK/judge.max" &
  JPID=$!
  for _ in $(seq 100); do [ -s "$WORK/judge.port" ] && break; sleep 0.05; done
  start=$(date +%s.%N)
  FAKE_JUDGE_URL="http://127.0.0.1:$(cat "$WORK/judge.port")/v1" "$KAIEVAL" run --quiet \
    --model openai --model-args "model=hanul-7b,base_url=http://127.0.0.1:$PORT/v1,concurrency=64" \
    --tasks "$WORK/judge_bench.yaml" --output-path "$WORK/out" >/dev/null 2>&1
  end=$(date +%s.%N)
  kill "$JPID"; wait "$JPID" 2>/dev/null || true
  total=$(python3 -c "print(f'{$end - $start:.3f}')")
  [ -z "$base" ] && base=$total
  read -r maxin served <"$WORK/judge.max"
  python3 - "$latency" "$total" "$base" "$N" "$INFLIGHT" "$maxin" <<'PY'
import math, sys
lat, total, base, n, k, maxin = (float(x) for x in sys.argv[1:])
judge = total - base
rate = n / judge if judge > 0 and lat > 0 else float("nan")
ideal = k / lat if lat > 0 else float("nan")
print(f"{lat:<10} {total:10.3f} {judge:12.3f} {rate:14.0f} {ideal:14.0f} {int(maxin):10d}")
PY
done
