// @vitest-environment node
// The browser's witness checks against an independent prototype's cosigned
// checkpoint (verified there with Go x/mod and WebCrypto; see
// ../shared/research/transparency-logs.md §2.8), and a policy's quorum.
import { describe, expect, it } from "vitest";
import { cosignedBy, meetsPolicy, parsePolicy, parseWitnessVkey } from "../../src/verify/witness";

const WITNESS = "witness.example.net/w1+bcc0945e+BNCuRAv0mtrXBJiZ5mDweNPNXE/zZxl69FrdDX0Cj0nf";
const NOTE =
  "log.example.org/deliberation\n7\niR7f6MGfrjdWuHru98/2fqKc65z3i/Dow51R2i/G74Q=\n\n" +
  "— log.example.org/deliberation bfvVqPoe7RIhS9Rrg6GeA5nvdpKlGTjxWwHpbzObEgtrMmje4yIvL17orPezjNWl5wrtRwdZQeBe1tdlibuRTXPEjAA=\n" +
  "— witness.example.net/w1 vMCUXgAAAABp9Hmghncbf4ARewacvcCgwV6xE8gR3CFQt9EuG4tLub2tbtnmYdphfSoR+5dAf7aQPmK295QAy1Nz4ioFHvk945e7CQ==\n";

describe("witness cosignatures", () => {
  it("verify the independent vector, and not once the checkpoint is edited", async () => {
    const w = await parseWitnessVkey(WITNESS);
    expect(await cosignedBy(NOTE, [w])).toEqual({ cosigned: [{ name: "witness.example.net/w1", time: 1777629600 }], missing: [] });
    expect((await cosignedBy(NOTE.replace("\n7\n", "\n8\n"), [w])).missing).toEqual(["witness.example.net/w1"]);
    await expect(parseWitnessVkey(WITNESS.replace("bcc0945e", "bcc0945f"))).rejects.toThrow();
  });

  it("enforce a policy's quorum and name who is missing", async () => {
    const one = await parsePolicy(`# ours\nlog anything\nwitness W ${WITNESS}\nquorum W\n`);
    expect(await meetsPolicy(one, NOTE)).toEqual({ ok: true, missing: [], cosigned: 1, by: [{ name: "witness.example.net/w1", time: 1777629600 }] });
    expect((await meetsPolicy(one, NOTE.replace("\n7\n", "\n8\n"))).ok).toBe(false);
    const both = await parsePolicy(`witness W ${WITNESS}\ngroup G all W\nquorum G\n`);
    expect((await meetsPolicy(both, NOTE)).ok).toBe(true);
    expect((await meetsPolicy(await parsePolicy("quorum none\n"), NOTE)).ok).toBe(true);
    await expect(parsePolicy(`witness W ${WITNESS}\n`)).rejects.toThrow(/quorum/);
    await expect(parsePolicy("group G 2 X\nquorum G\n")).rejects.toThrow(/line 1/);
  });
});
