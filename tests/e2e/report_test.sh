#!/usr/bin/env bash
# `kaieval stage report` end to end: the demo's stage report.json becomes report.html (the
# self-contained page with the report inside), report.json and report.pdf (headless Chromium),
# and the page passes web/tests/report_browser.mjs from file://, also with hostile text in the
# report. Screenshots and the PDF are kept in SCREENSHOT_DIR (default: screenshots/ beside the
# kaieval binary) to be looked at.
source "$(dirname "$0")/lib.sh"
TEMPLATE="$SRC/web/dist-report/report.html"
[ -f "$TEMPLATE" ] || fail "the report page is not built (make web)"
SHOTS=${SCREENSHOT_DIR:-$(dirname "$(readlink -f "$KAIEVAL")")/screenshots}
mkdir -p "$SHOTS"
cd "$SRC"

"$KAIEVAL" demo --quiet --out "$WORK/demo" >"$WORK/demo.txt" 2>"$WORK/demo.log" ||
  fail "demo failed: $(tail -3 "$WORK/demo.log")"
REPORT_JSON="$WORK/demo/stage/report.json"
"$KAIEVAL" stage report "$REPORT_JSON" --out "$WORK/report" --template "$TEMPLATE" \
  >"$WORK/report.txt" 2>"$WORK/report.log" || fail "stage report failed: $(tail -3 "$WORK/report.log")"
for f in report.html report.json report.pdf; do
  [ -s "$WORK/report/$f" ] || fail "no $f in $WORK/report"
done
[ "$(head -c 4 "$WORK/report/report.pdf")" = "%PDF" ] || fail "report.pdf does not start with %PDF"
cmp -s "$REPORT_JSON" "$WORK/report/report.json" || fail "report.json is not a copy of the input"
grep -q "^pdf: $WORK/report/report.pdf$" "$WORK/report.txt" || fail "the PDF is not named: $(cat "$WORK/report.txt")"
python3 - "$WORK/report/report.html" "$REPORT_JSON" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
tag = '<script type="application/json" id="report-data">'
assert html.count(tag) == 1, "not exactly one report-data element"
start = html.index(tag) + len(tag)
embedded = json.loads(html[start:html.index("</script>", start)])
assert embedded == json.load(open(sys.argv[2], encoding="utf-8")), "the embedded report differs from report.json"
# self-contained: no file or URL is referenced
refs = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="[^"]*"', html)
assert not refs, refs
print(f"ok: report.html holds the report ({len(embedded['teams'])} teams) and refers to no other file")
PY
cp "$WORK/report/report.pdf" "$SHOTS/report.pdf"
(cd "$SRC/web" && REPORT_HTML="$WORK/report/report.html" SCREENSHOT_DIR="$SHOTS" node tests/report_browser.mjs) ||
  fail "browser test of report.html failed"
pass "stage report: report.html, report.json and report.pdf; the page in Chromium; screenshots in $SHOTS"

# Hostile text in the report (a note that tries to close the data element, markup as a team's
# organisation) is shown as text: no dialog, no request, the same checks pass.
python3 - "$REPORT_JSON" "$WORK/hostile.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
r["notes"].append("</script><script>alert(1)</script><!--<script>")
r["teams"][0]["organisation"] = '<img src=x onerror="alert(2)">'
r["gates"].append("x\u2028</script><b>bold</b>")
r["leaves"][0]["name"] = '<img src=x onerror="alert(3)">'
next(l for l in r["leaves"] if l["kind"] == "arena")["details"]["excluded"]["<b>x</b>"] = 1
for o in r["originality"]:
    if o.get("evidence"):
        o["evidence"]["components"][0]["component"] = '<img src=x onerror="alert(4)">'
leaf = next((l for l in r["leaves"] if l["kind"] == "derivatives"), None)
if leaf:
    leaf["details"]["teams"][0]["roots"][0]["steps"][0]["reason"] = "<script>alert(5)</script>"
    leaf["details"]["teams"][0]["roots"][0]["tree"]["nodes"][1]["id"] = "<b>evil</b>/x"
json.dump(r, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=2)
PY
"$KAIEVAL" stage report "$WORK/hostile.json" --out "$WORK/hostile" --template "$TEMPLATE" >/dev/null 2>"$WORK/hostile.log" ||
  fail "stage report on the hostile report failed: $(tail -3 "$WORK/hostile.log")"
(cd "$SRC/web" && REPORT_HTML="$WORK/hostile/report.html" SCREENSHOT_DIR="$WORK/hostile-shots" node tests/report_browser.mjs \
  >"$WORK/hostile-browser.log" 2>&1) || fail "hostile report: $(grep -m1 FAIL "$WORK/hostile-browser.log")"
pass "hostile text in the report stays text"

# Errors: a missing template names its path and make web; a file that is not a stage report is
# refused; without Chromium the page and the JSON are still written, with one warning.
expect_error 2 "nope.html: no report template.*make web" -- \
  "$KAIEVAL" stage report "$REPORT_JSON" --out "$WORK/r2" --template "$WORK/nope.html"
echo '{"results": {}}' >"$WORK/other.json"
expect_error 2 "other.json: not a stage report" -- \
  "$KAIEVAL" stage report "$WORK/other.json" --out "$WORK/r2" --template "$TEMPLATE"
"$KAIEVAL" stage report "$REPORT_JSON" --out "$WORK/nochrome" --template "$TEMPLATE" \
  --chromium "$WORK/no-chromium" >/dev/null 2>"$WORK/nochrome.err" || fail "stage report without Chromium failed"
[ -s "$WORK/nochrome/report.html" ] && [ -s "$WORK/nochrome/report.json" ] || fail "no HTML or JSON without Chromium"
[ ! -e "$WORK/nochrome/report.pdf" ] || fail "a PDF without Chromium"
[ "$(grep -c . "$WORK/nochrome.err")" -eq 1 ] && grep -q "warning: .*no-chromium not found" "$WORK/nochrome.err" ||
  fail "not one warning line without Chromium: $(cat "$WORK/nochrome.err")"
pass "stage report errors: missing template, not a report, no Chromium"
