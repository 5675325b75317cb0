//! Residents' issues and petitions (stream `issue/<id>`): raise, edit as versions,
//! co-sign and withdraw, the threshold that puts an issue on a council's docket,
//! triage (accept, reject, merge, refer), the deadline clocks and escalation, the
//! response, the raiser's rating and reopening, and withdrawal.
//!
//! Every clock is written into the event that starts it (council, rules hash, due
//! instant), so nobody can turn it back and an auditor can recompute it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use roundtable_ledger::Timestamp;

use crate::IssueEvent;
use crate::{
    Actor, ContentHash, CouncilFacts, CouncilId, Directory, DisputeId, DomainError, IssueId,
    JurisdictionId, MemberId, MemberKind, Refusal, ResolutionId, RulesHash, Seat, Spot,
    checked_multiline, checked_text,
};

/// What a raise says (`IssueCommand::Raise`).
#[derive(Clone, Debug)]
pub struct RaiseIssue {
    pub text: IssueText,
    pub category: Category,
    /// Defaults to the raiser's home grid.
    pub jurisdiction: Option<JurisdictionId>,
    /// A grid worker raising for a resident (visit, phone, WeChat, paper).
    pub on_behalf_of: Option<(MemberId, Channel)>,
    /// SHA-256 of each stored photo.
    pub photos: Vec<ContentHash>,
    /// A building (and unit) of the issue's grid, picked from its list.
    pub spot: Option<Spot>,
}

/// The fixed, translatable list of what an issue is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Water,
    Drainage,
    Roads,
    Greening,
    Sanitation,
    Safety,
    NeighbourDispute,
    Employment,
    ElderlyCare,
    Other,
}

/// How the issue reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The resident raised it themself.
    Online,
    Visit,
    Phone,
    Wechat,
    /// A paper form; its photo must be attached.
    Paper,
}

/// Most photos one issue carries.
pub const MAX_PHOTOS: usize = 5;

/// One version of what the issue says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueText {
    pub title: String,
    pub description: String,
    /// Where, in the raiser's words (may be empty).
    pub place: String,
}

impl IssueText {
    pub fn new(title: &str, description: &str, place: &str) -> Result<IssueText, DomainError> {
        let place = match place.trim() {
            "" => String::new(),
            p => checked_text("place", p, 200)?,
        };
        Ok(IssueText {
            title: checked_text("title", title, 100)?,
            description: checked_multiline("description", description, 2000)?,
            place,
        })
    }

    /// SHA-256 of this version's canonical JSON: what a co-signature names.
    pub fn hash(&self) -> ContentHash {
        ContentHash::of_canonical(
            &json!({"title": self.title, "description": self.description, "place": self.place}),
        )
    }
}

/// Where an issue stands, in the words residents see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    /// Raised, waiting for triage.
    #[default]
    Open,
    /// Accepted and routed to a council, waiting for its response.
    Accepted,
    /// A council's resolution answers it: awaiting implementation.
    Resolved,
    /// Answered, waiting for the raiser's verdict.
    Responded,
    /// Rated satisfied or basically satisfied.
    Closed,
    Rejected,
    /// Folded into another issue.
    Merged,
    /// Withdrawn by the raiser.
    Withdrawn,
    /// Taken to mediation as a dispute case between the raiser and others.
    InMediation,
}

impl IssueStatus {
    /// Nothing more happens to a terminal issue.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            IssueStatus::Closed
                | IssueStatus::Rejected
                | IssueStatus::Merged
                | IssueStatus::Withdrawn
                | IssueStatus::InMediation
        )
    }
}

/// Which deadline a clock measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Triage,
    Response,
}

/// A running deadline: which council owes what by when, under which rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    pub stage: Stage,
    pub council: CouncilId,
    pub rules_hash: RulesHash,
    pub due: Timestamp,
}

impl Clock {
    /// Starts the `stage` clock of `council` at `now`, from its rules in force: in
    /// hours, or in working days on `calendar` (the calendars in force now; the due
    /// time is fixed here and no later correction moves it).
    pub fn start(
        stage: Stage,
        council: &CouncilFacts,
        now: Timestamp,
        calendar: &crate::WorkCalendar,
    ) -> Clock {
        let rules = &council.rules;
        let due = match (stage, rules.working_days) {
            (Stage::Triage, Some(days)) => calendar.due_after(now, days.triage),
            (Stage::Response, Some(days)) => calendar.due_after(now, days.response),
            (Stage::Triage, None) => now.plus_hours(rules.triage_hours),
            (Stage::Response, None) => now.plus_hours(rules.response_hours),
        };
        Clock {
            stage,
            council: council.id.clone(),
            rules_hash: council.rules_hash.clone(),
            due,
        }
    }
}

/// Why an issue was not taken up: a fixed list, as petitions committees use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// The same matter is already raised (point to it in the explanation).
    Duplicate,
    /// Not for these bodies to decide.
    OutsideCompetence,
    /// Too vague to act on.
    InsufficientDetail,
    /// Offensive, defamatory or abusive.
    Offensive,
    /// Names or exposes private individuals.
    PersonalData,
    /// Already fixed.
    AlreadyResolved,
    /// Asks for something no body can do.
    NotActionable,
}

/// The raiser's verdict on a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Satisfied,
    BasicallySatisfied,
    Unsatisfied,
}

pub struct Issue;

#[derive(Clone, Debug, Default)]
pub struct IssueState {
    pub raiser: Option<MemberId>,
    pub jurisdiction: Option<JurisdictionId>,
    pub status: IssueStatus,
    /// Hashes of every version, first to last.
    pub versions: Vec<ContentHash>,
    /// Who supports the issue, and the version (1-based) they supported.
    pub cosigners: BTreeMap<MemberId, u32>,
    pub docketed_at: Option<CouncilId>,
    /// The council the issue is with now (responsible, routed or escalated to).
    pub council: Option<CouncilId>,
    /// The running deadline, if any, and whether it has been marked overdue.
    pub clock: Option<Clock>,
    pub overdue: bool,
    pub referrals: u32,
    /// Responses given so far (the rating round).
    pub responses: u32,
}

impl IssueState {
    /// The deadline the scheduler watches: a running clock not yet marked overdue,
    /// on an issue that can still change (what `MarkOverdue` accepts).
    pub fn armed_deadline(&self) -> Option<Timestamp> {
        match &self.clock {
            Some(clock) if !self.overdue && !self.status.is_terminal() => Some(clock.due),
            _ => None,
        }
    }

    /// How long the running clock is past due at `now` (zero when on time or none).
    pub fn overdue_by_ms(&self, now: Timestamp) -> i64 {
        match &self.clock {
            Some(clock) => (now.unix_millis() - clock.due.unix_millis()).max(0),
            None => 0,
        }
    }

    /// Marked overdue, or past its due time and not yet marked.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.overdue || self.overdue_by_ms(now) > 0
    }
}

#[derive(Clone, Debug)]
pub enum IssueCommand {
    Raise(RaiseIssue),
    Edit {
        text: IssueText,
    },
    /// Co-sign the current version (or re-confirm after an edit).
    Cosign,
    WithdrawCosignature,
    /// Triage: take the issue up and route it to a council (default: the one it is with).
    Accept {
        council: Option<CouncilId>,
    },
    Reject {
        reason: RejectionReason,
        explanation: String,
    },
    Merge {
        into: IssueId,
    },
    Refer {
        to: JurisdictionId,
        note: String,
    },
    Respond {
        text: String,
    },
    /// `raiser_code_checked`: the caller verified the raiser's one-time feedback code
    /// (a grid worker rating on a feedback visit).
    Rate {
        rating: Rating,
        comment: String,
        raiser_code_checked: bool,
    },
    Withdraw {
        reason: String,
    },
    /// A recorded resolution answers the issue.
    Resolve {
        resolution: ResolutionId,
    },
    /// The issue became the dispute case `dispute` (which names it).
    SendToMediation {
        dispute: DisputeId,
    },
    /// The deadline scheduler: the clock due at `due` has passed.
    MarkOverdue {
        due: Timestamp,
    },
}

/// What a decider may know about another issue (for merges).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueFacts {
    pub jurisdiction: JurisdictionId,
    pub raiser: MemberId,
    pub status: IssueStatus,
    /// The council it is with, and the one whose docket its co-signers put it on.
    pub council: Option<CouncilId>,
    pub docketed_at: Option<CouncilId>,
}

fn open(state: &IssueState, id: &IssueId) -> Result<(), DomainError> {
    if state.raiser.is_none() {
        return Err(DomainError::not_found(Refusal::ISSUE_NOT_FOUND).with("issue", id));
    }
    Ok(())
}

/// Refuses commands on an issue that is closed, rejected, merged or withdrawn.
fn live(state: &IssueState, id: &IssueId) -> Result<(), DomainError> {
    open(state, id)?;
    if state.status.is_terminal() {
        return Err(DomainError::conflict(Refusal::ISSUE_FINAL)
            .with("issue", id)
            .with_state("status", state.status));
    }
    Ok(())
}

fn in_status(state: &IssueState, allowed: &[IssueStatus], what: &str) -> Result<(), DomainError> {
    if allowed.contains(&state.status) {
        Ok(())
    } else {
        Err(DomainError::conflict(Refusal::ISSUE_STATUS_FORBIDS)
            .with_state("status", state.status)
            .with("action", what))
    }
}

/// Grid workers serving the place, and voting or officer seats of a council at or
/// above it, triage and answer issues there.
pub fn may_triage(actor: &Actor, directory: &dyn Directory, at: &JurisdictionId) -> bool {
    actor.serves(directory, at)
        || (actor.member.is_some()
            && actor.seats.iter().any(|seat| {
                seat.seat != Seat::Observer
                    && directory
                        .council(&seat.council)
                        .is_some_and(|c| directory.is_within(at, &c.jurisdiction))
            }))
}

/// Who may see where an issue was raised from (the raiser's coarse GPS point, see
/// `place.rs`): its raiser, and the staff who triage issues at its place.
pub fn may_see_raised_from(actor: &Actor, directory: &dyn Directory, state: &IssueState) -> bool {
    let Some(me) = &actor.member else {
        return false;
    };
    state.raiser.as_ref() == Some(me)
        || state
            .jurisdiction
            .as_ref()
            .is_some_and(|at| may_triage(actor, directory, at))
}

fn require_triage(
    actor: &Actor,
    directory: &dyn Directory,
    at: &JurisdictionId,
) -> Result<(), DomainError> {
    actor.signed_in()?;
    if may_triage(actor, directory, at) {
        Ok(())
    } else {
        Err(DomainError::forbidden(Refusal::ONLY_STAFF_OF_PLACE))
    }
}

fn jurisdiction_of<'a>(
    state: &'a IssueState,
    id: &IssueId,
) -> Result<&'a JurisdictionId, DomainError> {
    state
        .jurisdiction
        .as_ref()
        .ok_or_else(|| DomainError::not_found(Refusal::ISSUE_NOT_FOUND).with("issue", id))
}

/// The council the issue is with, else the one responsible for its place.
fn current_council(
    state: &IssueState,
    directory: &dyn Directory,
    at: &JurisdictionId,
) -> Option<CouncilFacts> {
    state
        .council
        .as_ref()
        .and_then(|c| directory.council(c))
        .or_else(|| directory.responsible_council(at))
}

/// A new clock (or none) replaces the running one; the issue moves to its council.
fn set_clock(state: &mut IssueState, clock: &Option<Clock>) {
    if let Some(clock) = clock {
        state.council = Some(clock.council.clone());
    }
    state.clock = clock.clone();
    state.overdue = false;
}

fn optional_text(field: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    match raw.trim() {
        "" => Ok(String::new()),
        text => checked_multiline(field, text, max),
    }
}

mod raise;
mod response;
mod support;
mod triage;

// Each command is decided by its group's module: `raise` (raise, edit, withdraw),
// `support` (co-signatures), `triage` (accept, reject, merge, refer) and
// `response` (respond, rate, resolve).
type Deciding<'a> = crate::aggregate::Deciding<'a, Issue>;
type Decided = crate::aggregate::Decided<Issue>;

crate::aggregate::aggregate!(Issue: IssueId, IssueState, IssueCommand, IssueEvent);

fn evolve(mut state: IssueState, event: &IssueEvent) -> IssueState {
    match event {
        IssueEvent::IssueRaised {
            raiser,
            jurisdiction,
            version_hash,
            clock,
            ..
        } => {
            state.raiser = Some(raiser.clone());
            state.jurisdiction = Some(jurisdiction.clone());
            state.versions = vec![version_hash.clone()];
            state.status = IssueStatus::Open;
            set_clock(&mut state, clock);
        }
        IssueEvent::IssueEdited { version_hash, .. } => state.versions.push(version_hash.clone()),
        IssueEvent::IssueCosigned {
            member, version, ..
        } => {
            state.cosigners.insert(member.clone(), *version);
        }
        IssueEvent::CosignatureWithdrawn { member } => {
            state.cosigners.remove(member);
        }
        IssueEvent::ThresholdReached { council, .. } => state.docketed_at = Some(council.clone()),
        IssueEvent::IssueAccepted { clock } => {
            state.status = IssueStatus::Accepted;
            set_clock(&mut state, &Some(clock.clone()));
        }
        IssueEvent::IssueRejected { .. } => {
            state.status = IssueStatus::Rejected;
            state.clock = None;
        }
        IssueEvent::IssueMerged { .. } => {
            state.status = IssueStatus::Merged;
            state.clock = None;
        }
        IssueEvent::IssueReferred {
            to,
            referrals,
            clock,
            ..
        } => {
            state.jurisdiction = Some(to.clone());
            state.referrals = *referrals;
            state.status = IssueStatus::Open;
            state.council = None;
            set_clock(&mut state, clock);
        }
        IssueEvent::IssueOverdue { .. } => state.overdue = true,
        IssueEvent::IssueEscalated { clock, .. } => set_clock(&mut state, &Some(clock.clone())),
        IssueEvent::IssueResponded { round, council, .. } => {
            state.status = IssueStatus::Responded;
            state.responses = *round;
            if council.is_some() {
                state.council = council.clone();
            }
            state.clock = None;
            state.overdue = false;
        }
        IssueEvent::IssueRated { rating, .. } => {
            // Unsatisfied is followed by `issue.reopened`, which moves it on.
            if *rating != Rating::Unsatisfied {
                state.status = IssueStatus::Closed;
            }
        }
        IssueEvent::IssueReopened { clock } => {
            state.status = IssueStatus::Accepted;
            set_clock(&mut state, &Some(clock.clone()));
        }
        IssueEvent::IssueWithdrawn { .. } => {
            state.status = IssueStatus::Withdrawn;
            state.clock = None;
        }
        IssueEvent::IssueResolved { council, .. } => {
            state.status = IssueStatus::Resolved;
            state.council = Some(council.clone());
            state.clock = None;
            state.overdue = false;
        }
        IssueEvent::SentToMediation { .. } => {
            state.status = IssueStatus::InMediation;
            state.clock = None;
        }
    }
    state
}

fn decide(cx: &Deciding<'_>, command: IssueCommand) -> Decided {
    match command {
        IssueCommand::Raise(raising) => raise::raise(cx, raising),
        IssueCommand::Edit { text } => raise::edit(cx, text),
        IssueCommand::Cosign => support::cosign(cx),
        IssueCommand::WithdrawCosignature => support::withdraw_cosignature(cx),
        IssueCommand::Accept { council } => triage::accept(cx, council),
        IssueCommand::Reject {
            reason,
            explanation,
        } => triage::reject(cx, reason, explanation),
        IssueCommand::Merge { into } => triage::merge(cx, into),
        IssueCommand::Refer { to, note } => triage::refer(cx, to, note),
        IssueCommand::Respond { text } => response::respond(cx, text),
        IssueCommand::Rate {
            rating,
            comment,
            raiser_code_checked,
        } => response::rate(cx, rating, comment, raiser_code_checked),
        IssueCommand::Withdraw { reason } => raise::withdraw(cx, reason),
        IssueCommand::Resolve { resolution } => response::resolve(cx, resolution),
        IssueCommand::SendToMediation { dispute } => response::send_to_mediation(cx, dispute),
        // The scheduler's command is decided without a signed-in member: it is fully
        // determined by the state and the time.
        IssueCommand::MarkOverdue { due } => {
            let (id, state, _, now, directory) = cx.parts();
            mark_overdue(id, state, due, now, directory)
        }
    }
}

/// The clock due at `due` has run out: mark it, and hand the issue up to the council
/// of the parent jurisdiction with a fresh clock under that council's rules.
fn mark_overdue(
    id: &IssueId,
    state: &IssueState,
    due: Timestamp,
    now: Timestamp,
    directory: &dyn Directory,
) -> Result<Vec<IssueEvent>, DomainError> {
    live(state, id)?;
    let clock = match &state.clock {
        Some(clock) if state.armed_deadline() == Some(due) => clock,
        _ => {
            return Err(DomainError::conflict(Refusal::NOTHING_DUE).with("due", due));
        }
    };
    if now < due {
        return Err(DomainError::conflict(Refusal::NOT_YET_DUE).with("due", due));
    }
    let mut events = vec![IssueEvent::IssueOverdue {
        stage: clock.stage,
        council: clock.council.clone(),
        due,
    }];
    let parent = directory
        .council(&clock.council)
        .and_then(|c| directory.jurisdiction(&c.jurisdiction)?.parent)
        .and_then(|parent| directory.responsible_council(&parent));
    if let Some(parent) = parent {
        events.push(IssueEvent::IssueEscalated {
            from: clock.council.clone(),
            to: parent.id.clone(),
            clock: Clock::start(clock.stage, &parent, now, &directory.calendar()),
        });
    }
    Ok(events)
}

impl IssueFacts {
    /// What other deciders may know of an issue in `state` (none before it is raised).
    pub fn of(state: &IssueState) -> Option<IssueFacts> {
        Some(IssueFacts {
            jurisdiction: state.jurisdiction.clone()?,
            raiser: state.raiser.clone()?,
            status: state.status,
            council: state.council.clone(),
            docketed_at: state.docketed_at.clone(),
        })
    }
}
