//! The working-day calendar: given the published years, when a clock of N working
//! days starts, then it falls due at the end of the N-th working day after; and
//! publishing or correcting a year is an administrator's, checked for bad days.

mod world;

use roundtable_domain::*;
use roundtable_ledger::{Date, Timestamp};
use world::*;

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

/// The repository's published calendar of `year` (`schema/calendars/`).
fn shipped(year: u16) -> CalendarYear {
    let path = format!(
        "{}/../../schema/calendars/{year}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn shipped_calendar() -> WorkCalendar {
    [2024, 2025, 2026]
        .into_iter()
        .fold(WorkCalendar::default(), |c, y| {
            c.with(shipped(y).checked().unwrap())
        })
}

/// Beijing time `YYYY-MM-DD HH:MM` as an instant.
fn beijing(date: &str, hour: i64) -> Timestamp {
    Timestamp::from_unix_millis(day(date).start(CHINA_OFFSET_MINUTES).unix_millis() + hour * HOUR)
}

fn cal(year: u16) -> CalendarId {
    CalendarId::for_year(year).unwrap()
}

#[test]
fn three_working_days_from_a_friday_evening_end_on_wednesday() {
    let calendar = shipped_calendar();
    // 2026-11-13 is a Friday: Monday, Tuesday, Wednesday.
    let due = calendar.due_after(beijing("2026-11-13", 19), 3);
    assert_eq!(due, day("2026-11-19").start(CHINA_OFFSET_MINUTES));
    assert_eq!(due.to_string(), "2026-11-18T16:00:00.000Z");
    // Made on the Saturday, it is taken as made on Monday: Tuesday to Thursday.
    let due = calendar.due_after(beijing("2026-11-14", 10), 3);
    assert_eq!(due, day("2026-11-20").start(CHINA_OFFSET_MINUTES));
}

#[test]
fn a_clock_started_before_national_day_waits_out_the_holiday_and_counts_the_worked_saturday() {
    let calendar = shipped_calendar();
    // Started Wednesday 30 September 2026; 1–7 October are off; Thursday 8,
    // Friday 9 and the worked Saturday 10 October are the three days.
    let due = calendar.due_after(beijing("2026-09-30", 10), 3);
    assert_eq!(due, day("2026-10-11").start(CHINA_OFFSET_MINUTES));
    // A week of wall time passed, and on the 8th two working days are left after today.
    assert_eq!(calendar.working_days_left(beijing("2026-10-08", 9), due), 2);
    assert_eq!(calendar.working_days_left(beijing("2026-10-10", 9), due), 0);
    // The worked Sunday before it (20 September) is a working day.
    assert!(calendar.is_working_day(day("2026-09-20")));
    assert!(!calendar.is_working_day(day("2026-10-05")));
    // Three working days passed from the 30th to the Saturday.
    assert_eq!(
        calendar.working_days_between(beijing("2026-09-30", 10), beijing("2026-10-10", 15)),
        3
    );
}

#[test]
fn a_year_nobody_published_counts_monday_to_friday() {
    let calendar = shipped_calendar();
    // 1 January 2027 is a Friday; no calendar of 2027 is in force.
    assert!(calendar.is_working_day(day("2027-01-01")));
    assert!(!calendar.is_working_day(day("2027-01-02")));
    let due = calendar.due_after(beijing("2026-12-31", 12), 2);
    assert_eq!(due, day("2027-01-05").start(CHINA_OFFSET_MINUTES));
}

#[test]
fn an_administrator_publishes_a_year_once_and_corrects_it_after() {
    let w = world();
    let y2026 = shipped(2026);
    let published = decide_at::<Calendar>(
        &cal(2026),
        &[],
        CalendarCommand::Publish(y2026.clone()),
        "administrator",
        NOW,
        &w,
    )
    .unwrap();
    let Event::Calendar(CalendarEvent::CalendarPublished { calendar_hash, .. }) = &published[0]
    else {
        panic!("{published:?}")
    };
    assert_eq!(*calendar_hash, y2026.hash());
    // The same year again would overlap the days it holds.
    let again = decide_at::<Calendar>(
        &cal(2026),
        &published,
        CalendarCommand::Publish(y2026.clone()),
        "administrator",
        NOW,
        &w,
    );
    assert_eq!(again.unwrap_err().refusal(), Refusal::CALENDAR_PUBLISHED);
    // A correction names its reason and is numbered; an identical one is refused.
    let mut corrected = y2026.clone();
    corrected.holidays.retain(|d| *d != day("2026-06-19"));
    let fix = decide_at::<Calendar>(
        &cal(2026),
        &published,
        CalendarCommand::Correct {
            calendar: corrected,
            reason: reason("端午节安排更正"),
        },
        "administrator",
        NOW,
        &w,
    )
    .unwrap();
    assert!(matches!(
        &fix[0],
        Event::Calendar(CalendarEvent::CalendarCorrected { version: 2, .. })
    ));
    let same = decide_at::<Calendar>(
        &cal(2026),
        &published,
        CalendarCommand::Correct {
            calendar: y2026.clone(),
            reason: reason("无变化"),
        },
        "administrator",
        NOW,
        &w,
    );
    assert_eq!(same.unwrap_err().refusal(), Refusal::UNCHANGED);
    // Correcting a year never published is refused.
    let missing = decide_at::<Calendar>(
        &cal(2025),
        &[],
        CalendarCommand::Correct {
            calendar: shipped(2025),
            reason: reason("更正"),
        },
        "administrator",
        NOW,
        &w,
    );
    assert_eq!(
        missing.unwrap_err().refusal(),
        Refusal::CALENDAR_NOT_PUBLISHED
    );
}

#[test]
fn only_an_administrator_publishes() {
    let w = world();
    for who in [
        "anonymous",
        "resident_verified",
        "grid_worker_inside",
        "auditor",
    ] {
        let refused = decide_at::<Calendar>(
            &cal(2026),
            &[],
            CalendarCommand::Publish(shipped(2026)),
            who,
            NOW,
            &w,
        );
        assert!(refused.is_err(), "{who}");
    }
}

#[test]
fn bad_days_are_refused_with_their_code() {
    let w = world();
    let publish = |calendar: CalendarYear, id: u16| {
        decide_at::<Calendar>(
            &cal(id),
            &[],
            CalendarCommand::Publish(calendar),
            "administrator",
            NOW,
            &w,
        )
        .unwrap_err()
        .refusal()
    };
    let base = shipped(2026);
    let mut outside = base.clone();
    outside.holidays.push(day("2027-01-01"));
    assert_eq!(publish(outside, 2026), Refusal::CALENDAR_DAY_OUTSIDE_YEAR);
    let mut twice = base.clone();
    twice.holidays.insert(1, base.holidays[0]);
    assert_eq!(publish(twice, 2026), Refusal::CALENDAR_DAYS_UNORDERED);
    let mut weekday = base.clone();
    // A Tuesday cannot be "worked in exchange".
    weekday.working_weekends = vec![day("2026-03-03")];
    assert_eq!(publish(weekday, 2026), Refusal::CALENDAR_NOT_WEEKEND);
    let mut both = base.clone();
    // Saturday 3 January 2026 is a day off; it cannot also be worked.
    both.working_weekends.insert(0, day("2026-01-03"));
    assert_eq!(publish(both, 2026), Refusal::CALENDAR_DAY_BOTH);
    assert_eq!(publish(base.clone(), 2025), Refusal::CALENDAR_ID_MISMATCH);
    let mut far = base;
    far.year = 1999;
    assert_eq!(publish(far, 2026), Refusal::OUT_OF_RANGE);
}

#[test]
fn dates_read_and_write_as_the_calendar_writes_them() {
    assert_eq!(day("2026-10-01").to_string(), "2026-10-01");
    assert_eq!(day("2026-10-01").weekday(), 4);
    assert_eq!(day("2024-02-29").plus_days(1), day("2024-03-01"));
    for bad in [
        "2026-02-29",
        "2026-13-01",
        "2026-1-01",
        "２０２６-01-01",
        "2026-01-01T00",
    ] {
        assert!(bad.parse::<Date>().is_err(), "{bad}");
    }
}
