//! The minutes after adjournment: corrections, and the council's vote approving them.

use super::*;
use crate::*;

pub(super) fn open(cx: &Deciding<'_>) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    require_phase(state, id, &[Phase::Adjourned])?;
    require_officer(state, actor)?;
    // A minutes vote on a text that has since been corrected is void: a new
    // vote replaces it.
    if !state.open_vote_is_void() {
        no_open_vote(state, "another vote")?;
    }
    if state.minutes_approved.is_some() {
        return Err(rule(Refusal::PROCEDURE_MINUTES_FROZEN));
    }
    // The whole council approves the minutes, each member for themself:
    // the meeting's voting seats still held when the vote opens.
    let current = state
        .council
        .as_ref()
        .map(|c| directory.council_seats(c))
        .unwrap_or_default();
    let eligible = state
        .voting_members()
        .filter(|m| current.iter().any(|(c, _, v)| c == *m && *v))
        .map(|m| (m.clone(), m.clone()))
        .collect();
    open_vote(
        state,
        id,
        VoteSubject::Minutes {
            text_hash: minutes::text_hash(state),
        },
        VoteMethod::RollCall,
        state.rules.default_majority,
        false,
        eligible,
    )
}

pub(super) fn correct(cx: &Deciding<'_>, text: String) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Adjourned])?;
    let me = actor.signed_in()?;
    if !matches!(state.seats.get(me), Some((Seat::Secretary, _))) {
        return Err(DomainError::forbidden(Refusal::ONLY_SECRETARY_CORRECTS));
    }
    if state.minutes_approved.is_some() {
        return Err(rule(Refusal::PROCEDURE_MINUTES_FROZEN));
    }
    Ok(vec![MeetingEvent::MinutesCorrected {
        correction: crate::meeting::count(state.corrections.len() + 1),
        text: checked_multiline("text", &text, 2000)?,
    }])
}
