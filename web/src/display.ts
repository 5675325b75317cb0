// How the app is displayed for this person on this device: the 大字 (large text)
// mode, switched on the account page and remembered in the browser (it is a
// property of the reader's eyes and the device, not of their account).
import { ref, watch } from "vue";

const KEY = "roundtable.largeText";

const stored = () => {
  try {
    return localStorage.getItem(KEY) === "1";
  } catch {
    return false; // storage refused (a private window): the default size
  }
};

export const largeText = ref(typeof window !== "undefined" && stored());

watch(
  largeText,
  (on) => {
    if (typeof document === "undefined") return;
    document.documentElement.classList.toggle("large-text", on);
    try {
      localStorage.setItem(KEY, on ? "1" : "0");
    } catch {
      // not remembered, still applied
    }
  },
  { immediate: true },
);
