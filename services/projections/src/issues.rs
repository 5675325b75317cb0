//! The issues read model: each issue's versions, supporters per version, status,
//! clocks, triage, responses, ratings and timeline; a text index for search and
//! duplicate suggestions; kept from the log for the `issue`, `issues` and
//! `jurisdictionStats` queries.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use roundtable_domain::{
    Category, Channel, Clock, ContentHash, CouncilId, EVENT_TYPES, Event, IssueFacts, IssueId,
    IssueStatus, IssueText, JurisdictionId, MemberId, Rating, RejectionReason, ResolutionId, Stage,
};
use roundtable_ledger::{StreamName, Timestamp};

use crate::decode::Decoded;
use crate::search::{TextIndex, similarity, tokens};

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
    pub raiser: MemberId,
    pub on_behalf_by: Option<MemberId>,
    pub channel: Channel,
    pub category: Category,
    /// Where the issue is now (a referral moves it).
    pub jurisdiction: JurisdictionId,
    pub photos: Vec<ContentHash>,
    pub raised_at: Timestamp,
    /// First to last; the last is current.
    pub versions: Vec<IssueVersion>,
    /// Each current co-signer and the version (1-based) they supported.
    pub cosigners: BTreeMap<MemberId, u32>,
    pub docket: Option<CouncilId>,
    pub status: IssueStatus,
    /// The council the issue is with.
    pub council: Option<CouncilId>,
    /// The running deadline, and whether it has been marked overdue.
    pub clock: Option<Clock>,
    pub overdue: bool,
    pub referrals: u32,
    pub escalations: u32,
    pub merged_into: Option<IssueId>,
    pub merged_from: Vec<IssueId>,
    pub rejection: Option<(RejectionReason, String)>,
    pub withdrawal: Option<String>,
    /// The resolution that answers it.
    pub resolution: Option<ResolutionId>,
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
        for &v in self.cosigners.values() {
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

    /// How long the running clock is past due at `now` (zero when on time or none).
    pub fn overdue_by_ms(&self, now: Timestamp) -> i64 {
        match &self.clock {
            Some(clock) => (now.unix_millis() - clock.due.unix_millis()).max(0),
            None => 0,
        }
    }

    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.overdue || self.overdue_by_ms(now) > 0
    }

    /// Whose issue this is: the raiser and current supporters (for notifications).
    pub fn followers(&self) -> impl Iterator<Item = &MemberId> {
        std::iter::once(&self.raiser).chain(self.cosigners.keys())
    }

    /// The deadline the scheduler watches: a running clock not yet marked overdue.
    pub fn armed_deadline(&self) -> Option<Timestamp> {
        match &self.clock {
            Some(clock) if !self.overdue && !self.status.is_terminal() => Some(clock.due),
            _ => None,
        }
    }

    fn words(&self) -> BTreeSet<String> {
        let t = self.current();
        tokens(&format!("{} {} {}", t.title, t.description, t.place))
    }

    fn finish_triage(&mut self, at: Timestamp) {
        if self.triaged.is_none() {
            let in_time = self.clock.as_ref().is_none_or(|c| c.due >= at);
            self.triaged = Some((at, in_time && !self.late_triage));
        }
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

/// The event types of an issue stream that change what its followers see.
fn noteworthy(kind: &str) -> bool {
    matches!(
        kind,
        "issue.edited"
            | "issue.threshold_reached"
            | "issue.accepted"
            | "issue.rejected"
            | "issue.merged"
            | "issue.referred"
            | "issue.overdue"
            | "issue.escalated"
            | "issue.responded"
            | "issue.reopened"
            | "issue.withdrawn"
    )
}

/// Something a member should hear about: an event of an issue they follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub member: MemberId,
    pub index: u64,
    pub issue: IssueId,
    pub kind: &'static str,
    pub time: Timestamp,
}

fn static_kind(kind: &str) -> &'static str {
    EVENT_TYPES
        .iter()
        .find(|k| **k == kind)
        .copied()
        .unwrap_or("unknown")
}

impl Issues {
    pub fn get(&self, id: &IssueId) -> Option<&Arc<IssueView>> {
        self.issues.get(id)
    }

    /// Applies one event and returns who should be told about it.
    pub fn apply(&mut self, index: u64, stream: &StreamName, decoded: &Decoded) -> Vec<Notice> {
        self.applied = index + 1;
        if stream.kind() != IssueId::STREAM_KIND {
            return Vec::new();
        }
        let Some(id) = crate::registry::id_of(stream, IssueId::parse) else {
            return Vec::new();
        };
        let Some(event) = &decoded.event else {
            return Vec::new();
        };
        let time = decoded.time;
        let entry = TimelineEntry {
            index,
            kind: static_kind(&decoded.kind),
            actor: MemberId::parse(&decoded.actor).ok(),
            time,
        };
        if let Event::IssueRaised {
            raiser,
            on_behalf_by,
            channel,
            category,
            jurisdiction,
            title,
            description,
            place,
            photos,
            version_hash,
            clock,
        } = event
        {
            let ordinal = self.by_ordinal.len() as u32;
            let view = IssueView {
                id: id.clone(),
                ordinal,
                raiser: raiser.clone(),
                on_behalf_by: on_behalf_by.clone(),
                channel: *channel,
                category: *category,
                jurisdiction: jurisdiction.clone(),
                photos: photos.clone(),
                raised_at: time,
                versions: vec![IssueVersion::of(
                    title,
                    description,
                    place,
                    version_hash,
                    time,
                )],
                cosigners: BTreeMap::new(),
                docket: None,
                status: IssueStatus::Open,
                council: clock.as_ref().map(|c| c.council.clone()),
                clock: clock.clone(),
                overdue: false,
                referrals: 0,
                escalations: 0,
                merged_into: None,
                merged_from: Vec::new(),
                rejection: None,
                withdrawal: None,
                resolution: None,
                responses: Vec::new(),
                ratings: Vec::new(),
                triaged: None,
                responded_on_time: None,
                late_triage: false,
                late_response: false,
                timeline: vec![entry],
            };
            self.text.add(ordinal, &view.words());
            if let Some(due) = view.armed_deadline() {
                self.deadlines.insert((due, id.clone()));
            }
            self.by_ordinal.push(id.clone());
            self.issues.insert(id, Arc::new(view));
            return Vec::new();
        }
        let Some(issue) = self.issues.get_mut(&id).map(Arc::make_mut) else {
            return Vec::new();
        };
        issue.timeline.push(entry.clone());
        let armed_before = issue.armed_deadline();
        let mut merged_into = None;
        match event {
            Event::IssueEdited {
                title,
                description,
                place,
                version_hash,
                ..
            } => {
                issue.versions.push(IssueVersion::of(
                    title,
                    description,
                    place,
                    version_hash,
                    time,
                ));
                let words = issue.words();
                self.text.add(issue.ordinal, &words);
            }
            Event::IssueCosigned {
                member, version, ..
            } => {
                issue.cosigners.insert(member.clone(), *version);
            }
            Event::CosignatureWithdrawn { member } => {
                issue.cosigners.remove(member);
            }
            Event::ThresholdReached { council, .. } => issue.docket = Some(council.clone()),
            Event::IssueAccepted { clock } => {
                issue.finish_triage(time);
                issue.status = IssueStatus::Accepted;
                issue.council = Some(clock.council.clone());
                issue.clock = Some(clock.clone());
                issue.overdue = false;
            }
            Event::IssueRejected {
                reason,
                explanation,
            } => {
                issue.finish_triage(time);
                issue.status = IssueStatus::Rejected;
                issue.rejection = Some((*reason, explanation.clone()));
                issue.clock = None;
            }
            Event::IssueMerged { into } => {
                issue.finish_triage(time);
                issue.status = IssueStatus::Merged;
                issue.merged_into = Some(into.clone());
                issue.clock = None;
                merged_into = Some(into.clone());
            }
            Event::IssueReferred {
                to,
                referrals,
                clock,
                ..
            } => {
                issue.finish_triage(time);
                issue.jurisdiction = to.clone();
                issue.referrals = *referrals;
                issue.status = IssueStatus::Open;
                issue.council = clock.as_ref().map(|c| c.council.clone());
                issue.clock = clock.clone();
                issue.overdue = false;
            }
            Event::IssueOverdue { stage, .. } => {
                issue.overdue = true;
                match stage {
                    Stage::Triage => issue.late_triage = true,
                    Stage::Response => issue.late_response = true,
                }
            }
            Event::IssueEscalated { clock, .. } => {
                issue.escalations += 1;
                issue.council = Some(clock.council.clone());
                issue.clock = Some(clock.clone());
                issue.overdue = false;
            }
            Event::IssueResponded {
                council,
                text,
                round,
            } => {
                issue.finish_triage(time);
                if issue.responded_on_time.is_none() {
                    let in_time = issue.clock.as_ref().is_none_or(|c| c.due >= time);
                    issue.responded_on_time = Some(in_time && !issue.late_response);
                }
                issue.responses.push(ResponseRecord {
                    round: *round,
                    council: council.clone(),
                    text: text.clone(),
                    by: entry.actor.clone(),
                    at: time,
                    index,
                });
                if council.is_some() {
                    issue.council = council.clone();
                }
                issue.status = IssueStatus::Responded;
                issue.clock = None;
                issue.overdue = false;
            }
            Event::IssueRated {
                rating,
                comment,
                round,
                visit_by,
            } => {
                issue.ratings.push(RatingRecord {
                    round: *round,
                    rating: *rating,
                    comment: comment.clone(),
                    visit_by: visit_by.clone(),
                    at: time,
                    index,
                });
                if *rating != Rating::Unsatisfied {
                    issue.status = IssueStatus::Closed;
                }
            }
            Event::IssueReopened { clock } => {
                issue.status = IssueStatus::Accepted;
                issue.council = Some(clock.council.clone());
                issue.clock = Some(clock.clone());
                issue.overdue = false;
            }
            Event::IssueWithdrawn { reason } => {
                issue.status = IssueStatus::Withdrawn;
                issue.withdrawal = Some(reason.clone());
                issue.clock = None;
            }
            Event::IssueResolved {
                resolution,
                council,
            } => {
                issue.status = IssueStatus::Resolved;
                issue.resolution = Some(resolution.clone());
                issue.council = Some(council.clone());
                issue.clock = None;
                issue.overdue = false;
            }
            _ => {}
        }
        let armed_after = issue.armed_deadline();
        if armed_before != armed_after {
            if let Some(due) = armed_before {
                self.deadlines.remove(&(due, id.clone()));
            }
            if let Some(due) = armed_after {
                self.deadlines.insert((due, id.clone()));
            }
        }
        let notices = if noteworthy(entry.kind) {
            issue
                .followers()
                .chain(issue.on_behalf_by.iter())
                .filter(|m| Some(*m) != entry.actor.as_ref())
                .map(|member| Notice {
                    member: member.clone(),
                    index,
                    issue: id.clone(),
                    kind: entry.kind,
                    time,
                })
                .collect()
        } else {
            Vec::new()
        };
        if let Some(target) = merged_into
            .and_then(|into| self.issues.get_mut(&into))
            .map(Arc::make_mut)
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
        self.issues.get(id).map(|i| IssueFacts {
            jurisdiction: i.jurisdiction.clone(),
            status: i.status,
            council: i.council.clone(),
            docketed_at: i.docket.clone(),
        })
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
                    .is_none_or(|set| set.contains(&i.jurisdiction))
                    && filter
                        .status
                        .as_ref()
                        .is_none_or(|set| set.contains(&i.status))
                    && filter.category.is_none_or(|c| c == i.category)
                    && filter.overdue.is_none_or(|o| o == i.is_overdue(now))
                    && (!filter.referred_more_than_once || i.referrals > 1)
                    && filter.raised_by.as_ref().is_none_or(|m| m == &i.raiser)
                    && filter
                        .cosigned_by
                        .as_ref()
                        .is_none_or(|m| i.cosigners.contains_key(m))
            })
            .collect();
        // Ties break on the raise order, newest first, so pages are stable.
        match order {
            IssueOrder::Newest => matching.sort_unstable_by_key(|i| std::cmp::Reverse(i.ordinal)),
            IssueOrder::MostSupported => matching.sort_unstable_by_key(|i| {
                (
                    std::cmp::Reverse(i.cosigners.len()),
                    std::cmp::Reverse(i.ordinal),
                )
            }),
            IssueOrder::MostOverdue => matching.sort_unstable_by_key(|i| {
                (
                    std::cmp::Reverse(i.overdue_by_ms(now)),
                    std::cmp::Reverse(i.ordinal),
                )
            }),
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
                !i.status.is_terminal() && Some(&i.id) != exclude && related(&i.jurisdiction)
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
            Event::IssueRaised {
                raiser: MemberId::parse("m_1").unwrap(),
                on_behalf_by: None,
                channel: Channel::Online,
                category: Category::Water,
                jurisdiction: JurisdictionId::parse("j_1").unwrap(),
                title: text.title.clone(),
                description: text.description.clone(),
                place: text.place.clone(),
                photos: vec![],
                version_hash: text.hash(),
                clock: None,
            },
        );
        let cosign = |n: &str, version: u32, hash: &ContentHash| Event::IssueCosigned {
            member: MemberId::parse(n).unwrap(),
            version,
            version_hash: hash.clone(),
        };
        apply(&mut model, cosign("m_a", 1, &text.hash()));
        apply(&mut model, cosign("m_b", 1, &text.hash()));
        apply(
            &mut model,
            Event::IssueEdited {
                version: 2,
                title: edited.title.clone(),
                description: edited.description.clone(),
                place: edited.place.clone(),
                version_hash: edited.hash(),
            },
        );
        apply(&mut model, cosign("m_c", 2, &edited.hash()));
        apply(
            &mut model,
            Event::CosignatureWithdrawn {
                member: MemberId::parse("m_b").unwrap(),
            },
        );
        let issue = &model.issues[&IssueId::parse("i_1").unwrap()];
        assert_eq!(issue.supports_per_version(), vec![1, 1]);
        assert_eq!(issue.versions.last().unwrap().text, edited);
        let indexes: Vec<u64> = issue.timeline.iter().map(|e| e.index).collect();
        assert_eq!(indexes, vec![0, 1, 2, 3, 4, 5]);
    }
}
