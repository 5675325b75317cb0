//! Every event the domain emits. The leaf's `type` is the serde tag, its `body` the
//! variant's fields; `schema/events/<type>.json` documents each one for auditors.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    Category, Channel, Clock, ContentHash, CouncilId, CouncilRules, DomainError, IssueId,
    JurisdictionId, JurisdictionKind, MemberId, MemberKind, Name, Rating, Reason, RejectionReason,
    Role, RulesHash, Seat, Stage,
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
