/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from "vite";
import vue from "@vitejs/plugin-vue";
import { compression } from "vite-plugin-compression2";
import components from "unplugin-vue-components/vite";
import { VantResolver } from "@vant/auto-import-resolver";
import { VitePWA } from "vite-plugin-pwa";

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
    // A service worker (Workbox) keeps the app shell, so the meeting console and the
    // raise form open in a hall whose Wi-Fi comes and goes; what they send while
    // offline waits in the outbox (src/api/outbox.ts). The dashboard (ECharts) and
    // the verifier are cached when first used, not downloaded up front.
    VitePWA({
      registerType: "autoUpdate",
      injectRegister: false,
      manifest: false,
      workbox: {
        globPatterns: ["index.html", "assets/*.{js,css}"],
        globIgnores: ["assets/DashboardPage-*", "assets/VerifyPage-*"],
        navigateFallback: "/index.html",
        navigateFallbackDenylist: [/^\/(graphql|log|photos|metrics|healthz|_test)/],
        // Assets are named by their content's hash: a cached one is never stale.
        runtimeCaching: [{ urlPattern: /\/assets\//, handler: "CacheFirst", options: { cacheName: "assets", expiration: { maxEntries: 200 } } }],
        cleanupOutdatedCaches: true,
      },
    }),
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
