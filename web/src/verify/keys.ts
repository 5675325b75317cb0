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

export function trustKey(served: string, storage: Pick<Storage, "getItem" | "setItem"> = localStorage): KeyTrust {
  const s = served.trim();
  if (PINNED_AT_BUILD) return PINNED_AT_BUILD.trim() === s ? { kind: "build", pinned: s } : { kind: "mismatch", pinned: PINNED_AT_BUILD.trim(), served: s };
  const kept = storage.getItem(STORAGE);
  if (!kept) {
    storage.setItem(STORAGE, s);
    return { kind: "new", pinned: s };
  }
  return kept === s ? { kind: "remembered", pinned: s } : { kind: "mismatch", pinned: kept, served: s };
}

export function pinKey(vkey: string, storage: Pick<Storage, "setItem"> = localStorage) {
  storage.setItem(STORAGE, vkey.trim());
}
