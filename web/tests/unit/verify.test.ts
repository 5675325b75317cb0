// @vitest-environment node
// The browser's verifier against a real log made by the Rust binary, and against
// what a dishonest operator could serve instead.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { knowsMajority, outcome, recountMeeting, verifiedLog, walkChain } from "../../src/verify/audit";
import { trustKey } from "../../src/verify/keys";
import { checkLatest, type Seen, type SeenStore } from "../../src/verify/monitor";
import { parseReceipt, ReceiptError, verifyReceipt, withLeaf } from "../../src/verify/receipt";
import { b64, openCheckpoint, parseVkey } from "../../src/verify/tlog.js";
import { fixture, source } from "./fixture";

const key = () => parseVkey(fixture.vkey);
const memory = (seen?: Seen): SeenStore & { kept?: Seen } => {
  const store = {
    kept: seen,
    get: async () => store.kept,
    put: async (s: Seen) => void (store.kept = s),
  };
  return store;
};
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as ReceiptError;
  }
  throw new Error("accepted");
};

describe("receipts", () => {
  it("accepts a kept co-signature receipt offline, and names what it proves", async () => {
    const r = await verifyReceipt(fixture.receipts.cosign.text, await key());
    expect(r.index).toBe(BigInt(fixture.receipts.cosign.index));
    expect(r.event.type).toBe("issue.cosigned");
    expect(r.treeSize).toBe(BigInt(fixture.size));
  });

  it("accepts a ballot receipt, fetching the leaf when the receipt has none", async () => {
    const bare = fixture.receipts.ballot.text.split("\n").filter((l) => !l.startsWith("extra ")).join("\n");
    const r = await verifyReceipt(bare, await key(), (i) => source().bytes(`/log/entries/${i}`));
    expect(r.event.type).toBe("meeting.ballot_cast");
  });

  it("refuses a receipt whose leaf was changed", async () => {
    expect((await refusal(verifyReceipt(fixture.tampered.forgedLeafReceipt, await key()))).code).toBe("PROOF");
  });

  it("refuses a receipt whose proof was changed", async () => {
    expect((await refusal(verifyReceipt(fixture.tampered.forgedProofReceipt, await key()))).code).toBe("PROOF");
  });

  it("refuses a receipt signed by a key other than the log's", async () => {
    expect((await refusal(verifyReceipt(fixture.tampered.otherKeyReceipt, await key()))).code).toBe("SIGNATURE");
  });

  it("refuses a receipt moved to another index", async () => {
    const moved = fixture.receipts.cosign.text.replace(/^index (\d+)$/m, (_, n) => `index ${Number(n) + 1}`);
    expect((await refusal(verifyReceipt(moved, await key()))).code).toBe("PROOF");
  });

  it("refuses malformed receipts with a reason", () => {
    expect(() => parseReceipt("hello")).toThrow(/blank line/);
    expect(() => parseReceipt("c2sp.org/tlog-proof@v1\nindex 01\n\nx")).toThrow(/index/);
    expect(() => parseReceipt("c2sp.org/tlog-proof@v2\nindex 1\n\nx")).toThrow(/first line/);
    expect(() => parseReceipt("c2sp.org/tlog-proof@v1\nindex 1\nnot-a-hash\n\nx")).toThrow(/base64 hash/);
  });

  it("withLeaf replaces an existing leaf rather than adding a second", () => {
    const once = withLeaf(fixture.receipts.cosign.text, Uint8Array.of(1, 2, 3));
    expect(once.split("\n").filter((l) => l.startsWith("extra ")).length).toBe(1);
    expect(parseReceipt(once).extra).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe("checkpoints seen by this browser", () => {
  it("remembers the first, then accepts one that extends it", async () => {
    const store = memory();
    const first = await checkLatest(source({ checkpoint: fixture.earlier }), await key(), store, new Date());
    expect(first.kind).toBe("first");
    const next = await checkLatest(source(), await key(), store, new Date());
    expect(next.kind).toBe("consistent");
    expect(store.kept?.note).toBe(fixture.latest);
  });

  it("raises the alarm on a rollback, keeping both signed notes", async () => {
    const store = memory({ origin: fixture.origin, note: fixture.latest, size: String(fixture.size), at: "" });
    const r = await checkLatest(source({ checkpoint: fixture.earlier }), await key(), store, new Date());
    expect(r).toMatchObject({ kind: "alarm", reason: "rollback", note: fixture.earlier });
    expect(store.kept?.note).toBe(fixture.latest);
  });

  it("raises the alarm on a fork signed with the real key", async () => {
    const store = memory({ origin: fixture.origin, note: fixture.latest, size: String(fixture.size), at: "" });
    const r = await checkLatest(source({ checkpoint: fixture.tampered.fork }), await key(), store, new Date());
    expect(r).toMatchObject({ kind: "alarm", reason: "fork" });
    expect(store.kept?.note).toBe(fixture.latest);
  });

  it("refuses a checkpoint signed by another key", async () => {
    const other = fixture.tampered.otherKeyReceipt.slice(fixture.tampered.otherKeyReceipt.indexOf("\n\n") + 2);
    await expect(openCheckpoint(other, await key())).rejects.toThrow(/no valid log signature/);
  });

  it("trusts the first key, then flags a changed one", () => {
    const kept = new Map<string, string>();
    const storage = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) };
    expect(trustKey(fixture.vkey, storage).kind).toBe("new");
    expect(trustKey(fixture.vkey, storage).kind).toBe("remembered");
    expect(trustKey("other+00000000+AQ==", storage)).toMatchObject({ kind: "mismatch", pinned: fixture.vkey });
    // A rotation's overlap serves the log's key and the next: the remembered one
    // is still among them; once only the next is served, that is a change to check.
    expect(trustKey(`other+00000000+AQ==\n${fixture.vkey}\n`, storage)).toMatchObject({ kind: "remembered", pinned: fixture.vkey });
    expect(trustKey(`${fixture.vkey}\nnext+00000000+AQ==\n`, storage).kind).toBe("remembered");
  });
});

describe("the whole log", () => {
  it("recomputes the signed root from every leaf", async () => {
    const log = await verifiedLog(source(), await key());
    expect(log.entries.length).toBe(fixture.size);
  });

  it("refuses leaves that do not hash to the signed root", async () => {
    const leaves = fixture.leaves.map(b64);
    leaves[fixture.tampered.flippedTally.index] = b64(fixture.tampered.flippedTally.leaf);
    await expect(verifiedLog(source({ leaves }), await key())).rejects.toThrow(/signed root/);
  });

  it("walks a meeting's chain and recounts its votes as recorded", async () => {
    const { entries } = await verifiedLog(source(), await key());
    const chain = walkChain(entries, fixture.meetingStream);
    expect(chain.ok).toBe(true);
    const recounts = recountMeeting(entries, fixture.meetingStream);
    expect(recounts.length).toBeGreaterThan(0);
    for (const r of recounts) expect(r).toMatchObject({ ok: true });
  });

  it("refuses an electorate naming a member the council had unseated when the vote opened", async () => {
    const { entries } = await verifiedLog(source(), await key());
    const opened = entries.find((e) => e.event.stream === fixture.meetingStream && e.event.type === "meeting.vote_opened")!;
    const listed = entries.find((e) => e.event.stream === fixture.meetingStream && e.event.type === "meeting.electorate_listed" && e.index < opened.index)!;
    const member = (listed.event.body as { eligible: { member: string }[] }).eligible[0].member;
    const convened = entries.find((e) => e.event.stream === fixture.meetingStream && e.event.type === "meeting.convened")!;
    const council = `council/${(convened.event.body as { council: string }).council}`;
    // The same log with the member unseated just before the vote opened.
    const unseat = { ...listed, index: opened.index - 0.5, event: { ...listed.event, stream: council, type: "council.member_unseated", body: { member, reason: "moved away" } } };
    const altered = [...entries.filter((e) => e.index < opened.index), unseat, ...entries.filter((e) => e.index >= opened.index)];
    const bad = recountMeeting(altered, fixture.meetingStream).filter((r) => !r.ok);
    expect(bad.length).toBeGreaterThan(0);
    expect(bad[0].reason).toMatch(/without a voting seat/);
    // As recorded, every electorate holds its seats.
    for (const r of recountMeeting(entries, fixture.meetingStream)) expect(r).toMatchObject({ ok: true });
  });

  it("finds the flipped tally even when the chain is not checked", async () => {
    const { entries } = await verifiedLog(source(), await key());
    const at = fixture.tampered.flippedTally.index;
    const flipped = entries.map((e) => (e.index === at ? { ...e, event: JSON.parse(new TextDecoder().decode(b64(fixture.tampered.flippedTally.leaf))) } : e));
    const bad = recountMeeting(flipped, fixture.meetingStream).filter((r) => !r.ok);
    expect(bad.length).toBe(1);
    expect(bad[0].reason).toMatch(/recorded .* counted/);
  });

  it("finds an event dropped from a stream", async () => {
    const { entries } = await verifiedLog(source(), await key());
    const gap = entries.filter((e) => e.index !== fixture.tampered.droppedFromMeeting);
    const chain = walkChain(gap, fixture.meetingStream);
    expect(chain.ok).toBe(false);
    expect(chain.ok ? "" : chain.code).toBe("SEQ");
    expect(chain.ok ? "" : chain.reason).toMatch(/seq/);
  });

  it("a stream that does not exist is not 'whole'", async () => {
    const { entries } = await verifiedLog(source(), await key());
    const none = walkChain(entries, "meeting/mt_nobody");
    expect(none.ok ? "" : none.code).toBe("NO_EVENTS");
  });
});

describe("the majority rules (as roundtable-domain decides them)", () => {
  // Written by services/roundtable/tests/web_fixtures.rs from the domain's own
  // `MajorityKind::ALL` and `outcome`.
  const path = resolve(process.cwd(), "tests/fixtures/generated/majorities.json");
  const fixture = JSON.parse(readFileSync(path, "utf8")) as {
    kinds: string[];
    cases: { majority: string; tally: { yes: number; no: number; abstain: number }; present: number; members: number; outcome: string }[];
  };
  it("knows every kind the domain has", () => {
    expect(fixture.kinds.filter((k) => !knowsMajority(k))).toEqual([]);
  });
  it("agrees with the Rust outcome on every shared case", () => {
    const wrong = fixture.cases.filter((c) => outcome(c.majority, c.tally, c.present, c.members) !== c.outcome);
    expect(wrong).toEqual([]);
    expect(fixture.cases.length).toBeGreaterThan(1000);
  });
});
