// @vitest-environment node
// The verifier's working-day arithmetic against an independent source (npm
// `chinese-days`) for every day of the shipped years, and every service request's
// due time in a real log (the Rust binary's demo) recomputed from its calendar.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { findWorkday, isWorkday } from "chinese-days";
import { describe, expect, it } from "vitest";
import { verifiedLog } from "../../src/verify/audit";
import { type CalendarYear, dateOf, dayNumber, recheckDueTimes, WorkCalendar } from "../../src/verify/calendar";
import { parseVkey } from "../../src/verify/tlog.js";
import { fixture, source } from "./fixture";

const YEARS = [2024, 2025, 2026];
const shipped = (year: number) => JSON.parse(readFileSync(resolve(process.cwd(), `../schema/calendars/${year}.json`), "utf8")) as CalendarYear;

describe("working days", () => {
  const calendar = new WorkCalendar();
  for (const y of YEARS) calendar.put(shipped(y));

  it("agree with chinese-days on every day of 2024–2026, and on 1 to 5 working days after it", () => {
    const wrong: string[] = [];
    for (let day = dayNumber("2024-01-01"); day <= dayNumber("2026-12-31"); day++) {
      const date = dateOf(day);
      if (calendar.isWorkingDay(day) !== isWorkday(date)) wrong.push(`${date}: working day?`);
      // chinese-days counts from the day itself; a request made on a day off is
      // taken as made on the next working day (受理次日起算), one more step there.
      const extra = isWorkday(date) ? 0 : 1;
      for (let n = 1; n <= 5; n++) {
        const theirs = findWorkday(n + extra, date);
        if (theirs > "2026-12-31") continue; // past what either source knows
        const ours = dateOf(calendar.workingDayAfter(day, n));
        if (ours !== theirs) wrong.push(`${date} + ${n}: ours ${ours}, theirs ${theirs}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("are due at Beijing midnight after the last one, across National Day and its worked Saturday", () => {
    // Wednesday 30 September 2026, 10:00 Beijing: 8, 9 and Saturday 10 October.
    const due = calendar.dueAfter(Date.parse("2026-09-30T02:00:00.000Z"), 3);
    expect(new Date(due).toISOString()).toBe("2026-10-10T16:00:00.000Z");
  });
});

describe("due times in the log", () => {
  it("are each what the calendar in force gives, and a forged one is caught", async () => {
    const { entries } = await verifiedLog(source(), await parseVkey(fixture.vkey));
    const checks = recheckDueTimes(entries);
    expect(checks.length).toBeGreaterThan(3);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    const forged = entries.map((e) =>
      e.index === checks[0].index ? { ...e, event: { ...e.event, body: { ...e.event.body, due: "2026-12-31T16:00:00.000Z" } } } : e,
    );
    expect(recheckDueTimes(forged).filter((c) => !c.ok).map((c) => c.index)).toEqual([checks[0].index]);
  });
});
