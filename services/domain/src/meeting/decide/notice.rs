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
        return Err(DomainError::conflict(format!("meeting {id} exists")));
    }
    let facts = directory
        .council(&council)
        .ok_or_else(|| DomainError::NotFound(format!("council {council}")))?;
    let seat = actor.seat_in(&council).map(|s| s.seat);
    if !matches!(seat, Some(Seat::Chair | Seat::Secretary)) {
        return Err(DomainError::forbidden(
            "only the council's chair or secretary may convene it",
        ));
    }
    let notice_ends = now.plus_hours(facts.rules.notice_hours);
    if starts_at < now {
        return Err(DomainError::validation("startsAt", "is in the past"));
    }
    if starts_at > now.plus_hours(MAX_AHEAD_HOURS) {
        return Err(DomainError::validation(
            "startsAt",
            "is more than a year ahead",
        ));
    }
    let urgent_reason = match urgent_reason.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(reason) => Some(checked_text("urgentReason", reason, 500)?),
    };
    if starts_at < notice_ends {
        match &urgent_reason {
            None => {
                return Err(DomainError::validation(
                    "startsAt",
                    format!(
                        "the council's rules require {} hours' notice (start at {notice_ends} or later, or call an urgent meeting with a reason)",
                        facts.rules.notice_hours
                    ),
                ));
            }
            Some(_) if seat != Some(Seat::Chair) => {
                return Err(DomainError::forbidden(
                    "only the chair may call an urgent meeting",
                ));
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
        .map_err(|_| rule("the agenda cannot change once the meeting has opened"))?;
    require_officer(state, actor)?;
    let council = state
        .council
        .clone()
        .ok_or_else(|| DomainError::NotFound(format!("meeting {id}")))?;
    let agenda = checked_agenda(agenda, &council, directory)?;
    if agenda == state.agenda {
        return Err(DomainError::conflict("the agenda is unchanged"));
    }
    Ok(vec![MeetingEvent::AgendaChanged { agenda }])
}
