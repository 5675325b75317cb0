// Components and composables with logic of their own.
import { mount } from "@vue/test-utils";
import { describe, expect, it, vi } from "vitest";
import { createI18n } from "vue-i18n";
import en from "../../src/i18n/en";
import zhCN from "../../src/i18n/zh-CN";
import IssueClock from "../../src/components/IssueClock.vue";
import ProblemText from "../../src/components/ProblemText.vue";

const i18n = (locale: "zh-CN" | "en") =>
  createI18n({
    legacy: false,
    locale,
    messages: { "zh-CN": zhCN, en },
    datetimeFormats: { "zh-CN": { short: { month: "numeric", day: "numeric" } }, en: { short: { month: "short", day: "numeric" } } },
  });

describe("IssueClock", () => {
  const clock = { stage: "RESPONSE", due: "2026-11-30T00:00:00Z", overdue: false, remainingSeconds: 2 * 86400 + 5, overdueBySeconds: 0 };
  it("shows the time left in words", () => {
    const w = mount(IssueClock, { props: { clock }, global: { plugins: [i18n("zh-CN")] } });
    expect(w.text()).toContain("答复剩余 2 天");
    expect(w.classes()).not.toContain("overdue");
  });
  it("turns red once overdue, saying by how much", () => {
    const w = mount(IssueClock, { props: { clock: { ...clock, overdue: true, remainingSeconds: 0, overdueBySeconds: 3 * 3600 } }, global: { plugins: [i18n("en")] } });
    expect(w.text()).toContain("Response: overdue by 3 h");
    expect(w.classes()).toContain("overdue");
  });
});

describe("ProblemText", () => {
  it("says the server's refusal in the user's language, with its values and the field, never the server's English", () => {
    const problem = { code: "VALIDATION", field: "title", reason: "TEXT_TOO_LONG", params: { max: "100", got: "130" }, detail: "title: must be at most 100 characters (got 130)" };
    const zh = mount(ProblemText, { props: { problem }, global: { plugins: [i18n("zh-CN")] } });
    expect(zh.find("strong").text()).toBe("标题：最多 100 个字（现在 130 个）");
    expect(zh.text()).not.toContain("characters");
    expect(zh.attributes("role")).toBe("alert");
    const en = mount(ProblemText, { props: { problem }, global: { plugins: [i18n("en")] } });
    expect(en.find("strong").text()).toBe("Title: At most 100 characters (now 130)");
  });
  it("translates a state the refusal names, and falls back to the code's words for an unknown refusal", () => {
    const state = { code: "CONFLICT", reason: "ISSUE_STATUS_FORBIDS", params: { status: "RESPONDED", action: "merged" }, detail: "" };
    expect(mount(ProblemText, { props: { problem: state }, global: { plugins: [i18n("zh-CN")] } }).text()).toBe("议题现在是「已答复」状态，不能这样操作");
    const unknown = { code: "FORBIDDEN", reason: "SOMETHING_NEW", params: {}, detail: "forbidden: something new" };
    expect(mount(ProblemText, { props: { problem: unknown }, global: { plugins: [i18n("zh-CN")] } }).text()).toBe("您没有权限这样做");
  });
  it("offers a retry after a network failure", async () => {
    let retried = 0;
    const problem = { code: "NETWORK", detail: "Failed to fetch", retry: () => void retried++ };
    const w = mount(ProblemText, { props: { problem }, global: { plugins: [i18n("zh-CN")] } });
    expect(w.find("strong").text()).toBe("网络连接失败，请检查网络后重试（不会重复提交）");
    await w.find("[data-test=retry]").trigger("click");
    expect(retried).toBe(1);
  });
  it("shows nothing without a problem", () => {
    expect(mount(ProblemText, { props: {}, global: { plugins: [i18n("en")] } }).text()).toBe("");
  });
});

describe("useAction", () => {
  it("retries a failed command with the same idempotency key, and a new command gets a new one", async () => {
    const keys: string[] = [];
    let fail = true;
    vi.resetModules();
    vi.doMock("../../src/api/client", () => ({
      client: {
        mutation: (_doc: unknown, vars: { input: { idempotencyKey: string } }) => ({
          toPromise: async () => {
            keys.push(vars.input.idempotencyKey);
            if (fail) return { error: Object.assign(new Error("[Network] Failed to fetch"), { graphQLErrors: [] }) };
            return { data: { ok: true } };
          },
        }),
      },
    }));
    const { useAction } = await import("../../src/api/action");
    const action = useAction<{ ok: boolean }, { issue: string }>({} as never);
    expect(await action.run({ issue: "i_1" })).toBeUndefined();
    expect(action.problem.value?.code).toBe("NETWORK");
    fail = false;
    expect(await action.run({ issue: "i_1" })).toEqual({ ok: true });
    expect(keys[0]).toBe(keys[1]);
    await action.run({ issue: "i_1" });
    expect(keys[2]).not.toBe(keys[1]);
    await action.run({ issue: "i_2" });
    expect(keys[3]).not.toBe(keys[2]);
  });
});
