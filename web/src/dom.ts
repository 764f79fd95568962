// Small DOM helpers for the report pages. Text only ever goes in through textContent.

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
