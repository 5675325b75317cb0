// Which verifier key the browser trusts. A build can pin one (VITE_LOG_VKEY, for a
// deployment that publishes its key elsewhere); otherwise the first key this
// browser saw is kept (trust on first use) and any later change is an alarm. The
// user can pin the key printed on the community notice board instead.
const PINNED_AT_BUILD: string | undefined = import.meta.env.VITE_LOG_VKEY;
const STORAGE = "roundtable.vkey";

export type KeyTrust =
  | { kind: "build"; pinned: string }
  | { kind: "remembered"; pinned: string }
  | { kind: "new"; pinned: string }
  | { kind: "mismatch"; pinned: string; served: string };

/** `served` is `/log/vkey`: the keys that sign now, one per line, the log's key
 * first (two while a key rotation overlaps; every checkpoint then carries both
 * signatures, so the key already trusted keeps verifying). */
export function trustKey(served: string, storage: Pick<Storage, "getItem" | "setItem"> = localStorage): KeyTrust {
  const keys = served.split("\n").map((k) => k.trim()).filter(Boolean);
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
