// What a first visit to one page costs a resident's phone: the bytes on the wire
// (every response, compressed as sent, counted by Chromium's network layer) and,
// on a throttled profile, when the first thing is painted and when the app's page
// is there. A fresh context each time: nothing cached, no service worker yet.

/** Chrome DevTools' and Lighthouse's profiles. `cpu`: the slowdown of a cheap phone. */
export const PROFILES = {
  none: undefined,
  // Lighthouse's mobile default ("Slow 4G"/"Fast 3G" in older tools): 150 ms, 1.6 Mbit/s.
  fast3g: { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8, cpu: 4 },
  // The link of the report: 400 kbit/s, 400 ms.
  slow: { latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (400 * 1024) / 8, cpu: 4 },
};

export async function weigh(browser, base, path, profile = PROFILES.none) {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: "zh-CN", baseURL: base, serviceWorkers: "block" });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    if (profile) {
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: profile.latency, downloadThroughput: profile.downloadThroughput, uploadThroughput: profile.uploadThroughput });
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
    }
    let bytes = 0;
    const files = new Map();
    const urls = new Map();
    cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
    cdp.on("Network.loadingFinished", (e) => {
      bytes += e.encodedDataLength;
      const url = urls.get(e.requestId) ?? "";
      files.set(url, (files.get(url) ?? 0) + e.encodedDataLength);
    });
    const started = Date.now();
    await page.goto(path, { waitUntil: "commit" });
    // The app is there when its tab bar is (the skeleton in index.html has none).
    await page.locator(".van-tabbar").waitFor({ timeout: 120_000 });
    const app = Date.now() - started;
    await page.waitForLoadState("networkidle");
    const paint = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null);
    return { bytes, files, firstPaintMs: paint === null ? null : Math.round(paint), appMs: app };
  } finally {
    await context.close();
  }
}
