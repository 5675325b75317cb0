// The viewer's unread notifications: the count the tab bar shows, refreshed on
// every page change, and marking read (up to a log index) once they were seen.
import { ref } from "vue";
import { client } from "./api/client";
import { MarkNotificationsReadDocument, UnreadNotificationCountDocument } from "./gql/graphql";
import { viewer } from "./session";

export const unread = ref(0);

export async function refreshUnread() {
  if (!viewer.value) {
    unread.value = 0;
    return;
  }
  const r = await client.query(UnreadNotificationCountDocument, {}, { requestPolicy: "network-only" }).toPromise();
  if (r.data) unread.value = r.data.unreadNotificationCount;
}

/** Marks read every notification below `upTo` (a log index); true when the server took it. */
export async function markRead(upTo: number): Promise<boolean> {
  const r = await client.mutation(MarkNotificationsReadDocument, { upTo }).toPromise();
  await refreshUnread();
  return !r.error;
}
