// API errors as the user reads them. The server sends a stable code, the field
// it concerns, and a refusal key with its values (schema/refusals.json); the app
// says the refusal in the user's language, never the server's English words.
import type { CombinedError } from "@urql/vue";

export interface ApiProblem {
  code: string;
  field?: string;
  /** A key of schema/refusals.json, when the server gave one. */
  reason?: string;
  params?: Record<string, string>;
  /** The server's own words (English), for the console only. */
  detail: string;
  /** Sends the same command again (same idempotency key): offered after a network failure. */
  retry?: () => void;
}

export const CODES = ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "VALIDATION", "CONFLICT", "RATE_LIMITED", "INTERNAL", "NETWORK"] as const;

interface Extensions {
  code?: string;
  field?: string;
  reason?: string;
  params?: Record<string, string>;
}

/** The problem in a JSON error body or GraphQL extensions (both carry the same fields). */
export function problemFrom(ext: Extensions, detail: string): ApiProblem {
  const code = CODES.includes(ext.code as (typeof CODES)[number]) ? ext.code! : "INTERNAL";
  return { code, field: ext.field, reason: ext.reason, params: ext.params ?? {}, detail };
}

export function problemOf(error: CombinedError | Error | undefined | null): ApiProblem | undefined {
  if (!error) return undefined;
  const gql = "graphQLErrors" in error ? error.graphQLErrors[0] : undefined;
  if (gql) return problemFrom(gql.extensions as Extensions, gql.message);
  return { code: "NETWORK", detail: error.message };
}

// Values that are themselves words: a state goes by its wire name, a time by its instant.
const STATE_WORDS: Record<string, string> = {
  PROCEDURE_ITEM_STATUS: "itemStatus",
  PROCEDURE_MOTION_STATUS: "motionStatus",
};
const TIMES = new Set(["due", "start", "earliest"]);

/** The translation functions of the caller's `useI18n()`. */
export interface Words {
  t: (key: string, values?: Record<string, unknown>) => string;
  te: (key: string) => boolean;
  d: (value: Date, format: string) => string;
}

function localValues({ t, te, d }: Words, reason: string, params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const words = name === "status" ? (STATE_WORDS[reason] ?? "status") : name === "kind" || name === "parent" ? "kind" : undefined;
    if (words && te(`${words}.${value}`)) out[name] = t(`${words}.${value}`);
    else if (TIMES.has(name) && !Number.isNaN(Date.parse(value))) out[name] = d(new Date(value), "short");
    else out[name] = value;
  }
  return out;
}

/** The problem in the user's language: the refusal when the app knows it, else the code's words. */
export function describe(words: Words, problem: ApiProblem): string {
  const { t, te } = words;
  if (problem.reason && te(`refusals.${problem.reason}`)) {
    return t(`refusals.${problem.reason}`, localValues(words, problem.reason, problem.params ?? {}));
  }
  return t(`errors.${problem.code}`);
}

/** A `WhyNot` of the API (the domain's refusal of a dry run) in the user's language. */
export function describeWhyNot(words: Words, why: { reason: string; params: unknown }): string {
  return describe(words, { code: "FORBIDDEN", reason: why.reason, params: why.params as Record<string, string>, detail: "" });
}
