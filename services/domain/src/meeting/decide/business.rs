//! The order of business: agenda items opened, statements, items closed or deferred, adjournment.

use super::*;
use crate::*;

pub(super) fn open_item(cx: &Deciding<'_>, item: u32) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    require_officer(state, actor)?;
    if let Some(current) = state.current_item {
        return Err(rule(format!(
            "item {current} is open; close or defer it first"
        )));
    }
    match state.items.get(&item) {
        None => Err(DomainError::NotFound(format!("agenda item {item}"))),
        Some(ItemStatus::Pending) => Ok(vec![MeetingEvent::ItemOpened { item }]),
        Some(status) => Err(rule(format!("item {item} is {status:?}"))),
    }
}

pub(super) fn record_statement(cx: &Deciding<'_>, speaker: MemberId, summary: String) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    require_officer(state, actor)?;
    if directory.member(&speaker).is_none() {
        return Err(DomainError::NotFound(format!("member {speaker}")));
    }
    Ok(vec![MeetingEvent::StatementRecorded {
        item: state.current_item,
        speaker,
        summary: checked_multiline("summary", &summary, 2000)?,
    }])
}

pub(super) fn close_item(cx: &Deciding<'_>) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    require_officer(state, actor)?;
    no_open_vote(state, "closing the item")?;
    let item = state
        .current_item
        .ok_or_else(|| rule("no agenda item is open"))?;
    if let Some(m) = state.pending_main_motion(item) {
        return Err(rule(format!(
            "motion {m} is pending: vote on it, or have it withdrawn, or defer the item"
        )));
    }
    Ok(vec![MeetingEvent::ItemClosed { item }])
}

pub(super) fn defer_item(cx: &Deciding<'_>, item: u32) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened, Phase::Open])?;
    require_officer(state, actor)?;
    no_open_vote(state, "deferring an item")?;
    match state.items.get(&item) {
        None => Err(DomainError::NotFound(format!("agenda item {item}"))),
        Some(ItemStatus::Pending | ItemStatus::Open) => {
            Ok(vec![MeetingEvent::ItemDeferred { item }])
        }
        Some(status) => Err(rule(format!("item {item} is {status:?}"))),
    }
}

pub(super) fn adjourn(cx: &Deciding<'_>) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    require_officer(state, actor)?;
    no_open_vote(state, "adjournment")?;
    let unfinished = state
        .items
        .iter()
        .filter(|(_, s)| matches!(s, ItemStatus::Pending | ItemStatus::Open))
        .map(|(n, _)| *n)
        .collect();
    Ok(vec![MeetingEvent::MeetingAdjourned { unfinished }])
}
