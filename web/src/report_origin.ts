// The report's originality section: per team, the gate's verdict and where it comes from (an
// origin report, a recorded verdict, a committee override with its reason), the components
// found derived and from which reference, the component table, and a heatmap of the z-scores
// per layer and role against the reference that matters most. Norm vectors never appear as
// evidence here: the origin report keeps them apart.

import * as echarts from "echarts/core";
import { HeatmapChart } from "echarts/charts";
import { GridComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { $, el } from "./dom";
import { isObj, list, num, text, type Obj } from "./json_fields";
import { t, type MessageKey } from "./i18n";
import type { StageReport } from "./report_data";

echarts.use([HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);


function fmt(v: number | null, digits = 1): string {
  return v === null ? "–" : v.toFixed(digits);
}

const VERDICT_KEYS: Record<string, MessageKey> = {
  original: "report.origin.verdict.original",
  derived: "report.origin.verdict.derived",
  inconclusive: "report.origin.verdict.inconclusive",
  not_compared: "report.origin.verdict.not_compared",
  not_comparable: "report.origin.verdict.not_compared",
};

/** A reference as the report shows it: its last path component (the full path is in the title). */
function shortName(path: string): string {
  const parts = path.split("/").filter(Boolean);
  return parts.length ? parts[parts.length - 1] : path;
}

function verdictText(v: string): string {
  return VERDICT_KEYS[v] ? t(VERDICT_KEYS[v]) : v;
}

const charts: echarts.ECharts[] = [];
// The charts follow the page's width (a phone, or paper when printing).
for (const event of ["resize", "beforeprint"]) window.addEventListener(event, () => charts.forEach((c) => c.resize()));

/** The reference of the strongest derived finding, else the first one compared. */
function mainReference(evidence: Obj): Obj | null {
  const refs = list(evidence.references);
  const derived = list(evidence.derived).sort((a, b) => (num(b.median_z) ?? 0) - (num(a.median_z) ?? 0));
  const name = derived.length ? text(derived[0].reference) : "";
  return refs.find((r) => text(r.reference) === name) ?? refs[0] ?? null;
}

/** Rows "component · layer", columns roles, cells the z-score (null where there is no matrix). */
function heatmap(box: HTMLElement, reference: Obj, derivedZ: number): void {
  const rows: string[] = [];
  const roles: string[] = [];
  const cells: [number, number, number][] = [];
  let maxZ = derivedZ;
  for (const grid of list(reference.heatmap)) {
    const component = text(grid.component);
    const layers = Array.isArray(grid.layers) ? grid.layers : [];
    const gridRoles = Array.isArray(grid.roles) ? grid.roles.map(String) : [];
    for (const r of gridRoles) if (!roles.includes(r)) roles.push(r);
    const z = Array.isArray(grid.z) ? grid.z : [];
    layers.forEach((layer, li) => {
      const y = rows.push(`${component} · ${Number(layer) < 0 ? "–" : `L${String(layer)}`}`) - 1;
      const row = Array.isArray(z[li]) ? (z[li] as unknown[]) : [];
      gridRoles.forEach((role, ri) => {
        const v = num(row[ri]);
        if (v === null) return;
        maxZ = Math.max(maxZ, v);
        cells.push([roles.indexOf(role), y, v]);
      });
    });
  }
  box.style.height = `${Math.min(900, Math.max(160, 70 + rows.length * 18))}px`;
  const chart = echarts.init(box, undefined, { renderer: "canvas", devicePixelRatio: Math.max(2, window.devicePixelRatio || 1) });
  charts.push(chart);
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: "NanumGothic, sans-serif", fontSize: 11 },
    grid: { left: 8, right: 70, top: 8, bottom: 40, containLabel: true },
    tooltip: {
      renderMode: "richText",
      formatter: (p: { value?: unknown }) => {
        const [x, y, v] = (p.value ?? []) as number[];
        return `${rows[y]} ${roles[x]}: z = ${fmt(v)}`;
      },
    },
    xAxis: { type: "category", data: roles, axisLabel: { rotate: 30 }, splitArea: { show: true } },
    yAxis: { type: "category", data: rows, inverse: true, axisLabel: { fontSize: 10 } },
    visualMap: {
      min: 0,
      max: Math.ceil(maxZ),
      calculable: false,
      orient: "vertical",
      right: 0,
      top: "middle",
      text: ["z", ""],
      inRange: { color: ["#f8fafc", "#fde68a", "#f97316", "#b91c1c"] },
    },
    series: [{ type: "heatmap", data: cells, emphasis: { disabled: true } }],
  });
}

function componentTable(evidence: Obj): HTMLElement {
  const wrap = el("div", "", "table-wrap");
  const table = el("table", "", "data compact origin-components");
  const head = el("tr");
  for (const key of ["report.origin.component", "report.origin.share", "report.origin.verdict", "report.origin.reference", "report.origin.median_z"] as MessageKey[]) {
    const th = el("th", t(key));
    th.scope = "col";
    head.append(th);
  }
  const thead = el("thead");
  thead.append(head);
  const tbody = el("tbody");
  for (const c of list(evidence.components)) {
    const tr = el("tr", "", `verdict-${text(c.verdict)}`);
    const share = num(c.parameter_share);
    tr.append(
      el("td", text(c.component)),
      el("td", share === null ? "–" : `${(share * 100).toFixed(1)}%`, "num"),
      el("td", verdictText(text(c.verdict))),
      el("td", shortName(text(c.reference)) || "–"),
      el("td", fmt(num(c.median_z)), "num"),
    );
    tbody.append(tr);
  }
  table.append(thead, tbody);
  wrap.append(table);
  return wrap;
}

function teamBlock(row: Obj): HTMLElement {
  const box = el("article", "", "origin-team");
  const team = text(row.team);
  box.dataset.team = team;
  const gate = text(row.gate);
  const head = el("h3", team);
  head.append(el("span", gate === "fail" ? t("report.gate.fail") : gate === "pass" ? t("report.gate.pass") : t("report.origin.none"), `badge badge-${gate === "fail" ? "fail" : gate === "pass" ? "pass" : "config"}`));
  box.append(head);
  const source = text(row.source);
  if (source === "override") box.append(el("p", t("report.origin.override", { reason: text(row.override_reason) }), "leaf-meta"));
  if (source === "recorded") box.append(el("p", t("report.origin.recorded"), "leaf-meta"));
  const evidence = isObj(row.evidence) ? row.evidence : null;
  if (!evidence) return box;
  const nullInfo = isObj(evidence.null) ? evidence.null : {};
  box.append(el("p", `${t("report.origin.verdict")}: ${verdictText(text(evidence.verdict))} · ${t(text(nullInfo.used) === "baseline" ? "report.origin.null.baseline" : "report.origin.null.analytic")}`, "leaf-meta"));
  for (const d of list(evidence.derived)) {
    box.append(el("p", t("report.origin.derived", { component: text(d.component), reference: shortName(text(d.reference)), z: fmt(num(d.median_z)) }), "origin-finding"));
  }
  box.append(componentTable(evidence));
  const ref = mainReference(evidence);
  if (ref && list(ref.heatmap).length) {
    box.append(el("p", t("report.origin.heatmap", { reference: shortName(text(ref.reference)) }), "leaf-meta"));
    const chart = el("div", "", "chart origin-heatmap");
    box.append(chart);
    requestAnimationFrame(() => heatmap(chart, ref, num(nullInfo.derived_z) ?? 6));
  }
  return box;
}

export function renderOriginality(r: StageReport): void {
  for (const c of charts.splice(0)) c.dispose();
  const box = $("originality");
  box.replaceChildren();
  const rows = r.originality.filter((row) => row.gate !== null || row.evidence !== null);
  for (const row of rows) box.append(teamBlock(row as unknown as Obj));
  $("originality-card").hidden = rows.length === 0;
}
