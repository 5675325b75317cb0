// Working days in the browser verifier: the calendars the log publishes
// (`calendar.published` / `calendar.corrected`, in log order) and every service
// request's due time recomputed from the calendar in force when its clock started
// (`service_request.documents_complete`). The rule is the domain's
// (`services/domain/src/calendar.rs`); this is the independent check of it, run
// against the npm `chinese-days` package in the unit tests.
import type { Entry } from "./audit";

const DAY = 86_400_000;
/** Beijing time, UTC+8 all year. */
const OFFSET = 8 * 3_600_000;

export interface CalendarYear {
  year: number;
  holidays: string[];
  working_weekends: string[];
}

/** Days since 1970-01-01 of `YYYY-MM-DD`. */
const dayNumber = (date: string) => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / DAY;
const dateOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

export class WorkCalendar {
  private years = new Map<number, { off: Set<number>; worked: Set<number> }>();

  put(year: CalendarYear) {
    this.years.set(year.year, { off: new Set(year.holidays.map(dayNumber)), worked: new Set(year.working_weekends.map(dayNumber)) });
  }

  /** A published year's answer; a year nobody published counts Monday to Friday. */
  isWorkingDay(day: number): boolean {
    const weekday = new Date(day * DAY).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const y = this.years.get(new Date(day * DAY).getUTCFullYear());
    if (!y) return !weekend;
    if (y.worked.has(day)) return true;
    return !weekend && !y.off.has(day);
  }

  /** The n-th working day after `day`, counting from the working day it falls on or the next. */
  workingDayAfter(day: number, n: number): number {
    let at = day;
    while (!this.isWorkingDay(at)) at += 1;
    for (let left = n; left > 0; ) {
      at += 1;
      if (this.isWorkingDay(at)) left -= 1;
    }
    return at;
  }

  /** The end (Beijing midnight) of the n-th working day after the day of `start` (ms). */
  dueAfter(start: number, n: number): number {
    const first = Math.floor((start + OFFSET) / DAY);
    return (this.workingDayAfter(first, n) + 1) * DAY - OFFSET;
  }
}

export { dateOf, dayNumber };

export interface DueCheck {
  index: number;
  stream: string;
  recorded: string;
  computed: string;
  ok: boolean;
}

/** Every request's due time, recomputed from the calendars in force in log order. */
export function recheckDueTimes(entries: Entry[]): DueCheck[] {
  const calendar = new WorkCalendar();
  const limits = new Map<string, number>();
  const out: DueCheck[] = [];
  for (const { index, event } of entries) {
    const body = event.body as Record<string, any>;
    if (event.type === "calendar.published" || event.type === "calendar.corrected") calendar.put(body.calendar as CalendarYear);
    else if (event.type === "service_request.opened") limits.set(event.stream, Number(body.limit_working_days));
    else if (event.type === "service_request.documents_complete") {
      const limit = limits.get(event.stream) ?? 0;
      const computed = new Date(calendar.dueAfter(Date.parse(event.time), limit)).toISOString();
      const recorded = String(body.due);
      out.push({ index, stream: event.stream, recorded, computed, ok: Date.parse(recorded) === Date.parse(computed) });
    }
  }
  return out;
}
