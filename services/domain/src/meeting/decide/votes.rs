//! Votes on motions: opening with method and majority, ballots (in person or by proxy), closing with the tally.

use super::*;
use crate::*;

pub(super) fn open(
    cx: &Deciding<'_>,
    motion: u32,
    method: VoteMethod,
    majority: Option<MajorityKind>,
    hidden: bool,
) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    require_officer(state, actor)?;
    no_open_vote(state, "another vote")?;
    let m = pending_motion(state, motion)?;
    if state.rules.seconds_required && m.seconded_by.is_none() {
        return Err(rule(Refusal::PROCEDURE_NEEDS_SECOND).with("motion", motion));
    }
    if let Some(a) = state.pending_amendment_of(motion) {
        return Err(rule(Refusal::PROCEDURE_AMENDMENT_FIRST)
            .with("amendment", a)
            .with("motion", motion));
    }
    quorum(state, "open a vote")?;
    let current = state
        .council
        .as_ref()
        .map(|c| directory.council_seats(c))
        .unwrap_or_default();
    open_vote(
        state,
        id,
        VoteSubject::Motion { motion },
        method,
        majority.unwrap_or(state.rules.default_majority),
        hidden,
        state.electorate_now(&current),
    )
}

pub(super) fn cast(
    cx: &Deciding<'_>,
    vote: u32,
    on_behalf_of: Option<MemberId>,
    choice: Choice,
) -> Decided {
    let (_, state, actor, ..) = cx.parts();
    let me = actor.signed_in()?.clone();
    let v = state
        .votes
        .get(&vote)
        .ok_or_else(|| DomainError::not_found(Refusal::VOTE_NOT_FOUND).with("vote", vote))?;
    if v.closed.is_some() {
        return Err(rule(Refusal::PROCEDURE_VOTE_CLOSED).with("vote", vote));
    }
    if state.open_vote != Some(vote) {
        return Err(rule(Refusal::PROCEDURE_VOTE_REPLACED).with("vote", vote));
    }
    let member = on_behalf_of.unwrap_or_else(|| me.clone());
    match v.eligible.get(&member) {
        None => {
            return Err(DomainError::forbidden(Refusal::NOT_ELIGIBLE)
                .with("member", &member)
                .with("vote", vote));
        }
        Some(cast_by) if *cast_by != me => {
            return Err(DomainError::forbidden(Refusal::BALLOT_CAST_BY_OTHER)
                .with("member", &member)
                .with("vote", vote)
                .with("castBy", cast_by));
        }
        Some(_) => {}
    }
    if v.ballots.contains_key(&member) {
        return Err(rule(Refusal::PROCEDURE_ALREADY_VOTED)
            .with("member", &member)
            .with("vote", vote));
    }
    Ok(vec![MeetingEvent::BallotCast {
        vote,
        member,
        cast_by: me,
        choice: (!v.sealed()).then_some(choice),
    }])
}

pub(super) fn close(
    cx: &Deciding<'_>,
    vote: u32,
    sealed: Vec<RevealedBallot>,
    checkpoint: CheckpointRef,
) -> Decided {
    let (_, state, actor, ..) = cx.parts();
    require_officer(state, actor)?;
    close_vote(state, vote, sealed, checkpoint)
}
