//! Working days on the official calendar: each year's public holidays and the
//! weekend days worked in exchange (调休), as the State Council announces them,
//! published into the log by an administrator (`calendar/cal_<year>`). A clock in
//! working days takes its due time from the calendars in force when it starts and
//! records it, so a later correction moves no running deadline: it applies to the
//! clocks started after it. A year nobody has published counts Monday to Friday.

use std::collections::BTreeMap;

use roundtable_ledger::{Date, Timestamp};
use serde::{Deserialize, Serialize};

use crate::aggregate::{Decided, Deciding};
use crate::{CalendarEvent, CalendarId, ContentHash, DomainError, Reason, Refusal};

/// Working days are counted in Beijing time (UTC+8 all year, no daylight saving).
pub const CHINA_OFFSET_MINUTES: i32 = 8 * 60;
/// A year has at most this many days off on working days, or worked weekend days.
pub const MAX_CALENDAR_DAYS: usize = 60;
/// The longest limit a clock may be given, in working days.
pub const MAX_WORKING_DAYS: u32 = 250;

/// One year's official calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    pub year: u16,
    /// Days off (statutory holidays and the days given in exchange), ascending.
    pub holidays: Vec<Date>,
    /// Saturdays and Sundays worked in exchange (调休上班), ascending.
    pub working_weekends: Vec<Date>,
}

impl CalendarYear {
    /// Checks that every day is of this year, listed once and in order, that worked
    /// days are weekend days, and that no day is both off and worked.
    pub fn checked(self) -> Result<CalendarYear, DomainError> {
        if !(2000..=2100).contains(&self.year) {
            return Err(DomainError::validation("year", Refusal::OUT_OF_RANGE)
                .with("min", 2000)
                .with("max", 2100)
                .with("got", self.year));
        }
        for (field, days) in [
            ("holidays", &self.holidays),
            ("workingWeekends", &self.working_weekends),
        ] {
            if days.len() > MAX_CALENDAR_DAYS {
                return Err(DomainError::validation(field, Refusal::OUT_OF_RANGE)
                    .with("min", 0)
                    .with("max", MAX_CALENDAR_DAYS)
                    .with("got", days.len()));
            }
            if let Some(day) = days.iter().find(|d| d.year() != i64::from(self.year)) {
                return Err(
                    DomainError::validation(field, Refusal::CALENDAR_DAY_OUTSIDE_YEAR)
                        .with("day", day)
                        .with("year", self.year),
                );
            }
            if let Some(pair) = days.windows(2).find(|w| w[0] >= w[1]) {
                return Err(
                    DomainError::validation(field, Refusal::CALENDAR_DAYS_UNORDERED)
                        .with("day", pair[1]),
                );
            }
        }
        if let Some(day) = self.working_weekends.iter().find(|d| !d.is_weekend()) {
            return Err(
                DomainError::validation("workingWeekends", Refusal::CALENDAR_NOT_WEEKEND)
                    .with("day", day),
            );
        }
        if let Some(day) = self
            .working_weekends
            .iter()
            .find(|d| self.holidays.binary_search(d).is_ok())
        {
            return Err(
                DomainError::validation("workingWeekends", Refusal::CALENDAR_DAY_BOTH)
                    .with("day", day),
            );
        }
        Ok(self)
    }

    /// SHA-256 of the canonical JSON of this year (what its events cite).
    pub fn hash(&self) -> ContentHash {
        // Only integers and dates: always encodable.
        ContentHash::of_canonical(&serde_json::to_value(self).unwrap_or_default())
    }

    fn is_working_day(&self, day: Date) -> bool {
        if self.working_weekends.binary_search(&day).is_ok() {
            return true;
        }
        !day.is_weekend() && self.holidays.binary_search(&day).is_err()
    }
}

/// The calendars in force, by year.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    years: BTreeMap<u16, CalendarYear>,
}

impl WorkCalendar {
    pub fn with(mut self, year: CalendarYear) -> WorkCalendar {
        self.put(year);
        self
    }

    /// Puts a year in force (a correction replaces the year's calendar).
    pub fn put(&mut self, year: CalendarYear) {
        self.years.insert(year.year, year);
    }

    pub fn year(&self, year: u16) -> Option<&CalendarYear> {
        self.years.get(&year)
    }

    pub fn years(&self) -> impl Iterator<Item = &CalendarYear> {
        self.years.values()
    }

    /// Whether `day` is a working day: a published year's own answer, else Monday
    /// to Friday.
    pub fn is_working_day(&self, day: Date) -> bool {
        match u16::try_from(day.year())
            .ok()
            .and_then(|y| self.years.get(&y))
        {
            Some(year) => year.is_working_day(day),
            None => !day.is_weekend(),
        }
    }

    /// The `n`-th working day after `day`, counting from the working day `day` falls
    /// on or, on a day off, the next one (a request made on a Sunday is taken as
    /// made on Monday, and its days count from Tuesday: 受理次日起算).
    pub fn working_day_after(&self, day: Date, n: u32) -> Date {
        let mut at = day;
        while !self.is_working_day(at) {
            at = at.plus_days(1);
        }
        let mut left = n;
        while left > 0 {
            at = at.plus_days(1);
            if self.is_working_day(at) {
                left -= 1;
            }
        }
        at
    }

    /// The due time of a clock of `days` working days started at `start`: the end
    /// (midnight, Beijing time) of the `days`-th working day after the day it
    /// started, so a request made on a Friday evening with 3 days is due at the
    /// end of Wednesday, one made on Saturday at the end of Thursday, and one made
    /// before a holiday waits it out.
    pub fn due_after(&self, start: Timestamp, days: u32) -> Timestamp {
        let first = start.date(CHINA_OFFSET_MINUTES);
        self.working_day_after(first, days)
            .plus_days(1)
            .start(CHINA_OFFSET_MINUTES)
    }

    /// Working days left before `due` at `now`: the working days after today up to
    /// the day it falls due (0 on that day, and once it has passed).
    pub fn working_days_left(&self, now: Timestamp, due: Timestamp) -> u32 {
        let today = now.date(CHINA_OFFSET_MINUTES);
        // `due` is the midnight that ends its last day.
        let last = due.date(CHINA_OFFSET_MINUTES).plus_days(-1);
        let mut n = 0;
        let mut at = today.plus_days(1);
        while at <= last {
            n += u32::from(self.is_working_day(at));
            at = at.plus_days(1);
        }
        n
    }

    /// Working days from the day of `from` to the day of `to` (0 on the same day).
    pub fn working_days_between(&self, from: Timestamp, to: Timestamp) -> u32 {
        let mut at = from.date(CHINA_OFFSET_MINUTES);
        let end = to.date(CHINA_OFFSET_MINUTES);
        let mut n = 0;
        while at < end {
            at = at.plus_days(1);
            n += u32::from(self.is_working_day(at));
        }
        n
    }
}

/// The calendar of one year as an aggregate: published once, then corrected.
pub struct Calendar;

#[derive(Clone, Debug, Default)]
pub struct CalendarState {
    pub calendar: Option<CalendarYear>,
    /// 1 when published, one more per correction.
    pub version: u32,
}

#[derive(Clone, Debug)]
pub enum CalendarCommand {
    Publish(CalendarYear),
    Correct {
        calendar: CalendarYear,
        reason: Reason,
    },
}

crate::aggregate::aggregate!(Calendar: CalendarId, CalendarState, CalendarCommand, CalendarEvent);

fn evolve(mut state: CalendarState, event: &CalendarEvent) -> CalendarState {
    match event {
        CalendarEvent::CalendarPublished { calendar, .. }
        | CalendarEvent::CalendarCorrected { calendar, .. } => {
            state.calendar = Some(calendar.clone());
            state.version += 1;
        }
    }
    state
}

fn decide(cx: &Deciding<'_, Calendar>, command: CalendarCommand) -> Decided<Calendar> {
    let (id, state, actor, _, _) = cx.parts();
    actor.require_administrator("publish the working-day calendar")?;
    let year_of = |calendar: &CalendarYear| -> Result<(), DomainError> {
        if CalendarId::for_year(calendar.year).as_ref() != Some(id) {
            return Err(
                DomainError::validation("year", Refusal::CALENDAR_ID_MISMATCH)
                    .with("calendar", id)
                    .with("year", calendar.year),
            );
        }
        Ok(())
    };
    match command {
        CalendarCommand::Publish(calendar) => {
            let calendar = calendar.checked()?;
            year_of(&calendar)?;
            if state.calendar.is_some() {
                // The same days again would overlap: a year is corrected instead.
                return Err(
                    DomainError::conflict(Refusal::CALENDAR_PUBLISHED).with("year", calendar.year)
                );
            }
            let calendar_hash = calendar.hash();
            Ok(vec![CalendarEvent::CalendarPublished {
                calendar,
                calendar_hash,
            }])
        }
        CalendarCommand::Correct { calendar, reason } => {
            let calendar = calendar.checked()?;
            year_of(&calendar)?;
            let Some(current) = &state.calendar else {
                return Err(DomainError::not_found(Refusal::CALENDAR_NOT_PUBLISHED)
                    .with("year", calendar.year));
            };
            if *current == calendar {
                return Err(DomainError::conflict(Refusal::UNCHANGED));
            }
            let calendar_hash = calendar.hash();
            Ok(vec![CalendarEvent::CalendarCorrected {
                calendar,
                calendar_hash,
                version: state.version + 1,
                reason,
            }])
        }
    }
}
