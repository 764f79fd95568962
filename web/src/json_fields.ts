// Reading untrusted JSON field by field without trusting its shape: what is not of the expected
// type reads as empty. Used by the report's evidence sections.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The objects of a list (other entries skipped); [] for anything else. */
export function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

export function text(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** A finite number, else null. */
export function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
