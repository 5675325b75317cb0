// What a person is told around an action: a dialog that names the consequence
// before anything that cannot be undone, and a toast when an action succeeded.
import { showConfirmDialog, showSuccessToast } from "vant";
import "vant/es/dialog/style";
import "vant/es/toast/style";
import { nextTick } from "vue";
import { i18n } from "./i18n";

/** Asks before an irreversible action; true when the person confirmed. */
export async function confirmIrreversible(title: string, consequence: string, confirm: string): Promise<boolean> {
  const { t } = i18n.global;
  const answer = showConfirmDialog({
    title,
    message: consequence,
    confirmButtonText: confirm,
    confirmButtonColor: "#c8161d",
    cancelButtonText: t("common.cancel"),
    className: "confirm-irreversible",
  });
  // Vant's dialog has no accessible name: it is named by its title.
  await nextTick();
  for (const dialog of document.querySelectorAll(".confirm-irreversible[role=dialog]")) dialog.setAttribute("aria-label", title);
  try {
    await answer;
    return true;
  } catch {
    // Vant rejects when the dialog is cancelled.
    return false;
  }
}

/** Says an action worked, briefly, where everyone looks. */
export function succeeded(message: string) {
  showSuccessToast({ message, className: "action-done", duration: 1800 });
  // Vant's toast is a popup marked as a dialog; it is a status message that takes
  // no focus, and screen readers should announce it as one.
  void nextTick(() => {
    for (const toast of document.querySelectorAll(".van-toast.action-done[role=dialog]")) {
      toast.setAttribute("role", "status");
      toast.setAttribute("aria-live", "polite");
    }
  });
}
