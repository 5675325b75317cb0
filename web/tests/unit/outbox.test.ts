// The outbox (src/api/outbox.ts) against IndexedDB (fake-indexeddb) and a client
// whose connection we control: commands go out in order with the key they were
// made with, a network failure keeps them (and what follows) for the next try, a
// refusal takes one out and says so without holding up the rest.
import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { parse } from "graphql";

const sent: { query: string; variables: Record<string, unknown> }[] = [];
let answer: (input: Record<string, unknown>) => { data?: unknown; error?: unknown } = () => ({ data: { ok: true } });

vi.mock("../../src/api/client", () => ({
  client: {
    mutation: (query: string, variables: { input: Record<string, unknown> }) => ({
      toPromise: async () => {
        sent.push({ query, variables });
        return answer(variables.input);
      },
    }),
  },
}));

const { enqueue, flush, pending, undelivered, dismissUndelivered, setOutboxOwner, refreshOutbox } = await import("../../src/api/outbox");
let me = "m_secretary";
setOutboxOwner(() => me);
const doc = parse("mutation CheckIn($input: CheckInInput!) { checkIn(input: $input) { meeting { id } } }");
const networkDown = () => ({ error: { graphQLErrors: [], networkError: new Error("Failed to fetch"), message: "[Network] Failed to fetch" } });

beforeEach(async () => {
  me = "m_secretary";
  answer = networkDown;
  await flush();
  answer = () => ({ data: { ok: true } });
  await flush();
  sent.length = 0;
  dismissUndelivered();
});

describe("the outbox", () => {
  it("sends what waits in the order it was made, each with its own key, once", async () => {
    answer = networkDown;
    await enqueue(doc, { input: { member: "m_a", idempotencyKey: "k1" } }, "签到：陈大爷");
    await enqueue(doc, { input: { member: "m_b", idempotencyKey: "k2" } }, "签到：周阿姨");
    await flush();
    expect(pending.value.map((e) => e.label)).toEqual(["签到：陈大爷", "签到：周阿姨"]);
    // Down: only the first was tried (by this flush, and perhaps by the one each
    // enqueue schedules), and it stays, with its key.
    expect(new Set(sent.map((s) => JSON.stringify(s.variables.input)))).toEqual(new Set([JSON.stringify({ member: "m_a", idempotencyKey: "k1" })]));

    answer = () => ({ data: { ok: true } });
    sent.length = 0;
    await flush();
    expect(sent.map((s) => (s.variables.input as { idempotencyKey: string }).idempotencyKey)).toEqual(["k1", "k2"]);
    expect(sent[0].query).toContain("mutation CheckIn");
    expect(pending.value).toEqual([]);
    await flush();
    expect(sent).toHaveLength(2);
  });

  it("takes out a command the server refuses and goes on with the next", async () => {
    answer = (input) =>
      input.member === "m_a"
        ? { error: { graphQLErrors: [{ message: "forbidden", extensions: { code: "CONFLICT", reason: "PROCEDURE_MEMBER_PRESENT", params: { member: "m_a" } } }], message: "x" } }
        : { data: { ok: true } };
    await enqueue(doc, { input: { member: "m_a", idempotencyKey: "k3" } }, "签到：陈大爷");
    await enqueue(doc, { input: { member: "m_b", idempotencyKey: "k4" } }, "签到：周阿姨");
    await flush();
    expect(pending.value).toEqual([]);
    expect(undelivered.value.map((u) => [u.label, u.problem.reason])).toEqual([["签到：陈大爷", "PROCEDURE_MEMBER_PRESENT"]]);
    expect(sent.map((s) => (s.variables.input as { idempotencyKey: string }).idempotencyKey)).toEqual(["k3", "k4"]);
  });

  it("sends a member's commands only in their own session", async () => {
    answer = networkDown;
    await enqueue(doc, { input: { member: "m_a", idempotencyKey: "k6" } }, "签到：陈大爷");
    // The tablet changes hands before the connection is back.
    me = "m_chair";
    await refreshOutbox();
    expect(pending.value).toEqual([]);
    answer = () => ({ data: { ok: true } });
    sent.length = 0;
    await flush();
    expect(sent).toEqual([]);
    me = "m_secretary";
    await refreshOutbox();
    expect(pending.value.map((e) => e.label)).toEqual(["签到：陈大爷"]);
    await flush();
    expect(sent.map((s) => (s.variables.input as { idempotencyKey: string }).idempotencyKey)).toEqual(["k6"]);
  });

  it("keeps commands when told to slow down", async () => {
    answer = () => ({ error: { graphQLErrors: [{ message: "slow down", extensions: { code: "RATE_LIMITED" } }], message: "x" } });
    await enqueue(doc, { input: { member: "m_c", idempotencyKey: "k5" } }, "提交议题：积水");
    await flush();
    expect(pending.value.map((e) => e.label)).toEqual(["提交议题：积水"]);
    expect(undelivered.value).toEqual([]);
  });
});
