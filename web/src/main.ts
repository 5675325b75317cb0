import { createApp } from "vue";
import urql from "@urql/vue";
import Vant from "vant";
import "vant/lib/index.css";
import "./style.css";
import App from "./App.vue";
import { client } from "./api/client";
import { i18n } from "./i18n";
import { router } from "./router";
import { sessionLoaded } from "./session";

const app = createApp(App);
app.use(urql, client).use(i18n).use(router).use(Vant);
sessionLoaded().finally(() => app.mount("#app"));
