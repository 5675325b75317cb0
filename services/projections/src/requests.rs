//! Service requests: the domain's own fold of each request and its figures
//! ([`ServiceTally`], the fold `audit verify` runs), plus what views need: each
//! request's history, whose they are, the staff queues by due time, and the
//! clocks the scheduler watches.

use std::collections::{BTreeMap, BTreeSet};

use roundtable_domain::{Decoded, Event, JurisdictionId, MemberId, ServiceRequestId, ServiceTally};
use roundtable_ledger::{StreamName, Timestamp};

use crate::disputes::CaseEntry;
use crate::registry::id_of;

#[derive(Default)]
pub struct Requests {
    pub tally: ServiceTally,
    history: BTreeMap<ServiceRequestId, Vec<CaseEntry>>,
    /// Requests each applicant made, and those a grid worker took down.
    involving: BTreeMap<MemberId, BTreeSet<ServiceRequestId>>,
    /// Live requests per service point (and the node a late one went to).
    by_point: BTreeMap<JurisdictionId, BTreeSet<ServiceRequestId>>,
    /// Running clocks, and the same ordered by due time.
    armed: BTreeMap<ServiceRequestId, Timestamp>,
    by_due: BTreeSet<(Timestamp, ServiceRequestId)>,
}

impl Requests {
    /// Folds one event: calendars (the tally clocks on them) and requests.
    pub fn apply(&mut self, index: u64, stream: &StreamName, decoded: &Decoded) {
        let Some(event) = &decoded.event else {
            return;
        };
        match event {
            Event::Calendar(_) => self.tally.record("", event, decoded.time),
            Event::ServiceRequest(_) => {
                let Some(id) = id_of(stream, ServiceRequestId::parse) else {
                    return;
                };
                self.tally.record(id.as_str(), event, decoded.time);
                self.history.entry(id.clone()).or_default().push(CaseEntry {
                    index,
                    kind: decoded.kind.clone(),
                    time: decoded.time,
                    actor: decoded.actor.clone(),
                });
                self.index(&id);
            }
            _ => {}
        }
    }

    fn index(&mut self, id: &ServiceRequestId) {
        let Some(record) = self.tally.request(id) else {
            return;
        };
        let state = &record.state;
        for m in state.applicant.iter().chain(&state.on_behalf_by) {
            self.involving
                .entry(m.clone())
                .or_default()
                .insert(id.clone());
        }
        let live = state.status.is_some_and(|s| !s.is_final());
        for node in state.point.iter().chain(&state.escalated_to) {
            let set = self.by_point.entry(node.clone()).or_default();
            if live {
                set.insert(id.clone());
            } else {
                set.remove(id);
            }
        }
        if let Some(old) = self.armed.remove(id) {
            self.by_due.remove(&(old, id.clone()));
        }
        if let Some(due) = state.armed_deadline() {
            self.by_due.insert((due, id.clone()));
            self.armed.insert(id.clone(), due);
        }
    }

    pub fn history(&self, id: &ServiceRequestId) -> &[CaseEntry] {
        self.history.get(id).map_or(&[], Vec::as_slice)
    }

    /// Requests the member made or took down, newest first.
    pub fn involving(&self, member: &MemberId) -> Vec<ServiceRequestId> {
        let mut ids: Vec<_> = self
            .involving
            .get(member)
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        ids.sort_by_key(|id| std::cmp::Reverse(self.tally.request(id).map(|r| r.opened_at)));
        ids
    }

    /// Live requests at these service points, the nearest due first.
    pub fn queue<'a>(
        &self,
        points: impl IntoIterator<Item = &'a JurisdictionId>,
    ) -> Vec<ServiceRequestId> {
        let mut ids: Vec<_> = points
            .into_iter()
            .filter_map(|p| self.by_point.get(p))
            .flatten()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        ids.sort_by_key(|id| self.tally.request(id).and_then(|r| r.state.due));
        ids
    }

    /// Running clocks that have passed by `now`.
    pub fn due_by(&self, now: Timestamp) -> Vec<(ServiceRequestId, Timestamp)> {
        self.by_due
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(at, id)| (id.clone(), *at))
            .collect()
    }
}
