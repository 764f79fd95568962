// The leaderboard page (`/leaderboard`): GET /api/leaderboard, shown as a table sorted by
// rating, a forest plot of the 95% intervals, a win-rate heatmap, the battle counts, the
// sampling weights in force and the excluded votes by reason. Refreshes every 30 seconds.

import "./style.css";
import * as echarts from "echarts/core";
import { CustomChart, HeatmapChart, ScatterChart } from "echarts/charts";
import type { CustomSeriesOption, HeatmapSeriesOption, ScatterSeriesOption } from "echarts/charts";
import { GridComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import type { GridComponentOption, TooltipComponentOption, VisualMapComponentOption } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { ApiError, getLeaderboard, type Leaderboard, type LeaderboardModel } from "./api";
import { hasKey, initI18n, locale, onLangChange, t, type MessageKey } from "./i18n";

// "+12.3" or "−4.5" to one decimal, never "-0.0": the interval's ends relative to the rating
// (a bootstrap interval need not contain the point estimate, so both signs can occur).
function signedDelta(x: number): string {
  const v = Math.round(x * 10) / 10;
  return (v >= 0 ? "+" : "−") + Math.abs(v).toFixed(1);
}

echarts.use([ScatterChart, CustomChart, HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

type ChartOption = echarts.ComposeOption<
  | ScatterSeriesOption
  | CustomSeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
>;

const REFRESH_MS = 30_000;
const REASONS = ["identity_leak", "duplicate_prompt", "suspicious_voter", "rate_limit", "admin"] as const;
const FONT = '"Pretendard", "Apple SD Gothic Neo", "Malgun Gothic", "NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR", system-ui, sans-serif';

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el;
}

let data: Leaderboard | null = null;
let statusKey: { key: MessageKey; params: Record<string, string | number> } | null = null;
let forest: echarts.ECharts | null = null;
let heatmap: echarts.ECharts | null = null;

// ---- formatting ----

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString(locale());
}

function fmtRating(n: number): string {
  return n.toFixed(1);
}

function fmtPct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

function fmtTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = new Intl.DateTimeFormat(locale(), {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZone: "Asia/Seoul",
  }).format(d);
  return `${s} KST`;
}

function td(text: string, cls?: string): HTMLTableCellElement {
  const c = document.createElement("td");
  c.textContent = text;
  if (cls) c.className = cls;
  return c;
}

function th(text: string, scope: "col" | "row", cls?: string): HTMLTableCellElement {
  const c = document.createElement("th");
  c.textContent = text;
  c.scope = scope;
  if (cls) c.className = cls;
  return c;
}

function sortedModels(lb: Leaderboard): LeaderboardModel[] {
  return [...lb.models].sort((x, y) => y.rating - x.rating || x.rank - y.rank || x.name.localeCompare(y.name));
}

// ---- rendering ----

function renderStatus(): void {
  const el = $("status");
  el.textContent = statusKey ? t(statusKey.key, statusKey.params) : "";
  el.classList.toggle("status-error", statusKey !== null && statusKey.key === "lb.error");
}

function renderFacts(lb: Leaderboard): void {
  const updated = $("updated-at");
  updated.replaceChildren();
  const time = document.createElement("time");
  time.dateTime = lb.updated_at;
  time.textContent = fmtTime(lb.updated_at);
  time.title = lb.updated_at;
  updated.append(time);
  $("votes-total").textContent = fmtInt(lb.votes.total);
  $("votes-total").dataset.value = String(lb.votes.total);
  $("votes-counted").textContent = fmtInt(lb.votes.counted);
  const excluded = Object.values(lb.votes.excluded ?? {}).reduce((s, n) => s + (Number(n) || 0), 0);
  $("votes-excluded").textContent = fmtInt(excluded);
  $("simulated-banner").hidden = !lb.simulated;
  document.body.classList.toggle("simulated", lb.simulated);
  const bs = $("bootstrap-info");
  bs.textContent = lb.bootstrap ? t("lb.bootstrap", { n: fmtInt(lb.bootstrap.resamples), seed: lb.bootstrap.seed }) : "";
}

function renderTable(lb: Leaderboard): void {
  const body = $("leaderboard-body");
  body.replaceChildren();
  const models = sortedModels(lb);
  if (models.length === 0) {
    const tr = document.createElement("tr");
    const c = td(t("lb.empty"), "empty");
    c.colSpan = 6;
    tr.append(c);
    body.append(tr);
    return;
  }
  for (const m of models) {
    const tr = document.createElement("tr");
    tr.dataset.model = m.name;
    tr.append(td(String(m.rank), "num rank"));
    const name = th(m.name, "row", "model-name");
    tr.append(name);
    const rating = td("", "num rating");
    const main = document.createElement("strong");
    main.textContent = fmtRating(m.rating);
    const pm = document.createElement("span");
    pm.className = "pm";
    pm.textContent = ` ${signedDelta(m.upper - m.rating)} / ${signedDelta(m.lower - m.rating)}`;
    rating.append(main, pm);
    tr.append(rating);
    tr.append(td(`${fmtRating(m.lower)} – ${fmtRating(m.upper)}`, "num ci"));
    tr.append(td(fmtInt(m.votes), "num votes"));
    tr.append(td(`${fmtInt(m.wins)} · ${fmtInt(m.losses)} · ${fmtInt(m.ties)}`, "num wlt"));
    body.append(tr);
  }
}

function chartHeight(el: HTMLElement, rows: number, perRow: number, extra: number): void {
  el.style.height = `${Math.max(220, extra + rows * perRow)}px`;
}

function renderForest(lb: Leaderboard): void {
  const el = $("forest-plot");
  const models = sortedModels(lb);
  chartHeight(el, models.length, 44, 90);
  if (!forest) forest = echarts.init(el, undefined, { renderer: "canvas" });
  else forest.resize();
  const names = models.map((m) => m.name);
  const lo = Math.min(...models.map((m) => m.lower));
  const hi = Math.max(...models.map((m) => m.upper));
  const pad = Math.max(5, (hi - lo) * 0.08);
  const narrow = el.clientWidth < 520;

  const option: ChartOption = {
    textStyle: { fontFamily: FONT, fontSize: 13 },
    animation: false,
    grid: { left: 8, right: 24, top: 16, bottom: 48, containLabel: true },
    tooltip: {
      trigger: "item",
      formatter: (p) => {
        const item = Array.isArray(p) ? p[0] : p;
        const m = models[item.dataIndex as number];
        if (!m) return "";
        return `<b>${escapeText(m.name)}</b><br/>${escapeText(t("lb.rating"))}: ${fmtRating(m.rating)}<br/>${escapeText(t("lb.ci"))}: ${fmtRating(m.lower)} – ${fmtRating(m.upper)}`;
      },
    },
    xAxis: {
      type: "value",
      name: t("lb.rating"),
      nameLocation: "middle",
      nameGap: 30,
      min: Math.floor((lo - pad) / 10) * 10,
      max: Math.ceil((hi + pad) / 10) * 10,
      splitNumber: narrow ? 3 : 5,
      splitLine: { lineStyle: { color: "#e5e7eb" } },
      axisLabel: { color: "#374151" },
    },
    yAxis: {
      type: "category",
      data: names,
      inverse: true,
      axisTick: { show: false },
      axisLabel: { color: "#111827", fontSize: 13, width: narrow ? 110 : 200, overflow: "truncate" },
    },
    series: [
      {
        type: "custom",
        name: "ci",
        data: models.map((m, i) => [m.lower, m.upper, i]),
        encode: { x: [0, 1], y: 2 },
        renderItem: (_params, api) => {
          const lower = api.coord([api.value(0), api.value(2)]);
          const upper = api.coord([api.value(1), api.value(2)]);
          const cap = 7;
          const style = { stroke: "#1d4ed8", lineWidth: 2.5 };
          return {
            type: "group",
            children: [
              { type: "line", shape: { x1: lower[0], y1: lower[1], x2: upper[0], y2: upper[1] }, style },
              { type: "line", shape: { x1: lower[0], y1: lower[1] - cap, x2: lower[0], y2: lower[1] + cap }, style },
              { type: "line", shape: { x1: upper[0], y1: upper[1] - cap, x2: upper[0], y2: upper[1] + cap }, style },
            ],
          };
        },
        z: 1,
      },
      {
        type: "scatter",
        name: "rating",
        data: models.map((m) => [m.rating, m.name]),
        symbolSize: 13,
        itemStyle: { color: "#1e3a8a", borderColor: "#fff", borderWidth: 2 },
        label: {
          show: !narrow,
          position: "top",
          distance: 6,
          formatter: (p) => fmtRating((p.value as [number, string])[0]),
          color: "#111827",
          fontSize: 12,
        },
        z: 2,
      },
    ],
  };
  forest.setOption(option, { notMerge: true });
}

function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

/** Matrix indices in the order of the table (by rating); models unknown to the table last. */
function matrixOrder(lb: Leaderboard): number[] {
  const rank = new Map(sortedModels(lb).map((m, i) => [m.name, i]));
  return lb.matrix.models
    .map((name, i) => ({ i, r: rank.get(name) ?? Number.MAX_SAFE_INTEGER }))
    .sort((x, y) => x.r - y.r || x.i - y.i)
    .map((x) => x.i);
}

function renderHeatmap(lb: Leaderboard): void {
  const el = $("winrate-heatmap");
  const order = matrixOrder(lb);
  const names = order.map((i) => lb.matrix.models[i]);
  const n = names.length;
  const narrow = el.clientWidth < 520;
  chartHeight(el, n, narrow ? 40 : 52, 130);
  if (!heatmap) heatmap = echarts.init(el, undefined, { renderer: "canvas" });
  else heatmap.resize();

  const cells: [number, number, number][] = [];
  order.forEach((i, yi) => {
    order.forEach((j, xi) => {
      const v = lb.matrix.win_rate[i]?.[j];
      if (i !== j && typeof v === "number" && Number.isFinite(v)) cells.push([xi, yi, Math.round(v * 1000) / 10]);
    });
  });

  const option: ChartOption = {
    textStyle: { fontFamily: FONT, fontSize: 13 },
    animation: false,
    grid: { left: 8, right: 16, top: 12, bottom: 56, containLabel: true },
    tooltip: {
      trigger: "item",
      formatter: (p) => {
        const item = Array.isArray(p) ? p[0] : p;
        const [xi, yi, v] = item.value as [number, number, number];
        const i = order[yi];
        const j = order[xi];
        const battles = lb.matrix.battles[i]?.[j] ?? 0;
        return `<b>${escapeText(names[yi])}</b> vs ${escapeText(names[xi])}<br/>${v.toFixed(1)}% · ${escapeText(t("lb.battles.title"))}: ${fmtInt(battles)}`;
      },
    },
    xAxis: {
      type: "category",
      data: names,
      position: "top",
      axisLine: { show: false },
      splitArea: { show: false },
      axisTick: { show: false },
      axisLabel: { interval: 0, color: "#111827", rotate: narrow || n > 6 ? 30 : 0, fontSize: narrow ? 11 : 12 },
    },
    yAxis: {
      type: "category",
      data: names,
      inverse: true,
      axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: { color: "#111827", fontSize: narrow ? 11 : 13, width: narrow ? 90 : 200, overflow: "truncate" },
    },
    visualMap: {
      min: 0,
      max: 100,
      calculable: false,
      orient: "horizontal",
      left: "center",
      bottom: 4,
      itemWidth: 14,
      itemHeight: 180,
      text: ["100%", "0%"],
      textStyle: { color: "#374151" },
      inRange: { color: ["#d6604d", "#f4a582", "#f7f7f7", "#92c5de", "#4393c3"] },
    },
    series: [
      {
        type: "heatmap",
        data: cells,
        label: {
          show: true,
          formatter: (p) => `${((p.value as number[])[2]).toFixed(0)}%`,
          color: "#111827",
          fontSize: narrow ? 11 : 13,
        },
        itemStyle: { borderColor: "#ffffff", borderWidth: 2 },
        emphasis: { itemStyle: { borderColor: "#111827", borderWidth: 1 } },
      },
    ],
  };
  heatmap.setOption(option, { notMerge: true });
}

function renderBattles(lb: Leaderboard): void {
  const table = $("battles-table");
  table.replaceChildren();
  const order = matrixOrder(lb);
  const names = order.map((i) => lb.matrix.models[i]);
  const thead = document.createElement("thead");
  const hr = document.createElement("tr");
  hr.append(th("", "col"));
  for (const name of names) hr.append(th(name, "col", "num"));
  thead.append(hr);
  const tbody = document.createElement("tbody");
  order.forEach((i, yi) => {
    const tr = document.createElement("tr");
    tr.append(th(names[yi], "row", "model-name"));
    order.forEach((j) => {
      if (i === j) tr.append(td("–", "num diag"));
      else {
        const v = lb.matrix.battles[i]?.[j] ?? 0;
        tr.append(td(fmtInt(v), v === 0 ? "num zero" : "num"));
      }
    });
    tbody.append(tr);
  });
  table.append(thead, tbody);
}

function renderSampling(lb: Leaderboard): void {
  const modeKey = `mode.${lb.sampling?.mode ?? ""}`;
  $("sampling-mode").textContent = hasKey(modeKey) ? `${t(modeKey)} (${lb.sampling.mode})` : (lb.sampling?.mode ?? "–");
  const body = $("sampling-body");
  body.replaceChildren();
  const pairs = [...(lb.sampling?.pairs ?? [])].sort((x, y) => y.weight - x.weight || x.a.localeCompare(y.a) || x.b.localeCompare(y.b));
  for (const p of pairs) {
    const tr = document.createElement("tr");
    tr.append(td(`${p.a} — ${p.b}`));
    tr.append(td(fmtPct(p.weight, 1), "num"));
    body.append(tr);
  }
  if (pairs.length === 0) {
    const tr = document.createElement("tr");
    const c = td("–", "empty");
    c.colSpan = 2;
    tr.append(c);
    body.append(tr);
  }
}

function renderExcluded(lb: Leaderboard): void {
  const body = $("excluded-body");
  body.replaceChildren();
  const ex = lb.votes.excluded ?? {};
  const keys: string[] = [...REASONS, ...Object.keys(ex).filter((k) => !(REASONS as readonly string[]).includes(k)).sort()];
  let total = 0;
  for (const k of keys) {
    const n = Number(ex[k] ?? 0) || 0;
    total += n;
    const tr = document.createElement("tr");
    tr.dataset.reason = k;
    const labelKey = `reason.${k}`;
    tr.append(td(hasKey(labelKey) ? t(labelKey) : k));
    tr.append(td(fmtInt(n), n === 0 ? "num zero" : "num"));
    body.append(tr);
  }
  const tr = document.createElement("tr");
  tr.className = "total";
  tr.append(th(t("lb.excluded.total"), "row"));
  tr.append(td(fmtInt(total), "num"));
  body.append(tr);
}

function renderAll(): void {
  if (!data) return;
  renderFacts(data);
  renderTable(data);
  renderForest(data);
  renderHeatmap(data);
  renderBattles(data);
  renderSampling(data);
  renderExcluded(data);
  document.body.dataset.loaded = "true";
}

// ---- loading ----

let timer: number | undefined;
let lastLoad = 0;

async function load(): Promise<void> {
  window.clearTimeout(timer);
  try {
    data = await getLeaderboard();
    lastLoad = Date.now();
    statusKey = null;
    renderAll();
  } catch (e) {
    const code = e instanceof ApiError ? (e.status ? `${e.status} ${e.code}` : e.code) : "network";
    statusKey = { key: "lb.error", params: { code } };
  }
  renderStatus();
  timer = window.setTimeout(() => void load(), REFRESH_MS);
}

function init(): void {
  initI18n("lb.title");
  onLangChange(() => {
    renderStatus();
    renderAll();
  });
  statusKey = { key: "lb.loading", params: {} };
  renderStatus();
  let resizeFrame = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(() => {
      if (data) {
        renderForest(data);
        renderHeatmap(data);
      }
    });
  });
  document.addEventListener("visibilitychange", () => {
    // catch up at once when the tab comes back after a long time away
    if (document.visibilityState === "visible" && data && Date.now() - lastLoad > REFRESH_MS) void load();
  });
  void load();
}

init();
