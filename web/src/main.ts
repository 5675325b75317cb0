import { createApp } from "vue";
import urql from "@urql/vue";
// Vant's variables first, so the theme in style.css overrides them (each component
// brings its own CSS where it is used; see vite.config.ts).
import "vant/es/style/base.css";
import "./style.css";
import App from "./App.vue";
import { client } from "./api/client";
import { i18n } from "./i18n";
import { router } from "./router";
import { sessionLoaded } from "./session";

const app = createApp(App);
app.use(urql, client).use(i18n).use(router);
sessionLoaded().finally(() => app.mount("#app"));
