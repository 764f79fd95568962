// The static stage report (report.html): renders the report JSON that `kaieval stage report`
// puts into <script type="application/json" id="report-data">. Works from file:// with no
// network. The decision first, then the points per part, the rubric, gates, sensitivity, notes
// and the evidence files. Text from the JSON only ever goes in through textContent.

import "./style.css";
import "./report.css";
import * as echarts from "echarts/core";
import { BarChart, CustomChart } from "echarts/charts";
import type { BarSeriesOption, CustomSeriesOption } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { $, el, tokenFromAddress } from "./dom";
import { renderLeaves } from "./report_leaves";
import { renderLineage } from "./report_lineage";
import { renderOriginality } from "./report_origin";
import { getLang, hasKey, initI18n, onLangChange, t, type MessageKey } from "./i18n";
import {
  decisionOrder,
  decisionSummary,
  fmtPct,
  gateReasonText,
  isSimulatedText,
  readReport,
  reportIsSimulated,
  type RubricNode,
  type StageReport,
} from "./report_data";

echarts.use([BarChart, CustomChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

type ChartOption = echarts.ComposeOption<
  BarSeriesOption | CustomSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

const FONT = '"Pretendard", "Apple SD Gothic Neo", "Malgun Gothic", "NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR", system-ui, sans-serif';
const PART_COLORS = ["#1d4ed8", "#0f766e", "#7c3aed", "#c2410c", "#be185d", "#4d7c0f", "#0369a1", "#6b7280"];


// ---- formatting ----

/** Points to 1 decimal for parts worth 10 or more, else to 2; "–" when not computed. */
function fmtPoints(x: number | null, max = 100): string {
  if (x === null) return "–";
  return x.toFixed(max >= 10 ? 1 : 2);
}

function fmtInterval(lo: number | null, hi: number | null, max = 100): string {
  return `${fmtPoints(lo, max)} – ${fmtPoints(hi, max)}`;
}

function fmtMax(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100);
}

function badge(key: MessageKey, kind: string): HTMLSpanElement {
  const b = el("span", t(key), `badge badge-${kind}`);
  b.dataset.kind = kind;
  return b;
}

function simulatedBadge(): HTMLSpanElement {
  return badge("report.simulated", "sim");
}

// ---- sections ----

function renderHeader(r: StageReport): void {
  $("page-title").textContent = r.stage || "–";
  document.title = `${r.stage ? `${r.stage} · ` : ""}${t("report.title")} · kaieval`;
  const simulated = reportIsSimulated(r);
  $("simulated-banner").hidden = !simulated;
  document.body.classList.toggle("simulated", simulated);
  $("fact-teams").textContent = String(r.teams.length);
  $("fact-advancing").textContent = `${r.teams.filter((tm) => tm.advances).length} / ${r.teams.length}`;
  $("fact-bootstrap").textContent = t("report.bootstrap.value", { n: r.bootstrap.replicates.toLocaleString(), seed: r.bootstrap.seed });
  const live = $("fact-live");
  live.parentElement!.hidden = r.computed_ms === null;
  if (r.computed_ms !== null) {
    const at = new Date(r.computed_ms).toLocaleTimeString(getLang() === "ko" ? "ko-KR" : "en-GB");
    live.textContent = t("report.live.value", { at, s: LIVE_REFRESH_SECONDS });
  }
}

function renderSummary(r: StageReport): void {
  $("decision-summary").textContent = decisionSummary(r);
  const body = $("summary-body");
  body.replaceChildren();
  for (const i of decisionOrder(r)) {
    const tm = r.teams[i];
    const decision = tm.advances ? "advances" : "eliminated";
    const tr = el("tr", "", tm.advances ? "row-advances" : "row-eliminated");
    tr.dataset.team = tm.name;
    tr.dataset.decision = decision;
    tr.append(el("td", tm.rank > 0 ? String(tm.rank) : "–", "num rank"));
    const name = el("th", "", "team");
    name.scope = "row";
    name.append(el("span", tm.name, "team-name"));
    if (tm.organisation) name.append(el("span", tm.organisation, "org"));
    // on a phone the gates and decision columns give way to these badges under the name
    const phone = el("span", "", "phone-badges");
    phone.append(tm.advances ? badge("report.advances", "advances") : badge("report.eliminated", "eliminated"));
    if (!tm.passes_gates) phone.append(" ", badge("report.gate.fail", "fail"));
    name.append(phone);
    tr.append(name);
    const total = el("td", fmtPoints(tm.total), "num total");
    total.append(el("span", fmtInterval(tm.lower, tm.upper), "ci-under")); // phones: the CI column folds in here
    tr.append(total);
    tr.append(el("td", fmtInterval(tm.lower, tm.upper), "num ci"));
    const p = el("td", "", "num p-advance");
    const meter = el("span", "", "pbar");
    const fill = el("span");
    fill.style.width = `${Math.max(0, Math.min(1, tm.p_advance)) * 100}%`;
    meter.append(fill);
    p.append(el("span", fmtPct(tm.p_advance), "pval"), meter);
    tr.append(p);
    const gates = el("td", "", "gates");
    gates.append(tm.passes_gates ? badge("report.gate.pass", "pass") : badge("report.gate.fail", "fail"));
    tr.append(gates);
    const d = el("td", "", "decision");
    d.append(tm.advances ? badge("report.advances", "advances") : badge("report.eliminated", "eliminated"));
    tr.append(d);
    body.append(tr);
  }
}

let chart: echarts.ECharts | null = null;

/** Stacked horizontal bars, one segment per top-level rubric item, and the total's interval. */
function renderChart(r: StageReport): void {
  const box = $("points-chart");
  const order = decisionOrder(r);
  const parts = r.rubric.items.length > 0 ? r.rubric.items : [r.rubric];
  const names = order.map((i) => r.teams[i].name);
  const out = new Set(order.filter((i) => !r.teams[i].advances).map((i) => r.teams[i].name));
  const narrow = box.clientWidth < 560;
  const legendRows = narrow ? parts.length : Math.ceil(parts.length / 3);
  // The same height on screen and on paper: a chart that changed height while Chromium prints
  // would leave the page breaks where the taller one needed them.
  box.style.height = `${Math.max(200, 70 + legendRows * 22 + order.length * 36)}px`;
  if (!chart) chart = echarts.init(box, undefined, { renderer: "canvas", devicePixelRatio: Math.max(2, window.devicePixelRatio || 1) });
  else chart.resize();
  const max = r.rubric.max_points > 0 ? r.rubric.max_points : undefined;
  // A segment's value is written inside it when it is wide enough and the whisker of the
  // total's interval does not cross the text (about 16 px either side of its centre).
  const halfLabel = max !== undefined ? (16 * max) / Math.max(100, box.clientWidth - 260) : 0;
  const starts = order.map(() => 0);
  const labelled = parts.map((part) =>
    order.map((i, y) => {
      const v = part.teams[i].points ?? 0;
      const centre = starts[y] + v / 2;
      starts[y] += v;
      const lo = r.teams[i].lower ?? Infinity;
      const hi = r.teams[i].upper ?? -Infinity;
      const clear = centre + halfLabel < lo || centre - halfLabel > hi;
      return max !== undefined && v >= max * 0.07 && clear;
    }),
  );

  const bars: BarSeriesOption[] = parts.map((part, k) => ({
    type: "bar",
    name: part.name,
    stack: "points",
    barWidth: 20,
    data: order.map((i) => part.teams[i].points ?? 0),
    itemStyle: { color: PART_COLORS[k % PART_COLORS.length], borderColor: "#ffffff", borderWidth: 1 },
    label: {
      show: true,
      color: "#ffffff",
      fontSize: 11,
      formatter: (p) => (labelled[k][p.dataIndex] ? Number(p.value).toFixed(1) : ""),
    },
    emphasis: { disabled: true },
  }));
  const whisker: CustomSeriesOption = {
    type: "custom",
    name: t("report.points.total"),
    data: order.map((i, y) => [r.teams[i].lower ?? 0, r.teams[i].upper ?? 0, y, r.teams[i].total ?? 0]),
    encode: { x: [0, 1], y: 2 },
    renderItem: (_params, api) => {
      const lo = api.coord([api.value(0), api.value(2)]);
      const hi = api.coord([api.value(1), api.value(2)]);
      const cap = 8;
      const style = { stroke: "#111827", lineWidth: 1.6 };
      return {
        type: "group",
        children: [
          { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style },
          { type: "line", shape: { x1: lo[0], y1: lo[1] - cap, x2: lo[0], y2: lo[1] + cap }, style },
          { type: "line", shape: { x1: hi[0], y1: hi[1] - cap, x2: hi[0], y2: hi[1] + cap }, style },
          {
            type: "text",
            x: hi[0] + 6,
            y: hi[1],
            style: { text: Number(api.value(3)).toFixed(1), fill: "#111827", font: `600 12px ${FONT}`, verticalAlign: "middle" },
          },
        ],
      };
    },
    tooltip: { show: false },
    z: 5,
  };

  const option: ChartOption = {
    textStyle: { fontFamily: FONT, fontSize: 13 },
    animation: false,
    color: PART_COLORS,
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10, textStyle: { color: "#374151", fontSize: 12 }, data: parts.map((p) => p.name) },
    grid: { left: 8, right: 44, top: 14 + legendRows * 22, bottom: 36, containLabel: true },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      renderMode: "richText", // plain text drawn on the canvas: names from the JSON never become HTML
      formatter: (params) => {
        const list = Array.isArray(params) ? params : [params];
        const y = list[0]?.dataIndex ?? 0;
        const team = r.teams[order[y]];
        const lines = [team.name];
        for (const part of parts) {
          const v = part.teams[order[y]];
          lines.push(`${part.name}: ${fmtPoints(v.points, part.max_points)} [${fmtInterval(v.lower, v.upper, part.max_points)}]`);
        }
        lines.push(`${t("report.points.total")}: ${fmtPoints(team.total)} [${fmtInterval(team.lower, team.upper)}]`);
        return lines.join("\n");
      },
    },
    xAxis: {
      type: "value",
      min: 0,
      max,
      name: t("report.points.axis"),
      nameLocation: "middle",
      nameGap: 24,
      splitLine: { lineStyle: { color: "#e5e7eb" } },
      axisLabel: { color: "#374151" },
    },
    yAxis: {
      type: "category",
      data: names,
      inverse: true,
      axisTick: { show: false },
      axisLabel: {
        fontSize: 13,
        width: narrow ? 110 : 190,
        overflow: "truncate",
        color: (value?: string | number) => (out.has(String(value)) ? "#9ca3af" : "#111827"),
        formatter: (value: string) => (out.has(value) ? `${value} · ${t("report.eliminated")}` : value),
      },
    },
    series: [...bars, whisker],
  };
  chart.setOption(option, { notMerge: true });
}

function rubricRows(node: RubricNode, depth: number, out: { node: RubricNode; depth: number }[]): void {
  out.push({ node, depth });
  for (const c of node.items) rubricRows(c, depth + 1, out);
}

/** The rubric tree as table rows (every node, depth first) with a column per team in `teams`. */
function fillRubricTable(table: HTMLElement, r: StageReport, teams: number[]): void {
  table.replaceChildren();
  const thead = el("thead");
  const hr = el("tr");
  const first = el("th", t("report.rubric.item"));
  first.scope = "col";
  hr.append(first);
  const maxHead = el("th", t("report.rubric.max"), "num");
  maxHead.scope = "col";
  hr.append(maxHead);
  for (const i of teams) {
    const h = el("th", r.teams[i].name, "num");
    h.scope = "col";
    if (!r.teams[i].advances) h.classList.add("out");
    hr.append(h);
  }
  thead.append(hr);
  const tbody = el("tbody");
  const rows: { node: RubricNode; depth: number }[] = [];
  rubricRows(r.rubric, 0, rows);
  for (const { node, depth } of rows) {
    const tr = el("tr", "", `depth-${Math.min(depth, 4)}`);
    tr.dataset.node = node.id;
    const name = el("th", "", "item");
    name.scope = "row";
    name.style.paddingLeft = `${10 + depth * 18}px`;
    name.append(el("span", node.name, "item-name"));
    if (isSimulatedText(node.name)) name.append(simulatedBadge());
    const meta: string[] = [];
    if (node.name !== node.id) meta.push(node.id);
    const kindKey = `evidence.${node.evidence}`;
    if (node.evidence) meta.push(hasKey(kindKey) ? t(kindKey) : node.evidence);
    if (meta.length) name.append(el("span", meta.join(" · "), "item-meta"));
    tr.append(name);
    tr.append(el("td", fmtMax(node.max_points), "num max"));
    for (const i of teams) {
      const v = node.teams[i];
      const c = el("td", "", "num cell");
      c.append(el("strong", fmtPoints(v.points, node.max_points)));
      c.append(el("span", `[${fmtPoints(v.lower, node.max_points)}, ${fmtPoints(v.upper, node.max_points)}]`, "ci"));
      tr.append(c);
    }
    tbody.append(tr);
  }
  table.append(thead, tbody);
}

const PRINT_TEAMS_PER_TABLE = 5;

function renderRubric(r: StageReport): void {
  const order = decisionOrder(r);
  fillRubricTable($("rubric-table"), r, order);
  // paper cannot scroll sideways: more teams than fit go into further tables
  const chunked = order.length > PRINT_TEAMS_PER_TABLE;
  $("rubric-card").classList.toggle("chunked", chunked);
  const print = $("rubric-print");
  print.replaceChildren();
  for (let k = 0; chunked && k < order.length; k += PRINT_TEAMS_PER_TABLE) {
    const table = el("table", "", "data rubric");
    fillRubricTable(table, r, order.slice(k, k + PRINT_TEAMS_PER_TABLE));
    print.append(table);
  }
}

function fillList(id: string, items: string[], emptyKey: MessageKey, simulated = false): void {
  const list = $(id);
  list.replaceChildren();
  for (const text of items) {
    const li = el("li", text);
    if (simulated && isSimulatedText(text)) li.prepend(simulatedBadge());
    list.append(li);
  }
  if (items.length === 0) list.append(el("li", t(emptyKey), "empty"));
}

/** The gate lines as written, each with its reason in the page's language when that differs. */
function renderGates(r: StageReport): void {
  fillList("gates-list", r.gates, "report.gates.none");
  const items = $("gates-list").querySelectorAll("li");
  r.gates.forEach((line, k) => {
    const team = r.teams.find((tm) => line.startsWith(`${tm.name}: `));
    const raw = team ? line.slice(team.name.length + 2) : line;
    const said = gateReasonText(raw);
    if (said !== raw) items[k]?.append(el("span", ` · ${said}`, "gloss"));
  });
}

function renderFindings(r: StageReport): void {
  renderGates(r);
  const changes = r.sensitivity.map((s) =>
    t("report.sensitivity.change", { change: s.change, teams: s.advancing.join(t("report.list.sep")) || "–" }),
  );
  fillList("sensitivity-list", changes, "report.sensitivity.none");
  fillList("notes-list", r.notes, "report.notes.none", true);
}

function renderEvidence(r: StageReport): void {
  const body = $("evidence-body");
  body.replaceChildren();
  const rows = [{ path: r.config.path, hash: r.config.hash, config: true }, ...r.evidence.map((e) => ({ ...e, config: false }))];
  for (const row of rows) {
    if (!row.path && !row.hash) continue;
    const tr = el("tr");
    const file = el("td", "", "path");
    if (row.config) file.append(el("span", t("report.evidence.config"), "badge badge-config"));
    file.append(el("span", row.path));
    tr.append(file, el("td", row.hash, "hash"));
    body.append(tr);
  }
}

// ---- loading ----

let report: StageReport | null = null;

function renderAll(): void {
  if (!report) return;
  renderHeader(report);
  renderSummary(report);
  renderChart(report);
  renderRubric(report);
  renderLeaves(report);
  renderLineage(report);
  renderOriginality(report);
  renderFindings(report);
  renderEvidence(report);
  document.body.dataset.loaded = "true";
}

function showStatus(key: MessageKey, params: Record<string, string> = {}): void {
  const s = $("status");
  s.textContent = t(key, params);
  s.classList.add("status-error");
  document.body.dataset.loaded = "error";
}

// ---- the live dashboard (/stage in `kaieval serve`) ----

const LIVE_REFRESH_SECONDS = 30;
const TOKEN_KEY = "kaieval.committee";

function committeeToken(): string {
  return tokenFromAddress(TOKEN_KEY);
}

async function loadLive(): Promise<void> {
  try {
    const res = await fetch("/api/stage", { headers: { Authorization: `Bearer ${committeeToken()}` }, cache: "no-store" });
    if (res.status === 401) {
      showStatus("report.live.unauthorized");
      return;
    }
    const text = await res.text();
    if (!res.ok) {
      let why = `${res.status}`;
      try {
        why = String((JSON.parse(text) as { error?: { message?: string } }).error?.message ?? why);
      } catch {
        // not JSON: keep the status
      }
      showStatus("report.live.failed", { why });
      return;
    }
    report = readReport(text);
    $("status").textContent = "";
    $("status").classList.remove("status-error");
    renderAll();
  } catch (e) {
    showStatus("report.live.failed", { why: e instanceof Error ? e.message : String(e) });
  }
}

function load(): void {
  const text = document.getElementById("report-data")?.textContent?.trim() ?? "";
  if (!text && window.location.protocol.startsWith("http")) {
    void loadLive();
    window.setInterval(() => void loadLive(), LIVE_REFRESH_SECONDS * 1000);
    return;
  }
  if (!text) {
    showStatus("report.nodata");
    return;
  }
  try {
    report = readReport(text);
  } catch (e) {
    showStatus("report.baddata", { why: e instanceof Error ? e.message : String(e) });
    return;
  }
  renderAll();
}

function init(): void {
  initI18n("report.title");
  onLangChange(() => {
    if (report) renderAll();
    else load();
  });
  let frame = 0;
  const resize = (): void => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => report && renderChart(report));
  };
  window.addEventListener("resize", resize);
  // printing lays the page out at the paper's width: redraw the chart to fit it
  window.addEventListener("beforeprint", () => report && renderChart(report));
  load();
}

init();
