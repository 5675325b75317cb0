// One meeting as the app shows it: the query, then the live subscription (which
// starts with the whole state and resends it after every event, so a reconnect
// resynchronises), and the state each mutation returned, whichever is newest.
import { useQuery, useSubscription } from "@urql/vue";
import { computed, ref } from "vue";
import { newest } from "./api/live";
import { MeetingChangedDocument, MeetingDocument, type MeetingDetailFragment } from "./gql/graphql";
import { viewer } from "./session";

export function useMeeting(id: string) {
  const query = useQuery({ query: MeetingDocument, variables: { id } });
  const live = useSubscription({ query: MeetingChangedDocument, variables: { id } });
  const returned = ref<MeetingDetailFragment>();
  const meeting = computed(() => newest((m) => m.lastIndex, query.data.value?.meeting, live.data.value?.meetingChanged, returned.value));
  const me = computed(() => viewer.value?.member.id);
  const mySeat = computed(() => meeting.value?.council?.seats.find((s) => s.member?.id === me.value));
  const names = computed(() => new Map((meeting.value?.rollCall ?? []).map((r) => [r.member, r.name])));
  /** The ballots the viewer may cast in the open vote: their own and those they hold as proxy. */
  const myBallots = computed(() => (meeting.value?.openVote?.eligible ?? []).filter((e) => e.castBy === me.value));
  const show = (m: MeetingDetailFragment | null | undefined) => {
    if (m) returned.value = m;
  };
  return { query, live, meeting, me, mySeat, names, myBallots, show };
}
