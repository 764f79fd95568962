// The expert review page (/review?token=…): the reviewer's queue of blind items, each with the
// panel's criteria, their anchor descriptions and a 1–10 choice per criterion. A score is saved
// the moment it is chosen (POST /api/review/scores) and the progress follows. Item text is
// untrusted: it is shown as sanitised Markdown, everything else through textContent.

import "./style.css";
import "./review.css";
import { $, el, tokenFromAddress } from "./dom";
import { hasKey, initI18n, onLangChange, t, type MessageKey } from "./i18n";
import { renderMarkdownInto } from "./markdown";

interface Criterion {
  id: string;
  name: string;
  weight: number;
  anchors: { score: number; text: string }[];
}

interface Item {
  code: string;
  panel: string;
  kind: string;
  title: string;
  url: string;
  has_text: boolean;
  scores: Record<string, number>;
}

interface Queue {
  reviewer: { id: string; name: string };
  scale: { min: number; max: number };
  panels: { name: string; criteria: Criterion[] }[];
  items: Item[];
  progress: { scored: number; total: number };
}

const TOKEN_KEY = "kaieval.reviewer";
let queue: Queue | null = null;

function reviewerToken(): string {
  return tokenFromAddress(TOKEN_KEY);
}

async function api<T>(path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { headers: { Authorization: `Bearer ${reviewerToken()}` }, cache: "no-store" };
  if (body !== undefined) {
    init.method = "POST";
    init.headers = { ...init.headers, "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const data = (await res.json().catch(() => ({}))) as T & { error?: { code?: string; message?: string } };
  if (!res.ok) throw Object.assign(new Error(data.error?.message ?? String(res.status)), { status: res.status });
  return data;
}

function showStatus(key: MessageKey, params: Record<string, string> = {}, error = true): void {
  const s = $("status");
  s.textContent = t(key, params);
  s.classList.toggle("status-error", error);
}

function renderProgress(p: { scored: number; total: number }): void {
  $("progress").hidden = false;
  const share = p.total > 0 ? p.scored / p.total : 0;
  $("progress-fill").style.width = `${(share * 100).toFixed(1)}%`;
  $("progress-text").textContent = t(p.scored === p.total ? "review.progress.done" : "review.progress", { n: p.scored, total: p.total });
}

function kindText(kind: string): string {
  const key = `review.kind.${kind}`;
  return hasKey(key) ? t(key) : kind;
}

async function showText(item: Item, box: HTMLElement, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const got = await api<{ text: string }>(`/api/review/items/${encodeURIComponent(item.code)}/text`);
    renderMarkdownInto(box, got.text);
    box.hidden = false;
    button.hidden = true;
  } catch (e) {
    box.hidden = false;
    box.textContent = t("review.text.failed", { why: e instanceof Error ? e.message : String(e) });
    button.disabled = false;
  }
}

async function save(item: Item, criterion: Criterion, score: number, state: HTMLElement): Promise<void> {
  state.textContent = t("review.saving");
  state.className = "save-state saving";
  try {
    const res = await api<{ progress: { scored: number; total: number } }>("/api/review/scores", { item: item.code, criterion: criterion.id, score });
    item.scores[criterion.id] = score;
    state.textContent = t("review.saved");
    state.className = "save-state saved";
    renderProgress(res.progress);
  } catch (e) {
    state.textContent = t("review.save.failed", { why: e instanceof Error ? e.message : String(e) });
    state.className = "save-state failed";
  }
}

function criterionBlock(item: Item, criterion: Criterion, scale: { min: number; max: number }): HTMLElement {
  const box = el("fieldset", "", "criterion");
  box.dataset.criterion = criterion.id;
  const legend = el("legend", criterion.name || criterion.id);
  if (criterion.weight !== 1) legend.append(el("span", ` ×${criterion.weight}`, "weight"));
  box.append(legend);
  const anchors = el("ul", "", "anchors");
  for (const a of criterion.anchors) {
    const li = el("li");
    li.append(el("strong", String(a.score)), el("span", a.text));
    anchors.append(li);
  }
  box.append(anchors);
  const choices = el("div", "", "choices");
  const state = el("span", "", "save-state");
  state.setAttribute("aria-live", "polite");
  for (let s = scale.min; s <= scale.max; ++s) {
    const label = el("label", "", "choice");
    const input = el("input");
    input.type = "radio";
    input.name = `${item.code}-${criterion.id}`;
    input.value = String(s);
    input.checked = item.scores[criterion.id] === s;
    input.addEventListener("change", () => void save(item, criterion, s, state));
    label.append(input, el("span", String(s)));
    choices.append(label);
  }
  if (item.scores[criterion.id] !== undefined) {
    state.textContent = t("review.saved");
    state.className = "save-state saved";
  }
  box.append(choices, state);
  return box;
}

function itemCard(q: Queue, item: Item, index: number): HTMLElement {
  const card = el("article", "", "card review-item");
  card.dataset.code = item.code;
  const head = el("header", "", "item-head");
  head.append(el("span", t("review.item.number", { n: index + 1, total: q.items.length }), "item-number"));
  head.append(el("h2", item.title));
  head.append(el("span", `${kindText(item.kind)} · ${t("review.item.code", { code: item.code })}`, "item-meta"));
  card.append(head);
  if (item.url) {
    const a = el("a", t("review.open.link"), "btn btn-ghost");
    a.href = item.url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    card.append(a);
  }
  if (item.has_text) {
    const text = el("div", "", "item-text md");
    text.hidden = true;
    const button = el("button", t("review.open.text"), "btn btn-ghost");
    button.type = "button";
    button.addEventListener("click", () => void showText(item, text, button));
    card.append(button, text);
  }
  const panel = q.panels.find((p) => p.name === item.panel);
  for (const c of panel?.criteria ?? []) card.append(criterionBlock(item, c, q.scale));
  return card;
}

function render(q: Queue): void {
  $("reviewer").textContent = t("review.reviewer", { name: q.reviewer.name || q.reviewer.id });
  renderProgress(q.progress);
  const box = $("queue");
  box.replaceChildren(...q.items.map((item, k) => itemCard(q, item, k)));
  if (q.items.length === 0) box.append(el("p", t("review.empty"), "empty"));
  document.body.dataset.loaded = "true";
}

async function load(): Promise<void> {
  try {
    queue = await api<Queue>("/api/review/queue");
    $("status").textContent = "";
    render(queue);
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 401) showStatus("review.unauthorized");
    else showStatus("review.failed", { why: e instanceof Error ? e.message : String(e) });
    document.body.dataset.loaded = "error";
  }
}

initI18n("review.title");
onLangChange(() => queue && render(queue));
void load();
