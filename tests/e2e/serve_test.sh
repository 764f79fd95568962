#!/usr/bin/env bash
# The contest server end to end: the API's rules over real HTTP against the reference models,
# then concurrent votes, SIGKILL, restart: every acknowledged vote must still be there.
source "$(dirname "$0")/lib.sh"
CLIENT="$SRC/tests/e2e/contest_client.py"
export KAIEVAL_ADMIN_TOKEN=e2e-admin-token

start_refmodel
cat >"$WORK/contest.yaml" <<YAML
store: contest.db
models:
YAML
for m in hanul-7b dalbit-5b sanmaru-3b narae-2b byeol-1b; do
  echo "  - {name: $m, type: local-chat-completions, model_args: \"base_url=$REF_URL,model=$m\"}" >>"$WORK/contest.yaml"
done
cat >>"$WORK/contest.yaml" <<YAML
turns: {max_turns: 2, max_message_chars: 100, max_tokens: 16}
rate_limits: {votes_per_hour_per_session: 5, votes_per_hour_per_address: 100000, sessions_per_hour_per_address: 100000, turns_per_hour_per_address: 100000}
leaderboard: {bootstrap: 20, refresh_seconds: 1}
YAML

# Starts the server on a free port; sets URL and SERVER_PID.
start_server() {
  rm -f "$WORK/serve.out"
  "$KAIEVAL" serve --config "$WORK/contest.yaml" --listen 127.0.0.1:0 >"$WORK/serve.out" 2>>"$WORK/serve.log" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_for_file "$WORK/serve.out"
  URL=$(sed -n 's/^listening on \(http:[^ ]*\)\/$/\1/p' "$WORK/serve.out")
  [ -n "$URL" ] || fail "no listening line: $(cat "$WORK/serve.out")"
}

printf 'store: x.db\nmodels: []\n' >"$WORK/empty.yaml"
expect_error 2 'empty.yaml:[0-9]+: models: a contest needs at least two active models' -- \
  "$KAIEVAL" serve --config "$WORK/empty.yaml" --listen 127.0.0.1:0
cp "$WORK/contest.yaml" "$WORK/bad.yaml"
sed -i 's/max_turns: 2/max_turns: zero/' "$WORK/bad.yaml"
expect_error 2 'bad.yaml:[0-9]+: turns.max_turns: expected an integer' -- \
  "$KAIEVAL" serve --config "$WORK/bad.yaml" --listen 127.0.0.1:0
pass "bad configs name the file, line and field"

start_server
python3 "$CLIENT" api "$URL"

python3 "$CLIENT" prepare "$URL" 400 "$WORK/prepared.json"
: >"$WORK/acked.jsonl"
python3 "$CLIENT" vote "$URL" "$WORK/prepared.json" "$WORK/acked.jsonl" &
VOTER=$!
for _ in $(seq 300); do
  [ "$(wc -l <"$WORK/acked.jsonl")" -ge 40 ] && break
  sleep 0.01
done
kill -9 "$SERVER_PID"
wait "$VOTER" || true
ACKED=$(wc -l <"$WORK/acked.jsonl")
[ "$ACKED" -lt 400 ] || fail "the kill came after every vote ($ACKED): the test proves nothing"
pass "killed the server with SIGKILL after $ACKED acknowledged votes"

start_server
python3 "$CLIENT" check "$URL" "$WORK/acked.jsonl" "$KAIEVAL_ADMIN_TOKEN"
# Admin actions are logged in the store.
sqlite3 "$WORK/contest.db" "SELECT COUNT(*) FROM admin_log WHERE action = 'export_votes'" | grep -qx 1 ||
  fail "the export was not logged"
pass "admin actions are logged"
