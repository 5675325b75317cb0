import { createApp, watch } from "vue";
import urql from "@urql/vue";
// Vant's variables first, so the theme in style.css overrides them (each component
// brings its own CSS where it is used; see vite.config.ts).
import "vant/es/style/base.css";
import "./style.css";
import App from "./App.vue";
import { client } from "./api/client";
import { i18n } from "./i18n";
import { router } from "./router";
import { sessionLoaded, viewer } from "./session";
import { refreshOutbox, setOutboxOwner, startOutbox } from "./api/outbox";
import "./display";
import { registerSW } from "virtual:pwa-register";

const app = createApp(App);
app.use(urql, client).use(i18n).use(router);
sessionLoaded().finally(() => app.mount("#app"));
// What was queued offline (in this tab or before a reload) goes out once connected.
// Each member's commands go out in their own session only.
setOutboxOwner(() => viewer.value?.member.id);
void sessionLoaded().then(startOutbox);
watch(() => viewer.value?.member.id, () => void refreshOutbox());
// The service worker that keeps the app shell for offline use (vite.config.ts);
// a new version takes over on the next load.
if ("serviceWorker" in navigator) registerSW({ immediate: true });
