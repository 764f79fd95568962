// Browser test of the public contest pages, against a running `kaieval serve`.
//
//   BASE_URL=http://127.0.0.1:8080 SCREENSHOT_DIR=out/screenshots node tests/arena_browser.mjs
//
// Environment:
//   BASE_URL             the server (default http://127.0.0.1:8080)
//   SCREENSHOT_DIR       where the PNGs go (default <tmp>/kaieval-screenshots)
//   CHROMIUM_PATH        the browser (default /usr/bin/chromium, Debian's package)
//   ANSWER_TIMEOUT_MS    how long both answers may take (default 120000)
//   LEADERBOARD_WAIT_MS  how long the leaderboard may take to count the vote (default 60000)
//   PAYLOAD_TRIES        battles tried until the hostile answer appears (default 4)
//   REQUIRE_PAYLOAD=1    fail, rather than warn, when no pane ever showed the hostile answer
//
// A plain Node script (node:assert, playwright-core, no test runner). It exits non-zero with a
// clear message at the first failed check, and ends with "arena_browser: N passed, M failed".

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DESKTOP, PHONE, launchChromium, step, tally, tid, watchedPage } from "./chromium.mjs";

const BASE_URL = (process.env.BASE_URL || "http://127.0.0.1:8080").replace(/\/+$/, "");
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || path.join(os.tmpdir(), "kaieval-screenshots"));
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const ANSWER_TIMEOUT = Number(process.env.ANSWER_TIMEOUT_MS || 120_000);
const LEADERBOARD_WAIT = Number(process.env.LEADERBOARD_WAIT_MS || 60_000);
const PAYLOAD_TRIES = Math.max(1, Number(process.env.PAYLOAD_TRIES || 4));
const REQUIRE_PAYLOAD = process.env.REQUIRE_PAYLOAD === "1";


async function shot(page, name, fullPage = true) {
  const file = path.join(SCREENSHOT_DIR, name);
  await page.screenshot({ path: file, fullPage });
  console.log(`     screenshot ${file}`);
}

async function readTotalFromApi(request) {
  const res = await request.get(`${BASE_URL}/api/leaderboard`);
  assert.equal(res.status(), 200, `GET /api/leaderboard answered ${res.status()}`);
  const body = await res.json();
  assert.equal(typeof body?.votes?.total, "number", "leaderboard JSON has no votes.total");
  return body.votes.total;
}

/** Sends a prompt and waits until both panes finished and the vote buttons are visible. */
async function sendAndWait(page, prompt) {
  await page.fill(tid("prompt-input"), prompt);
  await page.click(tid("send"));
  await page.waitForSelector(tid("vote-a"), { state: "visible", timeout: ANSWER_TIMEOUT });
  await page.waitForFunction(
    () => ["pane-a", "pane-b"].every((id) => document.querySelector(`[data-testid="${id}"]`)?.dataset.state === "done"),
    null,
    { timeout: ANSWER_TIMEOUT },
  );
  // no answer may still be streaming
  const states = await page.$$eval(".msg-model", (els) => els.map((e) => e.dataset.state));
  assert.ok(states.length >= 2 && states.every((s) => s === "done"), `answers not all done: ${states.join(",")}`);
}

/** The hostile-markup checks, on both panes. Returns whether the payload text was seen. */
async function checkNoXss(page, label) {
  // give an <img onerror> or a late script every chance to run
  await page.waitForTimeout(700);
  const report = await page.evaluate(() => {
    const panes = ["pane-a", "pane-b"].map((id) => document.querySelector(`[data-testid="${id}"]`));
    const out = { xss: typeof window.__xss, bad: [], onAttrs: [], links: [], texts: [] };
    for (const pane of panes) {
      if (!pane) {
        out.bad.push("missing pane");
        continue;
      }
      for (const el of pane.querySelectorAll("script, img, svg, iframe, object, embed, style, form, input, video, audio, math, link, meta, base")) {
        out.bad.push(el.tagName.toLowerCase());
      }
      for (const el of pane.querySelectorAll("*")) {
        for (const a of el.attributes) {
          if (/^on/i.test(a.name) || a.name === "style" || a.name === "srcdoc") out.onAttrs.push(`${el.tagName.toLowerCase()}[${a.name}]`);
        }
      }
      for (const a of pane.querySelectorAll("a")) {
        out.links.push({ href: a.getAttribute("href"), rel: a.getAttribute("rel"), target: a.getAttribute("target") });
      }
      out.texts.push(pane.innerText);
    }
    return out;
  });
  assert.equal(report.xss, "undefined", `${label}: window.__xss was set: the hostile answer ran script`);
  assert.deepEqual(report.bad, [], `${label}: forbidden elements inside the panes: ${report.bad.join(", ")}`);
  assert.deepEqual(report.onAttrs, [], `${label}: forbidden attributes inside the panes: ${report.onAttrs.join(", ")}`);
  for (const l of report.links) {
    if (l.href === null) continue;
    assert.match(l.href, /^https?:\/\//i, `${label}: a link with a non-http(s) href: ${l.href}`);
    assert.equal(l.target, "_blank", `${label}: link ${l.href} lacks target=_blank`);
    for (const word of ["noopener", "noreferrer", "nofollow"]) {
      assert.ok((l.rel || "").split(/\s+/).includes(word), `${label}: link ${l.href} lacks rel=${word}`);
    }
  }
  // The payload is shown as text or removed, never executed: if its text is there, it is text.
  return report.texts.some((t) => t.includes("__xss"));
}

async function main() {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  console.log(`arena_browser: BASE_URL=${BASE_URL} SCREENSHOT_DIR=${SCREENSHOT_DIR}`);

  const browser = await launchChromium(CHROMIUM_PATH);
  try {
    const { context, page, seen } = await watchedPage(browser, DESKTOP);
    const pageErrors = seen.pageErrors;
    const dialogs = seen.dialogs;
    const strayRequests = [];
    page.on("request", (r) => {
      // <img src=x> from an answer would fetch BASE_URL/x
      const u = new URL(r.url());
      if (u.pathname === "/x" || u.protocol === "javascript:") strayRequests.push(r.url());
    });

    let totalBefore = 0;
    await step("leaderboard API answers; read the vote total before voting", async () => {
      totalBefore = await readTotalFromApi(context.request);
      console.log(`     votes.total before = ${totalBefore}`);
    });

    await step("arena opens in Korean", async () => {
      const res = await page.goto(`${BASE_URL}/`, { waitUntil: "domcontentloaded" });
      assert.ok(res && res.ok(), `GET / answered ${res && res.status()}`);
      assert.equal(await page.getAttribute("html", "lang"), "ko", "<html lang> is not ko");
      const h1 = (await page.textContent(tid("page-title")))?.trim();
      assert.equal(h1, "대국민 컨테스트", `title is "${h1}"`);
      assert.ok((await page.title()).includes("대국민 컨테스트"), `document.title is "${await page.title()}"`);
      assert.ok(await page.isVisible(tid("identity-note")), "the identity note is not visible");
      assert.ok(await page.isHidden(tid("votebar")), "vote buttons are visible before any answer");
      for (const id of ["prompt-input", "send", "pane-a", "pane-b", "lang-toggle"]) {
        assert.ok(await page.isVisible(tid(id)), `${id} is not visible`);
      }
      assert.ok((await page.getAttribute(tid("leaderboard-link"), "href"))?.endsWith("/leaderboard"), "no link to the leaderboard");
    });

    await step("first prompt: both answers stream in, then the vote buttons appear", async () => {
      await sendAndWait(page, "한국의 사계절을 짧게 설명해 주세요.");
      for (const id of ["pane-a", "pane-b"]) {
        const text = (await page.textContent(`${tid(id)} .msg-model`))?.trim() || "";
        assert.ok(text.length > 0, `${id} shows no answer`);
      }
      for (const id of ["vote-a", "vote-b", "vote-tie", "vote-bothbad"]) {
        assert.ok(await page.isVisible(tid(id)), `${id} is not visible`);
        assert.ok(await page.isEnabled(tid(id)), `${id} is disabled`);
      }
      const labels = await Promise.all(["vote-a", "vote-b", "vote-tie", "vote-bothbad"].map((id) => page.textContent(tid(id))));
      assert.deepEqual(labels.map((s) => s?.trim()), ["A가 더 좋아요", "B가 더 좋아요", "비슷해요", "둘 다 별로예요"]);
      assert.ok(await page.isHidden(tid("reveal-a")), "model A is named before the vote");
      assert.ok(await page.isHidden(tid("reveal-b")), "model B is named before the vote");
    });

    await step("wide screen: the panes are side by side", async () => {
      const a = await page.locator(tid("pane-a")).boundingBox();
      const b = await page.locator(tid("pane-b")).boundingBox();
      assert.ok(a && b, "panes have no box");
      assert.ok(Math.abs(a.y - b.y) < 2 && b.x >= a.x + a.width - 1, `panes not side by side: A ${JSON.stringify(a)} B ${JSON.stringify(b)}`);
      await shot(page, "arena-answers.png");
    });

    await step("vote A: names revealed, voting closed, new battle offered", async () => {
      await page.click(tid("vote-a"));
      await page.waitForSelector(tid("reveal-a"), { state: "visible" });
      await page.waitForSelector(tid("reveal-b"), { state: "visible" });
      const a = (await page.textContent(tid("reveal-a")))?.trim() || "";
      const b = (await page.textContent(tid("reveal-b")))?.trim() || "";
      console.log(`     revealed: A=${a} B=${b}`);
      assert.ok(a.length > 0 && b.length > 0, `empty reveal: A="${a}" B="${b}"`);
      assert.notEqual(a, b, "both sides revealed the same model");
      for (const id of ["vote-a", "vote-b", "vote-tie", "vote-bothbad"]) {
        assert.ok(await page.isDisabled(tid(id)), `${id} still enabled after the vote`);
      }
      assert.ok(await page.isVisible(tid("new-battle")), "no new-battle button after the vote");
      assert.equal((await page.textContent(tid("new-battle")))?.trim(), "새 대화");
      assert.ok(await page.isDisabled(tid("prompt-input")), "prompt still enabled after the vote");
      await shot(page, "arena-revealed.png");
    });

    await step("phone: the panes are stacked", async () => {
      await page.setViewportSize(PHONE);
      await page.waitForTimeout(200);
      const a = await page.locator(tid("pane-a")).boundingBox();
      const b = await page.locator(tid("pane-b")).boundingBox();
      assert.ok(a && b, "panes have no box");
      assert.ok(b.y >= a.y + a.height - 1, `panes not stacked: A ${JSON.stringify(a)} B ${JSON.stringify(b)}`);
      assert.ok(a.width <= PHONE.width && a.x >= 0, `pane A overflows the phone screen: ${JSON.stringify(a)}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways on a phone by ${overflow}px`);
      await shot(page, "arena-phone.png");
      await page.setViewportSize(DESKTOP);
    });

    await step("hostile answers (prompt with \"payload\") are shown as text, never run", async () => {
      let seen = false;
      for (let attempt = 1; attempt <= PAYLOAD_TRIES && !seen; attempt++) {
        await page.click(tid("new-battle"));
        await page.waitForSelector(tid("votebar"), { state: "hidden" });
        assert.ok(await page.isHidden(tid("reveal-a")), "names still shown in a new battle");
        assert.equal(await page.locator(".msg-model").count(), 0, "old answers still shown in a new battle");
        await sendAndWait(page, `payload 테스트 ${attempt}: 마크다운으로 답해 주세요.`);
        seen = await checkNoXss(page, `battle ${attempt}`);
        console.log(`     battle ${attempt}: hostile text ${seen ? "shown as text" : "not in this pair"}`);
      }
      assert.deepEqual(dialogs, [], `a dialog opened: ${dialogs.join(" | ")}`);
      assert.deepEqual(strayRequests, [], `the page fetched what an answer's markup asked for: ${strayRequests.join(", ")}`);
      if (!seen) {
        const msg = `no pane showed the hostile payload in ${PAYLOAD_TRIES} battles`;
        if (REQUIRE_PAYLOAD) assert.fail(msg);
        console.log(`     WARNING: ${msg}; the XSS checks held but were not exercised`);
      }
      const file = path.join(SCREENSHOT_DIR, "arena-payload.png");
      await page.locator("#panes").screenshot({ path: file });
      console.log(`     screenshot ${file}`);
    });

    await step("leaderboard: table, plots, counts; the vote is counted", async () => {
      const deadline = Date.now() + LEADERBOARD_WAIT;
      let shown = -1;
      for (;;) {
        await page.goto(`${BASE_URL}/leaderboard`, { waitUntil: "domcontentloaded" });
        await page.waitForSelector('body[data-loaded="true"]');
        shown = Number(await page.getAttribute(tid("votes-total"), "data-value"));
        if (shown >= totalBefore + 1 || Date.now() > deadline) break;
        await page.waitForTimeout(3000);
      }
      console.log(`     votes.total shown = ${shown} (before ${totalBefore}, 1 vote cast)`);
      assert.ok(shown >= totalBefore + 1, `the leaderboard shows ${shown} votes, expected at least ${totalBefore + 1}`);
      const shownText = (await page.textContent(tid("votes-total")))?.replace(/\D/g, "");
      assert.equal(shownText, String(shown), "the visible total differs from the data");

      assert.equal(await page.getAttribute("html", "lang"), "ko");
      assert.equal((await page.textContent(tid("page-title")))?.trim(), "순위표");
      const heads = (await page.$$eval("#leaderboard-table thead th", (ths) => ths.map((t) => t.textContent.trim()))).slice(0, 5);
      assert.deepEqual(heads, ["순위", "모델", "점수", "95% 신뢰구간", "투표 수"]);
      const rows = await page.$$eval("#leaderboard-body tr[data-model]", (trs) =>
        trs.map((tr) => ({ name: tr.dataset.model, rating: parseFloat(tr.querySelector(".rating strong").textContent), ci: tr.querySelector(".ci").textContent })),
      );
      assert.ok(rows.length >= 2, `the table has ${rows.length} rows`);
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].rating >= rows[i].rating, "the table is not sorted by rating");
      for (const r of rows) assert.match(r.ci, /\d.*–.*\d/, `no interval for ${r.name}`);

      for (const id of ["forest-plot", "winrate-heatmap"]) {
        const box = await page.locator(`${tid(id)} canvas`).first().boundingBox();
        assert.ok(box && box.width > 100 && box.height > 100, `${id} has no drawn canvas`);
      }
      assert.ok((await page.locator(`${tid("battles-table")} tbody tr`).count()) >= 2, "no battle-count matrix");
      assert.ok((await page.locator(`${tid("sampling-table")} tbody tr`).count()) >= 1, "no sampling weights");
      assert.ok(((await page.textContent(tid("sampling-mode"))) || "").trim().length > 0, "no sampling mode");
      const reasons = await page.$$eval("#excluded-body tr[data-reason] td:first-child", (tds) => tds.map((t) => t.textContent.trim()));
      for (const r of ["모델 신원 노출", "중복 질문", "의심 투표자", "투표 횟수 제한", "관리자 제외"]) {
        assert.ok(reasons.includes(r), `excluded-votes table lacks "${r}"`);
      }
      assert.notEqual((await page.textContent(tid("updated-at")))?.trim(), "–", "no last-update time");
      const api = await (await context.request.get(`${BASE_URL}/api/leaderboard`)).json();
      assert.equal(await page.isVisible(tid("simulated-banner")), api.simulated === true, "the simulated banner does not follow `simulated`");
      await shot(page, "leaderboard.png");
    });

    await step("English toggle: labels translated, remembered after reload", async () => {
      await page.click(tid("lang-toggle"));
      await page.waitForFunction(() => document.documentElement.lang === "en");
      assert.equal((await page.textContent(tid("page-title")))?.trim(), "Leaderboard");
      const heads = (await page.$$eval("#leaderboard-table thead th", (ths) => ths.map((t) => t.textContent.trim()))).slice(0, 5);
      assert.deepEqual(heads, ["Rank", "Model", "Rating", "95% CI", "Votes"]);
      await page.reload({ waitUntil: "domcontentloaded" });
      await page.waitForSelector('body[data-loaded="true"]');
      assert.equal(await page.getAttribute("html", "lang"), "en", "English was not remembered after reload");
      assert.equal((await page.textContent(tid("page-title")))?.trim(), "Leaderboard");
      const reasons = await page.$$eval("#excluded-body tr[data-reason] td:first-child", (tds) => tds.map((t) => t.textContent.trim()));
      assert.ok(reasons.includes("Model identity revealed"), "excluded reasons not translated");
      await shot(page, "leaderboard-en.png");
      await page.goto(`${BASE_URL}/`, { waitUntil: "domcontentloaded" });
      assert.equal(await page.getAttribute("html", "lang"), "en", "English not kept on the arena page");
      assert.equal((await page.textContent(tid("page-title")))?.trim(), "Public contest");
      assert.equal((await page.textContent(tid("send")))?.trim(), "Send");
    });

    await step("no uncaught errors in the page", async () => {
      assert.deepEqual(pageErrors, [], `uncaught errors: ${pageErrors.join(" | ")}`);
    });

    await context.close();
  } finally {
    await browser.close();
  }
}

main().then(
  () => {
    console.log(`arena_browser: ${tally.passed} passed, ${tally.failed} failed`);
    process.exit(0);
  },
  (e) => {
    console.error(`FAIL: ${e instanceof Error ? e.message : String(e)}`);
    if (e?.cause?.stack) console.error(e.cause.stack.split("\n").slice(0, 4).join("\n"));
    console.log(`arena_browser: ${tally.passed} passed, ${Math.max(tally.failed, 1)} failed`);
    process.exit(1);
  },
);
