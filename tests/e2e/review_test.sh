#!/usr/bin/env bash
# The expert review and the live stage dashboard end to end: `kaieval review tokens` makes the
# reviewers' links, `kaieval serve --stage --campaign` serves /review and /stage, a reviewer
# scores in real Chromium (web/tests/review_browser.mjs), `kaieval review export` writes what
# was entered as the reviews CSV, and `kaieval review import` checks sheets (bad ones are
# refused naming the file, line and field).
source "$(dirname "$0")/lib.sh"
[ -f "$SRC/web/dist/review.html" ] || fail "the web pages are not built (make web)"
SHOTS=${SCREENSHOT_DIR:-$(dirname "$(readlink -f "$KAIEVAL")")/screenshots}
mkdir -p "$SHOTS"

start_refmodel
cat >"$WORK/contest.yaml" <<YAML
store: contest.db
web_root: $SRC/web/dist
models:
  - {name: hanul-7b, type: local-chat-completions, model_args: "base_url=$REF_URL,model=hanul-7b"}
  - {name: byeol-1b, type: local-chat-completions, model_args: "base_url=$REF_URL,model=byeol-1b"}
YAML
cat >"$WORK/item.md" <<'MD'
# 학습 기록

학습 곡선이 안정적이에요. <img src=x onerror="alert(1)"><script>alert(2)</script>
MD
cat >"$WORK/stage.yaml" <<'YAML'
name: review test stage
bootstrap: 20
selection: {advance: 1}
teams:
  - {name: Team Alpha, organisation: Org A}
  - {name: Team Beta, organisation: Org B}
evidence: {reviews: reviews.csv}
rubric:
  id: total
  points: 100
  items:
    - {id: recorded, points: 100, evidence: {value: {Team Alpha: 0.8, Team Beta: 0.6}}, rule: {linear: {floor: 0, ceiling: 1}}}
review:
  panels:
    - name: tech
      reviews_per_item: 2
      criteria:
        - {id: depth, name: 깊이, anchors: {1: 얕음, 10: 깊음}}
        - {id: clarity, name: 명료함, anchors: {1: 불명확, 10: 명확}}
  reviewers:
    - {id: r1, name: 심사위원 1, affiliations: []}
    - {id: r2, name: 심사위원 2, affiliations: []}
  items:
    - {id: alpha-report, team: Team Alpha, panel: tech, kind: report, title: 보고서 가, content: "https://example.org/a"}
    - {id: beta-log, team: Team Beta, panel: tech, kind: training_log, title: 학습 기록 나, content: item.md}
YAML

"$KAIEVAL" review tokens --stage "$WORK/stage.yaml" --campaign "$WORK/campaign.db" --url http://x >"$WORK/tokens.csv" 2>/dev/null
[ "$(grep -c "review?token=[0-9a-f]\{32\}$" "$WORK/tokens.csv")" -eq 2 ] || fail "no link per reviewer: $(cat "$WORK/tokens.csv")"
"$KAIEVAL" review tokens --stage "$WORK/stage.yaml" --campaign "$WORK/campaign.db" >"$WORK/tokens2.csv" 2>/dev/null
[ "$(sed 's/.*token=//' "$WORK/tokens.csv")" = "$(sed 's/.*token=//' "$WORK/tokens2.csv")" ] || fail "tokens changed on a second run"
R1=$(grep '^"r1"' "$WORK/tokens.csv" | sed 's/.*token=//')
pass "review tokens: one private link per reviewer, stable"

KAIEVAL_ADMIN_TOKEN=committee-secret "$KAIEVAL" serve --config "$WORK/contest.yaml" --listen 127.0.0.1:0 \
  --stage "$WORK/stage.yaml" --campaign "$WORK/campaign.db" >"$WORK/serve.out" 2>"$WORK/serve.log" &
PIDS+=($!)
wait_for_file "$WORK/serve.out"
URL=$(sed -n 's/^listening on \(http:[^ ]*\)\/$/\1/p' "$WORK/serve.out")
(cd "$SRC/web" && BASE_URL="$URL" REVIEW_TOKEN="$R1" COMMITTEE_TOKEN=committee-secret SCREENSHOT_DIR="$SHOTS" \
  node tests/review_browser.mjs) || fail "review browser test failed (server log: $(tail -5 "$WORK/serve.log"))"
pass "review page and live stage dashboard in Chromium; screenshots in $SHOTS"

"$KAIEVAL" review export --stage "$WORK/stage.yaml" --campaign "$WORK/campaign.db" --out "$WORK/reviews.csv" >"$WORK/export.txt"
grep -q "^exported 1 scores" "$WORK/export.txt" || fail "export: $(cat "$WORK/export.txt")"
tr -d '\r' <"$WORK/reviews.csv" | grep -qE "^(alpha-report|beta-log),r1,depth,7$" || fail "the page's score is not exported: $(cat "$WORK/reviews.csv")"
pass "review export: the score entered on the page, as the stage's reviews CSV"

"$KAIEVAL" review sheet --stage "$WORK/stage.yaml" --reviewer r2 | tr -d '\r' >"$WORK/sheet.csv"
[ "$(grep -c ',r2,' "$WORK/sheet.csv")" -eq 4 ] || fail "r2's sheet: $(cat "$WORK/sheet.csv")"
sed 's/,$/,9/' "$WORK/sheet.csv" >"$WORK/filled.csv"
"$KAIEVAL" review import "$WORK/filled.csv" --stage "$WORK/stage.yaml" --campaign "$WORK/campaign.db" | grep -q "^imported 4 scores" ||
  fail "the filled sheet was not imported"
sed '3s/,9$/,11/' "$WORK/filled.csv" >"$WORK/bad.csv"
expect_error 2 "bad.csv:3: score: expected an integer from 1 to 10, got 11" -- \
  "$KAIEVAL" review import "$WORK/bad.csv" --stage "$WORK/stage.yaml" --campaign "$WORK/campaign.db"
sed '2s/,r2,/,r9,/' "$WORK/filled.csv" >"$WORK/stranger.csv"
expect_error 2 "stranger.csv:2: reviewer: unknown reviewer 'r9'" -- \
  "$KAIEVAL" review import "$WORK/stranger.csv" --stage "$WORK/stage.yaml" --campaign "$WORK/campaign.db"
"$KAIEVAL" review export --stage "$WORK/stage.yaml" --campaign "$WORK/campaign.db" --out "$WORK/reviews.csv" | grep -q "^exported 5 scores" ||
  fail "the export does not hold the page's score and the sheet's four"
pass "review sheet and import: a filled sheet is added; a score out of range or an unknown reviewer is refused by line"
