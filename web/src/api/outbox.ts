// The outbox: commands made while the connection is down wait here (IndexedDB, so
// a reload or a closed tab loses none) and go out in the order they were made once
// the app is connected again. Each keeps the idempotency key it was made with, so
// one that reached the server before the answer was lost is answered as the
// original and lands once (services/app: the command handler's key check).
import { openDB, type IDBPDatabase } from "idb";
import { stringifyDocument, type DocumentInput } from "@urql/vue";
import { ref } from "vue";
import { client } from "./client";
import { problemOf, type ApiProblem } from "./errors";

export interface Queued {
  id?: number;
  /** What the command was sent as: the operation's text and its variables (with the key). */
  query: string;
  variables: Record<string, unknown>;
  /** What the user did, in their words at the time (e.g. 「签到：陈大爷」). */
  label: string;
  /** Who made it: it is sent only in their session (a shared tablet changes hands). */
  member?: string;
}

export interface Undelivered {
  label: string;
  problem: ApiProblem;
}

/** The signed-in member, as the session knows it (set by main.ts). */
let owner: () => string | undefined = () => undefined;
export function setOutboxOwner(who: () => string | undefined) {
  owner = who;
}

/** This member's commands still waiting, oldest first. */
export const pending = ref<Queued[]>([]);
/** Commands the server refused when they arrived (e.g. the vote closed meanwhile). */
export const undelivered = ref<Undelivered[]>([]);

let db: Promise<IDBPDatabase> | undefined;
const open = () =>
  (db ??= openDB("roundtable-outbox", 1, {
    upgrade: (d) => void d.createObjectStore("commands", { keyPath: "id", autoIncrement: true }),
  }));

async function reload() {
  const me = owner();
  pending.value = ((await (await open()).getAll("commands")) as Queued[]).filter((e) => e.member === me);
}

/** Puts a command in the outbox; it goes out with the next flush. */
export async function enqueue<Data>(document: DocumentInput<Data, never>, variables: Record<string, unknown>, label: string) {
  const entry: Queued = { query: stringifyDocument(document as never), variables, label, member: owner() };
  await (await open()).add("commands", entry);
  await reload();
  schedule(0);
}

let flushing: Promise<void> | undefined;
/** Sends what waits, one at a time in order; stops at the first network failure. */
export function flush(): Promise<void> {
  flushing ??= (async () => {
    try {
      const store = await open();
      for (;;) {
        // The oldest of this member's: another's wait for them to sign in again.
        const me = owner();
        const all = (await store.getAll("commands")) as Queued[];
        const entry = all.find((e) => e.member === me);
        if (!entry) break;
        const result = await client.mutation(entry.query, entry.variables).toPromise();
        const problem = problemOf(result.error);
        // Not reached, or told to slow down: it waits for the next try.
        if (problem?.code === "NETWORK" || problem?.code === "RATE_LIMITED") break;
        // Answered, one way or the other: it leaves the outbox (the live views bring
        // what it changed).
        await store.delete("commands", entry.id!);
        if (problem) undelivered.value = [...undelivered.value, { label: entry.label, problem }];
      }
    } finally {
      flushing = undefined;
      await reload();
      if (pending.value.length) schedule(5_000);
    }
  })();
  return flushing;
}

let timer: ReturnType<typeof setTimeout> | undefined;
function schedule(ms: number) {
  clearTimeout(timer);
  timer = setTimeout(() => void flush(), ms);
}

/** Loads what this member left (in an earlier visit, or before someone else
 * used the device) and sends it. Called again whenever the member changes. */
export async function refreshOutbox() {
  if (typeof indexedDB === "undefined") return;
  await reload();
  if (pending.value.length) schedule(0);
}

/** Starts the outbox: sends whenever the browser is back online. */
export async function startOutbox() {
  if (typeof window !== "undefined") window.addEventListener("online", () => schedule(0));
  await refreshOutbox();
}

export function dismissUndelivered() {
  undelivered.value = [];
}
