// Small DOM helpers for the report and review pages. Text only ever goes in through
// textContent.

/** The element with this id; throws when the page lacks it (a template error, not bad data). */
export function $(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`missing #${id}`);
  return found;
}

/** A new element with `text` as its text content and `cls` as its class. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = "", cls = ""): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/**
 * A bearer token given in the page's address as ?token=…: taken once into the tab's session
 * storage under `key` and removed from the address bar (so it is not bookmarked, shared or
 * kept in history), then read from there.
 */
export function tokenFromAddress(key: string): string {
  const url = new URL(window.location.href);
  const given = url.searchParams.get("token");
  if (given) {
    sessionStorage.setItem(key, given);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(key) ?? "";
}
