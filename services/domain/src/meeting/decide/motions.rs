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
        .ok_or_else(|| rule("open an agenda item before moving a motion"))?;
    if let Some(pending) = state.pending_main_motion(item) {
        return Err(rule(format!(
            "motion {pending} is pending on this item; only one main motion at a time"
        )));
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
        return Err(rule(
            "an amendment to an amendment cannot be amended (at most two levels)",
        ));
    }
    if let Some(a) = state.pending_amendment_of(motion) {
        return Err(rule(format!(
            "amendment {a} to motion {motion} is pending; vote on it first"
        )));
    }
    if state
        .votes
        .values()
        .any(|v| v.closed.is_none() && v.subject == VoteSubject::Motion { motion })
    {
        return Err(rule(format!("motion {motion} is being voted on")));
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
        return Err(rule("the mover cannot second their own motion"));
    }
    if let Some(by) = &m.seconded_by {
        return Err(DomainError::conflict(format!(
            "motion {motion} is already seconded by {by}"
        )));
    }
    Ok(vec![MeetingEvent::MotionSeconded { motion, by: me }])
}

pub(super) fn withdraw(cx: &Deciding<'_>, motion: u32) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    let me = actor.signed_in()?.clone();
    let m = pending_motion(state, motion)?;
    if m.mover != me {
        return Err(DomainError::forbidden(
            "only the mover may withdraw a motion",
        ));
    }
    if !m.votes.is_empty() {
        return Err(rule(format!("motion {motion} has been put to a vote")));
    }
    Ok(vec![MeetingEvent::MotionWithdrawn { motion }])
}
