// Model output is UNTRUSTED text. It is rendered as Markdown (marked) and the HTML that comes
// out is sanitised (DOMPurify) with a strict allow-list before it touches the page.
//
// Two layers:
//  1. marked is configured so that raw HTML in the model's text is shown as text (escaped),
//     images become plain links, and links keep only http/https targets;
//  2. DOMPurify then allows only a short list of formatting tags and attributes, whatever
//     marked produced: no script/style/iframe/img/svg/form/input, no on* handlers, no
//     style/class/id, and every link gets rel="noopener noreferrer nofollow" target="_blank".

import { Marked, type Tokens } from "marked";
import DOMPurify from "dompurify";

const ALLOWED_TAGS = [
  "p", "br", "hr",
  "h1", "h2", "h3", "h4", "h5", "h6",
  "strong", "em", "del", "s", "code", "pre", "blockquote",
  "ul", "ol", "li",
  "a",
  "table", "thead", "tbody", "tr", "th", "td",
];

const ALLOWED_ATTR = ["href", "title", "start", "align", "colspan", "rowspan"];

const FORBID_TAGS = [
  "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
  "img", "picture", "source", "video", "audio", "track", "svg", "math",
  "form", "input", "button", "select", "option", "textarea", "label",
  "link", "meta", "base", "template", "noscript", "canvas", "dialog",
];

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** True for an absolute http: or https: URL, and nothing else. */
export function isSafeHref(href: string): boolean {
  // Browsers ignore ASCII whitespace and control characters inside a scheme; so do we.
  // eslint-disable-next-line no-control-regex
  const cleaned = href.replace(/[\u0000-\u0020\u007f]/g, "");
  if (!/^https?:\/\//i.test(cleaned)) return false;
  try {
    const u = new URL(cleaned);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

const marked = new Marked({
  async: false,
  gfm: true,
  breaks: true,
  renderer: {
    // Raw HTML written by the model is shown as text, never interpreted.
    html(token: Tokens.HTML | Tokens.Tag): string {
      const text = escapeHtml(token.text);
      if (!token.block) return text;
      const lines = text.replace(/\n+$/, "").split("\n");
      return `<p>${lines.join("<br>")}</p>\n`;
    },
    // No images from untrusted output (tracking, layout abuse): a link to it at most.
    image(token: Tokens.Image): string {
      const label = escapeHtml(token.text || token.href);
      if (!isSafeHref(token.href)) return label;
      return `<a href="${escapeHtml(token.href)}">${label}</a>`;
    },
    link(token: Tokens.Link): string {
      const inner = this.parser.parseInline(token.tokens);
      if (!isSafeHref(token.href)) return inner;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
      return `<a href="${escapeHtml(token.href)}"${title}>${inner}</a>`;
    },
  },
});

// A private DOMPurify instance, so that its hooks affect nobody else.
const purify = DOMPurify(window);

purify.addHook("uponSanitizeAttribute", (_node, data) => {
  if (/^on/i.test(data.attrName)) data.keepAttr = false;
});

purify.addHook("afterSanitizeAttributes", (node) => {
  if (node.nodeName === "A") {
    const href = node.getAttribute("href");
    if (href === null || !isSafeHref(href)) {
      node.removeAttribute("href");
    } else {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer nofollow");
    }
  }
});

const PURIFY_CONFIG = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  FORBID_TAGS,
  FORBID_ATTR: ["style", "class", "id", "name", "srcset", "src", "action", "formaction", "xlink:href"],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  ALLOWED_URI_REGEXP: /^https?:\/\//i,
  KEEP_CONTENT: true,
  WHOLE_DOCUMENT: false,
  SAFE_FOR_TEMPLATES: false,
  RETURN_TRUSTED_TYPE: false,
};

/** Markdown → sanitised HTML string. */
export function renderMarkdown(text: string): string {
  let html: string;
  try {
    html = marked.parse(text, { async: false }) as string;
  } catch {
    html = `<p>${escapeHtml(text)}</p>`;
  }
  return purify.sanitize(html, PURIFY_CONFIG) as string;
}

/** Renders untrusted Markdown into an element, replacing what it held. */
export function renderMarkdownInto(el: Element, text: string): void {
  el.innerHTML = renderMarkdown(text);
  // Belt and braces: links are re-checked on the live nodes.
  el.querySelectorAll("a").forEach((a) => {
    const href = a.getAttribute("href");
    if (href === null || !isSafeHref(href)) {
      a.removeAttribute("href");
      a.removeAttribute("target");
    } else {
      a.target = "_blank";
      a.rel = "noopener noreferrer nofollow";
    }
  });
}
