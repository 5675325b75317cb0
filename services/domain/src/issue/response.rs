//! The response, the raiser's rating (and reopening when unsatisfied), and an answer by resolution.

use super::*;

pub(super) fn respond(cx: &Deciding<'_>, text: String) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    actor.signed_in()?;
    live(state, id)?;
    let at = jurisdiction_of(state, id)?;
    require_triage(actor, directory, at)?;
    in_status(
        state,
        &[
            IssueStatus::Open,
            IssueStatus::Accepted,
            IssueStatus::Resolved,
        ],
        "answered",
    )?;
    Ok(vec![IssueEvent::IssueResponded {
        council: current_council(state, directory, at).map(|c| c.id),
        text: checked_multiline("text", &text, 4000)?,
        round: state.responses + 1,
    }])
}

pub(super) fn rate(
    cx: &Deciding<'_>,
    rating: Rating,
    comment: String,
    raiser_code_checked: bool,
) -> Decided {
    let (id, state, actor, now, directory) = cx.parts();
    let me = actor.signed_in()?.clone();
    live(state, id)?;
    let at = jurisdiction_of(state, id)?;
    let visit_by = if state.raiser.as_ref() == Some(&me) {
        None
    } else if raiser_code_checked && actor.serves(directory, at) {
        Some(me.clone())
    } else {
        return Err(DomainError::forbidden(Refusal::ONLY_RAISER_RATES));
    };
    in_status(state, &[IssueStatus::Responded], "rated")?;
    let mut events = vec![IssueEvent::IssueRated {
        rating,
        comment: optional_text("comment", &comment, 500)?,
        round: state.responses,
        visit_by,
    }];
    if rating == Rating::Unsatisfied {
        let council = current_council(state, directory, at)
            .ok_or_else(|| DomainError::conflict(Refusal::NO_COUNCIL_FOR_PLACE))?;
        events.push(IssueEvent::IssueReopened {
            clock: Clock::start(Stage::Response, &council, now, &directory.calendar()),
        });
    }
    Ok(events)
}

pub(super) fn resolve(cx: &Deciding<'_>, resolution: ResolutionId) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    actor.signed_in()?;
    live(state, id)?;
    let at = jurisdiction_of(state, id)?;
    require_triage(actor, directory, at)?;
    let facts = directory.resolution(&resolution).ok_or_else(|| {
        DomainError::not_found(Refusal::RESOLUTION_NOT_FOUND).with("resolution", &resolution)
    })?;
    if !facts.issues.contains(id) {
        return Err(
            DomainError::validation("resolution", Refusal::RESOLUTION_NOT_FOR_ISSUE)
                .with("resolution", &resolution)
                .with("issue", id),
        );
    }
    in_status(
        state,
        &[IssueStatus::Open, IssueStatus::Accepted],
        "resolved",
    )?;
    Ok(vec![IssueEvent::IssueResolved {
        resolution,
        council: facts.council,
    }])
}

/// The raiser (or staff of the place) took the issue to mediation: the case, made
/// first, names this issue; the issue's clocks stop.
pub(super) fn send_to_mediation(cx: &Deciding<'_>, dispute: DisputeId) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    let me = actor.signed_in()?;
    live(state, id)?;
    let at = jurisdiction_of(state, id)?;
    if state.raiser.as_ref() != Some(me) && !actor.serves(directory, at) {
        return Err(DomainError::forbidden(
            Refusal::ONLY_RAISER_OR_STAFF_MEDIATES,
        ));
    }
    // A validation of the named case, so a dry run may leave the case to be chosen.
    let facts = directory.dispute(&dispute).ok_or_else(|| {
        DomainError::validation("dispute", Refusal::DISPUTE_NOT_FOUND).with("dispute", &dispute)
    })?;
    if facts.from_issue.as_ref() != Some(id) {
        return Err(
            DomainError::validation("dispute", Refusal::DISPUTE_NOT_FOR_ISSUE)
                .with("dispute", &dispute)
                .with("issue", id),
        );
    }
    Ok(vec![IssueEvent::SentToMediation { dispute }])
}
