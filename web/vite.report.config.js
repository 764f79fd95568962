// The static stage report as one self-contained file: dist-report/report.html with its JS and CSS
// inline and no request to anything else, so that it opens from file:// and prints to PDF.
// `kaieval stage report` fills its <script type="application/json" id="report-data"> element.
//
//   npm run build:report
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

// Text that could end the element it is inlined into; in a script also "<!--", whose
// "double-escaped" state would keep a later </script> from closing it. "\/" and "\u0021" mean
// "/" and "!" in JS strings, templates and regexes alike.
function escapeInline(text, tag) {
  const out = text.replace(new RegExp(`</(${tag})`, "gi"), (_m, name) => `<\\/${name}`);
  return tag === "script" ? out.replace(/<!--/g, () => "<\\u0021--") : out;
}

/** Replaces the emitted <script src> and <link rel=stylesheet> of each HTML page with their content. */
function inlineEverything() {
  return {
    name: "kaieval-inline-report",
    enforce: "post",
    generateBundle(_options, bundle) {
      const inlined = new Set();
      const byUrl = (url) => {
        const name = url.replace(/^\.?\//, "");
        const item = bundle[name];
        if (!item) this.error(`report.html refers to ${url}, which is not in the bundle`);
        inlined.add(name);
        return item.type === "chunk" ? item.code : String(item.source);
      };
      for (const item of Object.values(bundle)) {
        if (item.type !== "asset" || !item.fileName.endsWith(".html")) continue;
        let html = String(item.source);
        html = html.replace(/<script type="module" crossorigin src="([^"]+)"><\/script>/g, (_m, url) => {
          // a replacer's return value is used as is ("$&" in the code stays "$&")
          return `<script type="module">${escapeInline(byUrl(url), "script")}</script>`;
        });
        html = html.replace(/<link rel="modulepreload"[^>]*>/g, "");
        html = html.replace(/<link rel="stylesheet" crossorigin href="([^"]+)">/g, (_m, url) => {
          const css = escapeInline(byUrl(url), "style");
          return `<style>${css}</style>`;
        });
        const left = html.match(/<(?:script|link|img)\b[^>]*\s(?:src|href)="[^"]*"/);
        if (left) this.error(`report.html still refers to a file: ${left[0]}`);
        item.source = html;
      }
      for (const name of inlined) delete bundle[name];
    },
  };
}

export default defineConfig({
  root,
  base: "./",
  appType: "mpa",
  build: {
    outDir: "dist-report",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 900,
    modulePreload: false,
    cssCodeSplit: false,
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    rolldownOptions: {
      input: { report: resolve(root, "report.html") },
      output: { codeSplitting: false },
    },
  },
  plugins: [inlineEverything()],
});
