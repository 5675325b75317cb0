/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from "vite";
import vue from "@vitejs/plugin-vue";
import { compression } from "vite-plugin-compression2";

// `roundtable serve` serves the built app; `npm run dev` proxies the API to it.
const api = process.env.ROUNDTABLE_URL ?? "http://127.0.0.1:8080";

// Vant's icon font falls back to a CDN; the app loads nothing from elsewhere
// (privacy, and the server's CSP forbids it), and the inline WOFF2 suffices.
const noCdnFont: Plugin = {
  name: "roundtable-no-cdn-font",
  transform(code, id) {
    if (!id.includes("vant") || !id.endsWith(".css")) return null;
    return code.replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\("woff"\)/g, "");
  },
};

export default defineConfig({
  // Every text asset also as `.br` and `.gz` beside it: the server sends the one
  // the browser accepts (`services/api/src/web.rs`), so a cheap phone on a slow
  // link downloads a quarter of the bytes, and nothing is compressed per request.
  plugins: [vue(), noCdnFont, compression({ algorithms: ["brotliCompress", "gzip"], logLevel: "silent" })],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      "/graphql/ws": { target: api.replace(/^http/, "ws"), ws: true },
      "/graphql": api,
      "/log": api,
      "/photos": api,
    },
  },
  test: {
    environment: "happy-dom",
    include: ["tests/unit/**/*.test.ts"],
  },
});
