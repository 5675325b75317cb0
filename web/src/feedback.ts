// What a person is told around an action: a dialog that names the consequence
// before anything that cannot be undone, and a toast when an action succeeded.
import { showConfirmDialog, showSuccessToast } from "vant";
import "vant/es/dialog/style";
import "vant/es/toast/style";
import { i18n } from "./i18n";

/** Asks before an irreversible action; true when the person confirmed. */
export async function confirmIrreversible(title: string, consequence: string, confirm: string): Promise<boolean> {
  const { t } = i18n.global;
  try {
    await showConfirmDialog({
      title,
      message: consequence,
      confirmButtonText: confirm,
      confirmButtonColor: "#c8161d",
      cancelButtonText: t("common.cancel"),
      className: "confirm-irreversible",
    });
    return true;
  } catch {
    // Vant rejects when the dialog is cancelled.
    return false;
  }
}

/** Says an action worked, briefly, where everyone looks. */
export function succeeded(message: string) {
  showSuccessToast({ message, className: "action-done", duration: 1800 });
}
