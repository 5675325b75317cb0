// API errors as the user reads them: a stable code (and the field it concerns)
// turned into words of the user's language by vue-i18n.
import type { CombinedError } from "@urql/vue";

export interface ApiProblem {
  code: string;
  field?: string;
  /** The server's own words (English), shown as a detail. */
  detail: string;
}

export const CODES = ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "VALIDATION", "CONFLICT", "RATE_LIMITED", "INTERNAL", "NETWORK"] as const;

export function problemOf(error: CombinedError | Error | undefined | null): ApiProblem | undefined {
  if (!error) return undefined;
  const gql = "graphQLErrors" in error ? error.graphQLErrors[0] : undefined;
  if (gql) {
    const ext = gql.extensions as { code?: string; field?: string };
    const code = CODES.includes(ext.code as (typeof CODES)[number]) ? ext.code! : "INTERNAL";
    return { code, field: ext.field, detail: gql.message };
  }
  return { code: "NETWORK", detail: error.message };
}
