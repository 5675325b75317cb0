//! The meetings and resolutions read model: each meeting's full state (the same
//! fold the decider uses) with the times and indexes of its events, each
//! resolution's follow-up, and the assignment deadlines the scheduler watches.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use roundtable_domain::{
    Aggregate, Assignment, ContentHash, CouncilId, Event, IssueId, Meeting, MeetingEvent,
    MeetingFacts, MeetingId, MeetingState, MemberId, Resolution, ResolutionEvent, ResolutionFacts,
    ResolutionId, ResolutionState,
};
use roundtable_ledger::{StreamName, Timestamp};

use crate::registry::id_of;
use roundtable_domain::Decoded;

#[derive(Clone, Debug)]
pub struct MeetingView {
    pub id: MeetingId,
    pub state: MeetingState,
    pub convened_at: Timestamp,
    pub opened_at: Option<Timestamp>,
    pub adjourned_at: Option<Timestamp>,
    /// Index of the last ballot of each vote (for the closing checkpoint).
    pub last_ballot: BTreeMap<u32, u64>,
    /// Index of each closing event, by vote.
    pub closed_at: BTreeMap<u32, u64>,
    /// Index of each ballot event, by (vote, member).
    pub ballots: BTreeMap<(u32, MemberId), u64>,
    pub resolutions: Vec<ResolutionId>,
    /// Index of the last event applied.
    pub last_index: u64,
}

#[derive(Clone, Debug)]
pub struct ProgressRecord {
    pub assignment: Option<u32>,
    pub percent: u32,
    pub text: String,
    pub photos: Vec<ContentHash>,
    pub by: Option<MemberId>,
    pub at: Timestamp,
    pub index: u64,
}

#[derive(Clone, Debug)]
pub struct ResolutionView {
    pub id: ResolutionId,
    pub council: CouncilId,
    pub meeting: MeetingId,
    pub motion: u32,
    pub vote: u32,
    pub text: String,
    pub issues: Vec<IssueId>,
    pub assignments: Vec<Assignment>,
    pub state: ResolutionState,
    pub adopted_at: Timestamp,
    pub published: Option<(Timestamp, String)>,
    pub progress: Vec<ProgressRecord>,
    pub implemented: Option<(Timestamp, String)>,
    pub result_published: Option<(Timestamp, String)>,
}

impl ResolutionView {
    /// Assignments not done by their due date (marked, or due by `now`).
    pub fn overdue(&self, now: Timestamp) -> Vec<&Assignment> {
        self.assignments
            .iter()
            .filter(|a| {
                let s = self.state.assignments.get(&a.assignment);
                !self.state.implemented && s.is_some_and(|s| !s.done && (s.overdue || a.due <= now))
            })
            .collect()
    }
}

#[derive(Default)]
pub struct Meetings {
    meetings: BTreeMap<MeetingId, Arc<MeetingView>>,
    resolutions: BTreeMap<ResolutionId, Arc<ResolutionView>>,
    /// Assignments not yet done or marked: (due, resolution, assignment).
    deadlines: BTreeSet<(Timestamp, ResolutionId, u32)>,
}

impl Meetings {
    pub fn apply(&mut self, index: u64, stream: &StreamName, decoded: &Decoded) {
        // The codec checked that each event sits in a stream of its kind.
        match &decoded.event {
            Some(Event::Meeting(event)) => {
                if let Some(id) = id_of(stream, MeetingId::parse) {
                    self.apply_meeting(id, index, decoded, event);
                }
            }
            Some(Event::Resolution(event)) => {
                if let Some(id) = id_of(stream, ResolutionId::parse) {
                    self.apply_resolution(id, index, decoded, event);
                }
            }
            Some(
                Event::Jurisdiction(_)
                | Event::Member(_)
                | Event::Council(_)
                | Event::Issue(_)
                | Event::Calendar(_)
                | Event::Service(_)
                | Event::ServiceRequest(_)
                | Event::Committee(_)
                | Event::Dispute(_),
            )
            | None => {}
        }
    }

    fn apply_meeting(
        &mut self,
        id: MeetingId,
        index: u64,
        decoded: &Decoded,
        event: &MeetingEvent,
    ) {
        let time = decoded.time;
        let view = self.meetings.entry(id.clone()).or_insert_with(|| {
            Arc::new(MeetingView {
                id,
                state: MeetingState::default(),
                convened_at: time,
                opened_at: None,
                adjourned_at: None,
                last_ballot: BTreeMap::new(),
                closed_at: BTreeMap::new(),
                ballots: BTreeMap::new(),
                resolutions: Vec::new(),
                last_index: index,
            })
        });
        let view = Arc::make_mut(view);
        view.state = Meeting::evolve(std::mem::take(&mut view.state), event);
        view.last_index = index;
        match event {
            MeetingEvent::MeetingOpened { .. } => view.opened_at = Some(time),
            MeetingEvent::MeetingAdjourned { .. } => view.adjourned_at = Some(time),
            MeetingEvent::BallotCast { vote, member, .. } => {
                view.last_ballot.insert(*vote, index);
                view.ballots.insert((*vote, member.clone()), index);
            }
            MeetingEvent::VoteClosed { vote, .. } => {
                view.closed_at.insert(*vote, index);
            }
            MeetingEvent::MeetingConvened { .. }
            | MeetingEvent::SeatsListed { .. }
            | MeetingEvent::AgendaChanged { .. }
            | MeetingEvent::CheckedIn { .. }
            | MeetingEvent::AbsenceRecorded { .. }
            | MeetingEvent::ProxyGiven { .. }
            | MeetingEvent::ProxyRevoked { .. }
            | MeetingEvent::Departed { .. }
            | MeetingEvent::ItemOpened { .. }
            | MeetingEvent::StatementRecorded { .. }
            | MeetingEvent::MotionMoved { .. }
            | MeetingEvent::MotionSeconded { .. }
            | MeetingEvent::MotionWithdrawn { .. }
            | MeetingEvent::ElectorateListed { .. }
            | MeetingEvent::VoteOpened { .. }
            | MeetingEvent::BallotsRevealed { .. }
            | MeetingEvent::ItemClosed { .. }
            | MeetingEvent::ItemDeferred { .. }
            | MeetingEvent::MinutesCorrected { .. }
            | MeetingEvent::MinutesApproved { .. } => {}
        }
    }

    fn apply_resolution(
        &mut self,
        id: ResolutionId,
        index: u64,
        decoded: &Decoded,
        event: &ResolutionEvent,
    ) {
        let time = decoded.time;
        if let ResolutionEvent::ResolutionAdopted {
            council,
            meeting,
            motion,
            vote,
            text,
            issues,
            assignments,
        } = event
        {
            for a in assignments {
                self.deadlines.insert((a.due, id.clone(), a.assignment));
            }
            if let Some(m) = self.meetings.get_mut(meeting) {
                Arc::make_mut(m).resolutions.push(id.clone());
            }
            self.resolutions.insert(
                id.clone(),
                Arc::new(ResolutionView {
                    id: id.clone(),
                    council: council.clone(),
                    meeting: meeting.clone(),
                    motion: *motion,
                    vote: *vote,
                    text: text.clone(),
                    issues: issues.clone(),
                    assignments: assignments.clone(),
                    state: Resolution::evolve(ResolutionState::default(), event),
                    adopted_at: time,
                    published: None,
                    progress: Vec::new(),
                    implemented: None,
                    result_published: None,
                }),
            );
            return;
        }
        let Some(view) = self.resolutions.get_mut(&id) else {
            return;
        };
        let view = Arc::make_mut(view);
        view.state = Resolution::evolve(std::mem::take(&mut view.state), event);
        match event {
            ResolutionEvent::ResolutionPublished { note } => {
                view.published = Some((time, note.clone()))
            }
            ResolutionEvent::ProgressReported {
                assignment,
                percent,
                text,
                photos,
            } => view.progress.push(ProgressRecord {
                assignment: *assignment,
                percent: *percent,
                text: text.clone(),
                photos: photos.clone(),
                by: MemberId::parse(&decoded.actor).ok(),
                at: time,
                index,
            }),
            ResolutionEvent::ResolutionImplemented { result } => {
                view.implemented = Some((time, result.clone()));
            }
            ResolutionEvent::ResultPublished { note } => {
                view.result_published = Some((time, note.clone()));
            }
            ResolutionEvent::ResolutionAdopted { .. }
            | ResolutionEvent::AssignmentOverdue { .. } => {}
        }
        // Disarm what can no longer fall due.
        for a in &view.assignments {
            let s = view.state.assignments.get(&a.assignment);
            if view.state.implemented || s.is_some_and(|s| s.done || s.overdue) {
                self.deadlines.remove(&(a.due, id.clone(), a.assignment));
            }
        }
    }

    pub fn meeting(&self, id: &MeetingId) -> Option<&Arc<MeetingView>> {
        self.meetings.get(id)
    }

    pub fn meetings(&self) -> impl DoubleEndedIterator<Item = &Arc<MeetingView>> {
        self.meetings.values()
    }

    pub fn resolution(&self, id: &ResolutionId) -> Option<&Arc<ResolutionView>> {
        self.resolutions.get(id)
    }

    pub fn resolutions(&self) -> impl DoubleEndedIterator<Item = &Arc<ResolutionView>> {
        self.resolutions.values()
    }

    /// Assignments due at or before `now` and not yet done or marked.
    pub fn due(&self, now: Timestamp) -> Vec<(ResolutionId, u32, Timestamp)> {
        self.deadlines
            .iter()
            .take_while(|(due, ..)| *due <= now)
            .map(|(due, r, a)| (r.clone(), *a, *due))
            .collect()
    }

    pub fn meeting_facts(&self, id: &MeetingId) -> Option<MeetingFacts> {
        MeetingFacts::of(&self.meetings.get(id)?.state)
    }

    pub fn resolution_facts(&self, id: &ResolutionId) -> Option<ResolutionFacts> {
        self.resolutions.get(id).map(|r| ResolutionFacts {
            council: r.council.clone(),
            issues: r.issues.clone(),
        })
    }
}
