// The GraphQL client: queries and mutations over HTTP with the session cookie
// (and the CSRF token echoed as a header), subscriptions over graphql-ws, which
// reconnects on its own and re-subscribes; every subscription starts with the
// whole current state, so a dropped connection resynchronises by itself.
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from "@urql/vue";
import { createClient as createWsClient } from "graphql-ws";
import { ref } from "vue";

export const CSRF_COOKIE = "rt_csrf";

export function csrfToken(): string | undefined {
  return document.cookie
    .split(";")
    .map((c) => c.trim().split("="))
    .find(([k]) => k === CSRF_COOKIE)?.[1];
}

/** Whether the live connection is up (shown in the meeting console). */
export const online = ref(true);

const wsUrl = () => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql/ws`;

export const ws = createWsClient({
  url: wsUrl,
  lazy: true,
  // The server closes a connection silent for 60 s (docs/SECURITY.md): a ping
  // every 20 s keeps a quiet meeting page connected.
  keepAlive: 20_000,
  retryAttempts: Infinity,
  shouldRetry: () => true,
  retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(500 * 2 ** retries, 5000))),
  on: {
    connected: () => (online.value = true),
    closed: () => (online.value = false),
  },
});

// Reconnect the socket after sign-in or sign-out so it carries the new session cookie.
export function renewLiveConnection() {
  ws.terminate();
}

/** Some request has waited more than 300 ms (App.vue shows a progress bar). */
export const slow = ref(false);
let inFlight = 0;
let slowTimer: ReturnType<typeof setTimeout> | undefined;
const tracked: typeof fetch = async (input, init) => {
  if (inFlight++ === 0) slowTimer = setTimeout(() => (slow.value = true), 300);
  try {
    return await fetch(input, init);
  } finally {
    if (--inFlight === 0) {
      clearTimeout(slowTimer);
      slow.value = false;
    }
  }
};

export const client = new Client({
  url: "/graphql",
  // GET /graphql is GraphiQL; the API answers POST only.
  preferGetMethod: false,
  fetch: tracked,
  requestPolicy: "cache-and-network",
  exchanges: [
    cacheExchange,
    fetchExchange,
    subscriptionExchange({
      forwardSubscription: (request) => ({
        subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }),
      }),
    }),
  ],
  fetchOptions: (): RequestInit => {
    const token = csrfToken();
    const headers: Record<string, string> = token ? { "X-CSRF-Token": token } : {};
    return { credentials: "same-origin", headers };
  },
});
