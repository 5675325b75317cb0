// Who is using the app: the `me` query, and what their roles let them see.
import { computed, ref } from "vue";
import { client, renewLiveConnection } from "./api/client";
import { MeDocument, SignOutDocument, type MeQuery } from "./gql/graphql";

export type Viewer = NonNullable<MeQuery["me"]>;

export const viewer = ref<Viewer | null>(null);

let first: Promise<void> | undefined;

export async function refreshSession() {
  const result = await client.query(MeDocument, {}, { requestPolicy: "network-only" }).toPromise();
  viewer.value = result.data?.me ?? null;
}

/** The session as first loaded (the router waits for it before guarding a page). */
export function sessionLoaded(): Promise<void> {
  first ??= refreshSession();
  return first;
}

export async function signOut() {
  await client.mutation(SignOutDocument, {}).toPromise();
  viewer.value = null;
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
export const isStaff = computed(() => isGridWorker.value || isAdmin.value || seats.value.length > 0);
