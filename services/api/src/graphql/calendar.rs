//! The working-day calendar: each published year as the public may read it, and
//! the administrator's publishing and correcting (the rules are the domain's,
//! `calendar.rs`).

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use roundtable_domain::{
    self as domain, Calendar, CalendarCommand, CalendarId, CalendarYear, DomainError, Reason,
    Refusal,
};
use roundtable_ledger::Date;

use super::mutation::run;
use super::types::app;
use crate::error::OrGql;

/// One year's official calendar.
#[derive(SimpleObject)]
pub struct WorkingCalendar {
    pub year: u16,
    /// Days off, `YYYY-MM-DD`, ascending.
    pub holidays: Vec<String>,
    /// Weekend days worked in exchange, ascending.
    pub working_weekends: Vec<String>,
    /// SHA-256 of the canonical JSON the log holds.
    pub hash: String,
    /// 1 when published, one more per correction.
    pub version: u32,
}

fn working_calendar(ctx: &Context<'_>, year: u16) -> Option<WorkingCalendar> {
    let registry = app(ctx).projections.registry();
    let calendar = registry.calendar.year(year)?;
    let days = |d: &[Date]| d.iter().map(Date::to_string).collect();
    Some(WorkingCalendar {
        year,
        holidays: days(&calendar.holidays),
        working_weekends: days(&calendar.working_weekends),
        hash: calendar.hash().to_string(),
        version: registry.calendar_versions.get(&year).copied().unwrap_or(1),
    })
}

#[derive(Default)]
pub struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// Every published year, oldest first (public: deadlines are computed from them).
    async fn working_calendars(&self, ctx: &Context<'_>) -> Vec<WorkingCalendar> {
        let years: Vec<u16> = app(ctx)
            .projections
            .registry()
            .calendar
            .years()
            .map(|y| y.year)
            .collect();
        years
            .into_iter()
            .filter_map(|y| working_calendar(ctx, y))
            .collect()
    }

    async fn working_calendar(&self, ctx: &Context<'_>, year: u16) -> Option<WorkingCalendar> {
        working_calendar(ctx, year)
    }
}

#[derive(InputObject)]
pub struct CalendarInput {
    pub year: u16,
    pub holidays: Vec<String>,
    pub working_weekends: Vec<String>,
    /// Only when correcting: why (e.g. the notice that changed it).
    pub reason: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct CalendarPayload {
    pub calendar: Option<WorkingCalendar>,
    pub indexes: Vec<u64>,
}

fn days(field: &'static str, raw: &[String]) -> Result<Vec<Date>> {
    if raw.len() > domain::MAX_CALENDAR_DAYS {
        return Err(DomainError::validation(field, Refusal::OUT_OF_RANGE)
            .with("min", 0)
            .with("max", domain::MAX_CALENDAR_DAYS)
            .with("got", raw.len()))
        .gql();
    }
    raw.iter()
        .map(|d| {
            d.trim()
                .parse()
                .map_err(|_| DomainError::validation(field, Refusal::BAD_DATE).with("value", d))
                .gql()
        })
        .collect()
}

impl CalendarInput {
    fn parts(&self) -> Result<(CalendarId, CalendarYear)> {
        let id = CalendarId::for_year(self.year)
            .ok_or_else(|| DomainError::validation("year", Refusal::BAD_ID))
            .gql()?;
        let year = CalendarYear {
            year: self.year,
            holidays: days("holidays", &self.holidays)?,
            working_weekends: days("workingWeekends", &self.working_weekends)?,
        };
        Ok((id, year))
    }
}

#[derive(Default)]
pub struct CalendarMutation;

#[Object]
impl CalendarMutation {
    /// An administrator publishes a year's calendar as the State Council announced it.
    async fn publish_calendar(
        &self,
        ctx: &Context<'_>,
        input: CalendarInput,
    ) -> Result<CalendarPayload> {
        let (id, year) = input.parts()?;
        let y = year.year;
        let indexes = run::<Calendar>(
            ctx,
            &id,
            CalendarCommand::Publish(year),
            &input.idempotency_key,
        )
        .await?;
        Ok(CalendarPayload {
            calendar: working_calendar(ctx, y),
            indexes,
        })
    }

    /// An administrator corrects a published year; clocks already running keep
    /// their due time.
    async fn correct_calendar(
        &self,
        ctx: &Context<'_>,
        input: CalendarInput,
    ) -> Result<CalendarPayload> {
        let (id, calendar) = input.parts()?;
        let reason = Reason::parse(input.reason.as_deref().unwrap_or_default()).gql()?;
        let y = calendar.year;
        let command = CalendarCommand::Correct { calendar, reason };
        let indexes = run::<Calendar>(ctx, &id, command, &input.idempotency_key).await?;
        Ok(CalendarPayload {
            calendar: working_calendar(ctx, y),
            indexes,
        })
    }
}
