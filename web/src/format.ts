// Small formatting shared by pages: durations in words, category icons, status colours.
type T = (key: string, values?: Record<string, unknown>) => string;

export function duration(t: T, seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 86400) return t("time.days", { n: Math.floor(s / 86400) });
  if (s >= 3600) return t("time.hours", { n: Math.floor(s / 3600) });
  return t("time.minutes", { n: Math.max(1, Math.floor(s / 60)) });
}

export const CATEGORIES = ["WATER", "DRAINAGE", "ROADS", "SANITATION", "GREENING", "SAFETY", "ELDERLY_CARE", "EMPLOYMENT", "NEIGHBOUR_DISPUTE", "OTHER"] as const;

export const CATEGORY_ICON: Record<string, string> = {
  WATER: "umbrella-circle",
  DRAINAGE: "filter-o",
  ROADS: "guide-o",
  SANITATION: "delete-o",
  GREENING: "flower-o",
  SAFETY: "shield-o",
  ELDERLY_CARE: "service-o",
  EMPLOYMENT: "bag-o",
  NEIGHBOUR_DISPUTE: "friends-o",
  OTHER: "more-o",
};

export const STATUS_TAG: Record<string, "primary" | "success" | "warning" | "danger" | "default"> = {
  OPEN: "primary",
  ACCEPTED: "warning",
  RESPONDED: "success",
  RESOLVED: "success",
  CLOSED: "default",
  REJECTED: "danger",
  MERGED: "default",
  WITHDRAWN: "default",
};

/** A pause, e.g. while the signer (about once a second) covers a new event. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
