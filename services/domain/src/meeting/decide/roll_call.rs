//! The roll call: check-in (by code or by an officer), apologies, proxies, departures, and opening at quorum.

use super::*;
use crate::*;

pub(super) fn check_in(cx: &Deciding<'_>, member: Option<MemberId>, code_checked: bool) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened, Phase::Open])?;
    let me = actor.signed_in()?.clone();
    let by_officer = member.as_ref().is_some_and(|m| *m != me);
    let member = subject_member(state, actor, member)?;
    if !by_officer && !code_checked && !is_officer(state, actor) {
        return Err(DomainError::forbidden(Refusal::CHECK_IN_NEEDS_CODE));
    }
    require_seat(state, &member)?;
    if state.is_present(&member) {
        return Err(DomainError::conflict(Refusal::ALREADY_CHECKED_IN).with("member", &member));
    }
    if let Some(holder) = state.proxies.get(&member) {
        return Err(rule(Refusal::PROCEDURE_PROXY_GIVEN)
            .with("member", &member)
            .with("holder", holder));
    }
    Ok(vec![MeetingEvent::CheckedIn {
        member,
        by: by_officer.then_some(me),
    }])
}

pub(super) fn record_absence(cx: &Deciding<'_>, member: MemberId, apology: bool) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened, Phase::Open])?;
    require_officer(state, actor)?;
    require_seat(state, &member)?;
    if state.is_present(&member) {
        return Err(rule(Refusal::PROCEDURE_MEMBER_PRESENT).with("member", &member));
    }
    Ok(vec![MeetingEvent::AbsenceRecorded { member, apology }])
}

pub(super) fn give_proxy(cx: &Deciding<'_>, from: Option<MemberId>, to: MemberId) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened, Phase::Open])?;
    let from = subject_member(state, actor, from)?;
    no_open_vote(state, "giving a proxy")?;
    if from == to {
        return Err(rule(Refusal::PROCEDURE_PROXY_TO_SELF));
    }
    if !state.is_voting(&from) {
        return Err(DomainError::forbidden(Refusal::NO_VOTE_TO_GIVE).with("member", &from));
    }
    if !state.is_voting(&to) {
        return Err(rule(Refusal::PROCEDURE_CANNOT_HOLD_PROXY).with("member", &to));
    }
    if state.is_present(&from) {
        return Err(rule(Refusal::PROCEDURE_VOTES_IN_PERSON).with("member", &from));
    }
    if state.proxies.contains_key(&from) {
        return Err(DomainError::conflict(Refusal::PROXY_ALREADY_GIVEN).with("member", &from));
    }
    if state.proxies.contains_key(&to) {
        return Err(rule(Refusal::PROCEDURE_PROXY_CHAIN).with("member", &to));
    }
    if state.proxies.values().any(|holder| *holder == from) {
        return Err(rule(Refusal::PROCEDURE_PROXY_CHAIN).with("member", &from));
    }
    let held = state.proxies.values().filter(|h| **h == to).count();
    let allowed = state.rules.proxies_per_member as usize;
    if held >= allowed {
        return Err(rule(Refusal::PROCEDURE_PROXY_LIMIT)
            .with("allowed", allowed)
            .with("member", &to)
            .with("held", held));
    }
    Ok(vec![MeetingEvent::ProxyGiven { from, to }])
}

pub(super) fn revoke_proxy(cx: &Deciding<'_>, from: Option<MemberId>) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened, Phase::Open])?;
    let from = subject_member(state, actor, from)?;
    no_open_vote(state, "revoking a proxy")?;
    let to =
        state.proxies.get(&from).cloned().ok_or_else(|| {
            DomainError::not_found(Refusal::PROXY_NOT_FOUND).with("member", &from)
        })?;
    Ok(vec![MeetingEvent::ProxyRevoked { from, to }])
}

pub(super) fn depart(cx: &Deciding<'_>, member: Option<MemberId>) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened, Phase::Open])?;
    let member = subject_member(state, actor, member)?;
    if !state.is_present(&member) {
        return Err(rule(Refusal::PROCEDURE_NOT_CHECKED_IN).with("member", &member));
    }
    Ok(vec![MeetingEvent::Departed { member }])
}

pub(super) fn open(cx: &Deciding<'_>) -> Decided {
    let (id, state, actor, now, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened])?;
    require_officer(state, actor)?;
    if let Some(start) = state.starts_at
        && now < Timestamp::from_unix_millis(start.unix_millis() - EARLY_OPEN_MS)
    {
        return Err(rule(Refusal::PROCEDURE_TOO_EARLY).with("start", start));
    }
    quorum(state, "open the meeting")?;
    let e = state.electorate();
    let eligible = state.eligible();
    Ok(vec![MeetingEvent::MeetingOpened {
        present: e.present,
        proxies: crate::meeting::count(eligible.iter().filter(|(m, by)| m != by).count()),
        voting_members: e.members,
        quorum: state.rules.quorum,
        rules_hash: rules_hash(state, id)?,
    }])
}
