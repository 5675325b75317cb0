//! The figure the pilot is judged by, per service point and service: the share of
//! requests finished in at most one trip, the on-time share and the median in
//! working days, satisfaction, and the requests a catalogue entry failed (a
//! missing document it did not name). Folded from the log alone — the calendars
//! too, in log order, so each due time is recomputed from the calendar in force
//! when its clock started (the documents complete) — by the read models and by
//! `audit verify`.

use std::collections::BTreeMap;

use roundtable_ledger::Timestamp;

use super::request::{RequestStatus, ServiceRequestState, evolve};
use crate::{
    CalendarEvent, Event, JurisdictionId, MediationFigures, Rating, ServiceId, ServiceRequestEvent,
    ServiceRequestId, WorkCalendar,
};

/// One request as the figures need it.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    pub state: ServiceRequestState,
    pub opened_at: Timestamp,
    /// When the documents were complete (the clock's start).
    pub accepted_at: Option<Timestamp>,
    /// When it was done or refused.
    pub finished_at: Option<Timestamp>,
    /// Working days from the documents' arrival (or, refused before, from opening)
    /// to the outcome, on the calendars in force then.
    pub working_days: Option<u32>,
}

impl RequestRecord {
    pub fn service(&self) -> Option<&ServiceId> {
        self.state.service.as_ref()
    }

    pub fn point(&self) -> Option<&JurisdictionId> {
        self.state.point.as_ref()
    }

    /// Done before its due time and never marked late.
    fn on_time(&self) -> bool {
        matches!(
            (self.finished_at, self.state.due),
            (Some(at), Some(due)) if at <= due && !self.state.overdue
        )
    }
}

/// A due time the log states that its calendar does not give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Misdated {
    pub request: ServiceRequestId,
    pub recorded: Timestamp,
    pub computed: Timestamp,
}

/// The figures of a set of requests. Counts are exact; shares and the median are
/// computed from them, so every verifier gets the same numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceFigures {
    pub requests: u32,
    /// Done (the service given), and of those: in at most one trip, on time.
    pub done: u32,
    pub one_trip: u32,
    pub on_time: u32,
    pub refused: u32,
    /// Trips made by the requests that were done.
    pub trips: u32,
    pub rated: u32,
    /// Satisfied or basically satisfied.
    pub satisfied: u32,
    /// Requests that needed a document the catalogue entry did not name.
    pub flagged: u32,
    /// Working days to the outcome, one per request done, sorted.
    pub working_days: Vec<u32>,
}

impl ServiceFigures {
    fn add(&mut self, r: &RequestRecord) {
        self.requests += 1;
        self.flagged += u32::from(!r.state.unlisted.is_empty());
        match r.state.status {
            Some(RequestStatus::Done) => {
                self.done += 1;
                self.trips += r.state.trips();
                self.one_trip += u32::from(r.state.trips() <= 1);
                self.on_time += u32::from(r.on_time());
                if let Some(days) = r.working_days {
                    let at = self.working_days.partition_point(|d| *d <= days);
                    self.working_days.insert(at, days);
                }
            }
            Some(RequestStatus::Refused) => self.refused += 1,
            _ => {}
        }
        if let Some(rating) = r.state.rating {
            self.rated += 1;
            self.satisfied += u32::from(rating != Rating::Unsatisfied);
        }
    }

    /// Done in at most one trip, of those done.
    pub fn one_trip_share(&self) -> Option<f64> {
        MediationFigures::rate(self.one_trip, self.done)
    }

    pub fn on_time_share(&self) -> Option<f64> {
        MediationFigures::rate(self.on_time, self.done)
    }

    pub fn satisfaction(&self) -> Option<f64> {
        MediationFigures::rate(self.satisfied, self.rated)
    }

    /// The median of working days to the outcome (the mean of the middle two for
    /// an even count).
    pub fn median_working_days(&self) -> Option<f64> {
        let v = &self.working_days;
        let n = v.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(f64::from(v[n / 2])),
            _ => Some((f64::from(v[n / 2 - 1]) + f64::from(v[n / 2])) / 2.0),
        }
    }
}

/// Every request of the log and the calendars they were clocked on, folded in
/// log order.
#[derive(Clone, Debug, Default)]
pub struct ServiceTally {
    calendar: WorkCalendar,
    requests: BTreeMap<ServiceRequestId, RequestRecord>,
    misdated: Vec<Misdated>,
}

impl ServiceTally {
    /// Folds one event of the log (calendars and requests; the rest is ignored).
    pub fn record(&mut self, stream_id: &str, event: &Event, at: Timestamp) {
        match event {
            Event::Calendar(
                CalendarEvent::CalendarPublished { calendar, .. }
                | CalendarEvent::CalendarCorrected { calendar, .. },
            ) => self.calendar.put(calendar.clone()),
            Event::ServiceRequest(e) => {
                if let Ok(id) = ServiceRequestId::parse(stream_id) {
                    self.record_request(id, e, at);
                }
            }
            _ => {}
        }
    }

    fn record_request(&mut self, id: ServiceRequestId, event: &ServiceRequestEvent, at: Timestamp) {
        let limit = self.requests.get(&id).map(|r| r.state.limit_working_days);
        if let (ServiceRequestEvent::DocumentsComplete { due }, Some(limit)) = (event, limit) {
            let computed = self.calendar.due_after(at, limit);
            if computed != *due {
                self.misdated.push(Misdated {
                    request: id.clone(),
                    recorded: *due,
                    computed,
                });
            }
        }
        let record = self.requests.entry(id).or_insert_with(|| RequestRecord {
            state: ServiceRequestState::default(),
            opened_at: at,
            accepted_at: None,
            finished_at: None,
            working_days: None,
        });
        let state = std::mem::take(&mut record.state);
        record.state = evolve(state, event);
        if let ServiceRequestEvent::RequestDone {} | ServiceRequestEvent::RequestRefused { .. } =
            event
        {
            record.finished_at = Some(at);
            let from = record.accepted_at.unwrap_or(record.opened_at);
            record.working_days = Some(self.calendar.working_days_between(from, at));
        }
        if let ServiceRequestEvent::DocumentsComplete { .. } = event {
            record.accepted_at = Some(at);
        }
    }

    /// The calendars in force after the events folded so far.
    pub fn calendar(&self) -> &WorkCalendar {
        &self.calendar
    }

    pub fn request(&self, id: &ServiceRequestId) -> Option<&RequestRecord> {
        self.requests.get(id)
    }

    pub fn requests(&self) -> impl Iterator<Item = (&ServiceRequestId, &RequestRecord)> {
        self.requests.iter()
    }

    /// Requests whose recorded due time is not what their calendar gives.
    pub fn misdated(&self) -> &[Misdated] {
        &self.misdated
    }

    pub fn figures(&self, which: impl Fn(&RequestRecord) -> bool) -> ServiceFigures {
        let mut f = ServiceFigures::default();
        for r in self.requests.values().filter(|r| which(r)) {
            f.add(r);
        }
        f
    }

    /// Per service point and service, in one pass.
    pub fn by_point_and_service(&self) -> BTreeMap<(JurisdictionId, ServiceId), ServiceFigures> {
        let mut out: BTreeMap<(JurisdictionId, ServiceId), ServiceFigures> = BTreeMap::new();
        for r in self.requests.values() {
            if let (Some(point), Some(service)) = (r.point(), r.service()) {
                out.entry((point.clone(), service.clone()))
                    .or_default()
                    .add(r);
            }
        }
        out
    }
}
