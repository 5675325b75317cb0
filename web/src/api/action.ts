// One user action that changes something. Its idempotency key is made when the
// action is first tried and kept until it succeeds, so a retry after a dropped
// connection (or a double tap) is the same command and never lands twice.
import type { AnyVariables, DocumentInput } from "@urql/vue";
import { ref } from "vue";
import { client } from "./client";
import { problemOf, type ApiProblem } from "./errors";
import { succeeded } from "../feedback";
import { i18n } from "../i18n";

export const newKey = () => crypto.randomUUID();

/** `done`: the message key of the toast that says the action worked. */
export function useAction<Data, Input extends object>(document: DocumentInput<Data, { input: Input }>, options: { done?: string } = {}) {
  const busy = ref(false);
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
    try {
      const result = await client
        .mutation(document, { input: { ...input, idempotencyKey: key } } as unknown as { input: Input } & AnyVariables)
        .toPromise();
      if (result.error || !result.data) {
        const found = problemOf(result.error);
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
  return { run, busy, problem };
}
