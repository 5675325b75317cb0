/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from "vite";
import vue from "@vitejs/plugin-vue";
import { compression } from "vite-plugin-compression2";
import components from "unplugin-vue-components/vite";
import { VantResolver } from "@vant/auto-import-resolver";

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
  plugins: [
    vue(),
    noCdnFont,
    // Each Vant component (and its CSS) is imported where a template uses it, not
    // the whole library up front: the first page a resident opens loads only what
    // it shows.
    components({ resolvers: [VantResolver()], dts: false }),
    compression({ algorithms: ["brotliCompress", "gzip"], logLevel: "silent" })],
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
    // Components import their Vant styles (above); Vite, not Node, must load them.
    server: { deps: { inline: ["vant"] } },
  },
});
