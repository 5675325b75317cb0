//! Every event the domain emits. The leaf's `type` is the serde tag, its `body` the
//! variant's fields; `schema/events/<type>.json` documents each one for auditors.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::meeting::{
    AgendaItem, CheckpointRef, Choice, Eligible, RevealedBallot, SeatHolder, Tally, VoteMethod,
    VoteOutcome, VoteSubject,
};
use crate::resolution::Assignment;
use crate::{
    Category, Channel, Clock, ContentHash, CouncilId, CouncilRules, DomainError, Fraction, IssueId,
    JurisdictionId, JurisdictionKind, MajorityKind, MeetingId, MemberId, MemberKind, Name, Rating,
    Reason, RejectionReason, ResolutionId, Role, RulesHash, Seat, Stage,
};
use roundtable_ledger::Timestamp;

/// Current version of every event type; bumped per type when its body changes.
pub const EVENT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "body")]
pub enum Event {
    #[serde(rename = "jurisdiction.created")]
    JurisdictionCreated {
        kind: JurisdictionKind,
        name: Name,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<JurisdictionId>,
    },
    #[serde(rename = "jurisdiction.renamed")]
    JurisdictionRenamed { name: Name },
    #[serde(rename = "jurisdiction.moved")]
    JurisdictionMoved { parent: JurisdictionId },

    #[serde(rename = "member.registered")]
    MemberRegistered {
        kind: MemberKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        home_grid: Option<JurisdictionId>,
    },
    #[serde(rename = "member.verified")]
    MemberVerified {
        verified_by: MemberId,
        /// The verifier's scope that contains the member's home grid.
        scope: Option<JurisdictionId>,
    },
    #[serde(rename = "member.role_granted")]
    RoleGranted { role: Role, reason: Reason },
    #[serde(rename = "member.role_revoked")]
    RoleRevoked { role: Role, reason: Reason },
    #[serde(rename = "member.erased")]
    MemberErased { reason: Reason },

    #[serde(rename = "council.created")]
    CouncilCreated {
        jurisdiction: JurisdictionId,
        name: Name,
        rules: CouncilRules,
        rules_hash: RulesHash,
    },
    #[serde(rename = "council.renamed")]
    CouncilRenamed { name: Name },
    #[serde(rename = "council.rules_changed")]
    CouncilRulesChanged {
        rules: CouncilRules,
        rules_hash: RulesHash,
        previous_rules_hash: RulesHash,
        reason: Reason,
    },
    #[serde(rename = "council.member_seated")]
    MemberSeated {
        member: MemberId,
        seat: Seat,
        voting: bool,
        reason: Reason,
        /// The rules in force when the seat was given.
        rules_hash: RulesHash,
    },
    #[serde(rename = "council.member_unseated")]
    MemberUnseated { member: MemberId, reason: Reason },

    #[serde(rename = "issue.raised")]
    IssueRaised {
        raiser: MemberId,
        /// The grid worker who took it down for the raiser.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_behalf_by: Option<MemberId>,
        channel: Channel,
        category: Category,
        jurisdiction: JurisdictionId,
        title: String,
        description: String,
        place: String,
        /// SHA-256 of each photo, stored content-addressed beside the log.
        photos: Vec<ContentHash>,
        version_hash: ContentHash,
        /// The triage clock of the responsible council (none when no council sits
        /// at or above the place).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        clock: Option<Clock>,
    },
    #[serde(rename = "issue.edited")]
    IssueEdited {
        /// 2 for the first edit, and so on.
        version: u32,
        title: String,
        description: String,
        place: String,
        version_hash: ContentHash,
    },
    #[serde(rename = "issue.cosigned")]
    IssueCosigned {
        member: MemberId,
        /// The version supported (1-based) and its hash.
        version: u32,
        version_hash: ContentHash,
    },
    #[serde(rename = "issue.cosignature_withdrawn")]
    CosignatureWithdrawn { member: MemberId },
    #[serde(rename = "issue.threshold_reached")]
    ThresholdReached {
        council: CouncilId,
        /// The rules whose threshold was reached.
        rules_hash: RulesHash,
        cosigners: u32,
    },
    #[serde(rename = "issue.accepted")]
    IssueAccepted {
        /// The response clock of the council it is routed to.
        clock: Clock,
    },
    #[serde(rename = "issue.rejected")]
    IssueRejected {
        reason: RejectionReason,
        /// Public: the raiser and everyone can read why.
        explanation: String,
    },
    #[serde(rename = "issue.merged")]
    IssueMerged { into: IssueId },
    #[serde(rename = "issue.referred")]
    IssueReferred {
        from: JurisdictionId,
        to: JurisdictionId,
        /// How many times the issue has been referred, this one included.
        referrals: u32,
        note: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        clock: Option<Clock>,
    },
    #[serde(rename = "issue.overdue")]
    IssueOverdue {
        stage: Stage,
        council: CouncilId,
        due: Timestamp,
    },
    #[serde(rename = "issue.escalated")]
    IssueEscalated {
        from: CouncilId,
        to: CouncilId,
        /// A fresh clock of the same stage under the new council's rules.
        clock: Clock,
    },
    #[serde(rename = "issue.responded")]
    IssueResponded {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        council: Option<CouncilId>,
        text: String,
        /// 1 for the first response, 2 after a reopening, and so on.
        round: u32,
    },
    #[serde(rename = "issue.rated")]
    IssueRated {
        rating: Rating,
        comment: String,
        /// The response round rated.
        round: u32,
        /// The grid worker who took the rating on a feedback visit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visit_by: Option<MemberId>,
    },
    #[serde(rename = "issue.reopened")]
    IssueReopened { clock: Clock },
    #[serde(rename = "issue.withdrawn")]
    IssueWithdrawn { reason: String },
    /// A resolution answers the issue: it awaits implementation.
    #[serde(rename = "issue.resolved")]
    IssueResolved {
        resolution: ResolutionId,
        council: CouncilId,
    },

    /// The published notice of a meeting.
    #[serde(rename = "meeting.convened")]
    MeetingConvened {
        council: CouncilId,
        title: String,
        starts_at: Timestamp,
        venue: String,
        online: bool,
        agenda: Vec<AgendaItem>,
        /// The rules the meeting runs under (those in force at convening).
        rules: CouncilRules,
        rules_hash: RulesHash,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        urgent_reason: Option<String>,
    },
    /// Part of the council's seats at convening (who may check in, who votes),
    /// appended just before `meeting.convened` in chunks that keep leaves small.
    #[serde(rename = "meeting.seats_listed")]
    SeatsListed { seats: Vec<SeatHolder> },
    #[serde(rename = "meeting.agenda_changed")]
    AgendaChanged { agenda: Vec<AgendaItem> },
    #[serde(rename = "meeting.checked_in")]
    CheckedIn {
        member: MemberId,
        /// The officer who checked them in; none when they used the meeting code.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<MemberId>,
    },
    #[serde(rename = "meeting.absence_recorded")]
    AbsenceRecorded { member: MemberId, apology: bool },
    #[serde(rename = "meeting.proxy_given")]
    ProxyGiven { from: MemberId, to: MemberId },
    #[serde(rename = "meeting.proxy_revoked")]
    ProxyRevoked { from: MemberId, to: MemberId },
    #[serde(rename = "meeting.departed")]
    Departed { member: MemberId },
    #[serde(rename = "meeting.opened")]
    MeetingOpened {
        /// Voting members present in person or by proxy, and all voting members.
        present: u32,
        proxies: u32,
        voting_members: u32,
        quorum: Fraction,
        rules_hash: RulesHash,
    },
    #[serde(rename = "meeting.item_opened")]
    ItemOpened { item: u32 },
    #[serde(rename = "meeting.statement_recorded")]
    StatementRecorded {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<u32>,
        speaker: MemberId,
        summary: String,
    },
    #[serde(rename = "meeting.motion_moved")]
    MotionMoved {
        item: u32,
        motion: u32,
        mover: MemberId,
        text: String,
        /// The motion this amends (its full new wording is `text`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amends: Option<u32>,
    },
    #[serde(rename = "meeting.motion_seconded")]
    MotionSeconded { motion: u32, by: MemberId },
    #[serde(rename = "meeting.motion_withdrawn")]
    MotionWithdrawn { motion: u32 },
    /// Part of a vote's electorate (who may vote, and who casts for them), appended
    /// just before `meeting.vote_opened`.
    #[serde(rename = "meeting.electorate_listed")]
    ElectorateListed { vote: u32, eligible: Vec<Eligible> },
    #[serde(rename = "meeting.vote_opened")]
    VoteOpened {
        vote: u32,
        subject: VoteSubject,
        method: VoteMethod,
        majority: MajorityKind,
        /// The running tally is not shown until close.
        hidden: bool,
        present: u32,
        voting_members: u32,
        rules_hash: RulesHash,
    },
    #[serde(rename = "meeting.ballot_cast")]
    BallotCast {
        vote: u32,
        /// The member whose vote this is.
        member: MemberId,
        /// Who cast it: the member, or their proxy.
        cast_by: MemberId,
        /// Absent while sealed (secret or hidden vote): it is published at close.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        choice: Option<Choice>,
    },
    /// Part of a sealed vote's ballots, opened at close (by member for a hidden roll
    /// call, by ballot hash in hash order for a secret one), appended just before
    /// `meeting.vote_closed`.
    #[serde(rename = "meeting.ballots_revealed")]
    BallotsRevealed {
        vote: u32,
        revealed: Vec<RevealedBallot>,
    },
    #[serde(rename = "meeting.vote_closed")]
    VoteClosed {
        vote: u32,
        tally: Tally,
        outcome: VoteOutcome,
        majority: MajorityKind,
        rules_hash: RulesHash,
        /// The latest signed checkpoint when the vote closed; it includes every ballot.
        checkpoint: CheckpointRef,
    },
    #[serde(rename = "meeting.item_closed")]
    ItemClosed { item: u32 },
    #[serde(rename = "meeting.item_deferred")]
    ItemDeferred { item: u32 },
    #[serde(rename = "meeting.adjourned")]
    MeetingAdjourned {
        /// Items not finished: back on the docket.
        unfinished: Vec<u32>,
    },
    #[serde(rename = "meeting.minutes_corrected")]
    MinutesCorrected { correction: u32, text: String },
    #[serde(rename = "meeting.minutes_approved")]
    MinutesApproved {
        vote: u32,
        /// SHA-256 of the approved text (canonical zh-CN Markdown).
        text_hash: ContentHash,
    },

    #[serde(rename = "resolution.adopted")]
    ResolutionAdopted {
        council: CouncilId,
        meeting: MeetingId,
        motion: u32,
        vote: u32,
        text: String,
        issues: Vec<IssueId>,
        assignments: Vec<Assignment>,
    },
    /// Disclosure one: the decision is made public.
    #[serde(rename = "resolution.published")]
    ResolutionPublished { note: String },
    #[serde(rename = "resolution.progress_reported")]
    ProgressReported {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignment: Option<u32>,
        percent: u32,
        text: String,
        photos: Vec<ContentHash>,
    },
    #[serde(rename = "resolution.assignment_overdue")]
    AssignmentOverdue { assignment: u32, due: Timestamp },
    #[serde(rename = "resolution.implemented")]
    ResolutionImplemented { result: String },
    /// Disclosure two: the implementation result is made public.
    #[serde(rename = "resolution.result_published")]
    ResultPublished { note: String },
}

/// Every event type, for the schema catalogue and its test.
pub const EVENT_TYPES: &[&str] = &[
    "jurisdiction.created",
    "jurisdiction.renamed",
    "jurisdiction.moved",
    "member.registered",
    "member.verified",
    "member.role_granted",
    "member.role_revoked",
    "member.erased",
    "council.created",
    "council.renamed",
    "council.rules_changed",
    "council.member_seated",
    "council.member_unseated",
    "issue.raised",
    "issue.edited",
    "issue.cosigned",
    "issue.cosignature_withdrawn",
    "issue.threshold_reached",
    "issue.accepted",
    "issue.rejected",
    "issue.merged",
    "issue.referred",
    "issue.overdue",
    "issue.escalated",
    "issue.responded",
    "issue.rated",
    "issue.reopened",
    "issue.withdrawn",
    "issue.resolved",
    "meeting.convened",
    "meeting.seats_listed",
    "meeting.agenda_changed",
    "meeting.checked_in",
    "meeting.absence_recorded",
    "meeting.proxy_given",
    "meeting.proxy_revoked",
    "meeting.departed",
    "meeting.opened",
    "meeting.item_opened",
    "meeting.statement_recorded",
    "meeting.motion_moved",
    "meeting.motion_seconded",
    "meeting.motion_withdrawn",
    "meeting.electorate_listed",
    "meeting.vote_opened",
    "meeting.ballot_cast",
    "meeting.ballots_revealed",
    "meeting.vote_closed",
    "meeting.item_closed",
    "meeting.item_deferred",
    "meeting.adjourned",
    "meeting.minutes_corrected",
    "meeting.minutes_approved",
    "resolution.adopted",
    "resolution.published",
    "resolution.progress_reported",
    "resolution.assignment_overdue",
    "resolution.implemented",
    "resolution.result_published",
];

impl Event {
    /// The `type` of the leaf.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::JurisdictionCreated { .. } => "jurisdiction.created",
            Event::JurisdictionRenamed { .. } => "jurisdiction.renamed",
            Event::JurisdictionMoved { .. } => "jurisdiction.moved",
            Event::MemberRegistered { .. } => "member.registered",
            Event::MemberVerified { .. } => "member.verified",
            Event::RoleGranted { .. } => "member.role_granted",
            Event::RoleRevoked { .. } => "member.role_revoked",
            Event::MemberErased { .. } => "member.erased",
            Event::CouncilCreated { .. } => "council.created",
            Event::CouncilRenamed { .. } => "council.renamed",
            Event::CouncilRulesChanged { .. } => "council.rules_changed",
            Event::MemberSeated { .. } => "council.member_seated",
            Event::MemberUnseated { .. } => "council.member_unseated",
            Event::IssueRaised { .. } => "issue.raised",
            Event::IssueEdited { .. } => "issue.edited",
            Event::IssueCosigned { .. } => "issue.cosigned",
            Event::CosignatureWithdrawn { .. } => "issue.cosignature_withdrawn",
            Event::ThresholdReached { .. } => "issue.threshold_reached",
            Event::IssueAccepted { .. } => "issue.accepted",
            Event::IssueRejected { .. } => "issue.rejected",
            Event::IssueMerged { .. } => "issue.merged",
            Event::IssueReferred { .. } => "issue.referred",
            Event::IssueOverdue { .. } => "issue.overdue",
            Event::IssueEscalated { .. } => "issue.escalated",
            Event::IssueResponded { .. } => "issue.responded",
            Event::IssueRated { .. } => "issue.rated",
            Event::IssueReopened { .. } => "issue.reopened",
            Event::IssueWithdrawn { .. } => "issue.withdrawn",
            Event::IssueResolved { .. } => "issue.resolved",
            Event::MeetingConvened { .. } => "meeting.convened",
            Event::SeatsListed { .. } => "meeting.seats_listed",
            Event::AgendaChanged { .. } => "meeting.agenda_changed",
            Event::CheckedIn { .. } => "meeting.checked_in",
            Event::AbsenceRecorded { .. } => "meeting.absence_recorded",
            Event::ProxyGiven { .. } => "meeting.proxy_given",
            Event::ProxyRevoked { .. } => "meeting.proxy_revoked",
            Event::Departed { .. } => "meeting.departed",
            Event::MeetingOpened { .. } => "meeting.opened",
            Event::ItemOpened { .. } => "meeting.item_opened",
            Event::StatementRecorded { .. } => "meeting.statement_recorded",
            Event::MotionMoved { .. } => "meeting.motion_moved",
            Event::MotionSeconded { .. } => "meeting.motion_seconded",
            Event::MotionWithdrawn { .. } => "meeting.motion_withdrawn",
            Event::ElectorateListed { .. } => "meeting.electorate_listed",
            Event::VoteOpened { .. } => "meeting.vote_opened",
            Event::BallotCast { .. } => "meeting.ballot_cast",
            Event::BallotsRevealed { .. } => "meeting.ballots_revealed",
            Event::VoteClosed { .. } => "meeting.vote_closed",
            Event::ItemClosed { .. } => "meeting.item_closed",
            Event::ItemDeferred { .. } => "meeting.item_deferred",
            Event::MeetingAdjourned { .. } => "meeting.adjourned",
            Event::MinutesCorrected { .. } => "meeting.minutes_corrected",
            Event::MinutesApproved { .. } => "meeting.minutes_approved",
            Event::ResolutionAdopted { .. } => "resolution.adopted",
            Event::ResolutionPublished { .. } => "resolution.published",
            Event::ProgressReported { .. } => "resolution.progress_reported",
            Event::AssignmentOverdue { .. } => "resolution.assignment_overdue",
            Event::ResolutionImplemented { .. } => "resolution.implemented",
            Event::ResultPublished { .. } => "resolution.result_published",
        }
    }

    /// The leaf's `body`.
    pub fn body(&self) -> Value {
        serde_json::to_value(self)
            .ok()
            .and_then(|mut v| v.get_mut("body").map(Value::take))
            .unwrap_or(Value::Null)
    }

    /// Reads an event back from a leaf's `type`, `v` and `body`.
    pub fn from_parts(kind: &str, version: u32, body: &Value) -> Result<Event, DomainError> {
        if version != EVENT_VERSION {
            return Err(DomainError::validation(
                "v",
                format!("{kind} version {version} is not known"),
            ));
        }
        let tagged = serde_json::json!({"type": kind, "body": body});
        serde_json::from_value(tagged)
            .map_err(|e| DomainError::validation("body", format!("{kind}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_type_and_body() {
        let event = Event::RoleGranted {
            role: Role::GridWorker {
                jurisdiction: JurisdictionId::parse("j_1").unwrap(),
            },
            reason: Reason::parse("assigned to grid 1").unwrap(),
        };
        assert_eq!(event.kind(), "member.role_granted");
        let body = event.body();
        assert_eq!(body["role"]["kind"], "grid_worker");
        assert_eq!(Event::from_parts(event.kind(), 1, &body).unwrap(), event);
        assert!(Event::from_parts(event.kind(), 2, &body).is_err());
        assert!(Event::from_parts("member.unknown", 1, &body).is_err());
    }
}
