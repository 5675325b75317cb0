//! The order of business: agenda items opened, statements, items closed or deferred, adjournment.

use super::*;
use crate::*;

pub(super) fn open_item(cx: &Deciding<'_>, item: u32) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    require_officer(state, actor)?;
    if let Some(current) = state.current_item {
        return Err(rule(Refusal::PROCEDURE_ITEM_OPEN).with("item", current));
    }
    match state.items.get(&item) {
        None => Err(DomainError::not_found(Refusal::AGENDA_ITEM_NOT_FOUND).with("item", item)),
        Some(ItemStatus::Pending) => Ok(vec![MeetingEvent::ItemOpened { item }]),
        Some(status) => Err(rule(Refusal::PROCEDURE_ITEM_STATUS)
            .with("item", item)
            .with_state("status", status)),
    }
}

pub(super) fn record_statement(cx: &Deciding<'_>, speaker: MemberId, summary: String) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    require_phase(state, id, &[Phase::Open])?;
    require_officer(state, actor)?;
    if directory.member(&speaker).is_none() {
        return Err(DomainError::not_found(Refusal::MEMBER_NOT_FOUND).with("member", &speaker));
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
        .ok_or_else(|| rule(Refusal::PROCEDURE_NO_ITEM_OPEN))?;
    if let Some(m) = state.pending_main_motion(item) {
        return Err(rule(Refusal::PROCEDURE_MOTION_PENDING).with("motion", m));
    }
    Ok(vec![MeetingEvent::ItemClosed { item }])
}

pub(super) fn defer_item(cx: &Deciding<'_>, item: u32) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    require_phase(state, id, &[Phase::Convened, Phase::Open])?;
    require_officer(state, actor)?;
    no_open_vote(state, "deferring an item")?;
    match state.items.get(&item) {
        None => Err(DomainError::not_found(Refusal::AGENDA_ITEM_NOT_FOUND).with("item", item)),
        Some(ItemStatus::Pending | ItemStatus::Open) => {
            Ok(vec![MeetingEvent::ItemDeferred { item }])
        }
        Some(status) => Err(rule(Refusal::PROCEDURE_ITEM_STATUS)
            .with("item", item)
            .with_state("status", status)),
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
