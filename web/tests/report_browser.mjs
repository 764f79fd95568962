// Browser test of the static stage report (report.html written by `kaieval stage report`),
// opened from file:// with no server.
//
//   REPORT_HTML=out/report/report.html SCREENSHOT_DIR=out/screenshots node tests/report_browser.mjs
//
// Environment:
//   REPORT_HTML      the report.html to open (a file path; required)
//   REPORT_JSON      the report JSON to compare with (default: the one inside REPORT_HTML)
//   SCREENSHOT_DIR   where the PNGs go (default <tmp>/kaieval-screenshots)
//   CHROMIUM_PATH    the browser (default /usr/bin/chromium, Debian's package)
//   EXPECT_SIMULATED "1" (default): the report must show the simulated banner; "0": must not
//
// A plain Node script (node:assert, playwright-core, no test runner). It exits non-zero with a
// clear message at the first failed check, and ends with "report_browser: N passed, M failed".

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DESKTOP, PHONE, launchChromium, step, tally, tid, watchedPage } from "./chromium.mjs";

const REPORT_HTML = process.env.REPORT_HTML ? path.resolve(process.env.REPORT_HTML) : "";
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || path.join(os.tmpdir(), "kaieval-screenshots"));
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const EXPECT_SIMULATED = (process.env.EXPECT_SIMULATED ?? "1") !== "0";


async function shot(page, name, selector = "") {
  const file = path.join(SCREENSHOT_DIR, name);
  if (selector) await page.locator(selector).screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
  console.log(`     screenshot ${file}`);
}

/** The report JSON: REPORT_JSON if given, else the text of the page's report-data element. */
function expectedReport() {
  if (process.env.REPORT_JSON) return JSON.parse(fs.readFileSync(process.env.REPORT_JSON, "utf8"));
  const html = fs.readFileSync(REPORT_HTML, "utf8");
  const open = '<script type="application/json" id="report-data">';
  const start = html.indexOf(open);
  assert.ok(start >= 0, `${REPORT_HTML} has no report-data element`);
  const end = html.indexOf("</script>", start + open.length);
  return JSON.parse(html.slice(start + open.length, end));
}

async function summaryRows(page) {
  return page.$$eval(`${tid("summary-table")} tbody tr`, (trs) =>
    trs.map((tr) => ({ team: tr.dataset.team, decision: tr.dataset.decision, text: tr.innerText })),
  );
}

async function main() {
  assert.ok(REPORT_HTML, "set REPORT_HTML to the report.html to open");
  assert.ok(fs.existsSync(REPORT_HTML), `${REPORT_HTML} does not exist`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const url = pathToFileURL(REPORT_HTML).href;
  const report = expectedReport();
  console.log(`report_browser: ${url} (${report.teams.length} teams) SCREENSHOT_DIR=${SCREENSHOT_DIR}`);

  const browser = await launchChromium(CHROMIUM_PATH);
  try {
    const { context, page, seen } = await watchedPage(browser, DESKTOP);
    const pageErrors = seen.pageErrors;
    const dialogs = seen.dialogs;
    const requests = seen.requests;

    await step("the report opens from file:// in Korean", async () => {
      await page.goto(url, { waitUntil: "load" });
      await page.waitForSelector('body[data-loaded="true"]');
      assert.equal(await page.getAttribute("html", "lang"), "ko", "<html lang> is not ko");
      assert.equal((await page.textContent(tid("page-title")))?.trim(), report.stage, "the title is not the stage name");
      assert.ok((await page.title()).includes("단계평가 보고서"), `document.title is "${await page.title()}"`);
      const heads = await page.$$eval(`${tid("summary-table")} thead th`, (ths) => ths.map((t) => t.textContent.trim()));
      assert.deepEqual(heads, ["순위", "팀", "총점", "95% 신뢰구간", "진출 확률", "필수 검증", "결정"]);
    });

    await step("the decision comes first: one row per team, with its decision", async () => {
      const rows = await summaryRows(page);
      assert.equal(rows.length, report.teams.length, `${rows.length} rows for ${report.teams.length} teams`);
      const byName = new Map(report.teams.map((t) => [t.name, t]));
      for (const row of rows) {
        const team = byName.get(row.team);
        assert.ok(team, `a row for an unknown team "${row.team}"`);
        assert.equal(row.decision, team.advances ? "advances" : "eliminated", `${row.team}: wrong decision`);
        assert.ok(row.text.includes(team.advances ? "진출" : "탈락"), `${row.team}: the row does not say ${team.advances ? "진출" : "탈락"}`);
        assert.ok(row.text.includes(team.total.toFixed(1)), `${row.team}: no total ${team.total.toFixed(1)} in "${row.text}"`);
        assert.ok(row.text.includes(`${team.lower.toFixed(1)} – ${team.upper.toFixed(1)}`), `${row.team}: no interval in "${row.text}"`);
      }
      assert.deepEqual(new Set(rows.map((r) => r.team)).size, report.teams.length, "a team appears twice");
      // the decision table is above the chart and the rubric
      const y = async (id) => (await page.locator(tid(id)).boundingBox())?.y ?? -1;
      assert.ok((await y("summary-table")) < (await y("points-chart")), "the chart is above the decision");
      assert.ok((await y("points-chart")) < (await y("rubric-table")), "the rubric is above the chart");
      const summary = ((await page.textContent(tid("decision-summary"))) || "").trim();
      for (const t of report.teams.filter((t) => t.advances)) assert.ok(summary.includes(t.name), `the summary does not name ${t.name}`);
      for (const t of report.teams.filter((t) => !t.passes_gates)) {
        assert.ok(summary.includes(t.name) && summary.includes("필수 검증"), `the summary does not explain ${t.name}'s gate failure`);
      }
      console.log(`     summary: ${summary}`);
    });

    await step("simulated inputs are marked", async () => {
      assert.equal(await page.isVisible(tid("simulated-banner")), EXPECT_SIMULATED, `the simulated banner is ${EXPECT_SIMULATED ? "hidden" : "shown"}`);
      if (EXPECT_SIMULATED) assert.ok(((await page.textContent(tid("simulated-banner"))) || "").includes("시뮬레이션"));
    });

    await step("the points chart is drawn; the rubric has every node", async () => {
      const box = await page.locator(`${tid("points-chart")} canvas`).first().boundingBox();
      assert.ok(box && box.width > 200 && box.height > 150, `the points chart has no drawn canvas: ${JSON.stringify(box)}`);
      const ids = [];
      const walk = (n) => {
        ids.push(n.id);
        for (const c of n.items ?? []) walk(c);
      };
      walk(report.rubric);
      const shown = await page.$$eval(`${tid("rubric-table")} tbody tr`, (trs) => trs.map((tr) => tr.dataset.node));
      assert.deepEqual(shown, ids, "the rubric table does not list every node in order");
      const cells = await page.$$eval(`${tid("rubric-table")} tbody tr:first-child td.cell`, (tds) => tds.length);
      assert.equal(cells, report.teams.length, "the rubric table lacks a column per team");
      const evidence = await page.locator(`${tid("evidence-table")} tbody tr`).count();
      assert.equal(evidence, report.evidence.length + 1, "the evidence table lacks files (config + evidence)");
      const gates = await page.$$eval(`${tid("gates-list")} li`, (lis) => lis.map((l) => l.textContent.trim()));
      for (const g of report.gates) assert.ok(gates.some((x) => x.startsWith(g)), `gate line "${g}" not shown`);
      const notes = await page.$$eval(`${tid("notes-list")} li`, (lis) => lis.map((l) => l.textContent));
      for (const n of report.notes) assert.ok(notes.some((x) => x.includes(n)), `note "${n}" not shown`);
      await shot(page, "report-ko.png");
    });

    await step("every rubric leaf has its scores with intervals, in decision order", async () => {
      const cards = await page.$$eval(`${tid("leaves")} article.leaf`, (as) =>
        as.map((a) => ({
          id: a.dataset.leaf,
          kind: a.dataset.kind,
          rows: [...a.querySelectorAll(".forest-row")].map((r) => ({ team: r.dataset.team, value: r.querySelector(".value").textContent, dots: r.querySelectorAll(".dot").length })),
          text: a.textContent,
        })),
      );
      assert.deepEqual(cards.map((c) => c.id), report.leaves.map((l) => l.id), "not one card per leaf, in rubric order");
      const order = (await summaryRows(page)).map((r) => r.team);
      for (const [k, leaf] of report.leaves.entries()) {
        const card = cards[k];
        assert.deepEqual(card.rows.map((r) => r.team), order, `${leaf.id}: rows not in decision order`);
        for (const row of card.rows) {
          const i = report.teams.findIndex((t) => t.name === row.team);
          const v = leaf.teams[i];
          assert.equal(row.dots, v.score === null ? 0 : 1, `${leaf.id}/${row.team}: a dot for a missing score or none for a score`);
          if (v.score !== null && v.lower !== null) {
            const digits = Math.abs(v.score) >= 100 ? 1 : Math.abs(v.score) >= 10 ? 2 : 3;
            assert.ok(row.value.includes(`[${v.lower.toFixed(digits)}, ${v.upper.toFixed(digits)}]`), `${leaf.id}/${row.team}: no interval in "${row.value}"`);
          }
        }
        if (leaf.kind === "review") assert.ok(card.text.includes("Krippendorff"), `${leaf.id}: no agreement line`);
        if (leaf.kind === "arena") assert.ok(card.text.includes(`${leaf.details.counted}개 집계`), `${leaf.id}: no counted votes`);
      }
      await shot(page, "report-leaves.png", tid("leaves"));
    });

    await step("originality: each team's gate with its evidence, a heatmap where a report was compared", async () => {
      const rows = (report.originality ?? []).filter((o) => o.gate || o.evidence);
      assert.equal(await page.isVisible(tid("originality")), rows.length > 0, "the originality section is shown without data or hidden with it");
      const teams = await page.$$eval(`${tid("originality")} article.origin-team`, (as) => as.map((a) => ({ team: a.dataset.team, text: a.textContent, canvases: a.querySelectorAll("canvas").length })));
      assert.deepEqual(teams.map((x) => x.team), rows.map((o) => o.team), "not one block per team with a verdict");
      for (const [k, row] of rows.entries()) {
        assert.ok(teams[k].text.includes(row.gate === "fail" ? "통과 못 함" : "통과"), `${row.team}: the gate is not shown`);
        for (const d of row.evidence?.derived ?? []) {
          assert.ok(teams[k].text.includes(d.component), `${row.team}: the derived component ${d.component} is not named`);
        }
        const grids = (row.evidence?.references ?? []).some((r) => (r.heatmap ?? []).length > 0);
        if (grids) assert.ok(teams[k].canvases >= 1, `${row.team}: no heatmap drawn`);
      }
    });

    await step("derivative models: per team the adjusted count, its steps and the tree", async () => {
      const leaves = report.leaves.filter((l) => l.kind === "derivatives");
      assert.equal(await page.isVisible(tid("lineage")), leaves.length > 0, "the derivative section is shown without data or hidden with it");
      for (const leaf of leaves) {
        for (const [i, team] of report.teams.entries()) {
          for (const root of leaf.details.teams[i].roots) {
            const block = page.locator(`${tid("lineage")} .lineage-root[data-root="${root.root}"]`);
            assert.equal(await block.count(), 1, `${team.name}: no block for ${root.root}`);
            const text = await block.textContent();
            assert.ok(text.includes(`조정한 제3자 파생 모델 ${root.headline.toLocaleString()}개`), `${root.root}: the headline ${root.headline} is not shown`);
            assert.equal(await block.locator(".lineage-steps li").count(), root.steps.length + 2, `${root.root}: not every step is listed`);
            if (root.found && root.tree.nodes.length > 1) assert.ok((await block.locator("canvas").count()) >= 1, `${root.root}: no tree drawn`);
          }
        }
      }
      await shot(page, "report-evidence.png", "#lineage-card");
    });

    await step("English toggle: labels translated, remembered after reload", async () => {
      await page.click(tid("lang-toggle"));
      await page.waitForFunction(() => document.documentElement.lang === "en");
      const heads = await page.$$eval(`${tid("summary-table")} thead th`, (ths) => ths.map((t) => t.textContent.trim()));
      assert.deepEqual(heads, ["Rank", "Team", "Total points", "95% CI", "P(advance)", "Gates", "Decision"]);
      const decisions = (await summaryRows(page)).map((r) => r.text);
      assert.ok(decisions.some((t) => t.includes("Advances")), "no row says Advances");
      const summary = ((await page.textContent(tid("decision-summary"))) || "").trim();
      assert.match(summary, /teams? advance/, `the summary is not in English: ${summary}`);
      if (EXPECT_SIMULATED) assert.ok(((await page.textContent(tid("simulated-banner"))) || "").includes("Simulated"));
      await page.reload({ waitUntil: "load" });
      await page.waitForSelector('body[data-loaded="true"]');
      assert.equal(await page.getAttribute("html", "lang"), "en", "English was not remembered after reload");
      await shot(page, "report-en.png");
      await page.click(tid("lang-toggle"));
      await page.waitForFunction(() => document.documentElement.lang === "ko");
    });

    await step("phone: no sideways scrolling of the page", async () => {
      await page.setViewportSize(PHONE);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways on a phone by ${overflow}px`);
      await shot(page, "report-phone.png");
      await page.setViewportSize(DESKTOP);
    });

    await step("no page errors, no dialogs, no requests beyond the file itself", async () => {
      assert.deepEqual(pageErrors, [], `uncaught errors: ${pageErrors.join(" | ")}`);
      assert.deepEqual(dialogs, [], `a dialog opened: ${dialogs.join(" | ")}`);
      const other = requests.filter((u) => !u.startsWith("file://"));
      assert.deepEqual(other, [], `requests other than file://: ${other.join(", ")}`);
      const files = [...new Set(requests)];
      assert.deepEqual(files, [url], `file requests other than the report: ${files.join(", ")}`);
    });

    await context.close();
  } finally {
    await browser.close();
  }
}

main().then(
  () => {
    console.log(`report_browser: ${tally.passed} passed, ${tally.failed} failed`);
    process.exit(0);
  },
  (e) => {
    console.error(`FAIL: ${e instanceof Error ? e.message : String(e)}`);
    if (e?.cause?.stack) console.error(e.cause.stack.split("\n").slice(0, 4).join("\n"));
    console.log(`report_browser: ${tally.passed} passed, ${Math.max(tally.failed, 1)} failed`);
    process.exit(1);
  },
);
