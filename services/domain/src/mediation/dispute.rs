//! A case's state, folded from its events, and who may see what of it.

use std::collections::{BTreeMap, BTreeSet};

use roundtable_ledger::Timestamp;

use super::{Advice, CaseOutcome, DisputeKind, Performance};
use crate::{
    Actor, Channel, CommitteeId, ContentHash, Directory, DisputeEvent, IssueId, JurisdictionId,
    MemberId, RulesHash,
};

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisputeStatus {
    /// Raised; respondents have yet to accept (mediation is voluntary).
    AwaitingConsent,
    /// Everyone consented: sessions, then an agreement or a failure.
    InMediation,
    /// Every party confirmed the agreement: judicial confirmation, follow-up.
    Agreed,
    /// Ended without a (performed) agreement; see the outcome.
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionState {
    pub at: Timestamp,
    pub venue: String,
    /// Who attended and the record's commitment, once held.
    pub held: Option<(Vec<MemberId>, ContentHash)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementState {
    pub version: u32,
    /// The terms' commitment (the terms are in the vault).
    pub terms_hash: ContentHash,
    pub text_hash: ContentHash,
    pub confirmed: BTreeSet<MemberId>,
    /// Frozen: the last day to apply for judicial confirmation.
    pub signed: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JudicialConfirmation {
    pub court: String,
    pub applied_on: Timestamp,
    pub confirmed: Option<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct DisputeState {
    /// `None` until raised.
    pub status: Option<DisputeStatus>,
    pub applicant: Option<MemberId>,
    pub respondents: Vec<MemberId>,
    pub on_behalf_by: Option<MemberId>,
    pub channel: Option<Channel>,
    pub kind: Option<DisputeKind>,
    pub jurisdiction: Option<JurisdictionId>,
    pub committee: Option<CommitteeId>,
    pub rules_hash: Option<RulesHash>,
    pub from_issue: Option<IssueId>,
    pub consent_due: Option<Timestamp>,
    /// Each respondent's answer: consented or not.
    pub answers: BTreeMap<MemberId, bool>,
    pub mediator: Option<MemberId>,
    /// Party → the mediator they objected to (once per party).
    pub objections: BTreeMap<MemberId, MemberId>,
    /// The running mediation clock: its due time, and whether it was marked overdue.
    pub due: Option<(Timestamp, bool)>,
    /// Any clock of the case was marked overdue.
    pub ever_overdue: bool,
    pub escalations: u32,
    pub sessions: BTreeMap<u32, SessionState>,
    /// Drafts so far (the next is `drafts + 1`).
    pub drafts: u32,
    pub agreement: Option<AgreementState>,
    pub outcome: Option<(CaseOutcome, Advice)>,
    pub confirmation: Option<JudicialConfirmation>,
    pub follow_ups: Vec<Performance>,
    pub records_erased: bool,
}

/// How much of a case a viewer may see (the rule in docs/SECURITY.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DisputeAccess {
    /// Counts only, through the public statistics.
    Hidden,
    /// That it exists: its kind, place, committee, status, dates and outcome.
    Exists,
    /// Everything: parties, claims, session records, the agreement's text.
    Content,
}

/// Who hears of an event of a case ([`DisputeState::told_of`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Told {
    pub members: Vec<MemberId>,
    /// Every officer of this committee, too.
    pub officers_of: Option<CommitteeId>,
}

impl DisputeState {
    /// The applicant and the respondents.
    pub fn parties(&self) -> impl Iterator<Item = &MemberId> {
        self.applicant.iter().chain(&self.respondents)
    }

    pub fn is_party(&self, member: &MemberId) -> bool {
        self.parties().any(|p| p == member)
    }

    /// Only the parties, the assigned mediator and the officers of the committee
    /// handling the case read its content; grid workers serving its place,
    /// administrators, auditors and the committee's other mediators see that it
    /// exists; everyone else sees counts.
    pub fn access(&self, actor: &Actor, directory: &dyn Directory) -> DisputeAccess {
        let (Some(me), Some(place), Some(committee)) =
            (&actor.member, &self.jurisdiction, &self.committee)
        else {
            return DisputeAccess::Hidden;
        };
        if self.is_party(me) || self.mediator.as_ref() == Some(me) || actor.officer_of(committee) {
            DisputeAccess::Content
        } else if actor.serves(directory, place)
            || actor.is_administrator()
            || actor.is_auditor()
            || actor.mediates_for(committee)
        {
            DisputeAccess::Exists
        } else {
            DisputeAccess::Hidden
        }
    }

    /// Who hears of `event`, given the case's state after it: the parties and the
    /// mediator of every step (and a mediator who was objected to, who steps
    /// aside), and the officers of the committee when the case waits for them to
    /// assign a mediator or is late. The projections drop whoever acted.
    pub fn told_of(&self, event: &DisputeEvent) -> Told {
        let mut members: Vec<MemberId> = self.parties().chain(&self.mediator).cloned().collect();
        if let DisputeEvent::MediatorObjected { mediator, .. } = event {
            members.push(mediator.clone());
        }
        let officers_of = match event {
            DisputeEvent::MediationStarted { committee, .. }
            | DisputeEvent::DisputeOverdue { committee, .. }
            | DisputeEvent::DisputeEscalated { to: committee, .. } => Some(committee.clone()),
            DisputeEvent::MediatorObjected { .. } => self.committee.clone(),
            _ => None,
        };
        Told {
            members,
            officers_of,
        }
    }

    /// The agreement, when every party confirmed it.
    pub fn signed_agreement(&self) -> Option<&AgreementState> {
        self.agreement.as_ref().filter(|a| a.signed.is_some())
    }
}

pub(super) fn evolve(mut s: DisputeState, event: &DisputeEvent) -> DisputeState {
    match event {
        DisputeEvent::DisputeRaised {
            applicant,
            respondents,
            on_behalf_by,
            channel,
            kind,
            jurisdiction,
            committee,
            rules_hash,
            from_issue,
            consent_due,
            ..
        } => {
            s.status = Some(DisputeStatus::AwaitingConsent);
            s.applicant = Some(applicant.clone());
            s.respondents = respondents.clone();
            s.on_behalf_by = on_behalf_by.clone();
            s.channel = Some(*channel);
            s.kind = Some(*kind);
            s.jurisdiction = Some(jurisdiction.clone());
            s.committee = Some(committee.clone());
            s.rules_hash = Some(rules_hash.clone());
            s.from_issue = from_issue.clone();
            s.consent_due = Some(*consent_due);
        }
        DisputeEvent::DisputeAnswered { party, consent, .. } => {
            s.answers.insert(party.clone(), *consent);
        }
        DisputeEvent::MediationStarted {
            committee,
            rules_hash,
            due,
        } => {
            s.status = Some(DisputeStatus::InMediation);
            s.committee = Some(committee.clone());
            s.rules_hash = Some(rules_hash.clone());
            s.due = Some((*due, false));
        }
        // A draft names its mediator: when they change, an unsigned draft is void.
        DisputeEvent::MediatorAssigned { mediator } => {
            s.mediator = Some(mediator.clone());
            s.agreement = None;
        }
        DisputeEvent::MediatorObjected {
            party, mediator, ..
        } => {
            s.objections.insert(party.clone(), mediator.clone());
            s.mediator = None;
            s.agreement = None;
        }
        DisputeEvent::DisputeEscalated {
            to,
            rules_hash,
            due,
            ..
        } => {
            s.committee = Some(to.clone());
            s.rules_hash = Some(rules_hash.clone());
            s.due = Some((*due, false));
            s.mediator = None;
            s.agreement = None;
            s.escalations += 1;
        }
        DisputeEvent::DisputeOverdue { .. } => {
            if let Some((_, overdue)) = &mut s.due {
                *overdue = true;
            }
            s.ever_overdue = true;
        }
        DisputeEvent::SessionScheduled { session, at, venue } => {
            s.sessions.insert(
                *session,
                SessionState {
                    at: *at,
                    venue: venue.clone(),
                    held: None,
                },
            );
        }
        DisputeEvent::SessionHeld {
            session,
            attendance,
            record_hash,
        } => {
            if let Some(x) = s.sessions.get_mut(session) {
                x.held = Some((attendance.clone(), record_hash.clone()));
            }
        }
        DisputeEvent::AgreementDrafted {
            version,
            terms_hash,
            text_hash,
        } => {
            s.drafts = *version;
            s.agreement = Some(AgreementState {
                version: *version,
                terms_hash: terms_hash.clone(),
                text_hash: text_hash.clone(),
                confirmed: BTreeSet::new(),
                signed: None,
            });
        }
        DisputeEvent::AgreementConfirmed { party, .. } => {
            if let Some(a) = &mut s.agreement {
                a.confirmed.insert(party.clone());
            }
        }
        DisputeEvent::AgreementSigned {
            confirmation_window_ends,
            ..
        } => {
            s.status = Some(DisputeStatus::Agreed);
            s.due = None;
            if let Some(a) = &mut s.agreement {
                a.signed = Some(*confirmation_window_ends);
            }
        }
        DisputeEvent::DisputeClosed {
            outcome, advice, ..
        } => {
            s.status = Some(DisputeStatus::Closed);
            s.outcome = Some((*outcome, *advice));
            s.due = None;
        }
        DisputeEvent::ConfirmationApplied { court, applied_on } => {
            s.confirmation = Some(JudicialConfirmation {
                court: court.clone(),
                applied_on: *applied_on,
                confirmed: None,
            });
        }
        DisputeEvent::ConfirmationRuled { confirmed } => {
            if let Some(c) = &mut s.confirmation {
                c.confirmed = Some(*confirmed);
            }
        }
        DisputeEvent::FollowedUp { performance, .. } => s.follow_ups.push(*performance),
        DisputeEvent::DisputeReopened { rules_hash, due } => {
            s.status = Some(DisputeStatus::InMediation);
            s.rules_hash = Some(rules_hash.clone());
            s.due = Some((*due, false));
            s.agreement = None;
            s.confirmation = None;
            s.follow_ups.clear();
        }
        DisputeEvent::RecordsErased { .. } => s.records_erased = true,
    }
    s
}
