// Small formatting shared by pages: durations in words, category icons, status colours.
// Tables over the API's enums are typed by the generated schema types, so a new
// enum value fails `npm run build` until every table names it.
import type { Category, DisputeKind, DisputeStatus, IssueStatus, MajorityKind, Performance, RequestStatus } from "./gql/graphql";

type T = (key: string, values?: Record<string, unknown>) => string;

export function duration(t: T, seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 86400) return t("time.days", { n: Math.floor(s / 86400) });
  if (s >= 3600) return t("time.hours", { n: Math.floor(s / 3600) });
  return t("time.minutes", { n: Math.max(1, Math.floor(s / 60)) });
}

export const CATEGORY_ICON: Record<Category, string> = {
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

/** Every category, in the order the raise form shows them. */
export const CATEGORIES = Object.keys(CATEGORY_ICON) as Category[];

export const STATUS_TAG: Record<IssueStatus, "primary" | "success" | "warning" | "danger" | "default"> = {
  OPEN: "primary",
  ACCEPTED: "warning",
  RESPONDED: "success",
  RESOLVED: "success",
  CLOSED: "default",
  REJECTED: "danger",
  MERGED: "default",
  WITHDRAWN: "default",
  IN_MEDIATION: "warning",
};

/** Every majority rule a vote may be opened under, in the order the console offers them. */
export const MAJORITIES = Object.keys({
  SIMPLE_MAJORITY: true,
  MAJORITY_OF_PRESENT: true,
  MAJORITY_OF_MEMBERS: true,
  TWO_THIRDS: true,
  TWO_THIRDS_OF_MEMBERS: true,
  CONSENSUS: true,
} satisfies Record<MajorityKind, true>) as MajorityKind[];

/** A pause, e.g. while the signer (about once a second) covers a new event. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every kind of dispute, in the order the "I have a dispute" page offers them. */
export const DISPUTE_KINDS = Object.keys({
  NEIGHBOURS: true,
  FAMILY: true,
  PROPERTY_MANAGEMENT: true,
  LABOUR: true,
  CONSUMER: true,
  LAND: true,
  OTHER: true,
} satisfies Record<DisputeKind, true>) as DisputeKind[];

/** What a follow-up visit may find. */
export const PERFORMANCES = Object.keys({ PERFORMED: true, PARTLY: true, NOT_PERFORMED: true } satisfies Record<Performance, true>) as Performance[];

/** The step of the case's progress bar. */
export const REQUEST_STEP: Record<RequestStatus, number> = { AWAITING_DOCUMENTS: 0, IN_PROGRESS: 1, DONE: 2, REFUSED: 3, WITHDRAWN: 3 };

export const DISPUTE_STEP: Record<DisputeStatus, number> = { AWAITING_CONSENT: 0, IN_MEDIATION: 1, AGREED: 2, CLOSED: 3 };
