//! Each member's notifications: events of the issues they raised, took down for a
//! resident or co-signed, of the meetings and resolutions that take those issues
//! up (put on an agenda, voted on, each disclosure of the resolution), and of the
//! mediation cases they are a party to, mediate or must assign (the domain's
//! `DisputeState::told_of` says who).
//! Only the latest few hundred per member are kept; what a member has read is
//! private and lives in the vault, not here.

use std::collections::{HashMap, VecDeque};

use roundtable_domain::{
    Decoded, DisputeId, Event, IssueId, MeetingEvent, MeetingId, MemberId, ResolutionEvent,
    ResolutionId, Told, VoteSubject,
};
use roundtable_ledger::{StreamName, Timestamp};

use crate::meetings::Meetings;
use crate::registry::Registry;

/// What a notice is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoticeSubject {
    Issue(IssueId),
    Dispute(DisputeId),
}

/// Something a member should hear about: an event of an issue they follow or of a
/// case they take part in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub member: MemberId,
    pub index: u64,
    pub subject: NoticeSubject,
    pub kind: &'static str,
    pub time: Timestamp,
}

/// Notices of an event of case `id` for those the domain says hear of it (the
/// officers of a committee looked up in the registry), except whoever acted.
pub fn tell_of_case(
    id: &DisputeId,
    told: Told,
    registry: &Registry,
    index: u64,
    decoded: &Decoded,
) -> Vec<Notice> {
    let Some(kind) = decoded.event.as_ref().map(Event::kind) else {
        return Vec::new();
    };
    let officers = told
        .officers_of
        .and_then(|c| registry.committees.get(&c))
        .into_iter()
        .flat_map(|c| c.state.mediators.iter())
        .filter(|(_, officer)| **officer)
        .map(|(m, _)| m.clone());
    let mut members: Vec<MemberId> = told.members.into_iter().chain(officers).collect();
    members.sort();
    members.dedup();
    members
        .into_iter()
        .filter(|m| m.as_str() != decoded.actor)
        .map(|member| Notice {
            member,
            index,
            subject: NoticeSubject::Dispute(id.clone()),
            kind,
            time: decoded.time,
        })
        .collect()
}

/// The issues a meeting's or a resolution's event is about, for their followers:
/// the agenda's issues when a meeting is convened or its agenda changes, the
/// item's issue when a vote on its motion closes, and a resolution's issues at
/// each disclosure (its adoption reaches them as `issue.resolved`).
pub fn issues_concerned(
    meetings: &Meetings,
    stream: &StreamName,
    decoded: &Decoded,
) -> Vec<IssueId> {
    match &decoded.event {
        Some(Event::Meeting(event)) => {
            let Some(meeting) = crate::registry::id_of(stream, MeetingId::parse)
                .and_then(|id| meetings.meeting(&id).cloned())
            else {
                return Vec::new();
            };
            let state = &meeting.state;
            match event {
                MeetingEvent::MeetingConvened { agenda, .. }
                | MeetingEvent::AgendaChanged { agenda } => {
                    agenda.iter().filter_map(|a| a.issue.clone()).collect()
                }
                MeetingEvent::VoteClosed { vote, .. } => state
                    .votes
                    .get(vote)
                    .and_then(|v| match v.subject {
                        VoteSubject::Motion { motion } => state.motions.get(&motion),
                        VoteSubject::Minutes { .. } => None,
                    })
                    .and_then(|m| state.agenda.iter().find(|a| a.item == m.item))
                    .and_then(|a| a.issue.clone())
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            }
        }
        Some(Event::Resolution(
            ResolutionEvent::ResolutionPublished { .. }
            | ResolutionEvent::ProgressReported { .. }
            | ResolutionEvent::AssignmentOverdue { .. }
            | ResolutionEvent::ResolutionImplemented { .. }
            | ResolutionEvent::ResultPublished { .. },
        )) => crate::registry::id_of(stream, ResolutionId::parse)
            .and_then(|id| meetings.resolution(&id).map(|r| r.issues.clone()))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Notifications kept per member.
pub const KEPT_PER_MEMBER: usize = 500;

#[derive(Default)]
pub struct Notifications {
    by_member: HashMap<MemberId, VecDeque<Notice>>,
}

impl Notifications {
    pub fn apply(&mut self, notices: Vec<Notice>) {
        for notice in notices {
            let queue = self.by_member.entry(notice.member.clone()).or_default();
            if queue.len() == KEPT_PER_MEMBER {
                queue.pop_front();
            }
            queue.push_back(notice);
        }
    }

    /// A member's notifications, newest first.
    pub fn of(&self, member: &MemberId) -> impl Iterator<Item = &Notice> {
        self.by_member
            .get(member)
            .into_iter()
            .flat_map(|q| q.iter().rev())
    }
}
