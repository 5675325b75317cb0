//! `roundtable-projections`: read models fed, in log order, by the store's
//! subscription. They live in memory and are rebuilt from the log at every start;
//! each remembers how many events it has applied, and callers can wait until a
//! given index is applied (read your own writes).

mod activity;
mod disputes;
mod issues;
mod meetings;
mod notifications;
mod registry;
mod requests;
mod search;
mod stats;

use std::sync::{Arc, RwLock, RwLockReadGuard};

use roundtable_domain::{
    Buildings, CommitteeFacts, CommitteeId, CouncilFacts, CouncilId, DecodeError, Decoded,
    Directory, DisputeFacts, DisputeId, IssueFacts, IssueId, JurisdictionFacts, JurisdictionId,
    MeetingFacts, MeetingId, MemberFacts, MemberId, ResolutionFacts, ResolutionId, Seat, decode,
};
use roundtable_store::{Log, RecordedEvent, StoreError};
use tokio::sync::{broadcast, watch};

pub use activity::MemberActivity;
pub use disputes::{CaseDeadline, CaseEntry, DisputeView, Disputes};
pub use issues::{
    IssueFilter, IssueOrder, IssueVersion, IssueView, Issues, RatingRecord, ResponseRecord,
    TimelineEntry,
};
pub use meetings::{MeetingView, Meetings, ProgressRecord, ResolutionView};
pub use notifications::{KEPT_PER_MEMBER, Notice, NoticeSubject, Notifications};
pub use registry::{
    CommitteeView, CouncilView, JurisdictionView, MemberView, Registry, RulesVersion, ServiceView,
};
pub use requests::Requests;
pub use search::tokens;
pub use stats::IssueStats;

/// One event as the projections applied it, for live subscribers.
#[derive(Clone, Debug)]
pub struct AppliedEvent {
    pub index: u64,
    pub stream: String,
    pub kind: String,
}

pub struct Projections {
    registry: RwLock<Registry>,
    activity: RwLock<MemberActivity>,
    issues: RwLock<Issues>,
    meetings: RwLock<Meetings>,
    disputes: RwLock<Disputes>,
    requests: RwLock<Requests>,
    notifications: RwLock<Notifications>,
    applied: watch::Sender<u64>,
    feed: broadcast::Sender<AppliedEvent>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("the store failed while projecting: {0}")]
    Store(#[from] StoreError),
    #[error("a decoding task failed: {0}")]
    Task(String),
}

/// Events read and decoded at a time while catching up.
const CATCH_UP_BATCH: usize = 4096;

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    // Appliers never panic half-way through a model update they care about; a
    // poisoned lock still holds a usable model.
    lock.read().unwrap_or_else(|p| p.into_inner())
}

impl Projections {
    pub fn new() -> Arc<Projections> {
        Arc::new(Projections {
            registry: RwLock::default(),
            activity: RwLock::default(),
            issues: RwLock::default(),
            meetings: RwLock::default(),
            disputes: RwLock::default(),
            requests: RwLock::default(),
            notifications: RwLock::default(),
            applied: watch::Sender::new(0),
            feed: broadcast::Sender::new(1024),
        })
    }

    pub fn registry(&self) -> RwLockReadGuard<'_, Registry> {
        read(&self.registry)
    }

    pub fn activity(&self) -> RwLockReadGuard<'_, MemberActivity> {
        read(&self.activity)
    }

    pub fn issues(&self) -> RwLockReadGuard<'_, Issues> {
        read(&self.issues)
    }

    pub fn meetings(&self) -> RwLockReadGuard<'_, Meetings> {
        read(&self.meetings)
    }

    pub fn disputes(&self) -> RwLockReadGuard<'_, Disputes> {
        read(&self.disputes)
    }

    pub fn requests(&self) -> RwLockReadGuard<'_, Requests> {
        read(&self.requests)
    }

    pub fn notifications(&self) -> RwLockReadGuard<'_, Notifications> {
        read(&self.notifications)
    }

    /// What deciders may know: the registry, and other issues (for merges).
    pub fn directory(&self) -> Views<'_> {
        Views {
            registry: self.registry(),
            issues: self.issues(),
            meetings: self.meetings(),
            disputes: self.disputes(),
        }
    }

    /// How many events of the log every read model has applied.
    pub fn applied(&self) -> u64 {
        *self.applied.borrow()
    }

    /// Returns once the read models include every event below `size`.
    pub async fn wait_for(&self, size: u64) {
        let mut rx = self.applied.subscribe();
        // Only fails if the sender is gone, which cannot happen while `self` lives.
        let _ = rx.wait_for(|applied| *applied >= size).await;
    }

    /// Live feed of applied events (lagging receivers re-query the read models).
    pub fn feed(&self) -> broadcast::Receiver<AppliedEvent> {
        self.feed.subscribe()
    }

    /// Applies the next event of the log. An event the domain cannot read is logged
    /// and skipped: the log is the record, and one bad leaf must not stall the rest.
    pub fn apply(&self, recorded: &RecordedEvent) {
        self.apply_decoded(recorded, decode(&recorded.leaf));
        self.applied.send_replace(recorded.index + 1);
    }

    fn apply_decoded(&self, recorded: &RecordedEvent, decoded: Result<Decoded, DecodeError>) {
        let index = recorded.index;
        match decoded {
            Ok(decoded) => {
                self.registry
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .apply(index, &recorded.stream, &decoded);
                self.activity
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .apply(index, &recorded.stream, &decoded);
                let mut notices = self
                    .issues
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .apply(index, &recorded.stream, &decoded);
                if recorded.stream.kind() == "dispute" {
                    let told = self
                        .disputes
                        .write()
                        .unwrap_or_else(|p| p.into_inner())
                        .apply(index, &recorded.stream, &decoded);
                    if let Some((id, told)) = told {
                        notices.extend(notifications::tell_of_case(
                            &id,
                            told,
                            &read(&self.registry),
                            index,
                            &decoded,
                        ));
                    }
                }
                if matches!(recorded.stream.kind(), "calendar" | "service_request") {
                    self.requests
                        .write()
                        .unwrap_or_else(|p| p.into_inner())
                        .apply(index, &recorded.stream, &decoded);
                }
                if matches!(recorded.stream.kind(), "meeting" | "resolution") {
                    let mut meetings = self.meetings.write().unwrap_or_else(|p| p.into_inner());
                    meetings.apply(index, &recorded.stream, &decoded);
                    let about =
                        notifications::issues_concerned(&meetings, &recorded.stream, &decoded);
                    drop(meetings);
                    if !about.is_empty() {
                        notices.extend(read(&self.issues).tell(&about, index, &decoded));
                    }
                }
                if !notices.is_empty() {
                    self.notifications
                        .write()
                        .unwrap_or_else(|p| p.into_inner())
                        .apply(notices);
                }
                if self.feed.receiver_count() > 0 {
                    let _ = self.feed.send(AppliedEvent {
                        index,
                        stream: recorded.stream.to_string(),
                        kind: decoded.kind,
                    });
                }
            }
            Err(e) => {
                tracing::error!(index, stream = %recorded.stream, error = %e, "skipping an event the read models cannot decode")
            }
        }
    }

    /// Follows the log from what is applied, forever (until the store closes).
    pub async fn run(self: Arc<Self>, store: Arc<dyn Log>) -> Result<(), ProjectionError> {
        let mut subscription = store.subscribe_all(self.applied());
        while let Some(next) = subscription.next().await {
            self.apply(&next?);
        }
        Ok(())
    }

    /// Applies everything already in the log, then returns (start-up catch-up).
    /// Leaves are decoded on a blocking thread, a batch ahead of the one being
    /// applied, so parsing and applying overlap on two cores.
    pub async fn catch_up(&self, store: &dyn Log) -> Result<(), ProjectionError> {
        type Batch = Vec<(RecordedEvent, Result<Decoded, DecodeError>)>;
        let decode_batch = |batch: Vec<RecordedEvent>| {
            tokio::task::spawn_blocking(move || -> Batch {
                batch
                    .into_iter()
                    .map(|r| {
                        let d = decode(&r.leaf);
                        (r, d)
                    })
                    .collect()
            })
        };
        let first = store.read_all(self.applied(), CATCH_UP_BATCH).await?;
        if first.is_empty() {
            return Ok(());
        }
        let mut decoding = Some(decode_batch(first));
        while let Some(task) = decoding.take() {
            let decoded = task
                .await
                .map_err(|e| ProjectionError::Task(e.to_string()))?;
            let from = decoded.last().map_or(self.applied(), |(r, _)| r.index + 1);
            let next = store.read_all(from, CATCH_UP_BATCH).await?;
            if !next.is_empty() {
                decoding = Some(decode_batch(next));
            }
            // Waiters are woken once per batch, not once per event.
            for (recorded, result) in decoded {
                self.apply_decoded(&recorded, result);
            }
            self.applied.send_replace(from);
        }
        Ok(())
    }
}

/// The read models a decider consults, read-locked together.
pub struct Views<'a> {
    pub registry: RwLockReadGuard<'a, Registry>,
    pub issues: RwLockReadGuard<'a, Issues>,
    pub meetings: RwLockReadGuard<'a, Meetings>,
    pub disputes: RwLockReadGuard<'a, Disputes>,
}

impl Directory for Views<'_> {
    fn calendar(&self) -> roundtable_domain::WorkCalendar {
        self.registry.calendar.clone()
    }
    fn service(
        &self,
        id: &roundtable_domain::ServiceId,
    ) -> Option<roundtable_domain::ServiceFacts> {
        self.registry.service(id)
    }
    fn jurisdiction(&self, id: &JurisdictionId) -> Option<JurisdictionFacts> {
        self.registry.jurisdiction(id)
    }
    fn jurisdiction_in_use(&self, id: &JurisdictionId) -> bool {
        self.registry.jurisdiction_in_use(id)
    }
    fn buildings(&self, grid: &JurisdictionId) -> Buildings {
        self.registry.buildings(grid)
    }
    fn member(&self, id: &MemberId) -> Option<MemberFacts> {
        self.registry.member(id)
    }
    fn council(&self, id: &CouncilId) -> Option<CouncilFacts> {
        self.registry.council(id)
    }
    fn has_administrator(&self) -> bool {
        self.registry.has_administrator()
    }
    fn councils_at(&self, jurisdiction: &JurisdictionId) -> Vec<CouncilFacts> {
        self.registry.councils_at(jurisdiction)
    }
    fn issue(&self, id: &IssueId) -> Option<IssueFacts> {
        self.issues.facts(id)
    }
    fn council_seats(&self, id: &CouncilId) -> Vec<(MemberId, Seat, bool)> {
        self.registry
            .councils
            .get(id)
            .map(|c| {
                c.seats()
                    .iter()
                    .map(|(m, (seat, voting))| (m.clone(), *seat, *voting))
                    .collect()
            })
            .unwrap_or_default()
    }
    fn meeting(&self, id: &MeetingId) -> Option<MeetingFacts> {
        self.meetings.meeting_facts(id)
    }
    fn resolution(&self, id: &ResolutionId) -> Option<ResolutionFacts> {
        self.meetings.resolution_facts(id)
    }
    fn committee(&self, id: &CommitteeId) -> Option<CommitteeFacts> {
        self.registry.committee(id)
    }
    fn committees_at(&self, jurisdiction: &JurisdictionId) -> Vec<CommitteeFacts> {
        self.registry.committees_at(jurisdiction)
    }
    fn dispute(&self, id: &DisputeId) -> Option<DisputeFacts> {
        self.disputes.facts(id)
    }
}
