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
  it("names the field in the user's language and keeps the server's words as a detail", () => {
    const problem = { code: "VALIDATION", field: "title", detail: "title: at most 100 characters" };
    const w = mount(ProblemText, { props: { problem }, global: { plugins: [i18n("zh-CN")] } });
    expect(w.find("strong").text()).toBe("标题：填写的内容不符合要求");
    expect(w.text()).toContain("at most 100 characters");
    expect(w.attributes("role")).toBe("alert");
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
