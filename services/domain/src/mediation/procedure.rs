//! The case's procedure as preconditions: who may do what, in which state.

use roundtable_ledger::Timestamp;

use super::dispute::{DisputeState, DisputeStatus, evolve};
use super::{
    Advice, CONFIRMATION_WINDOW_DAYS, CaseOutcome, CommitteeFacts, DisputeKind, MAX_RESPONDENTS,
    Performance, Sealed, agreement_hash,
};
use crate::aggregate::{Decided, Deciding};
use crate::{
    Actor, Channel, ContentHash, Directory, DisputeEvent, DisputeId, DomainError, IssueId,
    JurisdictionId, MemberId, Reason, Refusal, checked_text,
};

/// Most sessions and follow-up visits one case records (each is a leaf).
pub const MAX_SESSIONS: usize = 50;
pub const MAX_FOLLOW_UPS: usize = 20;
/// Most events one case's history shows (its sessions, visits and the rest fit).
pub const MAX_CASE_HISTORY: usize = 200;
/// Longest private texts: a claim, a session record, an agreement's terms, a note.
pub const MAX_PRIVATE_TEXT: usize = 4000;

#[derive(Clone, Debug)]
pub struct RaiseDispute {
    pub applicant: MemberId,
    pub respondents: Vec<MemberId>,
    pub kind: DisputeKind,
    /// The place: the applicant's grid or a node above it.
    pub jurisdiction: JurisdictionId,
    pub channel: Channel,
    pub claim: Sealed,
    pub from_issue: Option<IssueId>,
}

#[derive(Clone, Debug)]
pub enum DisputeCommand {
    Raise(RaiseDispute),
    /// A respondent accepts or declines mediation (themself, or recorded by staff).
    Answer {
        party: MemberId,
        consent: bool,
        channel: Channel,
        claim: Option<Sealed>,
    },
    /// The deadline scheduler: nobody answered by `due`.
    LapseConsent {
        due: Timestamp,
    },
    AssignMediator {
        mediator: MemberId,
    },
    /// A party objects to the assigned mediator (once per party).
    ObjectToMediator {
        party: MemberId,
        reason: Reason,
    },
    /// A hard case goes to the committee above.
    Escalate,
    /// The deadline scheduler: the mediation clock due at `due` passed.
    MarkOverdue {
        due: Timestamp,
    },
    ScheduleSession {
        at: Timestamp,
        venue: String,
    },
    RecordSession {
        session: u32,
        attendance: Vec<MemberId>,
        record: Sealed,
    },
    DraftAgreement {
        terms: Sealed,
    },
    /// A party confirms the text they read, by its hash.
    ConfirmAgreement {
        party: MemberId,
        text_hash: ContentHash,
        channel: Channel,
    },
    /// Ends the case without agreement (the mediator), or withdraws it (the applicant).
    Close {
        outcome: CaseOutcome,
        advice: Option<Advice>,
    },
    ApplyForConfirmation {
        court: String,
        applied_on: Timestamp,
    },
    RecordRuling {
        confirmed: bool,
    },
    FollowUp {
        performance: Performance,
        note: Sealed,
    },
    /// After a follow-up found the agreement not performed: mediate again.
    Reopen,
    /// After a follow-up found the agreement not performed: point the parties on.
    Refer {
        advice: Advice,
    },
    /// Deletes the case's private texts from the vault for good.
    EraseRecords {
        reason: Reason,
    },
}

pub struct Dispute;

crate::aggregate::aggregate!(Dispute: DisputeId, DisputeState, DisputeCommand, DisputeEvent);

fn status_forbids(status: DisputeStatus, action: &str) -> DomainError {
    DomainError::conflict(Refusal::DISPUTE_STATUS_FORBIDS)
        .with_state("status", status)
        .with("action", action)
}

fn require(
    status: DisputeStatus,
    allowed: &[DisputeStatus],
    action: &str,
) -> Result<(), DomainError> {
    if allowed.contains(&status) {
        Ok(())
    } else {
        Err(status_forbids(status, action))
    }
}

fn committee_of(
    state: &DisputeState,
    directory: &dyn Directory,
) -> Result<CommitteeFacts, DomainError> {
    let id = state
        .committee
        .as_ref()
        .ok_or_else(|| DomainError::internal_state("committee"))?;
    directory
        .committee(id)
        .ok_or_else(|| DomainError::not_found(Refusal::COMMITTEE_NOT_FOUND).with("committee", id))
}

impl DomainError {
    /// A state that evolve always sets once a case exists.
    fn internal_state(what: &'static str) -> DomainError {
        DomainError::validation(what, Refusal::INTERNAL)
    }
}

/// The assigned mediator, or an officer of the committee handling the case.
fn require_handler(actor: &Actor, state: &DisputeState) -> Result<(), DomainError> {
    let me = actor.signed_in()?;
    let officer = state
        .committee
        .as_ref()
        .is_some_and(|c| actor.officer_of(c));
    if officer || state.mediator.as_ref() == Some(me) {
        Ok(())
    } else {
        Err(DomainError::forbidden(Refusal::ONLY_MEDIATOR_OR_OFFICER))
    }
}

fn require_mediator(actor: &Actor, state: &DisputeState) -> Result<(), DomainError> {
    let me = actor.signed_in()?;
    match &state.mediator {
        Some(m) if m == me => Ok(()),
        Some(_) => Err(DomainError::forbidden(Refusal::ONLY_ASSIGNED_MEDIATOR)),
        None => Err(DomainError::conflict(Refusal::NO_MEDIATOR)),
    }
}

/// Who may act for a party: the party themself online, or staff with the channel
/// it came by (a grid worker of the place, the mediator, an officer).
fn acting_for(
    actor: &Actor,
    state: &DisputeState,
    party: &MemberId,
    channel: Channel,
    directory: &dyn Directory,
) -> Result<Option<MemberId>, DomainError> {
    let me = actor.signed_in()?;
    if !state.is_party(party) {
        return Err(DomainError::validation("party", Refusal::NOT_A_PARTY).with("member", party));
    }
    if me == party {
        return if channel == Channel::Online {
            Ok(None)
        } else {
            Err(DomainError::validation(
                "channel",
                Refusal::CHANNEL_ONLINE_FOR_SELF,
            ))
        };
    }
    let staff = state
        .jurisdiction
        .as_ref()
        .is_some_and(|j| actor.serves(directory, j))
        || require_handler(actor, state).is_ok();
    if !staff {
        return Err(DomainError::forbidden(Refusal::ONLY_PARTY_OR_STAFF));
    }
    if channel == Channel::Online {
        return Err(DomainError::validation(
            "channel",
            Refusal::CHANNEL_FOR_OTHERS,
        ));
    }
    Ok(Some(me.clone()))
}

fn days(at: Timestamp, days: u32) -> Timestamp {
    at.plus_hours(days.saturating_mul(24))
}

fn decide(cx: &Deciding<'_, Dispute>, command: DisputeCommand) -> Decided<Dispute> {
    let (id, state, actor, now, directory) = cx.parts();
    if let DisputeCommand::Raise(raise) = command {
        if state.status.is_some() {
            return Err(DomainError::conflict(Refusal::ALREADY_EXISTS).with("id", id));
        }
        return raise_dispute(actor, now, directory, raise);
    }
    let Some(status) = state.status else {
        return Err(DomainError::not_found(Refusal::DISPUTE_NOT_FOUND).with("dispute", id));
    };
    let private = |what: &str| -> Result<(), DomainError> {
        if state.records_erased {
            Err(DomainError::conflict(Refusal::RECORDS_ERASED).with("action", what))
        } else {
            Ok(())
        }
    };
    use DisputeStatus::{Agreed, AwaitingConsent, Closed, InMediation};
    match command {
        DisputeCommand::Raise(_) => unreachable!("decided above"),
        DisputeCommand::Answer {
            party,
            consent,
            channel,
            claim,
        } => {
            require(status, &[AwaitingConsent], "answered")?;
            let recorded_by = acting_for(actor, state, &party, channel, directory)?;
            if state.applicant.as_ref() == Some(&party) {
                return Err(DomainError::validation(
                    "party",
                    Refusal::APPLICANT_CONSENTS,
                ));
            }
            if state.answers.contains_key(&party) {
                return Err(DomainError::conflict(Refusal::ALREADY_ANSWERED).with("member", &party));
            }
            let claim_hash = match (consent, claim) {
                (true, Some(c)) => Some(c.commitment()),
                _ => None,
            };
            let mut events = vec![DisputeEvent::DisputeAnswered {
                party: party.clone(),
                consent,
                channel,
                recorded_by,
                claim_hash,
            }];
            if !consent {
                events.push(DisputeEvent::DisputeClosed {
                    outcome: CaseOutcome::Declined,
                    advice: state.kind.map_or(Advice::Litigation, DisputeKind::advice),
                    due: None,
                });
            } else if state
                .respondents
                .iter()
                .all(|r| *r == party || state.answers.get(r) == Some(&true))
            {
                let committee = committee_of(state, directory)?;
                events.push(DisputeEvent::MediationStarted {
                    committee: committee.id.clone(),
                    rules_hash: committee.rules_hash.clone(),
                    due: days(now, committee.rules.time_limit_days),
                });
            }
            Ok(events)
        }
        DisputeCommand::LapseConsent { due } => {
            if status != AwaitingConsent || state.consent_due != Some(due) {
                return Err(DomainError::conflict(Refusal::NOTHING_DUE).with("due", due));
            }
            if now < due {
                return Err(DomainError::conflict(Refusal::NOT_YET_DUE).with("due", due));
            }
            Ok(vec![DisputeEvent::DisputeClosed {
                outcome: CaseOutcome::NoReply,
                advice: state.kind.map_or(Advice::Litigation, DisputeKind::advice),
                due: Some(due),
            }])
        }
        DisputeCommand::AssignMediator { mediator } => {
            actor.signed_in()?;
            let committee = committee_of(state, directory)?;
            if !actor.officer_of(&committee.id) {
                return Err(DomainError::forbidden(Refusal::ONLY_COMMITTEE_OFFICER));
            }
            require(
                status,
                &[AwaitingConsent, InMediation],
                "assigned a mediator",
            )?;
            if !committee.is_mediator(&mediator) {
                return Err(DomainError::validation("mediator", Refusal::NOT_A_MEDIATOR)
                    .with("member", &mediator));
            }
            if state.is_party(&mediator) {
                return Err(DomainError::validation(
                    "mediator",
                    Refusal::MEDIATOR_IS_PARTY,
                ));
            }
            if state.objections.values().any(|m| *m == mediator) {
                return Err(
                    DomainError::validation("mediator", Refusal::MEDIATOR_OBJECTED_TO)
                        .with("member", &mediator),
                );
            }
            if state.mediator.as_ref() == Some(&mediator) {
                return Err(DomainError::conflict(Refusal::UNCHANGED));
            }
            Ok(vec![DisputeEvent::MediatorAssigned { mediator }])
        }
        DisputeCommand::ObjectToMediator { party, reason } => {
            require(status, &[AwaitingConsent, InMediation], "objected to")?;
            let me = actor.signed_in()?;
            if me != &party {
                acting_for(actor, state, &party, Channel::Visit, directory)?;
            } else if !state.is_party(&party) {
                return Err(DomainError::forbidden(Refusal::NOT_A_PARTY).with("member", &party));
            }
            let Some(mediator) = state.mediator.clone() else {
                return Err(DomainError::conflict(Refusal::NO_MEDIATOR));
            };
            if state.objections.contains_key(&party) {
                return Err(DomainError::conflict(Refusal::OBJECTED_ONCE));
            }
            Ok(vec![DisputeEvent::MediatorObjected {
                party,
                mediator,
                reason,
            }])
        }
        DisputeCommand::Escalate => {
            require_handler(actor, state)?;
            require(status, &[InMediation], "escalated")?;
            escalation(state, directory, now)?
                .map(|e| vec![e])
                .ok_or_else(|| DomainError::conflict(Refusal::NO_COMMITTEE_ABOVE))
        }
        DisputeCommand::MarkOverdue { due } => {
            let Some((running, false)) = state.due.filter(|_| status == InMediation) else {
                return Err(DomainError::conflict(Refusal::NOTHING_DUE).with("due", due));
            };
            if running != due {
                return Err(DomainError::conflict(Refusal::NOTHING_DUE).with("due", due));
            }
            if now < due {
                return Err(DomainError::conflict(Refusal::NOT_YET_DUE).with("due", due));
            }
            let committee = committee_of(state, directory)?;
            let mut events = vec![DisputeEvent::DisputeOverdue {
                committee: committee.id,
                due,
            }];
            events.extend(escalation(state, directory, now)?);
            Ok(events)
        }
        DisputeCommand::ScheduleSession { at, venue } => {
            require_mediator(actor, state)?;
            require(status, &[InMediation], "given a session")?;
            if at <= now {
                return Err(DomainError::validation("at", Refusal::STARTS_IN_PAST));
            }
            if at > days(now, 366) {
                return Err(DomainError::validation("at", Refusal::STARTS_TOO_FAR));
            }
            if state.sessions.len() >= MAX_SESSIONS {
                return Err(DomainError::validation("sessions", Refusal::TOO_MANY)
                    .with("max", MAX_SESSIONS));
            }
            Ok(vec![DisputeEvent::SessionScheduled {
                session: u32::try_from(state.sessions.len() + 1).unwrap_or(u32::MAX),
                at,
                venue: checked_text("venue", &venue, 200)?,
            }])
        }
        DisputeCommand::RecordSession {
            session,
            attendance,
            record,
        } => {
            require_mediator(actor, state)?;
            require(status, &[InMediation], "given a session")?;
            private("record a session")?;
            let Some(s) = state.sessions.get(&session) else {
                return Err(
                    DomainError::not_found(Refusal::SESSION_NOT_FOUND).with("session", session)
                );
            };
            if s.held.is_some() {
                return Err(DomainError::conflict(Refusal::SESSION_HELD).with("session", session));
            }
            // Recorded at the session or after it, not days before.
            if now < s.at.minus_hours(1) {
                return Err(DomainError::conflict(Refusal::NOT_YET_DUE).with("due", s.at));
            }
            let mut seen = Vec::with_capacity(attendance.len());
            for m in attendance {
                if !state.is_party(&m) && state.mediator.as_ref() != Some(&m) {
                    return Err(DomainError::validation("attendance", Refusal::NOT_A_PARTY)
                        .with("member", &m));
                }
                if !seen.contains(&m) {
                    seen.push(m);
                }
            }
            if seen.is_empty() {
                return Err(DomainError::validation("attendance", Refusal::TEXT_EMPTY));
            }
            Ok(vec![DisputeEvent::SessionHeld {
                session,
                attendance: seen,
                record_hash: record.commitment(),
            }])
        }
        DisputeCommand::DraftAgreement { terms } => {
            require_mediator(actor, state)?;
            require(status, &[InMediation], "given an agreement")?;
            private("draft an agreement")?;
            if !state.sessions.values().any(|s| s.held.is_some()) {
                return Err(DomainError::validation("procedure", Refusal::SESSION_FIRST));
            }
            let version = state.drafts + 1;
            Ok(vec![DisputeEvent::AgreementDrafted {
                version,
                terms_hash: terms.commitment(),
                text_hash: agreement_hash(id, state, version, &terms),
            }])
        }
        DisputeCommand::ConfirmAgreement {
            party,
            text_hash,
            channel,
        } => {
            let recorded_by = acting_for(actor, state, &party, channel, directory)?;
            if recorded_by.is_some()
                && (channel != Channel::Paper || require_mediator(actor, state).is_err())
            {
                // On someone's behalf only the mediator, holding the paper they signed.
                return Err(DomainError::forbidden(Refusal::CONFIRM_ON_PAPER));
            }
            require(status, &[InMediation], "confirmed")?;
            let Some(agreement) = &state.agreement else {
                return Err(DomainError::conflict(Refusal::NO_AGREEMENT_DRAFT));
            };
            if agreement.text_hash != text_hash {
                return Err(DomainError::conflict(Refusal::AGREEMENT_CHANGED)
                    .with("version", agreement.version));
            }
            if agreement.confirmed.contains(&party) {
                return Err(DomainError::conflict(Refusal::ALREADY_CONFIRMED));
            }
            let mut events = vec![DisputeEvent::AgreementConfirmed {
                party: party.clone(),
                version: agreement.version,
                text_hash: text_hash.clone(),
                recorded_by,
            }];
            if state
                .parties()
                .all(|p| *p == party || agreement.confirmed.contains(p))
            {
                events.push(DisputeEvent::AgreementSigned {
                    version: agreement.version,
                    text_hash,
                    confirmation_window_ends: days(now, CONFIRMATION_WINDOW_DAYS),
                });
            }
            Ok(events)
        }
        DisputeCommand::Close { outcome, advice } => {
            let default = state.kind.map_or(Advice::Litigation, DisputeKind::advice);
            match outcome {
                CaseOutcome::Withdrawn => {
                    let me = actor.signed_in()?;
                    let for_applicant = state.on_behalf_by.as_ref() == Some(me)
                        || state
                            .jurisdiction
                            .as_ref()
                            .is_some_and(|j| actor.serves(directory, j));
                    if state.applicant.as_ref() != Some(me) && !for_applicant {
                        return Err(DomainError::forbidden(Refusal::ONLY_APPLICANT_WITHDRAWS));
                    }
                    require(status, &[AwaitingConsent, InMediation], "withdrawn")?;
                    Ok(vec![DisputeEvent::DisputeClosed {
                        outcome,
                        advice: advice.unwrap_or(Advice::None),
                        due: None,
                    }])
                }
                CaseOutcome::NoAgreement | CaseOutcome::PartyAbsent => {
                    require_handler(actor, state)?;
                    require(status, &[InMediation], "closed")?;
                    Ok(vec![DisputeEvent::DisputeClosed {
                        outcome,
                        advice: advice.unwrap_or(default),
                        due: None,
                    }])
                }
                CaseOutcome::Declined | CaseOutcome::NoReply | CaseOutcome::NotPerformed => Err(
                    DomainError::validation("outcome", Refusal::OUTCOME_NOT_CHOSEN)
                        .with_state("outcome", outcome),
                ),
            }
        }
        DisputeCommand::ApplyForConfirmation { court, applied_on } => {
            require_party_or_handler(actor, state)?;
            require(status, &[Agreed], "sent for judicial confirmation")?;
            let Some(window_ends) = state.signed_agreement().and_then(|a| a.signed) else {
                return Err(status_forbids(status, "sent for judicial confirmation"));
            };
            if state.confirmation.is_some() {
                return Err(DomainError::conflict(Refusal::CONFIRMATION_APPLIED));
            }
            if applied_on > now {
                return Err(DomainError::validation(
                    "appliedOn",
                    Refusal::DATE_IN_FUTURE,
                ));
            }
            if applied_on > window_ends {
                return Err(
                    DomainError::validation("appliedOn", Refusal::CONFIRMATION_LATE)
                        .with("deadline", window_ends),
                );
            }
            if applied_on < window_ends.minus_hours(CONFIRMATION_WINDOW_DAYS * 24) {
                return Err(DomainError::validation(
                    "appliedOn",
                    Refusal::BEFORE_AGREEMENT,
                ));
            }
            Ok(vec![DisputeEvent::ConfirmationApplied {
                court: checked_text("court", &court, 100)?,
                applied_on,
            }])
        }
        DisputeCommand::RecordRuling { confirmed } => {
            require_party_or_handler(actor, state)?;
            match &state.confirmation {
                None => Err(DomainError::conflict(Refusal::CONFIRMATION_NOT_APPLIED)),
                Some(c) if c.confirmed.is_some() => {
                    Err(DomainError::conflict(Refusal::CONFIRMATION_RULED))
                }
                Some(_) => Ok(vec![DisputeEvent::ConfirmationRuled { confirmed }]),
            }
        }
        DisputeCommand::FollowUp { performance, note } => {
            let serves = state
                .jurisdiction
                .as_ref()
                .is_some_and(|j| actor.serves(directory, j));
            if !serves {
                require_handler(actor, state)?;
            }
            require(status, &[Agreed], "followed up")?;
            private("follow up")?;
            if state.follow_ups.len() >= MAX_FOLLOW_UPS {
                return Err(DomainError::validation("followUps", Refusal::TOO_MANY)
                    .with("max", MAX_FOLLOW_UPS));
            }
            Ok(vec![DisputeEvent::FollowedUp {
                performance,
                note_hash: note.commitment(),
            }])
        }
        DisputeCommand::Reopen | DisputeCommand::Refer { .. } => {
            require_handler(actor, state)?;
            require(status, &[Agreed], "reopened or referred")?;
            if state.follow_ups.last() != Some(&Performance::NotPerformed) {
                return Err(DomainError::validation(
                    "procedure",
                    Refusal::NOT_PERFORMED_FIRST,
                ));
            }
            match command {
                DisputeCommand::Refer { advice } => Ok(vec![DisputeEvent::DisputeClosed {
                    outcome: CaseOutcome::NotPerformed,
                    advice,
                    due: None,
                }]),
                _ => {
                    private("reopen")?;
                    let committee = committee_of(state, directory)?;
                    Ok(vec![DisputeEvent::DisputeReopened {
                        rules_hash: committee.rules_hash,
                        due: days(now, committee.rules.time_limit_days),
                    }])
                }
            }
        }
        DisputeCommand::EraseRecords { reason } => {
            require_party_or_handler(actor, state)?;
            require(status, &[Agreed, Closed], "erased")?;
            if state.records_erased {
                return Err(DomainError::conflict(Refusal::RECORDS_ERASED).with("action", "erase"));
            }
            Ok(vec![DisputeEvent::RecordsErased { reason }])
        }
    }
}

fn require_party_or_handler(actor: &Actor, state: &DisputeState) -> Result<(), DomainError> {
    let me = actor.signed_in()?;
    if state.is_party(me) {
        Ok(())
    } else {
        require_handler(actor, state)
            .map_err(|_| DomainError::forbidden(Refusal::ONLY_PARTY_OR_STAFF))
    }
}

/// The case moving to the committee above, with a fresh clock under its rules
/// (`None` when no committee sits above).
fn escalation(
    state: &DisputeState,
    directory: &dyn Directory,
    now: Timestamp,
) -> Result<Option<DisputeEvent>, DomainError> {
    let committee = committee_of(state, directory)?;
    Ok(directory
        .committee_above(&committee)
        .map(|to| DisputeEvent::DisputeEscalated {
            from: committee.id.clone(),
            to: to.id.clone(),
            rules_hash: to.rules_hash.clone(),
            due: days(now, to.rules.time_limit_days),
        }))
}

fn raise_dispute(
    actor: &Actor,
    now: Timestamp,
    directory: &dyn Directory,
    raise: RaiseDispute,
) -> Decided<Dispute> {
    let RaiseDispute {
        applicant,
        respondents,
        kind,
        jurisdiction,
        channel,
        claim,
        from_issue,
    } = raise;
    let on_behalf_by = actor.acting_for(
        directory,
        &applicant,
        &jurisdiction,
        channel,
        "apply for mediation",
    )?;
    if respondents.is_empty() || respondents.len() > MAX_RESPONDENTS {
        return Err(
            DomainError::validation("respondents", Refusal::OUT_OF_RANGE)
                .with("min", 1)
                .with("max", MAX_RESPONDENTS)
                .with("got", respondents.len()),
        );
    }
    let mut distinct: Vec<MemberId> = Vec::with_capacity(respondents.len());
    for r in respondents {
        if r == applicant || distinct.contains(&r) {
            return Err(
                DomainError::validation("respondents", Refusal::PARTY_TWICE).with("member", &r)
            );
        }
        directory.live_member(&r)?;
        distinct.push(r);
    }
    if let Some(issue) = &from_issue {
        let facts = directory
            .issue(issue)
            .ok_or_else(|| DomainError::not_found(Refusal::ISSUE_NOT_FOUND).with("issue", issue))?;
        if facts.status.is_terminal() {
            return Err(DomainError::conflict(Refusal::ISSUE_FINAL)
                .with("issue", issue)
                .with_state("status", facts.status));
        }
        if facts.raiser != applicant {
            return Err(DomainError::validation(
                "fromIssue",
                Refusal::ISSUE_NOT_APPLICANTS,
            ));
        }
    }
    let committee = directory
        .committee_for(kind, &jurisdiction)
        .ok_or_else(|| DomainError::conflict(Refusal::NO_COMMITTEE_FOR_PLACE))?;
    if committee.is_mediator(&applicant) || distinct.iter().any(|r| committee.is_mediator(r)) {
        // A mediator may be a party elsewhere, never before their own committee.
        return Err(DomainError::validation(
            "respondents",
            Refusal::MEDIATOR_IS_PARTY,
        ));
    }
    Ok(vec![DisputeEvent::DisputeRaised {
        applicant,
        respondents: distinct,
        on_behalf_by,
        channel,
        kind,
        jurisdiction,
        committee: committee.id.clone(),
        rules_hash: committee.rules_hash.clone(),
        claim_hash: claim.commitment(),
        from_issue,
        consent_due: days(now, committee.rules.consent_days),
    }])
}
