// The report's derivative-model section: for every team, each released repo's adjusted
// third-party derivative count (the headline), the steps from the raw count with the reason
// for each, flagged farms, and the derivative tree (ECharts tree): colour by inferred relation,
// size by downloads, excluded repos grey with the reason on hover.

import * as echarts from "echarts/core";
import { TreeChart } from "echarts/charts";
import { TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { $, el } from "./dom";
import { isObj, list, num, text, type Obj } from "./json_fields";
import { hasKey, t } from "./i18n";
import type { StageReport } from "./report_data";

echarts.use([TreeChart, TooltipComponent, CanvasRenderer]);

function count(v: unknown): number {
  return num(v) ?? 0;
}

export const RELATION_COLORS: Record<string, string> = {
  finetune: "#1d4ed8",
  adapter: "#7c3aed",
  quantized: "#0f766e",
  merge: "#c2410c",
  unclassified: "#6b7280",
};
const EXCLUDED = "#d1d5db";

function relationText(r: string): string {
  const key = `report.lineage.relation.${r}`;
  return hasKey(key) ? t(key) : r;
}

function reasonText(r: string): string {
  const key = `report.lineage.reason.${r}`;
  return hasKey(key) ? t(key) : r;
}

interface TreeItem {
  name: string;
  value: number;
  children: TreeItem[];
  symbolSize: number;
  itemStyle: { color: string; borderColor: string };
  tooltipText: string;
}

/** The tree's nodes and edges as nested items; nodes[0] is the root. */
export function treeItems(tree: Obj): TreeItem | null {
  const nodes = list(tree.nodes);
  if (nodes.length === 0) return null;
  const items = new Map<string, TreeItem>();
  for (const n of nodes) {
    const id = text(n.id);
    const downloads = typeof n.downloads === "number" ? n.downloads : null;
    const excluded = text(n.excluded_reason);
    const relation = text(n.relation_inferred);
    const lines = [id];
    if (relation) lines.push(`${t("report.lineage.relation")}: ${relationText(relation)}${text(n.relation_declared) && text(n.relation_declared) !== relation ? ` (${t("report.lineage.declared")}: ${relationText(text(n.relation_declared))})` : ""}`);
    if (downloads !== null) lines.push(`${t("report.lineage.downloads")}: ${downloads.toLocaleString()}`);
    if (text(n.uploader)) lines.push(`${t("report.lineage.uploader")}: ${text(n.uploader)}`);
    if (excluded) lines.push(`${t("report.lineage.excluded")}: ${reasonText(excluded)}`);
    const color = excluded ? EXCLUDED : RELATION_COLORS[relation] ?? "#111827";
    items.set(id, {
      name: id,
      value: downloads ?? 0,
      children: [],
      symbolSize: 6 + Math.min(16, Math.log10(1 + (downloads ?? 0)) * 3),
      itemStyle: { color, borderColor: color },
      tooltipText: lines.join("\n"),
    });
  }
  for (const e of list(tree.edges)) {
    const parent = items.get(text(e.parent));
    const child = items.get(text(e.child));
    if (parent && child && parent !== child) parent.children.push(child);
  }
  return items.get(text(nodes[0].id)) ?? null;
}

const charts: echarts.ECharts[] = [];
// The charts follow the page's width (a phone, or paper when printing).
for (const event of ["resize", "beforeprint"]) window.addEventListener(event, () => charts.forEach((c) => c.resize()));

function drawTree(box: HTMLElement, root: TreeItem, shown: number): void {
  box.style.height = `${Math.min(440, Math.max(240, shown * 4))}px`;
  const chart = echarts.init(box, undefined, { renderer: "canvas", devicePixelRatio: Math.max(2, window.devicePixelRatio || 1) });
  charts.push(chart);
  chart.setOption({
    animation: false,
    tooltip: { renderMode: "richText", formatter: (p: { data?: { tooltipText?: string } }) => p.data?.tooltipText ?? "" },
    series: [
      {
        type: "tree",
        data: [root],
        layout: "radial",
        roam: false,
        initialTreeDepth: -1,
        expandAndCollapse: false,
        label: { show: false },
        lineStyle: { color: "#cbd5e1", width: 1, curveness: 0 },
        emphasis: { disabled: true },
      },
    ],
  });
}

function rootBlock(root: Obj): HTMLElement {
  const box = el("div", "", "lineage-root");
  box.dataset.root = text(root.root);
  const head = el("p", "", "lineage-head");
  head.append(el("strong", text(root.root)), el("span", t("report.lineage.headline", { n: count(root.headline).toLocaleString() }), "headline"));
  box.append(head);
  if (root.found === false) {
    box.append(el("p", t("report.lineage.notfound"), "leaf-meta"));
    return box;
  }
  const raw = isObj(root.raw) && isObj(root.raw.transitive) ? count(root.raw.transitive.total) : 0;
  const steps = el("ol", "", "lineage-steps");
  steps.append(el("li", t("report.lineage.raw", { n: raw.toLocaleString() })));
  for (const s of list(root.steps)) {
    const li = el("li", "", s.disabled === true ? "disabled" : "");
    li.append(el("strong", `−${count(s.removed).toLocaleString()}`), el("span", ` ${text(s.reason)}`));
    if (s.disabled === true) li.append(el("span", ` (${t("report.lineage.disabled")})`, "gloss"));
    steps.append(li);
  }
  steps.append(el("li", t("report.lineage.adjusted", { n: count(root.headline).toLocaleString() }), "final"));
  box.append(steps);
  const farms = list(root.farms);
  if (farms.length) {
    box.append(el("p", t("report.lineage.farms", { list: farms.map((f) => `${text(f.uploader)} (${count(f.models)} → ${count(f.counted)})`).join(", ") }), "leaf-extra"));
  }
  const tree = isObj(root.tree) ? root.tree : null;
  const items = tree ? treeItems(tree) : null;
  if (tree && items) {
    if (tree.capped === true) box.append(el("p", t("report.lineage.capped", { shown: count(tree.shown_nodes), total: count(tree.total_nodes) }), "leaf-meta"));
    const chart = el("div", "", "chart lineage-tree");
    box.append(chart);
    requestAnimationFrame(() => drawTree(chart, items, count(tree.shown_nodes)));
  }
  return box;
}

export function renderLineage(r: StageReport): void {
  for (const c of charts.splice(0)) c.dispose();
  const box = $("lineage");
  box.replaceChildren();
  const leaves = r.leaves.filter((l) => l.kind === "derivatives");
  for (const leaf of leaves) {
    const teams = list(leaf.details.teams);
    teams.forEach((team, i) => {
      const article = el("article", "", "lineage-team");
      article.dataset.team = r.teams[i]?.name ?? "";
      article.append(el("h3", r.teams[i]?.name ?? ""));
      const roots = list(team.roots);
      for (const root of roots) article.append(rootBlock(root));
      if (roots.length === 0) article.append(el("p", t("report.lineage.norepos"), "leaf-meta"));
      box.append(article);
    });
  }
  const legend = el("p", "", "lineage-legend");
  for (const [relation, color] of Object.entries(RELATION_COLORS)) {
    const key = el("span", relationText(relation), "legend-key");
    key.style.setProperty("--key", color);
    legend.append(key);
  }
  const excluded = el("span", t("report.lineage.excluded"), "legend-key");
  excluded.style.setProperty("--key", EXCLUDED);
  legend.append(excluded);
  if (leaves.length) box.prepend(legend);
  $("lineage-card").hidden = leaves.length === 0;
}
