//! Triage: accept and route to a council, reject with a reason, merge, refer elsewhere.

use super::*;

pub(super) fn accept(cx: &Deciding<'_>, council: Option<CouncilId>) -> Decided {
    let (id, state, actor, now, directory) = cx.parts();
    actor.signed_in()?;
    live(state, id)?;
    let at = jurisdiction_of(state, id)?;
    require_triage(actor, directory, at)?;
    in_status(state, &[IssueStatus::Open], "accepted")?;
    let council = match council {
        Some(c) => directory.council(&c).ok_or_else(|| {
            DomainError::not_found(Refusal::COUNCIL_NOT_FOUND).with("council", &c)
        })?,
        None => current_council(state, directory, at)
            .ok_or_else(|| DomainError::validation("council", Refusal::NO_COUNCIL_ABOVE))?,
    };
    if !directory.is_within(at, &council.jurisdiction) {
        return Err(DomainError::validation(
            "council",
            Refusal::COUNCIL_NOT_ABOVE,
        ));
    }
    Ok(vec![IssueEvent::IssueAccepted {
        clock: Clock::start(Stage::Response, &council, now, &directory.calendar()),
    }])
}

pub(super) fn reject(cx: &Deciding<'_>, reason: RejectionReason, explanation: String) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    actor.signed_in()?;
    live(state, id)?;
    require_triage(actor, directory, jurisdiction_of(state, id)?)?;
    in_status(state, &[IssueStatus::Open], "rejected")?;
    Ok(vec![IssueEvent::IssueRejected {
        reason,
        explanation: checked_multiline("explanation", &explanation, 1000)?,
    }])
}

pub(super) fn merge(cx: &Deciding<'_>, into: IssueId) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    actor.signed_in()?;
    live(state, id)?;
    let at = jurisdiction_of(state, id)?;
    require_triage(actor, directory, at)?;
    in_status(state, &[IssueStatus::Open, IssueStatus::Accepted], "merged")?;
    if &into == id {
        return Err(DomainError::validation("into", Refusal::MERGE_INTO_SELF));
    }
    let target = directory
        .issue(&into)
        .ok_or_else(|| DomainError::not_found(Refusal::ISSUE_NOT_FOUND).with("issue", &into))?;
    if target.status.is_terminal() {
        return Err(DomainError::conflict(Refusal::MERGE_TARGET_CLOSED)
            .with("issue", &into)
            .with_state("status", target.status));
    }
    require_triage(actor, directory, &target.jurisdiction)?;
    Ok(vec![IssueEvent::IssueMerged { into }])
}

pub(super) fn refer(cx: &Deciding<'_>, to: JurisdictionId, note: String) -> Decided {
    let (id, state, actor, now, directory) = cx.parts();
    actor.signed_in()?;
    live(state, id)?;
    let from = jurisdiction_of(state, id)?;
    require_triage(actor, directory, from)?;
    in_status(
        state,
        &[IssueStatus::Open, IssueStatus::Accepted],
        "referred",
    )?;
    if directory.jurisdiction(&to).is_none() {
        return Err(
            DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND).with("jurisdiction", &to)
        );
    }
    if &to == from {
        return Err(DomainError::validation("to", Refusal::REFER_SAME_PLACE));
    }
    let clock = directory
        .responsible_council(&to)
        .map(|council| Clock::start(Stage::Triage, &council, now, &directory.calendar()));
    Ok(vec![IssueEvent::IssueReferred {
        from: from.clone(),
        to,
        referrals: state.referrals + 1,
        note: checked_multiline("note", &note, 500)?,
        clock,
    }])
}
