// Who is using the app: the `me` query, and what their roles let them see.
import { computed, ref } from "vue";
import { client, renewLiveConnection } from "./api/client";
import { MeDocument, SignOutDocument, type MeQuery } from "./gql/graphql";

export type Viewer = NonNullable<MeQuery["me"]>;

export const viewer = ref<Viewer | null>(null);

let first: Promise<void> | undefined;

// The last answer, for this tab only: a reload while the hall's Wi-Fi is down keeps
// the secretary signed in (and their outbox theirs) instead of sending them to the
// sign-in page. Only a network failure falls back to it; the server's "signed out" wins.
const LAST = "roundtable.me";

export async function refreshSession() {
  const result = await client.query(MeDocument, {}, { requestPolicy: "network-only" }).toPromise();
  if (result.error?.networkError && !result.data) {
    viewer.value = JSON.parse(sessionStorage.getItem(LAST) ?? "null") as Viewer | null;
    return;
  }
  viewer.value = result.data?.me ?? null;
  if (viewer.value) sessionStorage.setItem(LAST, JSON.stringify(viewer.value));
  else sessionStorage.removeItem(LAST);
}

/** The session as first loaded (the router waits for it before guarding a page). */
export function sessionLoaded(): Promise<void> {
  first ??= refreshSession();
  return first;
}

export async function signOut() {
  await client.mutation(SignOutDocument, {}).toPromise();
  viewer.value = null;
  sessionStorage.removeItem(LAST);
  renewLiveConnection();
}

const member = computed(() => viewer.value?.member);
export const roles = computed(() => new Set(member.value?.roles.map((r) => r.kind) ?? []));
export const isGridWorker = computed(() => roles.value.has("GRID_WORKER"));
export const isAuditor = computed(() => roles.value.has("AUDITOR"));
export const isAdmin = computed(() => roles.value.has("ADMINISTRATOR"));
/** Seats the viewer holds, with the officer ones first. */
export const seats = computed(() => member.value?.seats ?? []);
/** Staff see the triage queue: grid workers, administrators, and council members. */
type Place = { id: string; name: string; kind: string; ancestors: { id: string; name: string; kind: string }[] };
/** Where the viewer works: their grid-worker scopes, then the places of their councils (no repeats). */
export const staffScopes = computed(() => {
  const m = member.value;
  const seen = new Map<string, Place>();
  for (const j of [...(m?.roles ?? []).map((r) => r.jurisdiction), ...(m?.seats ?? []).map((s) => s.council?.jurisdiction)]) if (j && !seen.has(j.id)) seen.set(j.id, j);
  return [...seen.values()];
});
/** The area the dashboard opens on: the viewer's own scope, or the community around their grid. */
export const ownArea = computed(() => {
  const scope = staffScopes.value[0];
  if (scope) return scope.kind === "GRID" ? scope.ancestors[scope.ancestors.length - 1]?.id : scope.id;
  const home = member.value?.homeGrid;
  return home?.ancestors.find((a) => a.kind === "COMMUNITY")?.id;
});
export const isStaff = computed(() => isGridWorker.value || isAdmin.value || seats.value.length > 0);
