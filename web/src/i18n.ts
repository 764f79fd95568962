// Korean first, English by a toggle that is remembered (localStorage). The words follow
// shared/UI.md ("Words to use").

import { en } from "./i18n_en";
import { ko, type MessageKey } from "./i18n_ko";

export type { MessageKey };
export type Lang = "ko" | "en";

const STORAGE_KEY = "kaieval.lang";

const dicts: Record<Lang, Record<MessageKey, string>> = { ko, en };

function readStored(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === "en" || v === "ko") return v;
  } catch {
    // storage may be blocked; Korean is the default
  }
  return "ko";
}

let current: Lang = readStored();
const listeners: ((lang: Lang) => void)[] = [];

export function getLang(): Lang {
  return current;
}

export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(ko, key);
}

/** The message in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = dicts[current][key] ?? ko[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m,
  );
}

/** Fills every `[data-i18n]` element's text and `[data-i18n-<attr>]` attributes under root. */
export function applyI18n(root: ParentNode = document): void {
  document.documentElement.lang = current;
  root.querySelectorAll<HTMLElement>("[data-i18n]").forEach((el) => {
    const key = el.dataset.i18n;
    if (key && hasKey(key)) el.textContent = t(key);
  });
  for (const attr of ["placeholder", "title", "aria-label"]) {
    root.querySelectorAll<HTMLElement>(`[data-i18n-${attr}]`).forEach((el) => {
      const key = el.getAttribute(`data-i18n-${attr}`);
      if (key && hasKey(key)) el.setAttribute(attr, t(key));
    });
  }
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered, but still switched
  }
  applyI18n();
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn: (lang: Lang) => void): void {
  listeners.push(fn);
}

/** Wires the language toggle button (`data-testid="lang-toggle"`) and fills the page once. */
export function initI18n(titleKey: MessageKey): void {
  const updateTitle = (): void => {
    document.title = `${t(titleKey)} · kaieval`;
  };
  applyI18n();
  updateTitle();
  onLangChange(updateTitle);
  const btn = document.getElementById("lang-toggle");
  btn?.addEventListener("click", () => setLang(current === "ko" ? "en" : "ko"));
}

/** Numbers and dates in the current language's conventions. */
export function locale(): string {
  return current === "ko" ? "ko-KR" : "en-GB";
}
