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
        return Err(DomainError::forbidden(
            "checking in needs the meeting code shown in the hall",
        ));
    }
    require_seat(state, &member)?;
    if state.is_present(&member) {
        return Err(DomainError::conflict(format!(
            "{member} is already checked in"
        )));
    }
    if let Some(holder) = state.proxies.get(&member) {
        return Err(rule(format!(
            "{member} gave a proxy to {holder}; revoke it before checking in"
        )));
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
        return Err(rule(format!(
            "{member} is checked in; record a departure instead"
        )));
    }
    Ok(vec![MeetingEvent::AbsenceRecorded { member, apology }])
}

pub(super) fn give_proxy(cx: &Deciding<'_>, from: Option<MemberId>, to: MemberId) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened, Phase::Open])?;
    let from = subject_member(state, actor, from)?;
    no_open_vote(state, "giving a proxy")?;
    if from == to {
        return Err(rule("a member cannot give a proxy to themself"));
    }
    if !state.is_voting(&from) {
        return Err(DomainError::forbidden(format!(
            "{from} is not a voting member and has no vote to give"
        )));
    }
    if !state.is_voting(&to) {
        return Err(rule(format!(
            "{to} is not a voting member and cannot hold a proxy"
        )));
    }
    if state.is_present(&from) {
        return Err(rule(format!(
            "{from} is checked in and votes in person; record a departure first"
        )));
    }
    if state.proxies.contains_key(&from) {
        return Err(DomainError::conflict(format!(
            "{from} has already given a proxy; revoke it first"
        )));
    }
    if state.proxies.contains_key(&to) {
        return Err(rule(format!(
            "{to} has given their own proxy away; proxies cannot be chained"
        )));
    }
    if state.proxies.values().any(|holder| *holder == from) {
        return Err(rule(format!(
            "{from} holds a proxy; proxies cannot be chained"
        )));
    }
    let held = state.proxies.values().filter(|h| **h == to).count();
    let allowed = state.rules.proxies_per_member as usize;
    if held >= allowed {
        return Err(rule(format!(
            "the rules allow {allowed} proxy per member and {to} holds {held}"
        )));
    }
    Ok(vec![MeetingEvent::ProxyGiven { from, to }])
}

pub(super) fn revoke_proxy(cx: &Deciding<'_>, from: Option<MemberId>) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened, Phase::Open])?;
    let from = subject_member(state, actor, from)?;
    no_open_vote(state, "revoking a proxy")?;
    let to = state
        .proxies
        .get(&from)
        .cloned()
        .ok_or_else(|| DomainError::NotFound(format!("proxy of {from}")))?;
    Ok(vec![MeetingEvent::ProxyRevoked { from, to }])
}

pub(super) fn depart(cx: &Deciding<'_>, member: Option<MemberId>) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened, Phase::Open])?;
    let member = subject_member(state, actor, member)?;
    if !state.is_present(&member) {
        return Err(rule(format!("{member} is not checked in")));
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
        return Err(rule(format!("the meeting was announced for {start}")));
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
