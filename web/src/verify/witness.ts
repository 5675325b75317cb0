// Witness cosignatures in the browser, with WebCrypto only: C2SP `cosignature/v1`
// (Ed25519, vkey type 0x04) lines on a checkpoint note, and a witness policy
// (c2sp.org/tlog-policy: `witness`, `group <k|any|all>`, `quorum`) that says how
// many must have cosigned. The rules are those of `services/ledger/src/policy.rs`;
// this is the independent check of them.
import { b64, eq } from "./tlog.js";

const enc = new TextEncoder();

export interface WitnessKey {
  name: string;
  id: Uint8Array;
  key: CryptoKey;
}

const sha256 = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));

/** Parses a witness vkey `name+hex8+base64(0x04 || key)` and checks its key id. */
export async function parseWitnessVkey(vkey: string): Promise<WitnessKey> {
  const text = vkey.trim();
  const first = text.indexOf("+");
  const second = text.indexOf("+", first + 1);
  if (first < 0 || second < 0) throw new Error("malformed vkey");
  const name = text.slice(0, first);
  const raw = b64(text.slice(second + 1));
  if (raw[0] !== 0x04 || raw.length !== 33) throw new Error("not a cosignature/v1 key");
  const nameBytes = enc.encode(`${name}\n`);
  const joined = new Uint8Array(nameBytes.length + raw.length);
  joined.set(nameBytes);
  joined.set(raw, nameBytes.length);
  const id = (await sha256(joined)).slice(0, 4);
  const hex = [...id].map((x) => x.toString(16).padStart(2, "0")).join("");
  if (hex !== text.slice(first + 1, second)) throw new Error("vkey id mismatch");
  const key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
  return { name, id, key };
}

export interface Witnessed {
  cosigned: { name: string; time: number }[];
  missing: string[];
}

/** Which of `witnesses` cosigned the checkpoint `note` (unknown lines are ignored). */
export async function cosignedBy(note: string, witnesses: WitnessKey[]): Promise<Witnessed> {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw new Error("malformed note");
  const text = note.slice(0, split + 1);
  const lines = note
    .slice(split + 2, -1)
    .split("\n")
    .map((l) => l.slice(2).split(" "))
    .map(([name, sig]) => ({ name, sig: sig ? b64(sig) : new Uint8Array() }));
  const out: Witnessed = { cosigned: [], missing: [] };
  for (const w of witnesses) {
    let time: number | undefined;
    for (const { name, sig } of lines) {
      if (name !== w.name || sig.length !== 4 + 8 + 64 || !eq(sig.slice(0, 4), w.id)) continue;
      const t = new DataView(sig.buffer, sig.byteOffset + 4, 8).getBigUint64(0);
      if (t === 0n || t > 2n ** 63n - 1n) continue;
      const message = enc.encode(`cosignature/v1\ntime ${t}\n${text}`);
      if (await crypto.subtle.verify({ name: "Ed25519" }, w.key, sig.slice(12) as BufferSource, message)) {
        time = Number(t);
        break;
      }
    }
    if (time === undefined) out.missing.push(w.name);
    else out.cosigned.push({ name: w.name, time });
  }
  return out;
}

type Member = { witness: WitnessKey } | { threshold: number | "all"; members: string[] };

export interface Policy {
  names: Map<string, Member>;
  quorum: string | null;
}

/** Parses a policy's `witness`, `group` and `quorum` lines (`log` lines are skipped:
 * the page knows its log's key). */
export async function parsePolicy(text: string): Promise<Policy> {
  const names = new Map<string, Member>();
  let quorum: string | null | undefined;
  for (const [n, raw] of text.split("\n").entries()) {
    const words = raw.trim().split(/[ \t]+/).filter(Boolean);
    if (words.length === 0 || words[0].startsWith("#")) continue;
    const bad = (why: string) => new Error(`policy line ${n + 1}: ${why}`);
    const fresh = (name: string) => {
      if (name === "none" || names.has(name)) throw bad("a name defined twice (or none)");
    };
    const [kind, ...rest] = words;
    if (kind === "log") continue;
    if (kind === "witness" && rest.length >= 2) {
      fresh(rest[0]);
      names.set(rest[0], { witness: await parseWitnessVkey(rest[1]) });
    } else if (kind === "group" && rest.length >= 3) {
      const [name, k, ...members] = rest;
      fresh(name);
      if (members.some((m) => !names.has(m))) throw bad("a member not defined above");
      const threshold = k === "all" ? "all" : k === "any" ? 1 : Number(k);
      if (threshold !== "all" && !(Number.isInteger(threshold) && threshold >= 1 && threshold <= members.length)) throw bad("bad threshold");
      names.set(name, { threshold, members });
    } else if (kind === "quorum" && rest.length === 1) {
      if (quorum !== undefined) throw bad("a second quorum");
      if (rest[0] !== "none" && !names.has(rest[0])) throw bad("the quorum names nothing defined above");
      quorum = rest[0] === "none" ? null : rest[0];
    } else throw bad("not a witness, group or quorum line");
  }
  if (quorum === undefined) throw new Error("the policy has no quorum line");
  return { names, quorum };
}

export const policyWitnesses = (p: Policy) =>
  [...p.names.values()].flatMap((m) => ("witness" in m ? [m.witness] : []));

function satisfied(p: Policy, name: string, cosigned: Set<string>): boolean {
  const m = p.names.get(name);
  if (!m) return false;
  if ("witness" in m) return cosigned.has(m.witness.name);
  const met = m.members.filter((x) => satisfied(p, x, cosigned)).length;
  return m.threshold === "all" ? met === m.members.length : met >= m.threshold;
}

export interface PolicyCheck {
  ok: boolean;
  missing: string[];
  cosigned: number;
  /** Each witness of the policy that cosigned, and when (POSIX seconds). */
  by: { name: string; time: number }[];
}

/** Whether the note's cosignatures meet the policy's quorum, who cosigned when, and who is missing. */
export async function meetsPolicy(p: Policy, note: string): Promise<PolicyCheck> {
  const seen = await cosignedBy(note, policyWitnesses(p));
  const ok = p.quorum === null || satisfied(p, p.quorum, new Set(seen.cosigned.map((c) => c.name)));
  return { ok, missing: seen.missing, cosigned: seen.cosigned.length, by: seen.cosigned };
}
