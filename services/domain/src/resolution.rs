//! Resolutions (stream `resolution/<id>`): what an adopted motion became, and its
//! follow-up under "two disclosures": the decision is published, progress is
//! reported against assignments with due dates, the implementation is recorded and
//! its result published.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use roundtable_ledger::Timestamp;

use crate::ResolutionEvent;
use crate::aggregate::{Decided, Deciding};
use crate::{
    Actor, ContentHash, CouncilId, DomainError, IssueId, MeetingId, MemberId, Refusal,
    ResolutionId, Seat, checked_multiline, checked_text,
};

/// Most assignments and issues one resolution carries (so it fits one leaf).
const MAX_ASSIGNMENTS: usize = 10;
const MAX_ISSUES: usize = 20;

/// Follow-up work: who (a member, or a unit by name) does what by when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// 1-based.
    pub assignment: u32,
    pub task: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::event::present"
    )]
    pub member: Option<MemberId>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::event::present"
    )]
    pub unit: Option<String>,
    pub due: Timestamp,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssignmentState {
    pub due: Option<Timestamp>,
    pub member: Option<MemberId>,
    pub done: bool,
    pub overdue: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ResolutionState {
    pub council: Option<CouncilId>,
    pub meeting: Option<MeetingId>,
    pub issues: Vec<IssueId>,
    pub assignments: BTreeMap<u32, AssignmentState>,
    pub published: bool,
    pub percent: u32,
    pub implemented: bool,
    pub result_published: bool,
}

/// What the issue decider may know of a resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolutionFacts {
    pub council: CouncilId,
    pub issues: Vec<IssueId>,
}

#[derive(Clone, Debug)]
pub enum ResolutionCommand {
    /// Records the adopted `motion` of `meeting`; the issues default to the item's.
    Adopt {
        meeting: MeetingId,
        motion: u32,
        issues: Vec<IssueId>,
        /// Numbers are given by the decider.
        assignments: Vec<Assignment>,
    },
    Publish {
        note: String,
    },
    ReportProgress {
        assignment: Option<u32>,
        percent: u32,
        text: String,
        photos: Vec<ContentHash>,
    },
    MarkImplemented {
        result: String,
    },
    PublishResult {
        note: String,
    },
    /// The deadline scheduler: the assignment due at `due` is not done.
    MarkAssignmentOverdue {
        assignment: u32,
        due: Timestamp,
    },
}

pub struct Resolution;

fn officer(actor: &Actor, council: &CouncilId) -> bool {
    actor
        .seat_in(council)
        .is_some_and(|s| matches!(s.seat, Seat::Chair | Seat::Secretary))
}

fn require_officer(actor: &Actor, council: &CouncilId) -> Result<(), DomainError> {
    actor.signed_in()?;
    if officer(actor, council) {
        Ok(())
    } else {
        Err(DomainError::forbidden(Refusal::ONLY_OFFICERS))
    }
}

fn optional(field: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    match raw.trim() {
        "" => Ok(String::new()),
        t => checked_multiline(field, t, max),
    }
}

crate::aggregate::aggregate!(Resolution: ResolutionId, ResolutionState, ResolutionCommand, ResolutionEvent);

fn evolve(mut s: ResolutionState, event: &ResolutionEvent) -> ResolutionState {
    match event {
        ResolutionEvent::ResolutionAdopted {
            council,
            meeting,
            issues,
            assignments,
            ..
        } => {
            s.council = Some(council.clone());
            s.meeting = Some(meeting.clone());
            s.issues = issues.clone();
            s.assignments = assignments
                .iter()
                .map(|a| {
                    let state = AssignmentState {
                        due: Some(a.due),
                        member: a.member.clone(),
                        ..AssignmentState::default()
                    };
                    (a.assignment, state)
                })
                .collect();
        }
        ResolutionEvent::ResolutionPublished { .. } => s.published = true,
        ResolutionEvent::ProgressReported {
            assignment,
            percent,
            ..
        } => match assignment {
            Some(n) => {
                if let Some(a) = s.assignments.get_mut(n) {
                    a.done = *percent >= 100;
                }
            }
            None => s.percent = *percent,
        },
        ResolutionEvent::AssignmentOverdue { assignment, .. } => {
            if let Some(a) = s.assignments.get_mut(assignment) {
                a.overdue = true;
            }
        }
        ResolutionEvent::ResolutionImplemented { .. } => {
            s.implemented = true;
            s.percent = 100;
        }
        ResolutionEvent::ResultPublished { .. } => s.result_published = true,
    }
    s
}

fn decide(cx: &Deciding<'_, Resolution>, command: ResolutionCommand) -> Decided<Resolution> {
    let (id, state, actor, now, directory) = cx.parts();
    if let ResolutionCommand::Adopt {
        meeting,
        motion,
        issues,
        assignments,
    } = command
    {
        actor.signed_in()?;
        if state.council.is_some() {
            return Err(DomainError::conflict(Refusal::ALREADY_EXISTS).with("id", id));
        }
        let facts = directory.meeting(&meeting).ok_or_else(|| {
            DomainError::not_found(Refusal::MEETING_NOT_FOUND).with("meeting", &meeting)
        })?;
        require_officer(actor, &facts.council)?;
        let Some((_, vote, text, item_issue)) = facts.adopted.iter().find(|(n, ..)| *n == motion)
        else {
            return Err(
                DomainError::validation("motion", Refusal::MOTION_NOT_ADOPTED)
                    .with("motion", motion)
                    .with("meeting", &meeting),
            );
        };
        let mut all: Vec<IssueId> = item_issue.iter().cloned().collect();
        for issue in issues {
            if !all.contains(&issue) {
                all.push(issue);
            }
        }
        if all.len() > MAX_ISSUES {
            return Err(
                DomainError::validation("issues", Refusal::TOO_MANY).with("max", MAX_ISSUES)
            );
        }
        for issue in &all {
            match directory.issue(issue) {
                None => {
                    return Err(
                        DomainError::not_found(Refusal::ISSUE_NOT_FOUND).with("issue", issue)
                    );
                }
                Some(f) if f.status.is_terminal() => {
                    return Err(DomainError::validation(
                        "issues",
                        Refusal::RESOLUTION_ISSUE_CLOSED,
                    )
                    .with("issue", issue)
                    .with_state("status", f.status));
                }
                Some(_) => {}
            }
        }
        if assignments.len() > MAX_ASSIGNMENTS {
            return Err(DomainError::validation("assignments", Refusal::TOO_MANY)
                .with("max", MAX_ASSIGNMENTS));
        }
        let mut numbered = Vec::with_capacity(assignments.len());
        for (n, a) in assignments.into_iter().enumerate() {
            let unit = match a.unit.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(u) => Some(checked_text("assignments", u, 100)?),
            };
            if a.member.is_none() == unit.is_none() {
                return Err(DomainError::validation(
                    "assignments",
                    Refusal::ASSIGNMENT_NEEDS_ONE_OWNER,
                ));
            }
            if let Some(m) = &a.member
                && directory.member(m).is_none_or(|f| f.erased)
            {
                return Err(DomainError::not_found(Refusal::MEMBER_NOT_FOUND).with("member", m));
            }
            if a.due <= now {
                return Err(DomainError::validation("assignments", Refusal::DUE_IN_PAST));
            }
            numbered.push(Assignment {
                assignment: u32::try_from(n + 1).unwrap_or(u32::MAX),
                task: checked_text("assignments", &a.task, 100)?,
                member: a.member,
                unit,
                due: a.due,
            });
        }
        return Ok(vec![ResolutionEvent::ResolutionAdopted {
            council: facts.council,
            meeting,
            motion,
            vote: *vote,
            text: text.clone(),
            issues: all,
            assignments: numbered,
        }]);
    }
    let council = state.council.clone().ok_or_else(|| {
        DomainError::not_found(Refusal::RESOLUTION_NOT_FOUND).with("resolution", id)
    })?;
    match command {
        ResolutionCommand::Adopt { .. } => unreachable!("decided above"),
        ResolutionCommand::Publish { note } => {
            require_officer(actor, &council)?;
            if state.published {
                return Err(DomainError::conflict(Refusal::RESOLUTION_PUBLISHED));
            }
            Ok(vec![ResolutionEvent::ResolutionPublished {
                note: optional("note", &note, 1000)?,
            }])
        }
        ResolutionCommand::ReportProgress {
            assignment,
            percent,
            text,
            photos,
        } => {
            let me = actor.signed_in()?;
            let assignee = assignment
                .and_then(|n| state.assignments.get(&n))
                .and_then(|a| a.member.as_ref());
            if !officer(actor, &council) && assignee != Some(me) {
                return Err(DomainError::forbidden(Refusal::ONLY_OFFICERS_OR_ASSIGNEE));
            }
            if let Some(n) = assignment
                && !state.assignments.contains_key(&n)
            {
                return Err(
                    DomainError::not_found(Refusal::ASSIGNMENT_NOT_FOUND).with("assignment", n)
                );
            }
            if !state.published {
                return Err(DomainError::validation("procedure", Refusal::PUBLISH_FIRST));
            }
            if state.implemented {
                return Err(DomainError::conflict(Refusal::RESOLUTION_IMPLEMENTED));
            }
            if percent > 100 {
                return Err(DomainError::validation("percent", Refusal::OUT_OF_RANGE)
                    .with("min", 0)
                    .with("max", 100)
                    .with("got", percent));
            }
            if photos.len() > crate::MAX_PHOTOS {
                return Err(DomainError::validation("photos", Refusal::TOO_MANY)
                    .with("max", crate::MAX_PHOTOS));
            }
            Ok(vec![ResolutionEvent::ProgressReported {
                assignment,
                percent,
                text: checked_multiline("text", &text, 2000)?,
                photos,
            }])
        }
        ResolutionCommand::MarkImplemented { result } => {
            require_officer(actor, &council)?;
            if !state.published {
                return Err(DomainError::validation("procedure", Refusal::PUBLISH_FIRST));
            }
            if state.implemented {
                return Err(DomainError::conflict(Refusal::RESOLUTION_IMPLEMENTED));
            }
            Ok(vec![ResolutionEvent::ResolutionImplemented {
                result: checked_multiline("result", &result, 4000)?,
            }])
        }
        ResolutionCommand::PublishResult { note } => {
            require_officer(actor, &council)?;
            if !state.implemented {
                return Err(DomainError::validation(
                    "procedure",
                    Refusal::IMPLEMENT_FIRST,
                ));
            }
            if state.result_published {
                return Err(DomainError::conflict(Refusal::RESULT_PUBLISHED));
            }
            Ok(vec![ResolutionEvent::ResultPublished {
                note: optional("note", &note, 1000)?,
            }])
        }
        ResolutionCommand::MarkAssignmentOverdue { assignment, due } => {
            let a = state.assignments.get(&assignment).ok_or_else(|| {
                DomainError::not_found(Refusal::ASSIGNMENT_NOT_FOUND).with("assignment", assignment)
            })?;
            if a.done || a.overdue || state.implemented || a.due != Some(due) {
                return Err(DomainError::conflict(Refusal::NOTHING_DUE).with("due", due));
            }
            if now < due {
                return Err(DomainError::conflict(Refusal::NOT_YET_DUE).with("due", due));
            }
            Ok(vec![ResolutionEvent::AssignmentOverdue { assignment, due }])
        }
    }
}
