// The whole story in Debian's Chromium (playwright-core), in zh-CN, against a real
// `roundtable serve --demo` on a fresh data directory: a resident registers, is
// verified by a grid worker, raises an issue; ten neighbours co-sign it to the
// docket; the chair takes it up, convenes a meeting, runs roll call with a proxy, a
// motion with an amendment and two votes; the resolution is carried out and the
// resident rates it, keeping the receipt; an auditor verifies that receipt in the
// browser and a tampered copy is refused. Screenshots of each main page, at phone
// and desktop sizes, go to web/test-results/screenshots.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { checkPage, minor } from "./a11y.mjs";
import { startServer } from "./server.mjs";
import { weigh } from "./weigh.mjs";

const PASSWORD = "roundtable-demo";
const PHONE = { width: 360, height: 780 };
const DESKTOP = { width: 1280, height: 800 };
const shots = join(process.cwd(), "test-results", "screenshots");
mkdirSync(shots, { recursive: true });

const server = await startServer(["--demo", "--test-clock", "--session-hours", "2000"]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const errors = [];
let step = "start";
let last;

/** A person at a device: a fresh browser context, signed in when a phone is given. */
async function person(phone, viewport = PHONE, options = {}) {
  const context = await browser.newContext({ viewport, locale: "zh-CN", acceptDownloads: true, baseURL: server.base, ...options });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`${step}: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && !/Failed to load resource/.test(m.text()) && errors.push(`${step}: console: ${m.text()}`));
  last = page;
  if (phone) {
    await page.goto("/sign-in");
    await page.fill("input[name=phone]", phone);
    await page.fill("input[name=password]", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForURL((u) => u.pathname === "/");
  }
  return page;
}

async function shot(page, name) {
  last = page;
  await page.waitForLoadState("networkidle").catch(() => {});
  // A success toast fading out is half transparent: checked once it is gone.
  await page.waitForFunction(() => ![...document.querySelectorAll(".van-toast")].some((t) => getComputedStyle(t).display !== "none"), null, { timeout: 5000 }).catch(() => {});
  // A dialog still fading in is half transparent too: wait for every transition.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity), null, { timeout: 5000 }).catch(() => {});
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const problems = await checkPage(page, name);
  assert.deepEqual(problems, [], `accessibility problems on ${name}`);
}

const the = (page, test) => page.locator(`[data-test="${test}"]`);
/** Chooses the option whose text contains `text`. */
async function choose(select, text) {
  const option = select.locator("option", { hasText: text }).first();
  await option.waitFor({ state: "attached" });
  await select.selectOption((await option.getAttribute("value")) ?? "");
}
/** Every leaf of the log as text (the public `/log/entries`, 1,000 at a time). */
async function leaves() {
  const size = (await (await fetch(`${server.base}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{ logSize }"}' })).json()).data.logSize;
  const out = [];
  for (let start = 0; start < size; start += 1000) {
    const page = await (await fetch(`${server.base}/log/entries?start=${start}&end=${Math.min(size, start + 1000)}`)).text();
    out.push(...page.split("\n").filter(Boolean));
  }
  return out;
}
const rollOf = (page, name) => page.locator('[data-test^="roll-"]', { hasText: name });

try {
  step = "a wrong password is refused in Chinese";
  // Without a service worker (as in a browser that has none): the step that drops a
  // page's script intercepts the page's own requests, which a worker would make instead.
  // Their phone is at 4号楼 (to the metre; the server keeps it to about 100 m).
  const lin = await person(undefined, PHONE, { serviceWorkers: "block", geolocation: { latitude: 42.2234567, longitude: 123.7265432 }, permissions: ["geolocation"] });
  await lin.goto("/sign-in");
  await lin.fill("input[name=phone]", "13900000012");
  await lin.fill("input[name=password]", "not-the-password");
  await lin.click("button[type=submit]");
  await lin.locator("[role=alert]", { hasText: "手机号或密码不对" }).waitFor();
  assert.doesNotMatch(await lin.locator("[role=alert]").innerText(), /[a-z]{4}/, "no English words in the refusal");
  await shot(lin, "sign-in-refused-phone");

  step = "a resident registers";
  await lin.goto("/register");
  await lin.fill("input[name=phone]", "13800000001");
  await lin.fill("input[name=password]", "short");
  await lin.fill("input[name=displayName]", "小林");
  const grid = lin.locator("#homeGrid option", { hasText: "银网社区第一网格" });
  await grid.waitFor({ state: "attached" });
  await lin.selectOption("#homeGrid", (await grid.getAttribute("value")) ?? "");
  // Bad input: the refusal sits next to its field, said in Chinese (the server's reason,
  // translated), and nothing typed is lost.
  await lin.click("button[type=submit]");
  await lin.locator(".van-field__error-message", { hasText: "密码需要 8 到 128 位" }).waitFor();
  assert.equal(await lin.inputValue("input[name=phone]"), "13800000001");
  assert.equal(await lin.inputValue("input[name=displayName]"), "小林");
  await shot(lin, "register-error-phone");
  await lin.fill("input[name=password]", "lin-password-1");
  await lin.click("button[type=submit]");
  await lin.waitForURL((u) => u.pathname === "/");
  await lin.getByText("您的身份尚未核实").first().waitFor();
  await shot(lin, "home-unverified-phone");

  step = "a page whose script does not arrive offers a reload";
  // The connection drops just as the next page's script is fetched.
  await lin.route("**/assets/VerifyPage-*.js", (request) => request.abort());
  await lin.locator(".van-tabbar-item", { hasText: "核验" }).click();
  await the(lin, "page-load-failed").getByText("这个页面没能加载").waitFor();
  await shot(lin, "page-load-failed-phone");
  await lin.unroute("**/assets/VerifyPage-*.js");
  await the(lin, "page-load-failed").getByRole("button", { name: "重新加载" }).click();
  await lin.waitForURL((u) => u.pathname === "/verify");
  await lin.locator("h1, h2").first().waitFor();
  assert.equal(await the(lin, "page-load-failed").count(), 0);

  step = "a grid worker verifies the resident";
  const zhang = await person("13900000003");
  await zhang.goto("/residents");
  await the(zhang, "resident-小林").getByRole("button", { name: "核实" }).click();
  await the(zhang, "verified-list").getByText("小林").waitFor();
  await shot(zhang, "residents-phone");

  step = "the grid worker keeps the grid's buildings";
  const list = the(zhang, "buildings-text");
  await zhang.waitForFunction(() => document.querySelector('[data-test="buildings-text"]')?.value.includes("4号楼"));
  const listed = await list.inputValue();
  assert.match(listed, /4号楼：1单元，2单元，3单元/);
  await list.fill(`${listed}\n1号楼`); // a building twice is refused, in Chinese, and nothing changes
  await the(zhang, "buildings-save").click();
  await the(zhang, "buildings-editor").getByText("1号楼 重复了").waitFor();
  await list.fill(`${listed}\n物业服务中心`);
  await the(zhang, "buildings-save").click();
  await zhang.locator(".action-done", { hasText: "楼栋已保存" }).waitFor();
  await lin.goto("/me");
  await the(lin, "verification").getByText("已由 张丽 核实").waitFor();
  await shot(lin, "account-phone");

  step = "大字 mode: switched on the account page, remembered, 48 px targets";
  await the(lin, "large-text").click();
  await lin.waitForFunction(() => document.documentElement.classList.contains("large-text"));
  await lin.reload();
  await the(lin, "verification").waitFor();
  assert.ok(await lin.evaluate(() => document.documentElement.classList.contains("large-text")), "remembered after a reload");
  await shot(lin, "account-large-text-phone"); // the checks ask 48 px of every target in this mode
  await lin.goto("/issues");
  await shot(lin, "issues-large-text-phone");
  await lin.goto("/me");
  await the(lin, "large-text").click();
  await lin.waitForFunction(() => !document.documentElement.classList.contains("large-text"));

  step = "the resident raises an issue";
  await lin.goto("/raise");
  await the(lin, "category-DRAINAGE").click();
  await lin.fill("input[name=title]", "4号楼门前积水严重");
  await lin.fill("textarea[name=description]", "下雨后4号楼门前积水没过脚踝，老人出门困难，已经持续两周。");
  // The place is picked from the grid's buildings, with the detail in words.
  await choose(the(lin, "place-building"), "4号楼");
  await choose(the(lin, "place-unit"), "1单元");
  await lin.fill("input[name=place]", "楼门前");
  await the(lin, "attach-gps").click();
  await the(lin, "gps-attached").waitFor();
  await lin.waitForTimeout(600); // similar issues are looked up as the resident types
  await shot(lin, "raise-phone");
  await the(lin, "submit-issue").click();
  await lin.waitForURL(/\/issues\/i_/);
  const issueUrl = new URL(lin.url()).pathname;
  const issueId = issueUrl.split("/").pop();
  await the(lin, "issue-status").getByText("待受理").waitFor();
  await the(lin, "issue-place").getByText("4号楼 · 1单元 · 楼门前").waitFor();
  await the(lin, "raised-from").getByText("42.223, 123.727").waitFor();

  step = "ten neighbours co-sign it to the docket";
  const neighbours = ["13900000011", "13900000012", ...Array.from({ length: 8 }, (_, i) => `139000001${String(i + 1).padStart(2, "0")}`)];
  let kept;
  for (const [n, phone] of neighbours.entries()) {
    const neighbour = await person(phone);
    await neighbour.goto(issueUrl);
    await the(neighbour, "cosign").click();
    await the(neighbour, "supporters").getByText(`${n + 1} 人联名`).waitFor();
    if (n === 0) {
      // The first keeps the receipt of their co-signature.
      const download = neighbour.waitForEvent("download");
      await the(neighbour, "receipt-download").first().click();
      kept = join(shots, "..", "cosign.tlog-proof");
      await (await download).saveAs(kept);
      await shot(neighbour, "issue-cosigned-phone");
    }
    await neighbour.context().close();
  }
  assert.ok(kept, "a receipt was downloaded");

  step = "a resident of another community is told why they cannot co-sign";
  const zheng = await person("13900000014");
  await zheng.goto(issueUrl);
  await the(zheng, "cosign-why-not").getByText("只有本网格").waitFor();
  assert.equal(await the(zheng, "cosign").count(), 0, "no co-sign button that would fail");
  assert.equal(await the(zheng, "raised-from").count(), 0, "where it was raised from is for staff only");
  await shot(zheng, "issue-why-not-phone");
  await zheng.context().close();
  await lin.reload();
  await lin.getByText("已列入 银网社区圆桌议事会 的待议事项").waitFor();
  await shot(lin, "issue-phone");

  step = "the chair takes the issue up";
  const chair = await person("13900000006", DESKTOP);
  await chair.goto("/triage");
  await chair.getByText("4号楼门前积水严重").first().waitFor();
  await shot(chair, "triage-desktop");
  await chair.goto(issueUrl);
  await the(chair, "raised-from").getByText("42.223, 123.727").waitFor();
  await the(chair, "triage-accept").click();
  await choose(the(chair, "triage-council"), "银网社区圆桌议事会");
  await the(chair, "triage-submit").click();
  await the(chair, "issue-status").getByText("处理中").waitFor();

  step = "the raiser hears of it: the unread count, then read once seen";
  await lin.goto("/");
  await the(lin, "unread-badge").waitFor();
  const fresh = the(lin, "notification-unread").filter({ hasText: "受理" });
  await fresh.first().waitFor();
  await fresh.first().scrollIntoViewIfNeeded();
  await shot(lin, "home-notifications-phone");
  // Seen for a moment: marked read on the server, so the count goes.
  await the(lin, "unread-badge").waitFor({ state: "detached", timeout: 10_000 });
  await lin.reload();
  await the(lin, "notification-read").first().waitFor();
  assert.equal(await the(lin, "notification-unread").count(), 0, "all marked read");

  step = "the chair convenes a meeting from the docket";
  await chair.goto("/meetings");
  await the(chair, "convene").first().click();
  await the(chair, "meeting-title").fill("4号楼积水问题圆桌会");
  await the(chair, "venue").fill("银网社区党群服务中心");
  await the(chair, `docket-${issueId}`).check();
  await shot(chair, "convene-desktop");
  await the(chair, "convene-submit").click();
  await chair.waitForURL(/\/meetings\/mt_[^/]+\/console/);
  const meetingUrl = new URL(chair.url()).pathname.replace(/\/console$/, "");
  const meetingId = meetingUrl.split("/").pop();
  // The notice period passes; the meeting day comes.
  await server.advanceHours(8 * 24);

  step = "roll call with a proxy";
  await chair.reload();
  for (const name of ["赵书记", "孙秘书"]) {
    const row = rollOf(chair, name);
    await row.locator('[data-test="check-in"]').click();
    await row.getByText("出席").waitFor();
  }

  step = "answers lost on the way: the live view resynchronises, a retry lands once";
  // The hall's Wi-Fi drops the answer to the first CheckIn and the first GiveProxy
  // after the server has done the work.
  const dropped = new Set();
  await chair.route("**/graphql", async (route) => {
    const body = route.request().postData() ?? "";
    const name = /mutation (CheckIn|GiveProxy)\b/.exec(body)?.[1];
    if (name && !dropped.has(name)) {
      dropped.add(name);
      await route.fetch();
      return route.abort("connectionreset");
    }
    return route.continue();
  });
  const zhouRow = rollOf(chair, "周经理");
  await zhouRow.locator('[data-test="check-in"]').click();
  // The command waits in the outbox and goes again with its key at once; the
  // subscription brings the check-in the server recorded.
  await zhouRow.getByText("出席").waitFor();
  await choose(the(chair, "proxy-from"), "陈大爷");
  await choose(the(chair, "proxy-to"), "周经理");
  await the(chair, "give-proxy").click();
  await the(chair, "outbox").waitFor({ state: "detached" });
  await the(chair, "give-proxy").click(); // the same tap again: the same command, the same key
  await rollOf(chair, "陈大爷").getByText("委托 铁岭供水公司 周经理", { exact: false }).waitFor();
  await chair.unroute("**/graphql");
  // The retry was answered as the original command (a new key would have been refused).
  await chair.getByRole("alert").waitFor({ state: "detached" });
  assert.deepEqual([...dropped].sort(), ["CheckIn", "GiveProxy"]);
  const ofMeeting = (type) => leaves().then((all) => all.filter((l) => l.includes(`"type":"${type}"`) && l.includes(meetingId)).length);
  assert.equal(await ofMeeting("meeting.checked_in"), 3, "赵书记, 孙秘书, 周经理: each once");
  assert.equal(await ofMeeting("meeting.proxy_given"), 1, "the retried proxy is recorded once");
  await the(chair, "quorum").getByText("达到法定人数").waitFor();
  await shot(chair, "console-roll-desktop");
  await the(chair, "open-meeting").click();
  await chair.getByText("进行中").first().waitFor();

  step = "a motion with an amendment";
  const secretary = await person("13900000007", DESKTOP);
  await chair.getByRole("tab", { name: "议程" }).click();
  await the(chair, "open-item-1").click();
  await chair.getByRole("tab", { name: "议事" }).click();
  await the(chair, "motion-text").fill("由社区协调物业在一个月内疏通4号楼门前排水管道。");
  await the(chair, "move-motion").click();
  await the(chair, "motion-1").waitFor();
  // No vote yet: the vote tab says what the motion waits for (the domain's rule).
  await chair.getByRole("tab", { name: "表决" }).click();
  await the(chair, "waiting-1").getByText("规则要求有人附议").waitFor();
  await chair.waitForTimeout(400); // the tab slides in
  await shot(chair, "console-vote-waiting-desktop");
  await chair.getByRole("tab", { name: "议事" }).click();
  await secretary.goto(`${meetingUrl}/console`);
  await secretary.getByRole("tab", { name: "议事" }).click();
  await the(secretary, "motion-1").locator('[data-test="second"]').click();
  await secretary.locator(".action-done", { hasText: "已附议" }).waitFor();

  step = "the hall's Wi-Fi drops: the secretary's actions wait, then land once each";
  // The app shell is kept by the service worker; what is done offline waits in IndexedDB.
  await secretary.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await secretary.context().setOffline(true);
  await choose(the(secretary, "statement-speaker"), "周经理");
  await the(secretary, "statement-summary").fill("物业表示本周内可以安排疏通。");
  await the(secretary, "record-statement").click();
  await the(secretary, "amend-text").fill("由社区协调物业在两周内疏通4号楼门前排水管道，并加装雨水篦子。");
  await the(secretary, "move-amendment").click();
  await the(secretary, "outbox").getByText("2 项操作").waitFor();
  await the(secretary, "outbox").getByRole("button", { name: "项操作" }).click();
  await the(secretary, "outbox-entry").filter({ hasText: "提出修正案" }).waitFor();
  await shot(secretary, "console-offline-desktop");
  // Still offline, the app opens again from the service worker, and the outbox is kept.
  await secretary.goto("/");
  await the(secretary, "outbox").getByText("2 项操作").waitFor();
  await secretary.context().setOffline(false);
  await the(secretary, "outbox").waitFor({ state: "detached", timeout: 30_000 });
  await the(chair, "motion-2").waitFor();
  assert.equal(await ofMeeting("meeting.statement_recorded"), 1, "the queued statement landed once");
  assert.equal(await ofMeeting("meeting.motion_moved"), 2, "the motion, and the queued amendment once");
  await secretary.goto(`${meetingUrl}/console`);
  await the(chair, "motion-2").locator('[data-test="second"]').click();
  await the(chair, "motion-2").getByText("孙秘书", { exact: false }).waitFor();
  await shot(chair, "console-floor-desktop");

  step = "the votes";
  const utility = await person("13900000008");
  async function voteAll(motion) {
    await the(chair, `open-vote-${motion}`).click();
    await chair.getByRole("tab", { name: "表决" }).click();
    // Each member votes from their own device; 周经理 also casts 陈大爷's proxy ballot.
    for (const voter of [chair, secretary, utility]) {
      await voter.goto(meetingUrl);
      const ballots = voter.locator('[data-test^="ballot-"]');
      await ballots.first().waitFor();
      for (let i = 0, n = await ballots.count(); i < n; i++) {
        await ballots.nth(i).getByRole("button", { name: "赞成" }).click();
        await ballots.nth(i).getByText("已投票").waitFor();
      }
    }
    await chair.goto(`${meetingUrl}/console`);
    await chair.getByRole("tab", { name: "表决" }).click();
    await the(chair, "tally-yes").first().getByText("4").waitFor();
    await the(chair, "close-vote").click();
    // Closing cannot be undone: a dialog says what it means first.
    const dialog = chair.locator(".confirm-irreversible");
    await dialog.getByText("还有 0 人没有投票").waitFor();
    if (motion === 2) await shot(chair, "console-close-vote-confirm-desktop");
    await dialog.locator(".van-dialog__confirm").click();
    await chair.locator(".action-done", { hasText: "表决结束" }).waitFor();
    await chair.locator('[data-test^="outcome-"]').getByText("通过").first().waitFor();
    await chair.getByRole("tab", { name: "议事" }).click();
  }
  await voteAll(2); // the amendment first
  await utility.goto(meetingUrl);
  await shot(utility, "meeting-phone");
  await voteAll(1); // then the motion as amended
  await chair.getByRole("tab", { name: "表决" }).click();
  await chair.waitForTimeout(400); // the tab slides in
  await shot(chair, "console-vote-desktop");

  step = "the resolution is recorded and carried out";
  await chair.getByRole("tab", { name: "决议与休会" }).click();
  await the(chair, "task").fill("协调物业疏通排水管道");
  await choose(the(chair, "assignee"), "周经理");
  await the(chair, "due").fill(new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10));
  await the(chair, "record-resolution").click();
  await chair.waitForURL(/\/resolutions\/r_/);
  await the(chair, "resolution-text").getByText("两周内").waitFor();
  await the(chair, "publish").click();
  await the(chair, "percent").fill("60");
  await the(chair, "progress-text").fill("物业已疏通管道，雨水篦子采购中。");
  await the(chair, "report").click();
  await chair.getByText("物业已疏通管道").waitFor();
  await the(chair, "result").fill("管道已疏通，雨水篦子已安装，雨后不再积水。");
  await the(chair, "implement").click();
  await the(chair, "publish-result").click();
  await the(chair, "result-published").waitFor();
  await shot(chair, "resolution-desktop");

  step = "the resident rates the result and keeps the receipt";
  await lin.goto(issueUrl);
  await the(lin, "rate").getByRole("button", { name: "满意", exact: true }).click();
  await the(lin, "issue-status").getByText("已办结").waitFor();
  const ratingDownload = lin.waitForEvent("download");
  await the(lin, "receipt-download").first().click();
  const ratingReceipt = join(shots, "..", "rating.tlog-proof");
  await (await ratingDownload).saveAs(ratingReceipt);

  step = "an auditor signs in with the keyboard alone, and verifies the kept receipts";
  const auditor = await person(undefined, DESKTOP);
  await auditor.goto("/sign-in");
  await auditor.locator("input[name=phone]").focus();
  await auditor.keyboard.type("13900000002");
  await auditor.keyboard.press("Tab");
  await auditor.keyboard.type(PASSWORD);
  await auditor.keyboard.press("Enter");
  await auditor.waitForURL((u) => u.pathname === "/");
  // The main navigation is reachable by keyboard, with a visible focus ring.
  let focused = "";
  for (let i = 0; i < 80 && !focused.includes("核验"); i++) {
    await auditor.keyboard.press("Tab");
    focused = await auditor.evaluate(() => (document.activeElement?.getAttribute("role") === "tab" ? document.activeElement.textContent ?? "" : ""));
  }
  assert.ok(focused.includes("核验"), "the Verify tab is reachable with Tab");
  assert.notEqual(await auditor.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), "none", "visible focus");
  await auditor.keyboard.press("Enter");
  await auditor.waitForURL((u) => u.pathname === "/verify");
  await the(auditor, "checkpoint-ok").waitFor();
  for (const file of [kept, ratingReceipt]) {
    await the(auditor, "receipt-file").setInputFiles(file);
    await the(auditor, "receipt-ok").waitFor();
  }
  await auditor.getByText("issue.rated").waitFor();
  // What a QR code holds: the bare proof (the page fetches the leaf the proof binds).
  const bare = readFileSync(kept, "utf8").split("\n").filter((l) => !l.startsWith("extra ")).join("\n");
  await auditor.getByText("粘贴凭证文字").click();
  await the(auditor, "receipt-text").fill(bare);
  await the(auditor, "receipt-paste-check").click();
  await auditor.getByText("issue.cosigned").waitFor();
  await shot(auditor, "verify-desktop");

  step = "a tampered receipt is refused";
  const text = readFileSync(kept, "utf8");
  const lines = text.split("\n");
  const extra = lines.findIndex((l) => l.startsWith("extra "));
  const leaf = Buffer.from(lines[extra].slice(6), "base64").toString("utf8").replace(/"seq":(\d+)/, (_, n) => `"seq":${Number(n) + 1}`);
  lines[extra] = `extra ${Buffer.from(leaf).toString("base64")}`;
  const tampered = join(shots, "..", "tampered.tlog-proof");
  writeFileSync(tampered, lines.join("\n"));
  await the(auditor, "receipt-file").setInputFiles(tampered);
  await the(auditor, "receipt-bad").waitFor();
  await shot(auditor, "verify-tampered-desktop");

  step = "the auditor walks the meeting's chain and recounts its votes";
  await the(auditor, "stream").locator("input").fill(`meeting/${meetingId}`);
  await the(auditor, "walk").click();
  await the(auditor, "chain-ok").waitFor({ timeout: 60_000 });
  await the(auditor, "recount-1").getByText("✔").waitFor();
  await the(auditor, "recount-2").getByText("✔").waitFor();
  await the(auditor, "due-times-ok").waitFor();

  step = "a resident asks for mediation in three questions, plainly told it is voluntary and private";
  const zhouM = await person("13900000012");
  await the(zhouM, "mediation").click();
  await zhouM.getByText("调解是自愿的").first().waitFor();
  await shot(zhouM, "disputes-phone");
  await the(zhouM, "new-dispute").click();
  await the(zhouM, "kind-NEIGHBOURS").click();
  await the(zhouM, "other-name").fill("楼上李师傅");
  await the(zhouM, "other-phone").fill("13700000001");
  await the(zhouM, "claim").fill("楼上空调外机滴水到我家窗台");
  await shot(zhouM, "dispute-new-phone");
  await the(zhouM, "send-dispute").click();
  await zhouM.waitForURL((u) => /\/disputes\/d_/.test(u.pathname));
  await the(zhouM, "dispute-status").getByText("等待对方同意").waitFor();
  await the(zhouM, "dispute-next").getByText("等待对方答复").waitFor();
  await shot(zhouM, "dispute-awaiting-phone");

  step = "a neighbour with an account is asked, and accepts in the app";
  // A case naming a resident with an account (as a grid worker would record it).
  const neighbourM = await person("13900000106");
  const neighbourId = await neighbourM.evaluate(async () => (await (await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{ me { member { id } } }"}' })).json()).data.me.member.id);
  const caseId = await zhouM.evaluate(async (respondent) => {
    const csrf = decodeURIComponent(document.cookie.split("; ").find((c) => c.startsWith("rt_csrf="))?.slice(8) ?? "");
    const body = JSON.stringify({
      query: "mutation($i: RaiseDisputeInput!) { raiseDispute(input: $i) { dispute { id } } }",
      variables: { i: { kind: "NEIGHBOURS", respondents: [respondent], claim: "楼上卫生间漏水，吊顶泡坏了，请赔偿维修费" } },
    });
    const r = await (await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": csrf }, body })).json();
    return r.data.raiseDispute.dispute.id;
  }, neighbourId);
  // They hear of it on the home page, asked to answer, and the notice opens the case.
  await neighbourM.goto("/");
  await the(neighbourM, "notification-unread").filter({ hasText: "请答复：是否同意调解" }).first().click();
  await neighbourM.waitForURL((u) => u.pathname === `/disputes/${caseId}`);
  await the(neighbourM, "accept").waitFor();
  await shot(neighbourM, "dispute-answer-phone");
  await the(neighbourM, "accept").click();
  await the(neighbourM, "dispute-status").getByText("调解中").waitFor();

  step = "the committee's officer records, for the neighbour without the app, the decline they gave by phone";
  const liuM = await person("13900000021");
  const firstCase = new URL(zhouM.url()).pathname;
  await liuM.goto(firstCase);
  await choose(the(liuM, "answer-party"), "楼上李师傅");
  await the(liuM, "answer-channel").selectOption("PHONE");
  await the(liuM, "record-decline").click();
  await the(liuM, "dispute-status").getByText("已终结").waitFor();
  await zhouM.reload();
  await the(zhouM, "dispute-next").getByText("对方不同意调解").waitFor();

  step = "the committee's officer assigns a mediator; the mediator holds a session and drafts the agreement";
  await liuM.goto(`/disputes/${caseId}`);
  await choose(the(liuM, "mediator-choice"), "王律师");
  await the(liuM, "assign").click();
  await the(liuM, "dispute-mediator").getByText("王律师").waitFor();
  const wangM = await person("13900000022", DESKTOP);
  await wangM.goto("/disputes");
  await wangM.locator(`[data-test="handled-dispute"]`).first().waitFor();
  await wangM.goto(`/disputes/${caseId}`);
  // The server's clock has moved on in this story: the session is a day after the
  // case was raised, by the server's time.
  const raisedAt = await wangM.evaluate(async (id) => (await (await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "query($id: String!) { dispute(id: $id) { raisedAt } }", variables: { id } }) })).json()).data.dispute.raisedAt, caseId);
  const at = new Date(new Date(raisedAt).getTime() + 26 * 3600_000);
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await the(wangM, "session-at").fill(local);
  await the(wangM, "session-venue").fill("银网社区调解室");
  await the(wangM, "schedule").click();
  await the(wangM, "session").first().waitFor();
  await server.advanceHours(26);
  await wangM.reload();
  await wangM.locator('[data-test^="attended-"]').first().check();
  await the(wangM, "session-record").fill("双方到场，同意修好防水层并赔偿 600 元");
  await the(wangM, "record-session").click();
  await the(wangM, "terms").waitFor();
  await the(wangM, "terms").fill("一、十日内修好卫生间防水层；\n二、赔偿吊顶维修费 600 元。");
  await the(wangM, "draft").click();
  await the(wangM, "agreement-text").getByText("人民调解协议书").waitFor();
  await shot(wangM, "dispute-mediator-desktop");

  step = "both parties confirm the agreement they read, on their phones, and keep receipts";
  for (const party of [zhouM, neighbourM]) {
    await party.goto(`/disputes/${caseId}`);
    await the(party, "agreement-text").getByText("赔偿吊顶维修费 600 元").waitFor();
    await the(party, "confirm-agreement").click();
  }
  await the(neighbourM, "agreement-signed").waitFor();
  await shot(neighbourM, "dispute-agreed-phone");
  await zhouM.reload();
  await the(zhouM, "agreement-signed").waitFor();
  await the(zhouM, "receipt").first().waitFor();
  assert.equal(await the(zhouM, "receipt").count(), 2, "a receipt of her confirmation and one of the agreement");
  assert.ok(!(await leaves()).some((l) => l.includes("600 元") || l.includes("吊顶泡坏了")), "the log holds no private text");

  step = "a grid worker takes a case down for a resident who came by";
  const zhangM = await person("13900000003");
  await zhangM.goto("/disputes/new");
  await the(zhangM, "for-resident").check();
  await choose(the(zhangM, "applicant"), "周阿姨");
  await the(zhangM, "raise-channel").selectOption("VISIT");
  await the(zhangM, "kind-PROPERTY_MANAGEMENT").click();
  await the(zhangM, "other-name").fill("物业王经理");
  await the(zhangM, "other-phone").fill("13700000002");
  await the(zhangM, "claim").fill("电梯坏了两周没人修");
  await the(zhangM, "send-dispute").click();
  await zhangM.waitForURL((u) => /\/disputes\/d_/.test(u.pathname));
  // The grid worker sees that the case exists, not what was said.
  await the(zhangM, "dispute-status").getByText("等待对方同意").waitFor();
  await zhouM.goto("/");
  await the(zhouM, "notification-unread").filter({ hasText: "物业纠纷" }).first().waitFor();

  step = "a resident finds a service by her own words, sees what to bring, and applies";
  await zhouM.goto("/");
  await the(zhouM, "services").click();
  await the(zhouM, "service-search").fill("开证明");
  await the(zhouM, "service").filter({ hasText: "居住证明" }).first().click();
  await the(zhouM, "document").filter({ hasText: "房产证或租房合同" }).waitFor();
  await the(zhouM, "service-limit").getByText("3 个工作日").waitFor();
  await shot(zhouM, "service-phone");
  await zhouM.emulateMedia({ media: "print" });
  await shot(zhouM, "service-checklist-print");
  await zhouM.emulateMedia({ media: "screen" });
  await the(zhouM, "apply").click();
  await zhouM.waitForURL((u) => /\/service-requests\/sr_/.test(u.pathname));
  await the(zhouM, "request-clock").getByText("材料齐全后开始计时").waitFor();
  const requestUrl = new URL(zhouM.url()).pathname;

  step = "the counter finds it in its queue, asks for one more document, then starts the clock";
  const wangQ = await person("13900000004", DESKTOP);
  await wangQ.goto("/service-queue");
  await the(wangQ, "queued-request").filter({ hasText: "居住证明 · 周阿姨" }).first().click();
  await wangQ.waitForURL((u) => u.pathname === requestUrl);
  await the(wangQ, "missing-房产证或租房合同").check();
  await the(wangQ, "list-missing").click();
  await the(wangQ, "missing-list").first().waitFor();
  await the(wangQ, "request-trips").getByText("2").waitFor();
  await the(wangQ, "mark-complete").click();
  await the(wangQ, "request-clock").getByText("个工作日").waitFor();
  await shot(wangQ, "service-request-counter-desktop");
  await the(wangQ, "finish").click();
  await the(wangQ, "request-status").getByText("已办结").waitFor();

  step = "the resident sees it done and rates it";
  await zhouM.reload();
  await the(zhouM, "request-status").getByText("已办结").waitFor();
  await the(zhouM, "rate-satisfied").click();
  await the(zhouM, "request-rating").waitFor();
  await shot(zhouM, "service-request-done-phone");

  step = "every main page at both sizes";
  const visitor = await person(undefined, PHONE);
  for (const [name, path] of [["home", "/"], ["issues", "/issues"], ["issue", issueUrl], ["meetings", "/meetings"], ["meeting", meetingUrl], ["minutes", `${meetingUrl}/minutes`], ["dashboard", "/dashboard"], ["verify", "/verify"], ["services", "/services"]]) {
    for (const [size, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
      await visitor.setViewportSize(viewport);
      await visitor.goto(path);
      await shot(visitor, `${name}-public-${size}`);
    }
  }
  await visitor.goto("/dashboard");
  await visitor.locator("canvas").first().waitFor();

  step = "English, every main page at both sizes";
  await visitor.setViewportSize(PHONE);
  await visitor.goto("/");
  await visitor.getByRole("button", { name: "切换语言" }).click();
  await visitor.getByText("Welcome to Roundtable").waitFor();
  await shot(visitor, "home-en-phone");
  for (const [name, path] of [["issues", "/issues"], ["issue", issueUrl], ["meetings", "/meetings"], ["meeting", meetingUrl], ["minutes", `${meetingUrl}/minutes`], ["dashboard", "/dashboard"], ["verify", "/verify"], ["sign-in", "/sign-in"], ["register", "/register"]]) {
    for (const [size, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
      await visitor.setViewportSize(viewport);
      await visitor.goto(path);
      await shot(visitor, `${name}-en-${size}`);
    }
  }

  step = "English for the staff pages too: triage, the console, the minutes, the account page";
  await chair.goto("/");
  await chair.locator("button.lang").click();
  await chair.getByText("Home").first().waitFor();
  for (const [name, path] of [["triage", "/triage"], ["console", `${meetingUrl}/console`], ["minutes", `${meetingUrl}/minutes`], ["account", "/me"], ["raise", "/raise"]]) {
    for (const [size, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
      await chair.setViewportSize(viewport);
      await chair.goto(path);
      await shot(chair, `${name}-en-staff-${size}`);
    }
  }

  step = "the first load of each resident page is light (at most 250 KB on the wire, at 360 px)";
  const weights = [];
  for (const [name, path] of [["home", "/"], ["issues", "/issues"], ["issue", issueUrl], ["meetings", "/meetings"], ["meeting", meetingUrl], ["sign-in", "/sign-in"], ["register", "/register"]]) {
    const { bytes } = await weigh(browser, server.base, path);
    weights.push(`${name} ${(bytes / 1000).toFixed(1)} KB`);
    assert.ok(bytes <= 250_000, `the first load of ${path} is ${bytes} bytes, over 250 KB`);
  }
  console.log(`first load, compressed: ${weights.join(", ")}`);

  assert.deepEqual(errors, [], "errors in the pages");
  console.log(`browser tests: the whole story passed; screenshots in ${shots}`);
  for (const [rule, pages] of minor) console.log(`  axe (moderate or minor) ${rule}: ${[...new Set(pages)].join(", ")}`);
} catch (e) {
  console.error(`browser tests FAILED at "${step}": ${e.stack ?? e}`);
  if (errors.length) console.error(errors.join("\n"));
  if (last) await last.screenshot({ path: join(shots, "FAILED.png"), fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
  server.stop();
}
