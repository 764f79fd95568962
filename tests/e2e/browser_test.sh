#!/usr/bin/env bash
# The arena and leaderboard pages in real Chromium (playwright-core, web/tests/arena_browser.mjs)
# against the real contest server: a full battle, a vote, the reveal, hostile model output that
# must run nothing, the leaderboard update, English, and the phone layout. Screenshots are kept
# in SCREENSHOT_DIR (default: screenshots/ beside the kaieval binary) to be looked at.
source "$(dirname "$0")/lib.sh"
[ -f "$SRC/web/dist/index.html" ] || fail "the web pages are not built (make web)"
SHOTS=${SCREENSHOT_DIR:-$(dirname "$(readlink -f "$KAIEVAL")")/screenshots}
mkdir -p "$SHOTS"

start_refmodel
start_fake hostile
cat >"$WORK/contest.yaml" <<YAML
store: contest.db
web_root: $SRC/web/dist
models:
  - {name: hanul-7b, type: local-chat-completions, model_args: "base_url=$REF_URL,model=hanul-7b"}
  - {name: mallory-9b, type: local-chat-completions, model_args: "base_url=http://127.0.0.1:$FAKE_PORT/v1,model=mallory-9b"}
turns: {max_turns: 3, max_message_chars: 2000, max_tokens: 60}
leaderboard: {bootstrap: 50, refresh_seconds: 1}
YAML
"$KAIEVAL" serve --config "$WORK/contest.yaml" --listen 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.log" &
PIDS+=($!)
wait_for_file "$WORK/serve.out"
URL=$(sed -n 's/^listening on \(http:[^ ]*\)\/$/\1/p' "$WORK/serve.out")

(cd "$SRC/web" && BASE_URL="$URL" SCREENSHOT_DIR="$SHOTS" REQUIRE_PAYLOAD=1 \
  LEADERBOARD_WAIT_MS=20000 ANSWER_TIMEOUT_MS=60000 node tests/arena_browser.mjs) ||
  fail "browser test failed (server log: $(tail -5 "$WORK/serve.log"))"
pass "arena and leaderboard in Chromium; screenshots in $SHOTS"
