// The log `services/roundtable/tests/web_fixtures.rs` writes (run `cargo test` first),
// served to the verifier as a `LogSource`, honestly or not.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { LogSource } from "../../src/verify/source";
import { b64 } from "../../src/verify/tlog.js";

// Vitest runs from web/.
const path = resolve(process.cwd(), "tests/fixtures/generated/log.json");
if (!existsSync(path)) throw new Error(`${path} is missing: run \`cargo test -p roundtable --test web_fixtures\` first`);

export interface Fixture {
  origin: string;
  vkey: string;
  earlier: string;
  latest: string;
  size: number;
  root: string;
  consistency: string[];
  leaves: string[];
  meetingStream: string;
  receipts: Record<"cosign" | "ballot", { index: number; text: string }>;
  tampered: {
    forgedLeafReceipt: string;
    forgedProofReceipt: string;
    otherKeyReceipt: string;
    fork: string;
    flippedTally: { index: number; leaf: string };
    droppedFromMeeting: number;
  };
}

export const fixture = JSON.parse(readFileSync(path, "utf8")) as Fixture;

/** Serves the fixture's log; `checkpoint` and `leaves` can be swapped to lie. */
export function source(opts: { checkpoint?: string; leaves?: Uint8Array[] } = {}): LogSource {
  const leaves = opts.leaves ?? fixture.leaves.map(b64);
  const join = (ls: Uint8Array[]) => {
    const parts = ls.flatMap((l) => [l, Uint8Array.of(0x0a)]);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const bytes = async (path: string): Promise<Uint8Array> => {
    const url = new URL(path, "http://log.test");
    if (url.pathname === "/log/entries") return join(leaves.slice(Number(url.searchParams.get("start")), Number(url.searchParams.get("end"))));
    const one = /^\/log\/entries\/(\d+)$/.exec(url.pathname);
    if (one) return leaves[Number(one[1])];
    throw new Error(`unexpected ${path}`);
  };
  return {
    bytes,
    async text(path: string) {
      if (path === "/log/checkpoint") return opts.checkpoint ?? fixture.latest;
      if (path.startsWith("/log/proof/consistency")) return JSON.stringify({ consistency: fixture.consistency });
      return new TextDecoder().decode(await bytes(path));
    },
  };
}
