//! The issues read model: each issue's versions, supporters per version, status,
//! clocks, triage, responses, ratings and timeline; a text index for search and
//! duplicate suggestions; kept from the log for the `issue`, `issues` and
//! `jurisdictionStats` queries.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use roundtable_domain::{
    Aggregate, Category, Channel, ContentHash, CouncilId, DisputeId, Event, Issue, IssueEvent,
    IssueFacts, IssueId, IssueState, IssueStatus, IssueText, JurisdictionId, MemberId, Rating,
    RejectionReason, ResolutionId, Spot, Stage,
};
use roundtable_ledger::{StreamName, Timestamp};

use crate::notifications::{Notice, NoticeSubject};
use crate::search::{TextIndex, similarity, tokens};
use roundtable_domain::Decoded;

#[derive(Clone, Debug)]
pub struct IssueVersion {
    pub text: IssueText,
    pub hash: ContentHash,
    pub at: Timestamp,
}

impl IssueVersion {
    /// A version as an event wrote it (the texts were checked when it was decided).
    fn of(title: &str, description: &str, place: &str, hash: &ContentHash, at: Timestamp) -> Self {
        IssueVersion {
            text: IssueText {
                title: title.to_owned(),
                description: description.to_owned(),
                place: place.to_owned(),
            },
            hash: hash.clone(),
            at,
        }
    }
}

/// One event of an issue's stream, as its timeline shows it.
#[derive(Clone, Debug)]
pub struct TimelineEntry {
    pub index: u64,
    pub kind: &'static str,
    /// `None` for the deadline scheduler.
    pub actor: Option<MemberId>,
    pub time: Timestamp,
}

#[derive(Clone, Debug)]
pub struct ResponseRecord {
    pub round: u32,
    pub council: Option<CouncilId>,
    pub text: String,
    pub by: Option<MemberId>,
    pub at: Timestamp,
    pub index: u64,
}

#[derive(Clone, Debug)]
pub struct RatingRecord {
    pub round: u32,
    pub rating: Rating,
    pub comment: String,
    pub visit_by: Option<MemberId>,
    pub at: Timestamp,
    pub index: u64,
}

#[derive(Clone, Debug)]
pub struct IssueView {
    pub id: IssueId,
    /// Dense number in raise order (the text index's document number).
    pub ordinal: u32,
    /// The domain's own state of the issue (`Issue::evolve`): raiser, place, status,
    /// council, clock, co-signers, docket, referrals. Nothing here derives them again.
    pub state: IssueState,
    pub on_behalf_by: Option<MemberId>,
    pub channel: Channel,
    pub category: Category,
    pub photos: Vec<ContentHash>,
    /// The building (and unit) the resident picked when raising it.
    pub spot: Option<Spot>,
    pub raised_at: Timestamp,
    /// First to last; the last is current (the state holds their hashes).
    pub versions: Vec<IssueVersion>,
    pub escalations: u32,
    pub merged_into: Option<IssueId>,
    pub merged_from: Vec<IssueId>,
    pub rejection: Option<(RejectionReason, String)>,
    pub withdrawal: Option<String>,
    /// The resolution that answers it.
    pub resolution: Option<ResolutionId>,
    /// The dispute case it became.
    pub dispute: Option<DisputeId>,
    pub responses: Vec<ResponseRecord>,
    pub ratings: Vec<RatingRecord>,
    /// When it was first triaged (accepted, rejected, merged, referred or answered),
    /// and whether that was before its triage clock ran out.
    pub triaged: Option<(Timestamp, bool)>,
    /// Whether the first response came before its response clock ran out.
    pub responded_on_time: Option<bool>,
    /// A clock of this stage was marked overdue before the stage was done.
    late_triage: bool,
    late_response: bool,
    pub timeline: Vec<TimelineEntry>,
}

impl IssueView {
    /// Co-signatures per version (index 0 is version 1).
    pub fn supports_per_version(&self) -> Vec<usize> {
        let mut counts = vec![0; self.versions.len()];
        for &v in self.state.cosigners.values() {
            if let Some(slot) = counts.get_mut((v as usize).saturating_sub(1)) {
                *slot += 1;
            }
        }
        counts
    }

    pub fn current(&self) -> &IssueText {
        // Every view is created with its first version.
        &self.versions[self.versions.len() - 1].text
    }

    /// Whose issue this is: the raiser and current supporters (for notifications).
    pub fn followers(&self) -> impl Iterator<Item = &MemberId> {
        self.state.raiser.iter().chain(self.state.cosigners.keys())
    }

    /// The raiser (set by `issue.raised`, which every view is made from).
    pub fn raiser(&self) -> &MemberId {
        self.state
            .raiser
            .as_ref()
            .expect("a view is made from its issue.raised")
    }

    /// Where the issue is now (a referral moves it); set by `issue.raised`.
    pub fn jurisdiction(&self) -> &JurisdictionId {
        self.state
            .jurisdiction
            .as_ref()
            .expect("a view is made from its issue.raised")
    }

    fn words(&self) -> BTreeSet<String> {
        let t = self.current();
        tokens(&format!("{} {} {}", t.title, t.description, t.place))
    }

    /// The first triage (of any kind) at `at`, under the clock running until then.
    fn finish_triage(&mut self, at: Timestamp) {
        if self.triaged.is_none() {
            let in_time = self.state.clock.as_ref().is_none_or(|c| c.due >= at);
            self.triaged = Some((at, in_time && !self.late_triage));
        }
    }

    /// What the issue's own event adds to the view beyond the domain's state; called
    /// before the state folds the event, so the clock is the one that ran until it.
    fn record(&mut self, event: &IssueEvent, entry: &TimelineEntry) {
        let time = entry.time;
        match event {
            IssueEvent::IssueRaised { .. }
            | IssueEvent::IssueCosigned { .. }
            | IssueEvent::CosignatureWithdrawn { .. }
            | IssueEvent::ThresholdReached { .. }
            | IssueEvent::IssueReopened { .. } => {}
            IssueEvent::IssueEdited {
                title,
                description,
                place,
                version_hash,
                ..
            } => self.versions.push(IssueVersion::of(
                title,
                description,
                place,
                version_hash,
                time,
            )),
            IssueEvent::IssueAccepted { .. } | IssueEvent::IssueReferred { .. } => {
                self.finish_triage(time)
            }
            IssueEvent::IssueRejected {
                reason,
                explanation,
            } => {
                self.finish_triage(time);
                self.rejection = Some((*reason, explanation.clone()));
            }
            IssueEvent::IssueMerged { into } => {
                self.finish_triage(time);
                self.merged_into = Some(into.clone());
            }
            IssueEvent::IssueOverdue { stage, .. } => match stage {
                Stage::Triage => self.late_triage = true,
                Stage::Response => self.late_response = true,
            },
            IssueEvent::IssueEscalated { .. } => self.escalations += 1,
            IssueEvent::IssueResponded {
                council,
                text,
                round,
            } => {
                self.finish_triage(time);
                if self.responded_on_time.is_none() {
                    let in_time = self.state.clock.as_ref().is_none_or(|c| c.due >= time);
                    self.responded_on_time = Some(in_time && !self.late_response);
                }
                self.responses.push(ResponseRecord {
                    round: *round,
                    council: council.clone(),
                    text: text.clone(),
                    by: entry.actor.clone(),
                    at: time,
                    index: entry.index,
                });
            }
            IssueEvent::IssueRated {
                rating,
                comment,
                round,
                visit_by,
            } => self.ratings.push(RatingRecord {
                round: *round,
                rating: *rating,
                comment: comment.clone(),
                visit_by: visit_by.clone(),
                at: time,
                index: entry.index,
            }),
            IssueEvent::IssueWithdrawn { reason } => self.withdrawal = Some(reason.clone()),
            IssueEvent::IssueResolved { resolution, .. } => {
                self.resolution = Some(resolution.clone())
            }
            IssueEvent::SentToMediation { dispute } => self.dispute = Some(dispute.clone()),
        }
    }
}

/// Whether an event of an issue's stream changes what its followers see.
fn noteworthy(event: &IssueEvent) -> bool {
    match event {
        IssueEvent::IssueRaised { .. }
        | IssueEvent::IssueCosigned { .. }
        | IssueEvent::CosignatureWithdrawn { .. }
        | IssueEvent::IssueRated { .. } => false,
        IssueEvent::IssueEdited { .. }
        | IssueEvent::ThresholdReached { .. }
        | IssueEvent::IssueAccepted { .. }
        | IssueEvent::IssueRejected { .. }
        | IssueEvent::IssueMerged { .. }
        | IssueEvent::IssueReferred { .. }
        | IssueEvent::IssueOverdue { .. }
        | IssueEvent::IssueEscalated { .. }
        | IssueEvent::IssueResponded { .. }
        | IssueEvent::IssueReopened { .. }
        | IssueEvent::IssueResolved { .. }
        | IssueEvent::SentToMediation { .. }
        | IssueEvent::IssueWithdrawn { .. } => true,
    }
}

/// How to order an `issues` page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssueOrder {
    Newest,
    MostSupported,
    MostOverdue,
}

/// Which issues an `issues` page holds (all conditions must hold).
#[derive(Clone, Debug, Default)]
pub struct IssueFilter {
    /// Jurisdictions of the subtree asked for (the caller expands it).
    pub within: Option<BTreeSet<JurisdictionId>>,
    pub status: Option<Vec<IssueStatus>>,
    pub category: Option<Category>,
    pub overdue: Option<bool>,
    /// Only issues sent on to another jurisdiction at least twice.
    pub referred_more_than_once: bool,
    pub raised_by: Option<MemberId>,
    pub cosigned_by: Option<MemberId>,
    pub text: Option<String>,
    /// Only issues placed at one of these, and these first (in this order), then
    /// in the asked order: a resident's grid and each place above it.
    pub near: Option<Vec<JurisdictionId>>,
}

#[derive(Default)]
pub struct Issues {
    /// Shared with readers: a query clones the `Arc`, not the view; an update copies
    /// a view only while a reader still holds the old one.
    issues: HashMap<IssueId, Arc<IssueView>>,
    by_ordinal: Vec<IssueId>,
    text: TextIndex,
    /// Armed deadlines, soonest first.
    deadlines: BTreeSet<(Timestamp, IssueId)>,
    pub applied: u64,
}

/// A notice for each follower of `issue` (raiser, supporters, the worker who took
/// it down), except whoever acted.
fn tell_followers(
    issue: &IssueView,
    index: u64,
    kind: &'static str,
    time: Timestamp,
    actor: Option<&MemberId>,
) -> Vec<Notice> {
    issue
        .followers()
        .chain(issue.on_behalf_by.iter())
        .filter(|m| Some(*m) != actor)
        .map(|member| Notice {
            member: member.clone(),
            index,
            subject: NoticeSubject::Issue(issue.id.clone()),
            kind,
            time,
        })
        .collect()
}

impl Issues {
    /// Notices of an event of another stream (a meeting, a resolution) about
    /// these issues, for their followers.
    pub fn tell(&self, about: &[IssueId], index: u64, decoded: &Decoded) -> Vec<Notice> {
        let actor = MemberId::parse(&decoded.actor).ok();
        let Some(kind) = decoded.event.as_ref().map(Event::kind) else {
            return Vec::new();
        };
        about
            .iter()
            .filter_map(|id| self.issues.get(id))
            .flat_map(|issue| tell_followers(issue, index, kind, decoded.time, actor.as_ref()))
            .collect()
    }

    pub fn get(&self, id: &IssueId) -> Option<&Arc<IssueView>> {
        self.issues.get(id)
    }

    /// Applies one event and returns who should be told about it.
    pub fn apply(&mut self, index: u64, stream: &StreamName, decoded: &Decoded) -> Vec<Notice> {
        self.applied = index + 1;
        // The codec checked that an issue event sits in an issue stream.
        let Some(Event::Issue(event)) = &decoded.event else {
            return Vec::new();
        };
        let Some(id) = crate::registry::id_of(stream, IssueId::parse) else {
            return Vec::new();
        };
        let entry = TimelineEntry {
            index,
            kind: event.kind(),
            actor: MemberId::parse(&decoded.actor).ok(),
            time: decoded.time,
        };
        if let IssueEvent::IssueRaised {
            on_behalf_by,
            channel,
            category,
            title,
            description,
            place,
            photos,
            spot,
            version_hash,
            ..
        } = event
        {
            if self.issues.contains_key(&id) {
                return Vec::new();
            }
            let ordinal = self.by_ordinal.len() as u32;
            let view = IssueView {
                id: id.clone(),
                ordinal,
                state: Issue::evolve(IssueState::default(), event),
                on_behalf_by: on_behalf_by.clone(),
                channel: *channel,
                category: *category,
                photos: photos.clone(),
                spot: spot.clone(),
                raised_at: entry.time,
                versions: vec![IssueVersion::of(
                    title,
                    description,
                    place,
                    version_hash,
                    entry.time,
                )],
                escalations: 0,
                merged_into: None,
                merged_from: Vec::new(),
                rejection: None,
                withdrawal: None,
                resolution: None,
                dispute: None,
                responses: Vec::new(),
                ratings: Vec::new(),
                triaged: None,
                responded_on_time: None,
                late_triage: false,
                late_response: false,
                timeline: vec![entry],
            };
            self.text.add(ordinal, &view.words());
            if let Some(due) = view.state.armed_deadline() {
                self.deadlines.insert((due, id.clone()));
            }
            self.by_ordinal.push(id.clone());
            self.issues.insert(id, Arc::new(view));
            return Vec::new();
        }
        let Some(issue) = self.issues.get_mut(&id).map(Arc::make_mut) else {
            return Vec::new();
        };
        let armed_before = issue.state.armed_deadline();
        // Recorded against the clock that ran before the event, then folded.
        issue.record(event, &entry);
        issue.state = Issue::evolve(std::mem::take(&mut issue.state), event);
        issue.timeline.push(entry.clone());
        if matches!(event, IssueEvent::IssueEdited { .. }) {
            let words = issue.words();
            self.text.add(issue.ordinal, &words);
        }
        let armed_after = issue.state.armed_deadline();
        if armed_before != armed_after {
            if let Some(due) = armed_before {
                self.deadlines.remove(&(due, id.clone()));
            }
            if let Some(due) = armed_after {
                self.deadlines.insert((due, id.clone()));
            }
        }
        let notices = if noteworthy(event) {
            tell_followers(issue, index, entry.kind, entry.time, entry.actor.as_ref())
        } else {
            Vec::new()
        };
        if let IssueEvent::IssueMerged { into } = event
            && let Some(target) = self.issues.get_mut(into).map(Arc::make_mut)
        {
            target.merged_from.push(id);
        }
        notices
    }

    /// Armed deadlines due at or before `now`, soonest first.
    pub fn due(&self, now: Timestamp) -> Vec<(IssueId, Timestamp)> {
        self.deadlines
            .iter()
            .take_while(|(due, _)| *due <= now)
            .map(|(due, id)| (id.clone(), *due))
            .collect()
    }

    /// What a decider may know about an issue.
    pub fn facts(&self, id: &IssueId) -> Option<IssueFacts> {
        IssueFacts::of(&self.issues.get(id)?.state)
    }

    /// The page of issues matching `filter` in `order` at `now`: those after the
    /// issue `after` (exclusive), at most `first`, and whether more follow.
    pub fn page(
        &self,
        filter: &IssueFilter,
        order: IssueOrder,
        now: Timestamp,
        after: Option<&IssueId>,
        first: usize,
    ) -> (Vec<&Arc<IssueView>>, bool) {
        let candidates: Box<dyn Iterator<Item = &Arc<IssueView>>> = match &filter.text {
            Some(text) if !tokens(text).is_empty() => {
                let query = tokens(text);
                Box::new(
                    self.text
                        .all_of(&query)
                        .into_iter()
                        .filter_map(|n| self.issues.get(self.by_ordinal.get(n as usize)?))
                        .filter(move |i| query.is_subset(&i.words())),
                )
            }
            _ => Box::new(self.issues.values()),
        };
        let mut matching: Vec<&Arc<IssueView>> = candidates
            .filter(|i| {
                filter
                    .within
                    .as_ref()
                    .is_none_or(|set| set.contains(i.jurisdiction()))
                    && filter
                        .status
                        .as_ref()
                        .is_none_or(|set| set.contains(&i.state.status))
                    && filter.category.is_none_or(|c| c == i.category)
                    && filter.overdue.is_none_or(|o| o == i.state.is_overdue(now))
                    && (!filter.referred_more_than_once || i.state.referrals > 1)
                    && filter.raised_by.as_ref().is_none_or(|m| m == i.raiser())
                    && filter
                        .cosigned_by
                        .as_ref()
                        .is_none_or(|m| i.state.cosigners.contains_key(m))
                    && filter
                        .near
                        .as_ref()
                        .is_none_or(|places| places.contains(i.jurisdiction()))
            })
            .collect();
        // Ties break on the raise order, newest first, so pages are stable.
        match order {
            IssueOrder::Newest => matching.sort_unstable_by_key(|i| std::cmp::Reverse(i.ordinal)),
            IssueOrder::MostSupported => matching.sort_unstable_by_key(|i| {
                (
                    std::cmp::Reverse(i.state.cosigners.len()),
                    std::cmp::Reverse(i.ordinal),
                )
            }),
            IssueOrder::MostOverdue => matching.sort_unstable_by_key(|i| {
                (
                    std::cmp::Reverse(i.state.overdue_by_ms(now)),
                    std::cmp::Reverse(i.ordinal),
                )
            }),
        }
        if let Some(places) = &filter.near {
            // Stable: within a place the asked order stays.
            matching.sort_by_key(|i| places.iter().position(|p| p == i.jurisdiction()));
        }
        let start = after
            .and_then(|a| matching.iter().position(|i| &i.id == a).map(|p| p + 1))
            .unwrap_or(0);
        let rest = matching.len().saturating_sub(start);
        let page = matching.into_iter().skip(start).take(first).collect();
        (page, rest > first)
    }

    /// Open issues whose text is like `text`, in places related to `at` (the same
    /// place, above it or below it), most similar first.
    pub fn similar(
        &self,
        text: &str,
        related: impl Fn(&JurisdictionId) -> bool,
        exclude: Option<&IssueId>,
        limit: usize,
    ) -> Vec<(&Arc<IssueView>, f64)> {
        let query = tokens(text);
        let mut scored: Vec<(&Arc<IssueView>, f64)> = self
            .text
            .any_of(&query, 20_000)
            .into_iter()
            .filter_map(|n| self.issues.get(self.by_ordinal.get(n as usize)?))
            .filter(|i| {
                !i.state.status.is_terminal() && Some(&i.id) != exclude && related(i.jurisdiction())
            })
            .map(|i| (i, similarity(&query, &i.words())))
            .filter(|(_, score)| *score >= 0.2)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.ordinal.cmp(&a.0.ordinal)));
        scored.truncate(limit);
        scored
    }

    /// Every issue, in raise order (for statistics).
    pub fn all(&self) -> impl Iterator<Item = &IssueView> {
        self.by_ordinal
            .iter()
            .filter_map(|id| self.issues.get(id))
            .map(|i| &**i)
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn apply(model: &mut Issues, event: Event) {
        let decoded = Decoded {
            id: String::new(),
            kind: event.kind().to_owned(),
            stream: "issue/i_1".into(),
            actor: "m_1".into(),
            time: Timestamp::from_unix_millis(1_000),
            event: Some(event),
        };
        let index = model.applied;
        model.apply(index, &StreamName::new("issue/i_1").unwrap(), &decoded);
    }

    #[test]
    fn supports_are_counted_per_version_and_withdrawals_remove_them() {
        let text = IssueText::new("停水", "三号楼", "").unwrap();
        let edited = IssueText::new("停水三年", "三号楼", "").unwrap();
        let mut model = Issues::default();
        apply(
            &mut model,
            Event::Issue(IssueEvent::IssueRaised {
                raiser: MemberId::parse("m_1").unwrap(),
                on_behalf_by: None,
                channel: Channel::Online,
                category: Category::Water,
                jurisdiction: JurisdictionId::parse("j_1").unwrap(),
                title: text.title.clone(),
                description: text.description.clone(),
                place: text.place.clone(),
                spot: None,
                photos: vec![],
                version_hash: text.hash(),
                clock: None,
            }),
        );
        let cosign = |n: &str, version: u32, hash: &ContentHash| {
            Event::Issue(IssueEvent::IssueCosigned {
                member: MemberId::parse(n).unwrap(),
                version,
                version_hash: hash.clone(),
            })
        };
        apply(&mut model, cosign("m_a", 1, &text.hash()));
        apply(&mut model, cosign("m_b", 1, &text.hash()));
        apply(
            &mut model,
            Event::Issue(IssueEvent::IssueEdited {
                version: 2,
                title: edited.title.clone(),
                description: edited.description.clone(),
                place: edited.place.clone(),
                version_hash: edited.hash(),
            }),
        );
        apply(&mut model, cosign("m_c", 2, &edited.hash()));
        apply(
            &mut model,
            Event::Issue(IssueEvent::CosignatureWithdrawn {
                member: MemberId::parse("m_b").unwrap(),
            }),
        );
        let issue = &model.issues[&IssueId::parse("i_1").unwrap()];
        assert_eq!(issue.supports_per_version(), vec![1, 1]);
        assert_eq!(issue.versions.last().unwrap().text, edited);
        let indexes: Vec<u64> = issue.timeline.iter().map(|e| e.index).collect();
        assert_eq!(indexes, vec![0, 1, 2, 3, 4, 5]);
    }
}
