import { Locale } from "vant";
import vantEn from "vant/es/locale/lang/en-US";
import vantZh from "vant/es/locale/lang/zh-CN";
import { createI18n } from "vue-i18n";
import en from "./en";
import zhCN from "./zh-CN";

export type Language = "zh-CN" | "en";
const saved = typeof localStorage !== "undefined" ? localStorage.getItem("roundtable.language") : null;

export const i18n = createI18n({
  legacy: false,
  locale: saved === "en" ? "en" : "zh-CN",
  fallbackLocale: "zh-CN",
  // A missing key must show up in tests, never be papered over by the other language.
  missingWarn: true,
  fallbackWarn: true,
  messages: { "zh-CN": zhCN, en },
  datetimeFormats: {
    "zh-CN": {
      short: { year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" },
      long: { year: "numeric", month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" },
      month: { year: "numeric", month: "short" },
    },
    en: {
      short: { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" },
      long: { year: "numeric", month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" },
      month: { year: "numeric", month: "short" },
    },
  },
});

export function setLanguage(language: Language) {
  i18n.global.locale.value = language;
  // Vant's own words (buttons of its dialogs, "loading") follow the app's language.
  if (language === "en") Locale.use("en-US", vantEn);
  else Locale.use("zh-CN", vantZh);
  localStorage.setItem("roundtable.language", language);
  document.documentElement.lang = language;
}

if (saved === "en") setLanguage("en");
