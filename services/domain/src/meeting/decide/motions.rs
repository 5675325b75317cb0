//! Motions: moved, amended (two levels), seconded, withdrawn.

use super::*;
use crate::*;

pub(super) fn move_motion(cx: &Deciding<'_>, text: String) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    let me = actor.signed_in()?.clone();
    require_present_voter(state, &me)?;
    let item = state
        .current_item
        .ok_or_else(|| rule(Refusal::PROCEDURE_NO_ITEM_OPEN))?;
    if let Some(pending) = state.pending_main_motion(item) {
        return Err(rule(Refusal::PROCEDURE_ONE_MAIN_MOTION).with("motion", pending));
    }
    Ok(vec![MeetingEvent::MotionMoved {
        item,
        motion: next_motion(state),
        mover: me,
        text: checked_multiline("text", &text, MAX_MOTION_CHARS)?,
        amends: None,
    }])
}

pub(super) fn amend(cx: &Deciding<'_>, motion: u32, text: String) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    let me = actor.signed_in()?.clone();
    require_present_voter(state, &me)?;
    let target = pending_motion(state, motion)?;
    if target.level >= 2 {
        return Err(rule(Refusal::PROCEDURE_AMENDMENT_DEPTH));
    }
    if let Some(a) = state.pending_amendment_of(motion) {
        return Err(rule(Refusal::PROCEDURE_AMENDMENT_FIRST)
            .with("amendment", a)
            .with("motion", motion));
    }
    if state
        .votes
        .values()
        .any(|v| v.closed.is_none() && v.subject == VoteSubject::Motion { motion })
    {
        return Err(rule(Refusal::PROCEDURE_BEING_VOTED).with("motion", motion));
    }
    Ok(vec![MeetingEvent::MotionMoved {
        item: target.item,
        motion: next_motion(state),
        mover: me,
        text: checked_multiline("text", &text, MAX_MOTION_CHARS)?,
        amends: Some(motion),
    }])
}

pub(super) fn second(cx: &Deciding<'_>, motion: u32) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    let me = actor.signed_in()?.clone();
    require_present_voter(state, &me)?;
    let m = pending_motion(state, motion)?;
    if m.mover == me {
        return Err(rule(Refusal::PROCEDURE_OWN_SECOND));
    }
    if let Some(by) = &m.seconded_by {
        return Err(DomainError::conflict(Refusal::ALREADY_SECONDED)
            .with("motion", motion)
            .with("by", by));
    }
    Ok(vec![MeetingEvent::MotionSeconded { motion, by: me }])
}

pub(super) fn withdraw(cx: &Deciding<'_>, motion: u32) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    let me = actor.signed_in()?.clone();
    let m = pending_motion(state, motion)?;
    if m.mover != me {
        return Err(DomainError::forbidden(Refusal::ONLY_MOVER_WITHDRAWS));
    }
    if !m.votes.is_empty() {
        return Err(rule(Refusal::PROCEDURE_PUT_TO_VOTE).with("motion", motion));
    }
    Ok(vec![MeetingEvent::MotionWithdrawn { motion }])
}
