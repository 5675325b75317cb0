import { ref } from "vue";
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { sessionLoaded, viewer } from "./session";

const routes: RouteRecordRaw[] = [
  { path: "/", name: "home", component: () => import("./pages/HomePage.vue") },
  { path: "/sign-in", name: "sign-in", component: () => import("./pages/SignInPage.vue") },
  { path: "/register", name: "register", component: () => import("./pages/RegisterPage.vue") },
  { path: "/me", name: "me", component: () => import("./pages/AccountPage.vue"), meta: { signedIn: true } },
  { path: "/raise", name: "raise", component: () => import("./pages/RaisePage.vue"), meta: { signedIn: true } },
  { path: "/issues", name: "issues", component: () => import("./pages/IssuesPage.vue") },
  { path: "/issues/:id", name: "issue", component: () => import("./pages/IssuePage.vue"), props: true },
  { path: "/meetings", name: "meetings", component: () => import("./pages/MeetingsPage.vue") },
  { path: "/meetings/:id", name: "meeting", component: () => import("./pages/MeetingPage.vue"), props: true },
  { path: "/meetings/:id/console", name: "console", component: () => import("./pages/ConsolePage.vue"), props: true, meta: { signedIn: true } },
  { path: "/meetings/:id/minutes", name: "minutes", component: () => import("./pages/MinutesPage.vue"), props: true },
  { path: "/councils/:id/convene", name: "convene", component: () => import("./pages/ConvenePage.vue"), props: true, meta: { signedIn: true } },
  { path: "/resolutions/:id", name: "resolution", component: () => import("./pages/ResolutionPage.vue"), props: true },
  { path: "/triage", name: "triage", component: () => import("./pages/TriagePage.vue"), meta: { signedIn: true } },
  { path: "/residents", name: "residents", component: () => import("./pages/ResidentsPage.vue"), meta: { signedIn: true } },
  { path: "/disputes", name: "disputes", component: () => import("./pages/DisputesPage.vue") },
  { path: "/disputes/new", name: "dispute-new", component: () => import("./pages/DisputeNewPage.vue"), meta: { signedIn: true } },
  { path: "/disputes/:id", name: "dispute", component: () => import("./pages/DisputePage.vue"), props: true, meta: { signedIn: true } },
  { path: "/services", name: "services", component: () => import("./pages/ServicesPage.vue") },
  { path: "/services/:id", name: "service", component: () => import("./pages/ServicePage.vue"), props: true },
  { path: "/service-requests/:id", name: "service-request", component: () => import("./pages/ServiceRequestPage.vue"), props: true, meta: { signedIn: true } },
  { path: "/service-queue", name: "service-queue", component: () => import("./pages/ServiceQueuePage.vue"), meta: { signedIn: true } },
  { path: "/dashboard", name: "dashboard", component: () => import("./pages/DashboardPage.vue") },
  { path: "/verify", name: "verify", component: () => import("./pages/VerifyPage.vue") },
  { path: "/:rest(.*)", name: "not-found", component: () => import("./pages/NotFoundPage.vue") },
];

export const router = createRouter({ history: createWebHistory(), routes });

/** The page the router could not load (its script failed to download: a dropped
 * connection, or a new version replaced the old files); App.vue offers a reload. */
export const failedPage = ref<string | null>(null);

/** Whether an error is a page's script that failed to download (Chromium, Firefox
 * and Safari word it differently). */
const isPageLoadError = (error: unknown) =>
  /dynamically imported module|Importing a module script failed/i.test(error instanceof Error ? error.message : String(error));

router.onError((error: unknown, to) => {
  if (!isPageLoadError(error)) throw error;
  failedPage.value = to.fullPath;
});
// The link that started the navigation (a tab, a button) does not wait for it, so
// the same failure also arrives as an unhandled rejection: it is handled above.
if (typeof window !== "undefined") {
  window.addEventListener("unhandledrejection", (event) => {
    if (isPageLoadError(event.reason)) event.preventDefault();
  });
}
router.afterEach(() => {
  failedPage.value = null;
});

router.beforeEach(async (to) => {
  await sessionLoaded();
  if (to.meta.signedIn && !viewer.value) return { name: "sign-in", query: { next: to.fullPath } };
});
