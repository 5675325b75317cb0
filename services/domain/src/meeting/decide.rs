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
    Actor, DomainError, IssueStatus, MeetingId, MemberId, Refusal, checked_multiline, checked_text,
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

fn rule(refusal: Refusal) -> DomainError {
    DomainError::validation("procedure", refusal)
}

fn require_phase(
    state: &MeetingState,
    id: &MeetingId,
    phases: &[Phase],
) -> Result<(), DomainError> {
    if state.phase == Phase::None {
        return Err(DomainError::not_found(Refusal::MEETING_NOT_FOUND).with("meeting", id));
    }
    if phases.contains(&state.phase) {
        return Ok(());
    }
    Err(rule(match state.phase {
        Phase::Convened => Refusal::PROCEDURE_NOT_OPENED,
        Phase::Open => Refusal::PROCEDURE_IN_SESSION,
        Phase::Adjourned => Refusal::PROCEDURE_ADJOURNED,
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
        Err(DomainError::forbidden(Refusal::ONLY_OFFICERS))
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
        Err(DomainError::forbidden(Refusal::NO_SEAT).with("member", member))
    }
}

/// Present voting members move, second and speak to motions.
fn require_present_voter(state: &MeetingState, member: &MemberId) -> Result<(), DomainError> {
    if !state.is_voting(member) {
        return Err(DomainError::forbidden(Refusal::NOT_VOTING_MEMBER).with("member", member));
    }
    if !state.is_present(member) {
        return Err(rule(Refusal::PROCEDURE_NOT_CHECKED_IN).with("member", member));
    }
    Ok(())
}

fn no_open_vote(state: &MeetingState, what: &str) -> Result<(), DomainError> {
    match state.open_vote {
        Some(v) => Err(rule(Refusal::PROCEDURE_VOTE_OPEN)
            .with("vote", v)
            .with("action", what)),
        None => Ok(()),
    }
}

fn checked_agenda(
    agenda: Vec<AgendaItem>,
    council: &crate::CouncilId,
    directory: &dyn crate::Directory,
) -> Result<Vec<AgendaItem>, DomainError> {
    if agenda.is_empty() || agenda.len() > MAX_ITEMS {
        return Err(DomainError::validation("agenda", Refusal::AGENDA_SIZE).with("max", MAX_ITEMS));
    }
    let chars: usize = agenda
        .iter()
        .map(|i| i.title.chars().count() + i.text.chars().count())
        .sum();
    if chars > MAX_AGENDA_CHARS {
        return Err(DomainError::validation("agenda", Refusal::AGENDA_TOO_LONG)
            .with("max", MAX_AGENDA_CHARS)
            .with("got", chars));
    }
    let mut seen = BTreeSet::new();
    let mut items = Vec::with_capacity(agenda.len());
    for (n, entry) in agenda.into_iter().enumerate() {
        if let Some(issue) = &entry.issue {
            let facts = directory.issue(issue).ok_or_else(|| {
                DomainError::not_found(Refusal::ISSUE_NOT_FOUND).with("issue", issue)
            })?;
            let on_docket = !facts.status.is_terminal()
                && facts.status != IssueStatus::Resolved
                && (facts.council.as_ref() == Some(council)
                    || facts.docketed_at.as_ref() == Some(council));
            if !on_docket {
                return Err(
                    DomainError::validation("agenda", Refusal::AGENDA_NOT_ON_DOCKET)
                        .with("issue", issue),
                );
            }
            if !seen.insert(issue.clone()) {
                return Err(
                    DomainError::validation("agenda", Refusal::AGENDA_TWICE).with("issue", issue)
                );
            }
        }
        let text = match entry.text.trim() {
            "" if entry.issue.is_none() => {
                return Err(DomainError::validation(
                    "agenda",
                    Refusal::AGENDA_TOPIC_NEEDS_TEXT,
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

mod business;
mod minutes_approval;
mod motions;
mod notice;
mod roll_call;
mod votes;

/// What every command of a meeting is decided with.
type Deciding<'a> = crate::aggregate::Deciding<'a, super::Meeting>;
type Decided = crate::aggregate::Decided<super::Meeting>;

/// Each command is decided by its group's module: the notice (`notice`), the roll
/// call (`roll_call`), the order of business (`business`), motions (`motions`),
/// votes (`votes`) and the minutes (`minutes_approval`).
pub(super) fn decide(cx: &Deciding<'_>, command: MeetingCommand) -> Decided {
    match command {
        MeetingCommand::Convene {
            council,
            title,
            starts_at,
            venue,
            online,
            agenda,
            urgent_reason,
        } => notice::convene(
            cx,
            council,
            title,
            starts_at,
            venue,
            online,
            agenda,
            urgent_reason,
        ),
        MeetingCommand::ChangeAgenda { agenda } => notice::change_agenda(cx, agenda),
        MeetingCommand::CheckIn {
            member,
            code_checked,
        } => roll_call::check_in(cx, member, code_checked),
        MeetingCommand::RecordAbsence { member, apology } => {
            roll_call::record_absence(cx, member, apology)
        }
        MeetingCommand::GiveProxy { from, to } => roll_call::give_proxy(cx, from, to),
        MeetingCommand::RevokeProxy { from } => roll_call::revoke_proxy(cx, from),
        MeetingCommand::Depart { member } => roll_call::depart(cx, member),
        MeetingCommand::Open => roll_call::open(cx),
        MeetingCommand::OpenItem { item } => business::open_item(cx, item),
        MeetingCommand::RecordStatement { speaker, summary } => {
            business::record_statement(cx, speaker, summary)
        }
        MeetingCommand::Move { text } => motions::move_motion(cx, text),
        MeetingCommand::Amend { motion, text } => motions::amend(cx, motion, text),
        MeetingCommand::Second { motion } => motions::second(cx, motion),
        MeetingCommand::WithdrawMotion { motion } => motions::withdraw(cx, motion),
        MeetingCommand::OpenVote {
            motion,
            method,
            majority,
            hidden,
        } => votes::open(cx, motion, method, majority, hidden),
        MeetingCommand::OpenMinutesVote => minutes_approval::open(cx),
        MeetingCommand::CastBallot {
            vote,
            on_behalf_of,
            choice,
        } => votes::cast(cx, vote, on_behalf_of, choice),
        MeetingCommand::CloseVote {
            vote,
            sealed,
            checkpoint,
        } => votes::close(cx, vote, sealed, checkpoint),
        MeetingCommand::CloseItem => business::close_item(cx),
        MeetingCommand::DeferItem { item } => business::defer_item(cx, item),
        MeetingCommand::Adjourn => business::adjourn(cx),
        MeetingCommand::CorrectMinutes { text } => minutes_approval::correct(cx, text),
    }
}

/// The rules hash a convened meeting always carries.
fn rules_hash(state: &MeetingState, id: &MeetingId) -> Result<crate::RulesHash, DomainError> {
    state
        .rules_hash
        .clone()
        .ok_or_else(|| DomainError::not_found(Refusal::MEETING_NOT_FOUND).with("meeting", id))
}

fn quorum(state: &MeetingState, what: &str) -> Result<(), DomainError> {
    if state.has_quorum() {
        return Ok(());
    }
    let e = state.electorate();
    let q = state.rules.quorum;
    Err(rule(Refusal::PROCEDURE_NO_QUORUM)
        .with("action", what)
        .with("present", e.present)
        .with("members", e.members)
        .with("num", q.num)
        .with("den", q.den))
}

fn next_motion(state: &MeetingState) -> u32 {
    state.motions.keys().next_back().map_or(1, |n| n + 1)
}

fn pending_motion(state: &MeetingState, motion: u32) -> Result<&super::Motion, DomainError> {
    let m = state
        .motions
        .get(&motion)
        .ok_or_else(|| DomainError::not_found(Refusal::MOTION_NOT_FOUND).with("motion", motion))?;
    if m.status != MotionStatus::Pending {
        return Err(rule(Refusal::PROCEDURE_MOTION_STATUS)
            .with("motion", motion)
            .with_state("status", m.status));
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
        .ok_or_else(|| DomainError::not_found(Refusal::VOTE_NOT_FOUND).with("vote", vote))?;
    if v.closed.is_some() {
        return Err(rule(Refusal::PROCEDURE_VOTE_CLOSED).with("vote", vote));
    }
    if state.open_vote != Some(vote) {
        return Err(rule(Refusal::PROCEDURE_VOTE_REPLACED).with("vote", vote));
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
            return Err(rule(Refusal::PROCEDURE_MINUTES_CHANGED)
                .with("voted", text_hash)
                .with("now", &now));
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
            return Err(DomainError::validation("sealed", Refusal::SEALED_PUBLIC));
        }
        return Ok(sealed);
    }
    if sealed.len() != v.ballots.len() {
        return Err(DomainError::validation("sealed", Refusal::SEALED_COUNT)
            .with("sealed", sealed.len())
            .with("cast", v.ballots.len()));
    }
    match v.method {
        VoteMethod::RollCall => {
            let named = members_of(&sealed);
            let cast: BTreeSet<&MemberId> = v.ballots.keys().collect();
            if named != cast || sealed.iter().any(|b| b.ballot.is_some()) {
                return Err(DomainError::validation("sealed", Refusal::SEALED_MISMATCH));
            }
            sealed.sort_by(|a, b| a.member.cmp(&b.member));
        }
        VoteMethod::Secret => {
            if sealed
                .iter()
                .any(|b| b.member.is_some() || b.ballot.is_none())
            {
                return Err(DomainError::validation("sealed", Refusal::SEALED_SHAPE));
            }
            sealed.sort_by(|a, b| a.ballot.cmp(&b.ballot));
            if sealed.windows(2).any(|w| w[0].ballot == w[1].ballot) {
                return Err(DomainError::validation("sealed", Refusal::SEALED_REPEAT));
            }
        }
    }
    Ok(sealed)
}
