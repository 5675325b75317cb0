//! Mediation cases: the domain's own fold of each case and its public figures
//! ([`MediationTally`], the same fold `audit verify` runs), plus what views need:
//! the leaves a party keeps receipts of, who is involved, and running deadlines.

use std::collections::{BTreeMap, BTreeSet};

use roundtable_domain::{
    CaseRecord, Decoded, DisputeEvent, DisputeFacts, DisputeId, DisputeState, DisputeStatus, Event,
    MediationTally, MemberId, Told,
};
use roundtable_ledger::{StreamName, Timestamp};

use crate::registry::id_of;

/// One event of a case, for its history.
#[derive(Clone, Debug)]
pub struct CaseEntry {
    pub index: u64,
    pub kind: String,
    pub time: Timestamp,
    pub actor: String,
}

/// What a view of a case adds to the domain's state.
#[derive(Clone, Debug, Default)]
pub struct DisputeView {
    pub history: Vec<CaseEntry>,
    /// Each party's confirmation leaf, by the draft's version (versions are never
    /// reused, so the current draft's are those of the state's agreement).
    confirmations: BTreeMap<(u32, MemberId), u64>,
    /// The leaf that froze each signed version.
    signed: BTreeMap<u32, u64>,
    /// Each party's claim, as a commitment to the text in the vault.
    pub claims: Vec<(MemberId, String)>,
    /// Follow-up notes' commitments, in order.
    pub notes: Vec<String>,
}

/// A deadline of a case the scheduler keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CaseDeadline {
    /// Respondents answer by then.
    Consent(Timestamp),
    /// Mediation ends by then.
    Mediation(Timestamp),
}

#[derive(Default)]
pub struct Disputes {
    pub tally: MediationTally,
    views: BTreeMap<DisputeId, DisputeView>,
    /// Cases each member is a party to or mediates (or did).
    involving: BTreeMap<MemberId, BTreeSet<DisputeId>>,
    /// Each case's running deadline, and the same ordered by time, so the
    /// scheduler reads only what has passed.
    armed: BTreeMap<DisputeId, CaseDeadline>,
    by_due: BTreeSet<(Timestamp, DisputeId)>,
}

impl CaseDeadline {
    fn at(self) -> Timestamp {
        let (CaseDeadline::Consent(at) | CaseDeadline::Mediation(at)) = self;
        at
    }

    /// The deadline running in `state`, if any.
    fn of(state: &DisputeState) -> Option<CaseDeadline> {
        match (state.status?, state.consent_due, state.due) {
            (DisputeStatus::AwaitingConsent, Some(due), _) => Some(CaseDeadline::Consent(due)),
            (DisputeStatus::InMediation, _, Some((due, false))) => {
                Some(CaseDeadline::Mediation(due))
            }
            _ => None,
        }
    }
}

impl DisputeView {
    /// The leaves a party keeps receipts of for the agreement in `state` (the domain
    /// decides which draft is current): their confirmation, then the signing.
    pub fn receipts(&self, state: &DisputeState, party: &MemberId) -> Vec<u64> {
        let Some(agreement) = &state.agreement else {
            return Vec::new();
        };
        let v = agreement.version;
        self.confirmations
            .get(&(v, party.clone()))
            .into_iter()
            .chain(self.signed.get(&v).filter(|_| agreement.signed.is_some()))
            .copied()
            .collect()
    }
}

impl Disputes {
    /// Applies one event of a case and returns the case and who hears of it.
    pub fn apply(
        &mut self,
        index: u64,
        stream: &StreamName,
        decoded: &Decoded,
    ) -> Option<(DisputeId, Told)> {
        let Some(Event::Dispute(event)) = &decoded.event else {
            return None;
        };
        let id = id_of(stream, DisputeId::parse)?;
        self.tally.record(&id, event, decoded.time);
        let view = self.views.entry(id.clone()).or_default();
        view.history.push(CaseEntry {
            index,
            kind: decoded.kind.clone(),
            time: decoded.time,
            actor: decoded.actor.clone(),
        });
        match event {
            DisputeEvent::AgreementConfirmed { party, version, .. } => {
                view.confirmations.insert((*version, party.clone()), index);
            }
            DisputeEvent::AgreementSigned { version, .. } => {
                view.signed.insert(*version, index);
            }
            DisputeEvent::DisputeRaised {
                applicant,
                claim_hash,
                ..
            } => view
                .claims
                .push((applicant.clone(), claim_hash.to_string())),
            DisputeEvent::DisputeAnswered {
                party,
                claim_hash: Some(hash),
                ..
            } => view.claims.push((party.clone(), hash.to_string())),
            DisputeEvent::FollowedUp { note_hash, .. } => view.notes.push(note_hash.to_string()),
            _ => {}
        }
        let case = self.tally.case(&id)?;
        for m in case.state.parties().chain(&case.state.mediator) {
            self.involving
                .entry(m.clone())
                .or_default()
                .insert(id.clone());
        }
        if let Some(old) = self.armed.remove(&id) {
            self.by_due.remove(&(old.at(), id.clone()));
        }
        if let Some(d) = CaseDeadline::of(&case.state) {
            self.by_due.insert((d.at(), id.clone()));
            self.armed.insert(id.clone(), d);
        }
        let told = case.state.told_of(event);
        Some((id, told))
    }

    pub fn case(&self, id: &DisputeId) -> Option<(&CaseRecord, &DisputeView)> {
        Some((self.tally.case(id)?, self.views.get(id)?))
    }

    /// Every case, newest first by raising time.
    pub fn all(&self) -> Vec<(&DisputeId, &CaseRecord)> {
        let mut v: Vec<_> = self.tally.cases().collect();
        v.sort_by(|a, b| b.1.raised_at.cmp(&a.1.raised_at).then(a.0.cmp(b.0)));
        v
    }

    /// Cases the member is or was a party to or mediator of.
    pub fn involving(&self, member: &MemberId) -> impl Iterator<Item = &DisputeId> {
        self.involving.get(member).into_iter().flatten()
    }

    pub fn facts(&self, id: &DisputeId) -> Option<DisputeFacts> {
        self.tally.case(id).map(|c| DisputeFacts {
            from_issue: c.state.from_issue.clone(),
        })
    }

    /// Running deadlines that have passed by `now`.
    pub fn due_by(&self, now: Timestamp) -> Vec<(DisputeId, CaseDeadline)> {
        self.by_due
            .iter()
            .take_while(|(at, _)| *at <= now)
            .filter_map(|(_, id)| Some((id.clone(), *self.armed.get(id)?)))
            .collect()
    }
}
