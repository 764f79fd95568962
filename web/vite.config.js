// Multi-page build: index.html is the arena (served at `/`), leaderboard.html the leaderboard
// (`/leaderboard`), report.html the live stage dashboard (`/stage`), review.html the experts'
// review page (`/review`). Assets go to dist/assets/ and are referenced as /assets/...
//
// `npx vite` (development) proxies /api to the contest server at KAIEVAL_API_URL
// (default http://127.0.0.1:8080) and serves /leaderboard as the server does.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  appType: "mpa",
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 700,
    // every asset a file under /assets/, none inlined as data: (a strict CSP needs no data: URLs)
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: {
        index: resolve(root, "index.html"),
        leaderboard: resolve(root, "leaderboard.html"),
        report: resolve(root, "report.html"),
        review: resolve(root, "review.html"),
      },
    },
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": { target: process.env.KAIEVAL_API_URL || "http://127.0.0.1:8080", changeOrigin: false },
    },
  },
  plugins: [
    {
      name: "kaieval-pretty-urls",
      configureServer(server) {
        server.middlewares.use((req, _res, next) => {
          for (const [path, file] of [["/leaderboard", "/leaderboard.html"], ["/stage", "/report.html"], ["/review", "/review.html"]]) {
            if (req.url === path || req.url?.startsWith(`${path}?`)) req.url = req.url.replace(path, file);
          }
          next();
        });
      },
    },
  ],
});
