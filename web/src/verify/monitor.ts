// The browser as a monitor: it remembers the last checkpoint it verified and
// demands that every later one extends it (RFC 9162 consistency). A smaller tree
// or a failed proof is a rollback or a fork: both signed notes are kept as evidence.
import { consistencyProof, type LogSource } from "./source";
import { openCheckpoint, verifyConsistency, type LogKey, type OpenedCheckpoint } from "./tlog.js";

export interface Seen {
  origin: string;
  note: string;
  size: string;
  at: string;
}

/** Where the last seen checkpoint is kept (IndexedDB in the app, memory in tests). */
export interface SeenStore {
  get(origin: string): Promise<Seen | undefined>;
  put(seen: Seen): Promise<void>;
}

export type MonitorResult =
  | { kind: "first"; checkpoint: OpenedCheckpoint; note: string }
  | { kind: "consistent"; checkpoint: OpenedCheckpoint; note: string; previous: Seen }
  | { kind: "alarm"; reason: "rollback" | "fork"; note: string; previous: Seen };

export async function checkLatest(source: LogSource, key: LogKey, store: SeenStore, now: Date): Promise<MonitorResult> {
  const note = await source.text("/log/checkpoint");
  const checkpoint = await openCheckpoint(note, key);
  const previous = await store.get(key.name);
  const remember = () => store.put({ origin: key.name, note, size: checkpoint.size.toString(), at: now.toISOString() });
  if (!previous) {
    await remember();
    return { kind: "first", checkpoint, note };
  }
  const old = await openCheckpoint(previous.note, key);
  if (checkpoint.size < old.size) return { kind: "alarm", reason: "rollback", note, previous };
  const proof = checkpoint.size === old.size ? [] : await consistencyProof(source, old.size, checkpoint.size);
  if (!(await verifyConsistency(old.size, checkpoint.size, old.root, checkpoint.root, proof))) {
    return { kind: "alarm", reason: "fork", note, previous };
  }
  await remember();
  return { kind: "consistent", checkpoint, note, previous };
}

/** The app's store: one IndexedDB object store keyed by log origin. */
export class IndexedDbSeen implements SeenStore {
  private db?: Promise<IDBDatabase>;
  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open("roundtable-verifier", 1);
      req.onupgradeneeded = () => req.result.createObjectStore("checkpoints", { keyPath: "origin" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return this.db;
  }
  private async run<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest): Promise<T> {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const req = f(db.transaction("checkpoints", mode).objectStore("checkpoints"));
      req.onsuccess = () => resolve(req.result as T);
      req.onerror = () => reject(req.error);
    });
  }
  get(origin: string) {
    return this.run<Seen | undefined>("readonly", (s) => s.get(origin));
  }
  async put(seen: Seen) {
    await this.run("readwrite", (s) => s.put(seen));
  }
}
