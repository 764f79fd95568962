// Shared by the browser tests: Debian's Chromium started the way this machine needs it (no
// sandbox as root, no background networking, which the closed network refuses), and a page
// watcher that collects errors, dialogs and requests.
import { chromium } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(executablePath) {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

// A page of a Korean desktop context, with everything the tests assert on recorded.
export async function watchedPage(browser, viewport) {
  const context = await browser.newContext({ viewport, locale: "ko-KR", timezoneId: "Asia/Seoul" });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const seen = { pageErrors: [], dialogs: [], requests: [] };
  page.on("pageerror", (e) => seen.pageErrors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") console.log(`     [browser console] ${m.text()}`);
  });
  page.on("dialog", (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("request", (r) => seen.requests.push(r.url()));
  return { context, page, seen };
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
export const tid = (id) => `[data-testid="${id}"]`;

// Named steps: each prints "ok  name (ms)" or fails with its name; `tally` counts them.
export const tally = { passed: 0, failed: 0 };
export async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    tally.passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    tally.failed++;
    const msg = e instanceof Error ? e.message : String(e);
    const err = new Error(`step "${name}" failed: ${msg}`);
    err.cause = e;
    throw err;
  }
}
