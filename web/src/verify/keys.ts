// Which verifier key the browser trusts. A build can pin one (VITE_LOG_VKEY, for a
// deployment that publishes its key elsewhere); otherwise the first key this
// browser saw is kept (trust on first use) and any later change is an alarm. The
// user can pin the key printed on the community notice board instead.
import { parseLeaf } from "./receipt";
import type { SeenStore } from "./monitor";
import type { LogSource } from "./source";
import { b64, leafHash, openCheckpoint, parseVkey, verifyInclusion } from "./tlog.js";

const PINNED_AT_BUILD: string | undefined = import.meta.env.VITE_LOG_VKEY;
const STORAGE = "roundtable.vkey";

export type KeyTrust =
  | { kind: "build"; pinned: string }
  | { kind: "remembered"; pinned: string }
  | { kind: "new"; pinned: string }
  | { kind: "rotated"; pinned: string; from: string; index: string }
  | { kind: "mismatch"; pinned: string; served: string };

/** The keys `/log/vkey` lists, one per line. */
const servedKeys = (served: string) => served.split("\n").map((k) => k.trim()).filter(Boolean);

/** `served` is `/log/vkey`: the keys that sign now, one per line, the log's key
 * first (two while a key rotation overlaps; every checkpoint then carries both
 * signatures, so the key already trusted keeps verifying). */
export function trustKey(served: string, storage: Pick<Storage, "getItem" | "setItem"> = localStorage): KeyTrust {
  const keys = servedKeys(served);
  const first = keys[0] ?? "";
  if (PINNED_AT_BUILD) {
    const pinned = PINNED_AT_BUILD.trim();
    return keys.includes(pinned) ? { kind: "build", pinned } : { kind: "mismatch", pinned, served: first };
  }
  const kept = storage.getItem(STORAGE);
  if (!kept) {
    storage.setItem(STORAGE, first);
    return { kind: "new", pinned: first };
  }
  return keys.includes(kept) ? { kind: "remembered", pinned: kept } : { kind: "mismatch", pinned: kept, served: first };
}

export function pinKey(vkey: string, storage: Pick<Storage, "setItem"> = localStorage) {
  storage.setItem(STORAGE, vkey.trim());
}

/** What `/log/rotations` lists: where the log records a key change (a hint only). */
interface RotationAt {
  index: number;
  old: string;
  new: string;
}

/**
 * Follows a key rotation from the key this browser trusts, without trusting the
 * server: `seen` keeps the last checkpoint this browser verified with `trusted`; if
 * it covers a `key.rotated` leaf from `trusted` to a key the server now serves
 * (the leaf fetched and proven included under that checkpoint's root), the new
 * key is vouched for by the old one. Returns the new key and the leaf's index.
 */
export async function followRotation(
  source: LogSource,
  trusted: string,
  served: string,
  seen: Pick<SeenStore, "get">,
): Promise<{ key: string; index: bigint } | undefined> {
  const oldKey = await parseVkey(trusted);
  const last = await seen.get(oldKey.name);
  if (!last) return undefined;
  const checkpoint = await openCheckpoint(last.note, oldKey).catch(() => undefined);
  if (!checkpoint) return undefined;
  const rotations = JSON.parse(await source.text("/log/rotations")) as RotationAt[];
  for (const r of rotations) {
    const index = BigInt(r.index);
    if (r.old !== trusted || !servedKeys(served).includes(r.new) || index >= checkpoint.size) continue;
    const leaf = await source.bytes(`/log/entries/${index}`);
    const event = parseLeaf(leaf);
    const body = event.body as { old?: unknown; new?: unknown };
    if (event.type !== "key.rotated" || event.stream !== "log/keys" || event.log !== checkpoint.origin) continue;
    if (body.old !== trusted || body.new !== r.new) continue;
    const next = await parseVkey(r.new).catch(() => undefined);
    if (!next || next.name !== checkpoint.origin) continue;
    const proof = JSON.parse(await source.text(`/log/proof/inclusion?index=${index}&size=${checkpoint.size}`)) as { inclusion: string[] };
    if (await verifyInclusion(index, checkpoint.size, await leafHash(leaf), proof.inclusion.map(b64), checkpoint.root)) {
      return { key: r.new, index };
    }
  }
  return undefined;
}
