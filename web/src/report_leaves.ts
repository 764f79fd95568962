// The report's "scores by evidence item" section: for every rubric leaf, its own score per team
// (a benchmark metric, an arena rating, a panel's mean score) with the 95% bootstrap interval as
// a forest plot, the reference or safety minimum it is held to, and what the evidence reader
// recorded beside it (items resampled, votes counted and excluded, panel agreement).

import { $, el } from "./dom";
import { list, num, text, type Obj } from "./json_fields";
import { hasKey, t, type MessageKey } from "./i18n";
import { decisionOrder, isSimulatedText, type LeafResult, type StageReport } from "./report_data";

function field(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function numberField(o: Obj, key: string): number | null {
  return num(field(o, key));
}

function textField(o: Obj, key: string): string {
  return text(field(o, key));
}

function listField(o: Obj, key: string): Obj[] {
  return list(field(o, key));
}

/** Three significant figures for small scores, one decimal for ratings in the hundreds. */
export function fmtScore(x: number | null): string {
  if (x === null) return "–";
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(1);
  if (a >= 10) return x.toFixed(2);
  return x.toFixed(3);
}

/** The axis of a leaf's plot: [0, 1] for a share, else the data padded by 5% either side. */
export function leafDomain(leaf: LeafResult): [number, number] {
  const values: number[] = [];
  for (const tm of leaf.teams) {
    for (const v of [tm.score, tm.lower, tm.upper]) if (v !== null) values.push(v);
  }
  for (const v of [leaf.reference, leaf.gate_min, leaf.gate_max]) if (v !== null) values.push(v);
  if (values.length === 0) return [0, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (lo >= 0 && hi <= 1) return [0, 1];
  const pad = hi > lo ? (hi - lo) * 0.05 : Math.max(1, Math.abs(hi) * 0.05);
  return [lo - pad, hi + pad];
}

function position(v: number, [lo, hi]: [number, number]): string {
  const p = ((v - lo) / (hi - lo)) * 100;
  return `${Math.min(100, Math.max(0, p)).toFixed(2)}%`;
}

function marker(cls: string, v: number, domain: [number, number], label: string): HTMLSpanElement {
  const m = el("span", "", `mark ${cls}`);
  m.style.left = position(v, domain);
  m.title = label;
  return m;
}

function forest(r: StageReport, leaf: LeafResult, order: number[]): HTMLElement {
  const domain = leafDomain(leaf);
  const box = el("div", "", "forest");
  box.setAttribute("role", "table");
  for (const i of order) {
    const tm = leaf.teams[i];
    const row = el("div", "", r.teams[i].advances ? "forest-row" : "forest-row out");
    row.setAttribute("role", "row");
    row.dataset.team = r.teams[i].name;
    const name = el("span", r.teams[i].name, "team");
    name.setAttribute("role", "rowheader");
    const track = el("span", "", "track");
    track.setAttribute("role", "cell");
    if (leaf.reference !== null) track.append(marker("mark-ref", leaf.reference, domain, t("report.leaves.reference", { v: fmtScore(leaf.reference) })));
    if (leaf.gate_min !== null) track.append(marker("mark-gate", leaf.gate_min, domain, t("report.leaves.gate", { v: fmtScore(leaf.gate_min) })));
    if (leaf.gate_max !== null) track.append(marker("mark-gate", leaf.gate_max, domain, t("report.leaves.gate.max", { v: fmtScore(leaf.gate_max) })));
    if (tm.lower !== null && tm.upper !== null) {
      const w = el("span", "", "whisker");
      w.style.left = position(tm.lower, domain);
      w.style.right = `calc(100% - ${position(tm.upper, domain)})`;
      track.append(w);
    }
    if (tm.score !== null) {
      const outside = (leaf.gate_min !== null && tm.score < leaf.gate_min) || (leaf.gate_max !== null && tm.score > leaf.gate_max);
      const dot = el("span", "", outside ? "dot below" : "dot");
      dot.style.left = position(tm.score, domain);
      track.append(dot);
    }
    const value = el("span", "", "value");
    value.setAttribute("role", "cell");
    value.append(el("strong", fmtScore(tm.score)));
    if (tm.score !== null) value.append(el("span", ` [${fmtScore(tm.lower)}, ${fmtScore(tm.upper)}]`, "ci"));
    row.append(name, track, value);
    box.append(row);
  }
  const axis = el("div", "", "forest-axis");
  axis.append(el("span"), el("span", fmtScore(domain[0]), "lo"), el("span", fmtScore(domain[1]), "hi"));
  box.append(axis);
  return box;
}

function reasonText(reason: string): string {
  const key = `reason.${reason}`;
  return hasKey(key) ? t(key) : reason;
}

/** One line under the leaf's title: which task, votes or panel the score comes from. */
function summaryLine(leaf: LeafResult): string {
  const d = leaf.details;
  if (leaf.kind === "benchmark") {
    const params = { task: textField(d, "task"), metric: textField(d, "metric"), n: numberField(d, "items") ?? 0 };
    return t(field(d, "resampled") === true ? "report.leaves.items" : "report.leaves.items.point", params);
  }
  if (leaf.kind === "arena") {
    return t("report.leaves.votes", { votes: numberField(d, "votes") ?? 0, counted: numberField(d, "counted") ?? 0 });
  }
  if (leaf.kind === "review") {
    return t("report.leaves.panel", { panel: textField(d, "panel"), n: numberField(d, "reviews") ?? 0 });
  }
  return "";
}

function arenaExtras(leaf: LeafResult): HTMLElement[] {
  const excluded = field(leaf.details, "excluded");
  if (typeof excluded !== "object" || excluded === null || Array.isArray(excluded)) return [];
  const parts = Object.entries(excluded as Obj)
    .filter(([, n]) => typeof n === "number")
    .map(([reason, n]) => `${reasonText(reason)} ${String(n)}`);
  return parts.length ? [el("p", t("report.leaves.excluded", { list: parts.join(" · ") }), "leaf-extra")] : [];
}

function table(head: MessageKey[], rows: string[][], cls: string): HTMLElement {
  const wrap = el("div", "", "table-wrap");
  const tbl = el("table", "", `data compact ${cls}`);
  const tr = el("tr");
  head.forEach((key, k) => {
    const th = el("th", t(key), k === 0 ? "" : "num");
    th.scope = "col";
    tr.append(th);
  });
  const thead = el("thead");
  thead.append(tr);
  const tbody = el("tbody");
  for (const row of rows) {
    const r = el("tr");
    row.forEach((cell, k) => r.append(el("td", cell, k === 0 ? "" : "num")));
    tbody.append(r);
  }
  tbl.append(thead, tbody);
  wrap.append(tbl);
  return wrap;
}

function reviewExtras(r: StageReport, leaf: LeafResult, order: number[]): HTMLElement[] {
  const d = leaf.details;
  const out: HTMLElement[] = [
    el("p", t("report.leaves.agreement", {
      alpha: fmtScore(numberField(d, "alpha")),
      icc1: fmtScore(numberField(d, "icc_single")),
      icck: fmtScore(numberField(d, "icc_average")),
    }), "leaf-extra"),
  ];
  const teams = listField(d, "teams");
  if (teams.length === r.teams.length) {
    const rows = order.map((i) => [r.teams[i].name, fmtScore(numberField(teams[i], "raw")), fmtScore(numberField(teams[i], "adjusted"))]);
    out.push(table(["report.col.team", "report.leaves.raw", "report.leaves.adjusted"], rows, "panel-teams"));
  }
  const reviewers = listField(d, "reviewers").map((rv) => [
    textField(rv, "reviewer"),
    String(numberField(rv, "reviews") ?? 0),
    fmtScore(numberField(rv, "effect")),
    field(rv, "flagged") === true ? t("report.leaves.flagged.yes") : "–",
  ]);
  if (reviewers.length) {
    out.push(table(["report.leaves.reviewer", "report.leaves.reviews", "report.leaves.effect", "report.leaves.flagged"], reviewers, "panel-reviewers"));
  }
  return out;
}

function leafCard(r: StageReport, leaf: LeafResult, order: number[]): HTMLElement {
  const card = el("article", "", "leaf");
  card.dataset.leaf = leaf.id;
  card.dataset.kind = leaf.kind;
  const head = el("h3", leaf.name);
  if (isSimulatedText(leaf.name)) head.append(el("span", t("report.simulated"), "badge badge-sim"));
  if (leaf.gate_min !== null) head.append(el("span", t("report.leaves.gate", { v: fmtScore(leaf.gate_min) }), "badge badge-gate"));
  if (leaf.gate_max !== null) head.append(el("span", t("report.leaves.gate.max", { v: fmtScore(leaf.gate_max) }), "badge badge-gate"));
  card.append(head);
  const kindKey = `evidence.${leaf.kind}`;
  const meta = [hasKey(kindKey) ? t(kindKey) : leaf.kind, summaryLine(leaf)].filter(Boolean);
  if (leaf.reference !== null) meta.push(t("report.leaves.reference", { v: fmtScore(leaf.reference) }));
  card.append(el("p", meta.join(" · "), "leaf-meta"));
  card.append(forest(r, leaf, order));
  if (leaf.kind === "arena") card.append(...arenaExtras(leaf));
  if (leaf.kind === "review") card.append(...reviewExtras(r, leaf, order));
  return card;
}

export function renderLeaves(r: StageReport): void {
  const box = $("leaves");
  box.replaceChildren();
  const order = decisionOrder(r);
  for (const leaf of r.leaves) box.append(leafCard(r, leaf, order));
  if (r.leaves.length === 0) box.append(el("p", t("report.leaves.none"), "empty"));
}
