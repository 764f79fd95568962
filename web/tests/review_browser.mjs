// The experts' review page and the committee's live stage dashboard in real Chromium, against
// `kaieval serve --stage --campaign` (tests/e2e/review_test.sh starts it). Checks that the
// token leaves the address bar, the queue is blind, a chosen score is saved at once and
// survives a reload, the progress follows, item text is shown as text (hostile HTML runs
// nothing), wrong links are refused, the phone layout does not scroll sideways, and /stage
// renders the live decision for the committee's token only.
//
// A plain Node script (node:assert, playwright-core). Env: BASE_URL, REVIEW_TOKEN,
// COMMITTEE_TOKEN, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { DESKTOP, PHONE, launchChromium, step, tally, tid, watchedPage } from "./chromium.mjs";

const BASE_URL = process.env.BASE_URL;
const REVIEW_TOKEN = process.env.REVIEW_TOKEN;
const COMMITTEE_TOKEN = process.env.COMMITTEE_TOKEN;
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || "screenshots";

async function shot(page, name) {
  const file = path.join(SCREENSHOT_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`     screenshot ${file}`);
}

async function main() {
  assert.ok(BASE_URL && REVIEW_TOKEN && COMMITTEE_TOKEN, "set BASE_URL, REVIEW_TOKEN and COMMITTEE_TOKEN");
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const browser = await launchChromium(process.env.CHROMIUM || "/usr/bin/chromium");
  try {
    const { page, seen } = await watchedPage(browser, DESKTOP);

    await step("the review link opens the reviewer's blind queue and drops the token from the address", async () => {
      await page.goto(`${BASE_URL}/review?token=${REVIEW_TOKEN}`);
      await page.waitForSelector('body[data-loaded="true"]');
      assert.ok(!page.url().includes("token"), `the token stays in the address: ${page.url()}`);
      assert.equal(await page.getAttribute("html", "lang"), "ko");
      assert.ok((await page.textContent(tid("reviewer"))).includes("심사위원"), "the reviewer is not named");
      const items = await page.locator("article.review-item").count();
      assert.equal(items, 2, `${items} items in the queue`);
      const body = await page.textContent("body");
      for (const secret of ["Team Alpha", "Team Beta", "Org A", "Org B", "alpha-report"]) {
        assert.ok(!body.includes(secret), `"${secret}" is shown: the review is not blind`);
      }
      assert.ok((await page.textContent(tid("progress-text"))).includes("0 / 4"), "progress does not start at 0 / 4");
      assert.ok(body.includes("얕음") && body.includes("깊음"), "the anchors are not shown");
    });

    await step("a chosen score is saved at once, moves the progress and survives a reload", async () => {
      const first = page.locator("article.review-item").first();
      const code = await first.getAttribute("data-code");
      await first.locator('fieldset[data-criterion="depth"] label.choice', { hasText: /^7$/ }).click();
      await first.locator('fieldset[data-criterion="depth"] .save-state.saved').waitFor();
      assert.ok((await page.textContent(tid("progress-text"))).includes("1 / 4"), "progress did not move");
      await page.reload();
      await page.waitForSelector('body[data-loaded="true"]');
      assert.ok(!page.url().includes("token"));
      const checked = await page.locator(`article[data-code="${code}"] fieldset[data-criterion="depth"] input:checked`).getAttribute("value");
      assert.equal(checked, "7", "the saved score is not checked after a reload");
      await shot(page, "review-ko.png");
    });

    await step("item text is shown as text: its HTML runs nothing", async () => {
      const button = page.locator("article.review-item button", { hasText: "내용 보기" });
      assert.equal(await button.count(), 1, "no text button on the item with text");
      await button.click();
      const text = page.locator(".item-text");
      await text.waitFor({ state: "visible" });
      assert.ok((await text.textContent()).includes("학습 곡선"), "the item text is not shown");
      assert.equal(await page.locator(".item-text img, .item-text script, .item-text iframe").count(), 0, "markup from the item was rendered");
      assert.deepEqual(seen.dialogs, [], "a dialog opened");
      assert.deepEqual(seen.pageErrors, [], "page errors");
    });

    await step("English, and no sideways scrolling on a phone", async () => {
      await page.click(tid("lang-toggle"));
      await page.waitForFunction(() => document.documentElement.lang === "en");
      assert.ok((await page.textContent(tid("progress-text"))).includes("of 4 scores"), "progress is not in English");
      await page.setViewportSize(PHONE);
      await page.waitForTimeout(200);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the review page scrolls sideways on a phone by ${overflow}px`);
      await shot(page, "review-phone.png");
      await page.setViewportSize(DESKTOP);
      await page.click(tid("lang-toggle"));
    });

    await step("a wrong link is refused with a plain message", async () => {
      const { page: other } = await watchedPage(browser, DESKTOP);
      await other.goto(`${BASE_URL}/review?token=0123456789abcdef0123456789abcdef`);
      await other.waitForSelector('body[data-loaded="error"]');
      assert.ok((await other.textContent(tid("status"))).includes("심사위원용 링크"), "no plain refusal");
      assert.equal(await other.locator("article.review-item").count(), 0);
      await other.close();
    });

    await step("the live stage dashboard shows the decision to the committee only", async () => {
      const { page: dash } = await watchedPage(browser, DESKTOP);
      await dash.goto(`${BASE_URL}/stage`);
      await dash.waitForSelector('body[data-loaded="error"]');
      assert.ok((await dash.textContent(tid("status"))).includes("위원회용 링크"), "the dashboard opened without a token");
      await dash.goto(`${BASE_URL}/stage?token=${COMMITTEE_TOKEN}`);
      await dash.waitForSelector('body[data-loaded="true"]');
      assert.ok(!dash.url().includes("token"), "the committee token stays in the address");
      const rows = await dash.locator(`${tid("summary-table")} tbody tr`).count();
      assert.equal(rows, 2, `${rows} teams in the live decision`);
      assert.ok(await dash.isVisible(tid("fact-live")), "the time of computation is not shown");
      assert.match(await dash.textContent(tid("fact-live")), /30초마다/);
      await shot(dash, "stage-live.png");
      await dash.close();
    });
  } finally {
    await browser.close();
  }
  console.log(`review_browser: ${tally.passed} passed, ${tally.failed} failed`);
}

main().catch((e) => {
  console.error(`FAIL: ${e.message}`);
  if (e.cause) console.error(e.cause);
  process.exit(1);
});
