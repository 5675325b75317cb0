//! The meeting's rules of procedure, each a precondition that names itself when it
//! refuses.

use std::collections::BTreeSet;

use roundtable_ledger::Timestamp;

use super::Eligible;
use super::{
    AgendaItem, CheckpointRef, ItemStatus, MeetingCommand, MeetingState, MotionStatus, Phase,
    RevealedBallot, SeatHolder, Tally, VoteMethod, VoteOutcome, VoteSubject, members_of, minutes,
    outcome,
};
use crate::MeetingEvent;
use crate::{
    Actor, Context, DomainError, IssueStatus, MeetingId, MemberId, Seat, checked_multiline,
    checked_text,
};

/// Longest agenda.
const MAX_ITEMS: usize = 50;
/// The whole agenda's text, so the notice fits one leaf.
const MAX_AGENDA_CHARS: usize = 3000;
/// A motion's wording.
const MAX_MOTION_CHARS: usize = 2000;
/// Latest a meeting may be convened ahead.
const MAX_AHEAD_HOURS: u32 = 366 * 24;
/// A meeting may open this long before its announced start.
const EARLY_OPEN_MS: i64 = 15 * 60 * 1000;

fn rule(message: impl Into<String>) -> DomainError {
    DomainError::validation("procedure", message)
}

fn require_phase(
    state: &MeetingState,
    id: &MeetingId,
    phases: &[Phase],
) -> Result<(), DomainError> {
    if state.phase == Phase::None {
        return Err(DomainError::NotFound(format!("meeting {id}")));
    }
    if phases.contains(&state.phase) {
        return Ok(());
    }
    Err(rule(match state.phase {
        Phase::Convened => "the meeting has not been opened yet".to_owned(),
        Phase::Open => "the meeting is in session".to_owned(),
        Phase::Adjourned => "the meeting is adjourned".to_owned(),
        Phase::None => unreachable!(),
    }))
}

/// Chair and secretary run the meeting.
fn is_officer(state: &MeetingState, actor: &Actor) -> bool {
    state.is_officer(actor)
}

fn require_officer(state: &MeetingState, actor: &Actor) -> Result<(), DomainError> {
    actor.signed_in()?;
    if is_officer(state, actor) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "only the council's chair or secretary may do this",
        ))
    }
}

/// The member an action is about: the actor themself, or (for an officer) another.
fn subject_member(
    state: &MeetingState,
    actor: &Actor,
    member: Option<MemberId>,
) -> Result<MemberId, DomainError> {
    let me = actor.signed_in()?.clone();
    match member {
        Some(m) if m != me => {
            require_officer(state, actor)?;
            Ok(m)
        }
        _ => Ok(me),
    }
}

fn require_seat(state: &MeetingState, member: &MemberId) -> Result<(), DomainError> {
    if state.seats.contains_key(member) {
        Ok(())
    } else {
        Err(DomainError::forbidden(format!(
            "{member} has no seat on this council"
        )))
    }
}

/// Present voting members move, second and speak to motions.
fn require_present_voter(state: &MeetingState, member: &MemberId) -> Result<(), DomainError> {
    if !state.is_voting(member) {
        return Err(DomainError::forbidden(format!(
            "{member} is not a voting member of this council"
        )));
    }
    if !state.is_present(member) {
        return Err(rule(format!("{member} is not checked in")));
    }
    Ok(())
}

fn no_open_vote(state: &MeetingState, what: &str) -> Result<(), DomainError> {
    match state.open_vote {
        Some(v) => Err(rule(format!(
            "vote {v} is open: {what} must wait until it closes"
        ))),
        None => Ok(()),
    }
}

fn checked_agenda(
    agenda: Vec<AgendaItem>,
    council: &crate::CouncilId,
    directory: &dyn crate::Directory,
) -> Result<Vec<AgendaItem>, DomainError> {
    if agenda.is_empty() || agenda.len() > MAX_ITEMS {
        return Err(DomainError::validation(
            "agenda",
            format!("must have 1 to {MAX_ITEMS} items"),
        ));
    }
    let chars: usize = agenda
        .iter()
        .map(|i| i.title.chars().count() + i.text.chars().count())
        .sum();
    if chars > MAX_AGENDA_CHARS {
        return Err(DomainError::validation(
            "agenda",
            format!(
                "titles and texts together must be at most {MAX_AGENDA_CHARS} characters (got {chars})"
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut items = Vec::with_capacity(agenda.len());
    for (n, entry) in agenda.into_iter().enumerate() {
        if let Some(issue) = &entry.issue {
            let facts = directory
                .issue(issue)
                .ok_or_else(|| DomainError::NotFound(format!("issue {issue}")))?;
            let on_docket = !facts.status.is_terminal()
                && facts.status != IssueStatus::Resolved
                && (facts.council.as_ref() == Some(council)
                    || facts.docketed_at.as_ref() == Some(council));
            if !on_docket {
                return Err(DomainError::validation(
                    "agenda",
                    format!("issue {issue} is not on this council's docket"),
                ));
            }
            if !seen.insert(issue.clone()) {
                return Err(DomainError::validation(
                    "agenda",
                    format!("issue {issue} is on the agenda twice"),
                ));
            }
        }
        let text = match entry.text.trim() {
            "" if entry.issue.is_none() => {
                return Err(DomainError::validation(
                    "agenda",
                    "a new topic needs a text",
                ));
            }
            "" => String::new(),
            t => checked_multiline("agenda", t, 2000)?,
        };
        items.push(AgendaItem {
            item: u32::try_from(n + 1).unwrap_or(u32::MAX),
            title: checked_text("agenda", &entry.title, 200)?,
            text,
            issue: entry.issue,
        });
    }
    Ok(items)
}

pub(super) fn decide(
    id: &MeetingId,
    state: &MeetingState,
    command: MeetingCommand,
    context: &Context,
    directory: &dyn crate::Directory,
) -> Result<Vec<MeetingEvent>, DomainError> {
    let actor = &context.actor;
    let now = context.now;
    match command {
        MeetingCommand::Convene {
            council,
            title,
            starts_at,
            venue,
            online,
            agenda,
            urgent_reason,
        } => {
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
                .chunks(super::LIST_CHUNK)
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
        MeetingCommand::ChangeAgenda { agenda } => {
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
        MeetingCommand::CheckIn {
            member,
            code_checked,
        } => {
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
        MeetingCommand::RecordAbsence { member, apology } => {
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
        MeetingCommand::GiveProxy { from, to } => {
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
        MeetingCommand::RevokeProxy { from } => {
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
        MeetingCommand::Depart { member } => {
            require_phase(state, id, &[Phase::Convened, Phase::Open])?;
            let member = subject_member(state, actor, member)?;
            if !state.is_present(&member) {
                return Err(rule(format!("{member} is not checked in")));
            }
            Ok(vec![MeetingEvent::Departed { member }])
        }
        MeetingCommand::Open => {
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
                proxies: super::count(eligible.iter().filter(|(m, by)| m != by).count()),
                voting_members: e.members,
                quorum: state.rules.quorum,
                rules_hash: rules_hash(state, id)?,
            }])
        }
        MeetingCommand::OpenItem { item } => {
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
        MeetingCommand::RecordStatement { speaker, summary } => {
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
        MeetingCommand::Move { text } => {
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
        MeetingCommand::Amend { motion, text } => {
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
        MeetingCommand::Second { motion } => {
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
        MeetingCommand::WithdrawMotion { motion } => {
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
        MeetingCommand::OpenVote {
            motion,
            method,
            majority,
            hidden,
        } => {
            require_phase(state, id, &[Phase::Open])?;
            require_officer(state, actor)?;
            no_open_vote(state, "another vote")?;
            let m = pending_motion(state, motion)?;
            if state.rules.seconds_required && m.seconded_by.is_none() {
                return Err(rule(format!(
                    "the rules require a second: motion {motion} has none"
                )));
            }
            if let Some(a) = state.pending_amendment_of(motion) {
                return Err(rule(format!(
                    "amendment {a} to motion {motion} must be voted first"
                )));
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
        MeetingCommand::OpenMinutesVote => {
            require_phase(state, id, &[Phase::Adjourned])?;
            require_officer(state, actor)?;
            // A minutes vote on a text that has since been corrected is void: a new
            // vote replaces it.
            if !state.open_vote_is_void() {
                no_open_vote(state, "another vote")?;
            }
            if state.minutes_approved.is_some() {
                return Err(rule("the minutes are approved and frozen"));
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
        MeetingCommand::CastBallot {
            vote,
            on_behalf_of,
            choice,
        } => {
            let me = actor.signed_in()?.clone();
            let v = state
                .votes
                .get(&vote)
                .ok_or_else(|| DomainError::NotFound(format!("vote {vote}")))?;
            if v.closed.is_some() {
                return Err(rule(format!("vote {vote} is closed")));
            }
            if state.open_vote != Some(vote) {
                return Err(rule(format!("vote {vote} was replaced by a later vote")));
            }
            let member = on_behalf_of.unwrap_or_else(|| me.clone());
            match v.eligible.get(&member) {
                None => {
                    return Err(DomainError::forbidden(format!(
                        "{member} is not eligible in vote {vote} (eligible: voting members checked in when it opened, and their proxies)"
                    )));
                }
                Some(cast_by) if *cast_by != me => {
                    return Err(DomainError::forbidden(format!(
                        "the ballot of {member} in vote {vote} is cast by {cast_by}"
                    )));
                }
                Some(_) => {}
            }
            if v.ballots.contains_key(&member) {
                return Err(rule(format!("{member} has already voted in vote {vote}")));
            }
            Ok(vec![MeetingEvent::BallotCast {
                vote,
                member,
                cast_by: me,
                choice: (!v.sealed()).then_some(choice),
            }])
        }
        MeetingCommand::CloseVote {
            vote,
            sealed,
            checkpoint,
        } => {
            require_officer(state, actor)?;
            close_vote(state, vote, sealed, checkpoint)
        }
        MeetingCommand::CloseItem => {
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
        MeetingCommand::DeferItem { item } => {
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
        MeetingCommand::Adjourn => {
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
        MeetingCommand::CorrectMinutes { text } => {
            require_phase(state, id, &[Phase::Adjourned])?;
            let me = actor.signed_in()?;
            if !matches!(state.seats.get(me), Some((Seat::Secretary, _))) {
                return Err(DomainError::forbidden(
                    "only the council's secretary may correct the minutes",
                ));
            }
            if state.minutes_approved.is_some() {
                return Err(rule("the minutes are approved and frozen"));
            }
            Ok(vec![MeetingEvent::MinutesCorrected {
                correction: super::count(state.corrections.len() + 1),
                text: checked_multiline("text", &text, 2000)?,
            }])
        }
    }
}

/// The rules hash a convened meeting always carries.
fn rules_hash(state: &MeetingState, id: &MeetingId) -> Result<crate::RulesHash, DomainError> {
    state
        .rules_hash
        .clone()
        .ok_or_else(|| DomainError::NotFound(format!("meeting {id}")))
}

fn quorum(state: &MeetingState, what: &str) -> Result<(), DomainError> {
    if state.has_quorum() {
        return Ok(());
    }
    let e = state.electorate();
    let q = state.rules.quorum;
    Err(rule(format!(
        "no quorum to {what}: {} of {} voting members present or by proxy, the rules require {}/{}",
        e.present, e.members, q.num, q.den
    )))
}

fn next_motion(state: &MeetingState) -> u32 {
    state.motions.keys().next_back().map_or(1, |n| n + 1)
}

fn pending_motion(state: &MeetingState, motion: u32) -> Result<&super::Motion, DomainError> {
    let m = state
        .motions
        .get(&motion)
        .ok_or_else(|| DomainError::NotFound(format!("motion {motion}")))?;
    if m.status != MotionStatus::Pending {
        return Err(rule(format!("motion {motion} is {:?}", m.status)));
    }
    Ok(m)
}

fn open_vote(
    state: &MeetingState,
    id: &MeetingId,
    subject: VoteSubject,
    method: VoteMethod,
    majority: crate::MajorityKind,
    hidden: bool,
    eligible: std::collections::BTreeMap<MemberId, MemberId>,
) -> Result<Vec<MeetingEvent>, DomainError> {
    let vote = state.votes.keys().next_back().map_or(1, |n| n + 1);
    let present = super::count(eligible.len());
    let listed: Vec<Eligible> = eligible
        .into_iter()
        .map(|(member, cast_by)| Eligible { member, cast_by })
        .collect();
    let mut events: Vec<MeetingEvent> = listed
        .chunks(super::LIST_CHUNK)
        .map(|chunk| MeetingEvent::ElectorateListed {
            vote,
            eligible: chunk.to_vec(),
        })
        .collect();
    events.push(MeetingEvent::VoteOpened {
        vote,
        subject,
        method,
        majority,
        // A secret ballot's running tally is never shown.
        hidden: hidden || method == VoteMethod::Secret,
        present,
        voting_members: super::count(state.voting_members().count()),
        rules_hash: rules_hash(state, id)?,
    });
    Ok(events)
}

fn close_vote(
    state: &MeetingState,
    vote: u32,
    sealed: Vec<RevealedBallot>,
    checkpoint: CheckpointRef,
) -> Result<Vec<MeetingEvent>, DomainError> {
    let v = state
        .votes
        .get(&vote)
        .ok_or_else(|| DomainError::NotFound(format!("vote {vote}")))?;
    if v.closed.is_some() {
        return Err(rule(format!("vote {vote} is already closed")));
    }
    if state.open_vote != Some(vote) {
        return Err(rule(format!("vote {vote} was replaced by a later vote")));
    }
    let revealed = opened_ballots(v, sealed)?;
    let choices: Vec<_> = if v.sealed() {
        revealed.iter().map(|b| b.choice).collect()
    } else {
        v.ballots.values().filter_map(|c| *c).collect()
    };
    let tally = Tally::of(choices);
    let result = outcome(v.majority, tally, v.electorate);
    let mut events: Vec<MeetingEvent> = revealed
        .chunks(super::LIST_CHUNK)
        .map(|chunk| MeetingEvent::BallotsRevealed {
            vote,
            revealed: chunk.to_vec(),
        })
        .collect();
    events.push(MeetingEvent::VoteClosed {
        vote,
        tally,
        outcome: result,
        majority: v.majority,
        rules_hash: v.rules_hash.clone(),
        checkpoint,
    });
    if let VoteSubject::Minutes { text_hash } = &v.subject
        && result == VoteOutcome::Adopted
    {
        let now = minutes::text_hash(state);
        if &now != text_hash {
            return Err(rule(format!(
                "the minutes changed after the approval vote opened (voted on {text_hash}, now {now}); open a new vote"
            )));
        }
        events.push(MeetingEvent::MinutesApproved {
            vote,
            text_hash: now,
        });
    }
    Ok(events)
}

/// Checks the sealed choices against the recorded ballots: one per ballot cast, by
/// member for a hidden roll call, by distinct ballot hash (in hash order) for a
/// secret vote. Public ballots need none.
fn opened_ballots(
    v: &super::Vote,
    mut sealed: Vec<RevealedBallot>,
) -> Result<Vec<RevealedBallot>, DomainError> {
    if !v.sealed() {
        if !sealed.is_empty() {
            return Err(DomainError::validation(
                "sealed",
                "this vote's ballots are public",
            ));
        }
        return Ok(sealed);
    }
    if sealed.len() != v.ballots.len() {
        return Err(DomainError::validation(
            "sealed",
            format!(
                "{} sealed ballots for {} ballots cast",
                sealed.len(),
                v.ballots.len()
            ),
        ));
    }
    match v.method {
        VoteMethod::RollCall => {
            let named = members_of(&sealed);
            let cast: BTreeSet<&MemberId> = v.ballots.keys().collect();
            if named != cast || sealed.iter().any(|b| b.ballot.is_some()) {
                return Err(DomainError::validation(
                    "sealed",
                    "the sealed ballots do not match the ballots cast",
                ));
            }
            sealed.sort_by(|a, b| a.member.cmp(&b.member));
        }
        VoteMethod::Secret => {
            if sealed
                .iter()
                .any(|b| b.member.is_some() || b.ballot.is_none())
            {
                return Err(DomainError::validation(
                    "sealed",
                    "secret ballots carry a ballot hash and no member",
                ));
            }
            sealed.sort_by(|a, b| a.ballot.cmp(&b.ballot));
            if sealed.windows(2).any(|w| w[0].ballot == w[1].ballot) {
                return Err(DomainError::validation("sealed", "a ballot hash repeats"));
            }
        }
    }
    Ok(sealed)
}
