#!/usr/bin/env bash
# Vote throughput and latency of `kaieval serve`: wrk posts votes on prepared battles (each vote
# durable, synchronous=FULL, group-committed) over loopback. Target: >= 2,000 votes/s, p99 < 50 ms.
# Usage: bench/contest_votes.sh BUILD_DIR [SECONDS] [CONNECTIONS]
set -euo pipefail
BUILD=${1:-build-bench}
SECONDS_=${2:-5}
CONNECTIONS=${3:-64}
source "$(dirname "$0")/lib.sh"
N=${VOTE_BATTLES:-150000}

cat >"$WORK/contest.yaml" <<YAML
store: contest.db
models:
YAML
for m in hanul-7b dalbit-5b sanmaru-3b narae-2b byeol-1b; do
  echo "  - {name: $m, type: local-chat-completions, model_args: \"base_url=http://127.0.0.1:9/v1,model=$m\"}" >>"$WORK/contest.yaml"
done
echo "rate_limits: {votes_per_hour_per_address: 1000000, sessions_per_hour_per_address: 1000000}" >>"$WORK/contest.yaml"

serve() {
  "$KAIEVAL" serve --config "$WORK/contest.yaml" --listen 127.0.0.1:0 --threads 128 \
    >"$WORK/serve.out" 2>>"$WORK/serve.log" &
  SERVER=$!
  for _ in $(seq 300); do grep -q listening "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  URL=$(sed -n 's/^listening on \(http:[^ ]*\)\/$/\1/p' "$WORK/serve.out")
}
serve  # creates the tables
kill "$SERVER"; wait "$SERVER" || true
python3 "$SRC/bench/contest_votes.py" "$WORK/contest.db" "$N" "$WORK/battles.txt"
serve
BATTLES="$WORK/battles.txt" THREADS=2 wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_}s" --latency \
  -s "$SRC/bench/contest_votes.lua" "$URL" | tee "$WORK/wrk.out"
STORED=$(sqlite3 "$WORK/contest.db" "SELECT COUNT(*) FROM votes")
echo "votes stored: $STORED of $N prepared battles (non-2xx would be votes after the battles ran out: then raise VOTE_BATTLES)"
kill "$SERVER"; wait "$SERVER" || true
