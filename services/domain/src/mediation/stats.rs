//! The public figures of mediation, per committee and per mediator, folded from
//! the log alone: the read models show them and `audit verify` recomputes them
//! with this same fold, so the dashboard's numbers are checkable by anyone.

use std::collections::BTreeMap;

use roundtable_ledger::Timestamp;

use super::dispute::{DisputeState, DisputeStatus, evolve};
use super::{CaseOutcome, Performance};
use crate::{CommitteeId, DisputeEvent, DisputeId, MemberId};

/// One case as the figures need it: its state (the aggregate's own fold) and the
/// times its events were recorded at.
#[derive(Clone, Debug)]
pub struct CaseRecord {
    pub state: DisputeState,
    pub raised_at: Timestamp,
    /// When mediation (last) started: all respondents consented, or a reopening.
    pub started_at: Option<Timestamp>,
    pub signed_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// The mediator when the case was agreed or closed (else the one assigned).
    pub handled_by: Option<MemberId>,
    /// What the latest follow-up visit found.
    pub last_performance: Option<Performance>,
}

impl CaseRecord {
    /// Whether respondents were asked and the question is settled (not withdrawn
    /// before they answered).
    fn consent_settled(&self) -> Option<bool> {
        if self.started_at.is_some() {
            return Some(true);
        }
        match self.state.outcome {
            Some((CaseOutcome::Declined | CaseOutcome::NoReply, _)) => Some(false),
            _ => None,
        }
    }

    /// A mediation that has ended: agreed, or closed after it started.
    fn mediation_ended(&self) -> Option<bool> {
        match self.state.status {
            Some(DisputeStatus::Agreed) => Some(true),
            Some(DisputeStatus::Closed) if self.signed_at.is_some() => Some(true),
            Some(DisputeStatus::Closed) if self.started_at.is_some() => Some(false),
            _ => None,
        }
    }
}

/// The figures of a set of cases. Counts are exact; rates and the median are
/// computed from them, so any verifier gets the same numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MediationFigures {
    pub cases: u32,
    /// Cases whose respondents answered (or let the deadline pass), and those where
    /// all consented.
    pub consent_settled: u32,
    pub consented: u32,
    /// Mediations that ended, and those that ended in a signed agreement.
    pub mediations_ended: u32,
    pub agreed: u32,
    /// Ended mediations whose clock was never marked overdue.
    pub on_time: u32,
    /// Agreements visited at least once, and those found performed at the latest visit.
    pub followed_up: u32,
    pub performed: u32,
    /// Milliseconds from raising to signing, one per agreement, sorted.
    pub to_agreement_ms: Vec<i64>,
}

impl MediationFigures {
    fn add(&mut self, case: &CaseRecord) {
        self.cases += 1;
        if let Some(consented) = case.consent_settled() {
            self.consent_settled += 1;
            self.consented += u32::from(consented);
        }
        if let Some(agreed) = case.mediation_ended() {
            self.mediations_ended += 1;
            self.agreed += u32::from(agreed);
            self.on_time += u32::from(!case.state.ever_overdue);
        }
        if let (Some(_), Some(p)) = (case.signed_at, case.last_performance) {
            self.followed_up += 1;
            self.performed += u32::from(p == Performance::Performed);
        }
        if let Some(signed) = case.signed_at {
            let at = signed.unix_millis() - case.raised_at.unix_millis();
            let i = self.to_agreement_ms.partition_point(|x| *x <= at);
            self.to_agreement_ms.insert(i, at);
        }
    }

    /// The median of days from raising to agreement (the mean of the middle two for
    /// an even count), in days to one decimal.
    pub fn median_days_to_agreement(&self) -> Option<f64> {
        let v = &self.to_agreement_ms;
        let n = v.len();
        if n == 0 {
            return None;
        }
        let ms = if n % 2 == 1 {
            v[n / 2] as f64
        } else {
            (v[n / 2 - 1] as f64 + v[n / 2] as f64) / 2.0
        };
        Some((ms / 86_400_000.0 * 10.0).round() / 10.0)
    }

    /// `part / whole`, or `None` when nothing was counted.
    pub fn rate(part: u32, whole: u32) -> Option<f64> {
        (whole > 0).then(|| f64::from(part) / f64::from(whole))
    }
}

/// Every case of the log, folded in log order.
#[derive(Clone, Debug, Default)]
pub struct MediationTally {
    cases: BTreeMap<DisputeId, CaseRecord>,
}

impl MediationTally {
    /// Folds one event of `dispute`'s stream, recorded at `at`.
    pub fn record(&mut self, dispute: &DisputeId, event: &DisputeEvent, at: Timestamp) {
        let case = self
            .cases
            .entry(dispute.clone())
            .or_insert_with(|| CaseRecord {
                state: DisputeState::default(),
                raised_at: at,
                started_at: None,
                signed_at: None,
                closed_at: None,
                handled_by: None,
                last_performance: None,
            });
        match event {
            DisputeEvent::MediationStarted { .. } | DisputeEvent::DisputeReopened { .. } => {
                case.started_at = Some(at);
                case.signed_at = None;
                case.last_performance = None;
            }
            DisputeEvent::AgreementSigned { .. } => {
                case.signed_at = Some(at);
                case.handled_by = case.state.mediator.clone();
            }
            DisputeEvent::DisputeClosed { .. } => {
                case.closed_at = Some(at);
                case.handled_by = case.state.mediator.clone();
            }
            DisputeEvent::MediatorAssigned { mediator } => {
                case.handled_by = Some(mediator.clone());
            }
            DisputeEvent::FollowedUp { performance, .. } => {
                case.last_performance = Some(*performance);
            }
            _ => {}
        }
        let state = std::mem::take(&mut case.state);
        case.state = evolve(state, event);
    }

    pub fn case(&self, id: &DisputeId) -> Option<&CaseRecord> {
        self.cases.get(id)
    }

    pub fn cases(&self) -> impl Iterator<Item = (&DisputeId, &CaseRecord)> {
        self.cases.iter()
    }

    /// The figures of the cases `which` picks.
    pub fn figures(&self, which: impl Fn(&CaseRecord) -> bool) -> MediationFigures {
        let mut f = MediationFigures::default();
        for case in self.cases.values().filter(|c| which(c)) {
            f.add(case);
        }
        f
    }

    /// The figures of the cases `key` gives a group, per group, in one pass.
    pub fn by<K: Ord>(
        &self,
        key: impl Fn(&CaseRecord) -> Option<K>,
    ) -> BTreeMap<K, MediationFigures> {
        let mut out: BTreeMap<K, MediationFigures> = BTreeMap::new();
        for case in self.cases.values() {
            if let Some(k) = key(case) {
                out.entry(k).or_default().add(case);
            }
        }
        out
    }

    /// Per committee handling each case now.
    pub fn by_committee(&self) -> BTreeMap<CommitteeId, MediationFigures> {
        self.by(|c| c.state.committee.clone())
    }

    /// Per mediator who handled each case.
    pub fn by_mediator(&self) -> BTreeMap<MemberId, MediationFigures> {
        self.by(|c| c.handled_by.clone())
    }
}
