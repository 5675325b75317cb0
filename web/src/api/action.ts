// One user action that changes something. Its idempotency key is made when the
// action is first tried and kept until it succeeds, so a retry after a dropped
// connection (or a double tap) is the same command and never lands twice.
import type { AnyVariables, DocumentInput } from "@urql/vue";
import { ref } from "vue";
import { client } from "./client";
import { problemOf, type ApiProblem } from "./errors";
import { succeeded } from "../feedback";
import { i18n } from "../i18n";
import { enqueue, pending } from "./outbox";

export const newKey = () => crypto.randomUUID();

export interface ActionOptions<Input> {
  /** The message key of the toast that says the action worked. */
  done?: string;
  /** Offline, the command waits in the outbox (src/api/outbox.ts) instead of
   * failing, listed as `label` says. */
  queue?: { label: (input: Input) => string };
}

export function useAction<Data, Input extends object>(document: DocumentInput<Data, { input: Input }>, options: ActionOptions<Input> = {}) {
  const busy = ref(false);
  /** The last try was put in the outbox: it goes out once connected. */
  const queued = ref(false);
  const problem = ref<ApiProblem>();
  let key: string | undefined;
  let lastInput = "";

  async function run(input: Input): Promise<Data | undefined> {
    const shape = JSON.stringify(input);
    // A changed input is a new command; the same input again is a retry.
    if (shape !== lastInput) key = undefined;
    lastInput = shape;
    key ??= newKey();
    busy.value = true;
    problem.value = undefined;
    queued.value = false;
    const variables = { input: { ...input, idempotencyKey: key } };
    const queue = async () => {
      await enqueue(document, variables, options.queue!.label(input));
      // The key stays: the same tap again is the same command, answered once.
      queued.value = true;
      succeeded(i18n.global.t("outbox.queued"));
    };
    try {
      // Behind what already waits, so commands arrive in the order they were made.
      if (options.queue && pending.value.length) {
        await queue();
        return undefined;
      }
      const result = await client
        .mutation(document, variables as unknown as { input: Input } & AnyVariables)
        .toPromise();
      if (result.error || !result.data) {
        const found = problemOf(result.error);
        if (found?.code === "NETWORK" && options.queue) {
          await queue();
          return undefined;
        }
        // A dropped connection: the same command again, same key, lands at most once.
        if (found?.code === "NETWORK") found.retry = () => void run(input);
        problem.value = found;
        return undefined;
      }
      key = undefined;
      lastInput = "";
      if (options.done) succeeded(i18n.global.t(options.done));
      return result.data;
    } finally {
      busy.value = false;
    }
  }
  return { run, busy, problem, queued };
}
