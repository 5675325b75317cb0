// The web app's first load on a phone, for `make bench-web`: for each page a
// resident opens first, the bytes on the wire (compressed as the server sends
// them) and, on throttled profiles in Debian's Chromium at 360 px, when the first
// paint comes (the skeleton) and when the page itself is there. The same for the
// previous build (PREVIOUS_DIST: the `dist` of an earlier commit, served by the
// same server in place of ours for its turn). Rewrites the web section of
// docs/BENCHMARKS.md.
import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";
import { PROFILES, weigh } from "./weigh.mjs";

const MARKER = "<!-- web benchmark: written by `make bench-web` -->";
const RUNS = Number(process.env.RUNS ?? 3);
const dist = join(process.cwd(), "dist");
const previous = process.env.PREVIOUS_DIST;
const previousLabel = process.env.PREVIOUS_LABEL ?? "previous";

const server = await startServer(["--demo"]);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-quic"] });
const graphql = async (query) =>
  (await (await fetch(`${server.base}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) })).json()).data;
const ids = await graphql("{ issues(first: 1) { nodes { id } } meetings(first: 1) { nodes { id } } }");
const pages = [
  ["home", "/"],
  ["issues", "/issues"],
  ["issue", `/issues/${ids.issues.nodes[0].id}`],
  ["meetings", "/meetings"],
  ["meeting", `/meetings/${ids.meetings.nodes[0].id}`],
  ["sign-in", "/sign-in"],
  ["verify (lazy: the verifier)", "/verify"],
  ["dashboard (lazy: the charts)", "/dashboard"],
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure() {
  const rows = [];
  for (const [name, path] of pages) {
    const { bytes } = await weigh(browser, server.base, path);
    const fast = [];
    for (let i = 0; i < RUNS; i++) fast.push(await weigh(browser, server.base, path, PROFILES.fast3g));
    const slow = await weigh(browser, server.base, path, PROFILES.slow);
    rows.push({
      name,
      bytes,
      fastPaint: median(fast.map((r) => r.firstPaintMs ?? Infinity)),
      fastApp: median(fast.map((r) => r.appMs)),
      slowPaint: slow.firstPaintMs,
      slowApp: slow.appMs,
    });
  }
  return rows;
}

let current;
let before;
try {
  current = await measure();
  if (previous) {
    if (!existsSync(join(previous, "index.html"))) throw new Error(`${previous} holds no built app`);
    // The server reads web/dist from disk (a debug build): the previous app takes its place for its turn.
    renameSync(dist, `${dist}.current`);
    try {
      cpSync(previous, dist, { recursive: true });
      before = await measure();
    } finally {
      rmSync(dist, { recursive: true, force: true });
      renameSync(`${dist}.current`, dist);
    }
  }
} finally {
  await browser.close();
  server.stop();
}

const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
const s = (ms) => (ms == null || !Number.isFinite(ms) ? "—" : `${(ms / 1000).toFixed(2)} s`);
const lines = [
  MARKER,
  "## The web app's first load (issue 18)",
  "",
  `\`make bench-web\` (\`web/tests/browser/bench.mjs\`): \`roundtable serve --demo\` (debug build, serving \`web/dist\` from disk) on this machine (${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB), Debian's Chromium ${browser.version()} driven by playwright-core at 360 × 780 px, a fresh browser context per load (no cache, no service worker). Bytes: every response of the page's first load as it crossed the wire (Chromium's encodedDataLength), API answers included. Fast 3G: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, CPU slowed 4× (Lighthouse's mobile profile), median of ${RUNS}; slow: 400 ms, 400 kbit/s, CPU 4× (the link in issue 18's report), one run. First paint: Chromium's first-contentful-paint (the skeleton in \`index.html\`); page: the app's tab bar is there. Target: ≤ 250 KB for the pages a resident opens first (the last column is bytes ÷ 250 KB); a skeleton within 1 s on Fast 3G.`,
  "",
];
const table = (rows, title) => {
  lines.push(`${title}`, "", "| page | bytes | ÷ 250 KB | first paint, Fast 3G | page, Fast 3G | first paint, 400 kbit/s | page, 400 kbit/s |", "| --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) lines.push(`| ${r.name} | ${kb(r.bytes)} | ${(r.bytes / 250_000).toFixed(2)} | ${s(r.fastPaint)} | ${s(r.fastApp)} | ${s(r.slowPaint)} | ${s(r.slowApp)} |`);
  lines.push("");
};
table(current, "This build:");
if (before) table(before, `The previous build (${previousLabel}, the app as issue 18 found it), same server:`);

const out = join(process.cwd(), "..", "docs", "BENCHMARKS.md");
const old = readFileSync(out, "utf8");
const at = old.indexOf(MARKER);
const head = at < 0 ? old : old.slice(0, at);
const rest = at < 0 ? "" : old.slice(at + MARKER.length);
const next = rest.indexOf("\n<!-- ");
const tail = next < 0 ? "" : rest.slice(next + 1);
writeFileSync(out, `${head.trimEnd()}\n\n${lines.join("\n").trimEnd()}\n${tail ? `\n${tail}` : ""}`);
console.log(lines.join("\n"));
