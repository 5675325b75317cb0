//! The notice of a meeting: convening (notice period, urgent meetings) and agenda changes.

use super::*;
use crate::*;

#[allow(clippy::too_many_arguments)] // the command's own fields, one by one
pub(super) fn convene(
    cx: &Deciding<'_>,
    council: CouncilId,
    title: String,
    starts_at: Timestamp,
    venue: String,
    online: bool,
    agenda: Vec<AgendaItem>,
    urgent_reason: Option<String>,
) -> Decided {
    let (id, state, actor, now, directory) = cx.parts();
    actor.signed_in()?;
    if state.phase != Phase::None {
        return Err(DomainError::conflict(Refusal::ALREADY_EXISTS).with("id", id));
    }
    let facts = directory.council(&council).ok_or_else(|| {
        DomainError::not_found(Refusal::COUNCIL_NOT_FOUND).with("council", &council)
    })?;
    let seat = actor.seat_in(&council).map(|s| s.seat);
    if !matches!(seat, Some(Seat::Chair | Seat::Secretary)) {
        return Err(DomainError::forbidden(Refusal::ONLY_OFFICERS));
    }
    let notice_ends = now.plus_hours(facts.rules.notice_hours);
    if starts_at < now {
        return Err(DomainError::validation("startsAt", Refusal::STARTS_IN_PAST));
    }
    if starts_at > now.plus_hours(MAX_AHEAD_HOURS) {
        return Err(DomainError::validation("startsAt", Refusal::STARTS_TOO_FAR));
    }
    let urgent_reason = match urgent_reason.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(reason) => Some(checked_text("urgentReason", reason, 500)?),
    };
    if starts_at < notice_ends {
        match &urgent_reason {
            None => {
                return Err(
                    DomainError::validation("startsAt", Refusal::NOTICE_TOO_SHORT)
                        .with("hours", facts.rules.notice_hours)
                        .with("earliest", notice_ends),
                );
            }
            Some(_) if seat != Some(Seat::Chair) => {
                return Err(DomainError::forbidden(Refusal::ONLY_CHAIR_URGENT));
            }
            Some(_) => {}
        }
    }
    let seats: Vec<SeatHolder> = directory
        .council_seats(&council)
        .into_iter()
        .map(|(member, seat, voting)| SeatHolder {
            member,
            seat,
            voting,
        })
        .collect();
    let mut events: Vec<MeetingEvent> = seats
        .chunks(crate::meeting::LIST_CHUNK)
        .map(|chunk| MeetingEvent::SeatsListed {
            seats: chunk.to_vec(),
        })
        .collect();
    events.push(MeetingEvent::MeetingConvened {
        agenda: checked_agenda(agenda, &council, directory)?,
        council,
        title: checked_text("title", &title, 100)?,
        starts_at,
        venue: checked_text("venue", &venue, 200)?,
        online,
        rules: facts.rules,
        rules_hash: facts.rules_hash,
        urgent_reason,
    });
    Ok(events)
}

pub(super) fn change_agenda(cx: &Deciding<'_>, agenda: Vec<AgendaItem>) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    require_phase(state, id, &[Phase::Convened])
        .map_err(|_| rule(Refusal::PROCEDURE_AGENDA_FROZEN))?;
    require_officer(state, actor)?;
    let council = state
        .council
        .clone()
        .ok_or_else(|| DomainError::not_found(Refusal::MEETING_NOT_FOUND).with("meeting", id))?;
    let agenda = checked_agenda(agenda, &council, directory)?;
    if agenda == state.agenda {
        return Err(DomainError::conflict(Refusal::UNCHANGED));
    }
    Ok(vec![MeetingEvent::AgendaChanged { agenda }])
}
