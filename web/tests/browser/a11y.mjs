// Checks run on every page the browser test visits: axe-core (npm `axe-core`, the
// WCAG 2.1 A/AA rules and its best practices) finds no critical or serious
// violation; every control has a name, every image a text, text contrast meets
// WCAG 2.1 AA, and nothing is wider than the screen. Returns the problems found
// (an empty list when the page passes); lesser axe findings go to `minor`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** axe's moderate and minor findings, by rule, over the whole run (reported, not failed). */
export const minor = new Map();

export async function checkPage(page, name = "") {
  // Evaluated, not injected as a <script>: the app's CSP forbids inline scripts.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
  });
  const axeProblems = [];
  for (const v of found) {
    if (v.impact === "critical" || v.impact === "serious") axeProblems.push(`axe ${v.impact} ${v.id}: ${v.nodes.join(", ")}`);
    else minor.set(v.id, [...(minor.get(v.id) ?? []), name]);
  }
  return [...axeProblems, ...(await ownChecks(page))];
}

function ownChecks(page) {
  return page.evaluate(() => {
    const problems = [];
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none" && Number(s.opacity) > 0.1;
    };
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : ""} "${(el.textContent ?? "").trim().slice(0, 30)}"`;
    const nameOf = (el) =>
      el.getAttribute("aria-label") ||
      (el.getAttribute("aria-labelledby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent ?? "").join("").trim() ||
      (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent?.trim()) ||
      el.closest("label")?.textContent?.trim() ||
      el.getAttribute("title") ||
      (["BUTTON", "A"].includes(el.tagName) ? el.textContent?.trim() : "");

    for (const el of document.querySelectorAll("input, select, textarea, button, a[href]")) {
      if (el.type === "hidden") continue;
      const hiddenFile = el.type === "file" || el.type === "checkbox" ? false : !visible(el);
      if (hiddenFile) continue;
      if (!nameOf(el)) problems.push(`no accessible name: ${describe(el)}`);
    }
    for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) problems.push(`image without alt: ${img.src.slice(0, 60)}`);

    // Contrast of visible text against the first opaque background behind it.
    const rgba = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
        if (getComputedStyle(e).backgroundImage !== "none") return undefined;
      }
      return [255, 255, 255];
    };
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || !node.textContent.trim() || seen.has(el) || !visible(el)) continue;
      seen.add(el);
      if (el.closest("[disabled], .van-button--disabled, canvas, svg")) continue;
      const style = getComputedStyle(el);
      const fg = rgba(style.color);
      const bg = background(el);
      if (!bg || (fg.length === 4 && fg[3] < 0.5)) continue;
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} for ${describe(el)} (${style.color} on rgb(${bg.join(",")}))`);
    }
    // Touch targets (适老化): 44 px at least, 48 px in the 大字 mode.
    const least = document.documentElement.classList.contains("large-text") ? 48 : 44;
    for (const el of document.querySelectorAll("button, [role=button], [role=switch], select, a.van-button, .van-tabbar-item")) {
      if (!visible(el) || el.closest(".van-dialog, .van-toast, .van-nav-bar__right")) continue;
      const h = el.getBoundingClientRect().height;
      if (h < least - 0.5) problems.push(`touch target ${Math.round(h)} px high (< ${least}): ${describe(el)}`);
    }
    // A placeholder the field cuts off says only half of its hint.
    const measure = document.createElement("canvas").getContext("2d");
    for (const el of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
      if (!visible(el) || el.value) continue;
      const style = getComputedStyle(el);
      measure.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const width = measure.measureText(el.placeholder).width;
      if (el.tagName === "INPUT" && width > room + 1) problems.push(`placeholder cut off (${Math.round(width)} > ${Math.round(room)} px): "${el.placeholder}"`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push(`wider than the screen: ${document.documentElement.scrollWidth}px > ${window.innerWidth}px`);
    return problems;
  });
}
