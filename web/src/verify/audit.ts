// Whole-log checks in the browser: every leaf against the signed root, a stream's
// `seq`/`prev` chain, and a vote recounted from its own events.
import type { MajorityKind } from "../gql/graphql";
import { parseLeaf, type LeafEvent } from "./receipt";
import { leaves, type LogSource } from "./source";
import { duplicateEventId, eq, leafHash, openCheckpoint, rootOf, toB64, type LogKey } from "./tlog.js";

export interface Entry {
  index: number;
  hash: Uint8Array;
  event: LeafEvent;
}

/** The log as of its latest signed checkpoint, every leaf checked against the root. */
export async function verifiedLog(source: LogSource, key: LogKey, onPage?: (done: bigint, of: bigint) => void): Promise<{ size: bigint; entries: Entry[] }> {
  const checkpoint = await openCheckpoint(await source.text("/log/checkpoint"), key);
  const bytes = await leaves(source, checkpoint.size, (done) => onPage?.(done, checkpoint.size));
  const hashes = await Promise.all(bytes.map(leafHash));
  if (!eq(await rootOf(hashes), checkpoint.root)) throw new Error("the leaves do not hash to the signed root");
  const duplicate = duplicateEventId(bytes);
  if (duplicate) throw new Error(`leaf ${duplicate.index}: event id ${duplicate.id} was already used by leaf ${duplicate.first}`);
  return { size: checkpoint.size, entries: bytes.map((b, index) => ({ index, hash: hashes[index], event: parseLeaf(b) })) };
}

export interface ChainLink {
  index: number;
  seq: number;
  type: string;
  time: string;
}

/** Why a stream's chain is broken: a key the page translates, and the technical detail. */
export type ChainBreak = "NO_EVENTS" | "SEQ" | "PREV";
export type ChainResult = { ok: true; links: ChainLink[] } | { ok: false; links: ChainLink[]; index: number; code: ChainBreak; reason: string };

/** Walks `stream` from seq 1: no gap, no repeat, each `prev` the previous leaf's hash. */
export function walkChain(entries: Entry[], stream: string): ChainResult {
  const links: ChainLink[] = [];
  let last: Entry | undefined;
  for (const entry of entries) {
    const e = entry.event;
    if (e.stream !== stream) continue;
    const fail = (code: ChainBreak, reason: string): ChainResult => ({ ok: false, links, index: entry.index, code, reason });
    const expectedSeq = (last?.event.seq ?? 0) + 1;
    if (e.seq !== expectedSeq) return fail("SEQ", `seq ${e.seq} where ${expectedSeq} was due`);
    const prev = e.prev?.leaf_hash ?? null;
    const due = last ? toB64(last.hash) : null;
    if (prev !== due) return fail("PREV", `prev ${prev ?? "null"} is not the previous event's hash ${due ?? "null"}`);
    links.push({ index: entry.index, seq: e.seq, type: e.type, time: e.time });
    last = entry;
  }
  if (!last) return { ok: false, links, index: -1, code: "NO_EVENTS", reason: `no events in stream ${stream}` };
  return { ok: true, links };
}

type ChoiceName = "yes" | "no" | "abstain";
export interface Tally {
  yes: number;
  no: number;
  abstain: number;
}
export interface Recount {
  vote: number;
  closedAt: number;
  recorded: Tally;
  counted: Tally;
  recordedOutcome: string;
  outcome: "adopted" | "rejected";
  majority: string;
  ok: boolean;
  reason?: string;
}

/** A majority rule as a leaf names it (the API's enum, in snake case). */
export type LeafMajority = Lowercase<MajorityKind>;

/**
 * The rule `roundtable-domain`'s `outcome` applies: a tie never carries. Typed by
 * the schema's enum, so a new majority kind fails the build until it is written
 * here; `tests/unit/verify.test.ts` checks every rule against the Rust outcome on
 * the cases `services/roundtable/tests/web_fixtures.rs` writes.
 */
const CARRIED: Record<LeafMajority, (t: Tally, present: number, members: number) => boolean> = {
  simple_majority: (t) => t.yes > t.no,
  majority_of_present: (t, present) => 2 * t.yes > present,
  majority_of_members: (t, _present, members) => 2 * t.yes > members,
  two_thirds: (t) => t.yes > 0 && 3 * t.yes >= 2 * (t.yes + t.no),
  two_thirds_of_members: (t, _present, members) => t.yes > 0 && 3 * t.yes >= 2 * members,
  consensus: (t) => t.yes > 0 && t.no === 0,
};

export function outcome(majority: string, t: Tally, present: number, members: number): "adopted" | "rejected" {
  const rule = CARRIED[majority as LeafMajority];
  // A rule this build does not know counts nothing as carried; the recount then
  // names the vote (a verifier older than the log says so rather than guess).
  return rule?.(t, present, members) ? "adopted" : "rejected";
}

/** Whether this verifier knows the majority rule a leaf names. */
export function knowsMajority(majority: string): majority is LeafMajority {
  return Object.hasOwn(CARRIED, majority);
}

interface OpenVote {
  present: number;
  members: number;
  method: string;
  eligible: Map<string, string>;
  ballots: Map<string, { castBy: string; choice?: ChoiceName; index: number }>;
  revealed: ChoiceName[];
  /** Set when the listed electorate breaks the seat rule. */
  unseated?: string;
}

/**
 * Recounts every closed vote of a meeting stream: the electorate as listed, one
 * ballot per eligible member cast by their proxy holder, the choices (roll call:
 * on the ballots; secret: as revealed at close), the tally and the outcome by the
 * majority the vote was opened under, and the checkpoint named at close covering
 * every ballot. The seat rule of `roundtable-domain` (`electorate_now`): everyone
 * listed, and whoever casts for them, holds a voting seat of the council, by the
 * council's own stream, when the vote opens.
 */
export function recountMeeting(entries: Entry[], stream: string): Recount[] {
  const open = new Map<number, OpenVote>();
  // Electorates are listed (100 per event) just before the vote they belong to opens.
  const pending = new Map<number, Map<string, string>>();
  const out: Recount[] = [];
  // The council's voting seats, replayed from its stream in log order.
  let council: string | undefined;
  const seats = new Map<string, boolean>();
  const councilEvents: Entry[] = [];
  for (const entry of entries) {
    if (entry.event.stream.startsWith("council/")) councilEvents.push(entry);
  }
  let replayed = 0;
  const seatsAt = (index: number) => {
    for (; replayed < councilEvents.length && councilEvents[replayed].index < index; replayed++) {
      const c = councilEvents[replayed].event;
      if (c.stream !== council) continue;
      const cb = c.body as Record<string, any>;
      if (c.type === "council.member_seated") seats.set(cb.member, cb.voting === true);
      if (c.type === "council.member_unseated") seats.delete(cb.member);
    }
    return seats;
  };
  for (const { index, event: e } of entries) {
    if (e.stream !== stream) continue;
    const b = e.body as Record<string, any>;
    const vote = b.vote as number;
    switch (e.type) {
      case "meeting.convened":
        council = `council/${b.council}`;
        break;
      case "meeting.vote_opened": {
        const eligible = pending.get(vote) ?? new Map<string, string>();
        const now = seatsAt(index);
        const outside = [...eligible].find(([member, castBy]) => !now.get(member) || !now.get(castBy));
        const unseated = outside && `${outside[0]} (cast by ${outside[1]}) is in the electorate without a voting seat when the vote opens`;
        open.set(vote, { present: b.present, members: b.voting_members, method: b.method, eligible, ballots: new Map(), revealed: [], unseated });
        pending.delete(vote);
        break;
      }
      case "meeting.electorate_listed": {
        const list = pending.get(vote) ?? new Map<string, string>();
        for (const v of b.eligible as { member: string; cast_by: string }[]) list.set(v.member, v.cast_by);
        pending.set(vote, list);
        break;
      }
      case "meeting.ballot_cast":
        open.get(vote)?.ballots.set(b.member, { castBy: b.cast_by, choice: b.choice, index });
        break;
      case "meeting.ballots_revealed":
        open.get(vote)?.revealed.push(...(b.revealed as { choice: ChoiceName }[]).map((r) => r.choice));
        break;
      case "meeting.vote_closed": {
        const v = open.get(vote);
        if (!v) break;
        out.push(recountOne(vote, index, v, b));
        open.delete(vote);
        break;
      }
    }
  }
  return out;
}

function recountOne(vote: number, closedAt: number, v: OpenVote, b: Record<string, any>): Recount {
  const counted: Tally = { yes: 0, no: 0, abstain: 0 };
  let reason: string | undefined = v.unseated;
  if (v.eligible.size !== v.present) reason ??= `the electorate lists ${v.eligible.size}, the vote says ${v.present} present`;
  for (const [member, ballot] of v.ballots) {
    if (v.eligible.get(member) !== ballot.castBy) reason ??= `ballot at leaf ${ballot.index}: ${member} cast by ${ballot.castBy}, who may not`;
    if (ballot.index >= (b.checkpoint?.size ?? 0)) reason ??= `ballot at leaf ${ballot.index} is not covered by the checkpoint named at close`;
    if (v.method === "roll_call" && ballot.choice) counted[ballot.choice]++;
  }
  if (v.method === "secret") {
    if (v.revealed.length !== v.ballots.size) reason ??= `${v.revealed.length} choices revealed for ${v.ballots.size} ballots`;
    for (const c of v.revealed) counted[c]++;
  }
  const recorded = b.tally as Tally;
  const computed = outcome(b.majority, counted, v.present, v.members);
  if (recorded.yes !== counted.yes || recorded.no !== counted.no || recorded.abstain !== counted.abstain) {
    reason ??= `recorded ${recorded.yes}/${recorded.no}/${recorded.abstain}, counted ${counted.yes}/${counted.no}/${counted.abstain}`;
  }
  if (!knowsMajority(b.majority)) reason ??= `majority rule ${b.majority} is not known to this verifier (update the app)`;
  if (b.outcome !== computed) reason ??= `recorded ${b.outcome}, the rule gives ${computed}`;
  return { vote, closedAt, recorded, counted, recordedOutcome: b.outcome, outcome: computed, majority: b.majority, ok: !reason, reason };
}
