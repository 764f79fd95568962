// The stage report JSON (`kaieval stage run` writes it, `kaieval stage report` embeds it in
// report.html): its types, a checked reader for the untrusted text, and the plain-language
// decision summary. src/report.ts renders what this returns.

import { getLang, t } from "./i18n";

export interface TeamResult {
  name: string;
  organisation: string;
  total: number | null;
  lower: number | null;
  upper: number | null;
  p_advance: number;
  passes_gates: boolean;
  rank: number; // 1 = most points among the teams that pass the gates; 0 = failed a gate
  advances: boolean;
}

export interface NodeTeam {
  points: number | null;
  lower: number | null;
  upper: number | null;
}

export interface RubricNode {
  id: string;
  name: string;
  max_points: number;
  teams: NodeTeam[]; // in the order of StageReport.teams
  items: RubricNode[]; // empty for a leaf
  evidence: string; // a leaf's evidence kind; "" for inner nodes
}

/** One leaf's own score for one team (a metric, a rating, a panel mean) and its 95% interval. */
export interface LeafTeam {
  score: number | null;
  lower: number | null;
  upper: number | null;
}

/** A rubric leaf's evidence: its scores, rule and what the evidence reader recorded beside it. */
export interface LeafResult {
  id: string;
  name: string;
  kind: string; // benchmark, review, arena, derivatives, value
  rule: string;
  max_points: number;
  reference: number | null; // relative_to_reference
  floor: number | null; // linear
  ceiling: number | null;
  gate_min: number | null; // a safety gate's minimum on this leaf
  gate_max: number | null; // a safety gate's maximum (a violation rate)
  teams: LeafTeam[];
  details: Record<string, unknown>; // kind-specific; read with the helpers in report_leaves.ts
}

/** A team's originality gate as the report records it (evidence: the trimmed origin report). */
export interface OriginalityRow {
  team: string;
  gate: string | null; // pass, fail; null when nothing is recorded
  source: string | null; // report, recorded, override
  override_reason: string;
  evidence: Record<string, unknown> | null;
}

export interface StageReport {
  stage: string;
  config: { path: string; hash: string };
  bootstrap: { replicates: number; seed: number };
  teams: TeamResult[];
  rubric: RubricNode;
  leaves: LeafResult[];
  originality: OriginalityRow[];
  gates: string[];
  sensitivity: { change: string; advancing: string[] }[];
  evidence: { path: string; hash: string }[];
  notes: string[];
  computed_ms: number | null; // the live dashboard's time of computation; null in a saved report
}

const MAX_DEPTH = 32;

export type Obj = Record<string, unknown>;

export function obj(v: unknown, where: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${where}: expected an object`);
  return v as Obj;
}

export function arr(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${where}: expected a list`);
  return v;
}

export function str(v: unknown, where: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new Error(`${where}: expected text`);
  return v;
}

/** A finite number, or null (the report writes null for a value it could not compute). */
export function num(v: unknown, where: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${where}: expected a number`);
  return v;
}

function readNode(v: unknown, where: string, nTeams: number, depth: number): RubricNode {
  if (depth > MAX_DEPTH) throw new Error(`${where}: the rubric is nested deeper than ${MAX_DEPTH}`);
  const o = obj(v, where);
  const teams = arr(o.teams, `${where}.teams`).map((x, i) => {
    const tt = obj(x, `${where}.teams[${i}]`);
    return {
      points: num(tt.points, `${where}.teams[${i}].points`),
      lower: num(tt.lower, `${where}.teams[${i}].lower`),
      upper: num(tt.upper, `${where}.teams[${i}].upper`),
    };
  });
  while (teams.length < nTeams) teams.push({ points: null, lower: null, upper: null });
  const id = str(o.id, `${where}.id`);
  return {
    id,
    name: str(o.name, `${where}.name`) || id,
    max_points: num(o.max_points, `${where}.max_points`) ?? 0,
    teams: teams.slice(0, nTeams),
    items: arr(o.items, `${where}.items`).map((c, i) => readNode(c, `${where}.items[${i}]`, nTeams, depth + 1)),
    evidence: typeof o.evidence === "string" ? o.evidence : "",
  };
}

function readLeaf(v: unknown, where: string, nTeams: number): LeafResult {
  const o = obj(v, where);
  const teams = arr(o.teams, `${where}.teams`).map((x, i) => {
    const tt = obj(x, `${where}.teams[${i}]`);
    return {
      score: num(tt.score, `${where}.teams[${i}].score`),
      lower: num(tt.lower, `${where}.teams[${i}].lower`),
      upper: num(tt.upper, `${where}.teams[${i}].upper`),
    };
  });
  while (teams.length < nTeams) teams.push({ score: null, lower: null, upper: null });
  const id = str(o.id, `${where}.id`);
  return {
    id,
    name: str(o.name, `${where}.name`) || id,
    kind: str(o.kind, `${where}.kind`),
    rule: str(o.rule, `${where}.rule`),
    max_points: num(o.max_points, `${where}.max_points`) ?? 0,
    reference: num(o.reference, `${where}.reference`),
    floor: num(o.floor, `${where}.floor`),
    ceiling: num(o.ceiling, `${where}.ceiling`),
    gate_min: num(o.gate_min, `${where}.gate_min`),
    gate_max: num(o.gate_max, `${where}.gate_max`),
    teams: teams.slice(0, nTeams),
    details: o.details === undefined ? {} : obj(o.details, `${where}.details`),
  };
}

/** Reads the report from the text of the report-data element. Throws an Error naming the field. */
export function readReport(text: string): StageReport {
  const root = obj(JSON.parse(text) as unknown, "report");
  const teams = arr(root.teams, "teams").map((x, i): TeamResult => {
    const o = obj(x, `teams[${i}]`);
    return {
      name: str(o.name, `teams[${i}].name`),
      organisation: str(o.organisation, `teams[${i}].organisation`),
      total: num(o.total, `teams[${i}].total`),
      lower: num(o.lower, `teams[${i}].lower`),
      upper: num(o.upper, `teams[${i}].upper`),
      p_advance: num(o.p_advance, `teams[${i}].p_advance`) ?? 0,
      passes_gates: o.passes_gates === true,
      rank: num(o.rank, `teams[${i}].rank`) ?? 0,
      advances: o.advances === true,
    };
  });
  if (teams.length === 0) throw new Error("teams: the report has no teams");
  const config = root.config === undefined ? {} : obj(root.config, "config");
  const bootstrap = root.bootstrap === undefined ? {} : obj(root.bootstrap, "bootstrap");
  return {
    stage: str(root.stage, "stage"),
    config: { path: str(config.path, "config.path"), hash: str(config.hash, "config.hash") },
    bootstrap: {
      replicates: num(bootstrap.replicates, "bootstrap.replicates") ?? 0,
      seed: num(bootstrap.seed, "bootstrap.seed") ?? 0,
    },
    teams,
    rubric: readNode(root.rubric, "rubric", teams.length, 0),
    leaves: arr(root.leaves, "leaves").map((x, i) => readLeaf(x, `leaves[${i}]`, teams.length)),
    originality: arr(root.originality, "originality").map((x, i) => {
      const o = obj(x, `originality[${i}]`);
      const gate = str(o.gate, `originality[${i}].gate`);
      const source = str(o.source, `originality[${i}].source`);
      return {
        team: str(o.team, `originality[${i}].team`),
        gate: gate || null,
        source: source || null,
        override_reason: str(o.override_reason, `originality[${i}].override_reason`),
        evidence: o.evidence === undefined || o.evidence === null ? null : obj(o.evidence, `originality[${i}].evidence`),
      };
    }),
    gates: arr(root.gates, "gates").map((g, i) => str(g, `gates[${i}]`)),
    sensitivity: arr(root.sensitivity, "sensitivity").map((x, i) => {
      const o = obj(x, `sensitivity[${i}]`);
      return {
        change: str(o.change, `sensitivity[${i}].change`),
        advancing: arr(o.advancing, `sensitivity[${i}].advancing`).map((a, j) => str(a, `sensitivity[${i}].advancing[${j}]`)),
      };
    }),
    evidence: arr(root.evidence, "evidence").map((x, i) => {
      const o = obj(x, `evidence[${i}]`);
      return { path: str(o.path, `evidence[${i}].path`), hash: str(o.hash, `evidence[${i}].hash`) };
    }),
    notes: arr(root.notes, "notes").map((n, i) => str(n, `notes[${i}]`)),
    computed_ms: num(root.computed_ms, "computed_ms"),
  };
}

// ---- simulated inputs ----

const SIMULATED = /simulated|시뮬레이션/i;

export function isSimulatedText(s: string): boolean {
  return SIMULATED.test(s);
}

function rubricHasSimulated(node: RubricNode): boolean {
  return isSimulatedText(node.name) || node.items.some(rubricHasSimulated);
}

/** Whether the stage name, a note or a rubric item's name says that an input is simulated. */
export function reportIsSimulated(r: StageReport): boolean {
  return isSimulatedText(r.stage) || r.notes.some(isSimulatedText) || rubricHasSimulated(r.rubric);
}

// ---- order and wording ----

/** Indices of the teams in decision order: advancing/ranked teams by rank, then the rest by points. */
export function decisionOrder(r: StageReport): number[] {
  const key = (i: number): [number, number] => {
    const tm = r.teams[i];
    return [tm.rank > 0 ? tm.rank : Number.MAX_SAFE_INTEGER, -(tm.total ?? -Infinity)];
  };
  return r.teams
    .map((_, i) => i)
    .sort((a, b) => {
      const [ra, ta] = key(a);
      const [rb, tb] = key(b);
      return ra - rb || ta - tb || a - b;
    });
}

export function fmtPct(p: number): string {
  const v = p * 100;
  const digits = Math.abs(v - Math.round(v)) < 0.05 ? 0 : 1;
  return `${v.toFixed(digits)}%`;
}

function ordinal(n: number): string {
  if (getLang() === "ko") return String(n);
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

function joinNames(names: string[]): string {
  return names.join(t("report.list.sep"));
}

/** A gate reason as `kaieval stage run` words it, in the page's language where it is known. */
export function gateReasonText(raw: string): string {
  return raw === "originality check failed" ? t("report.gate.originality") : raw;
}

/** Why a team failed its gates, from the report's gate lines ("team: reason"). */
export function gateReasons(r: StageReport, team: string): string[] {
  const prefix = `${team}: `;
  return r.gates.filter((g) => g.startsWith(prefix)).map((g) => gateReasonText(g.slice(prefix.length)));
}

/** Place by total points among all teams, gates ignored (1 = most points). */
function pointsPlace(r: StageReport, i: number): number {
  const mine = r.teams[i].total ?? -Infinity;
  return 1 + r.teams.filter((tm) => (tm.total ?? -Infinity) > mine).length;
}

/** The decision in plain words: who advances, why the others do not, and how sure it is. */
export function decisionSummary(r: StageReport): string {
  const order = decisionOrder(r);
  const n = r.teams.length;
  const advancing = order.filter((i) => r.teams[i].advances).map((i) => r.teams[i].name);
  const parts: string[] = [];
  if (advancing.length > 0) {
    parts.push(t("report.summary.advance", { n, k: advancing.length, teams: joinNames(advancing) }));
    parts.push(t("report.summary.rule"));
  } else {
    parts.push(t("report.summary.advance.none", { n }));
  }
  for (const i of order) {
    const tm = r.teams[i];
    if (tm.passes_gates) continue;
    const why = gateReasons(r, tm.name);
    parts.push(t("report.summary.gate", { team: tm.name, why: why.length ? why.join("; ") : t("report.gate.fail"), rank: ordinal(pointsPlace(r, i)) }));
  }
  const onPoints = order.filter((i) => r.teams[i].passes_gates && !r.teams[i].advances).map((i) => r.teams[i].name);
  if (onPoints.length > 0) parts.push(t("report.summary.points", { teams: joinNames(onPoints) }));
  const uncertain = order
    .filter((i) => r.teams[i].p_advance > 0.05 && r.teams[i].p_advance < 0.95)
    .map((i) => `${r.teams[i].name} (${t("report.col.p_advance")} ${fmtPct(r.teams[i].p_advance)})`);
  parts.push(uncertain.length > 0 ? t("report.summary.uncertain", { teams: joinNames(uncertain) }) : t("report.summary.stable"));
  return parts.join(" ");
}
