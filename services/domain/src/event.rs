//! Every event the domain emits. The leaf's `type` is the serde tag, its `body` the
//! variant's fields; `schema/events/<type>.json` documents each one for auditors.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendar::CalendarYear;
use crate::mediation::{
    Advice, CaseOutcome, CommitteeKind, DisputeKind, MediationRules, Performance,
};
use crate::meeting::{
    AgendaItem, CheckpointRef, Choice, Eligible, RevealedBallot, SeatHolder, Tally, VoteMethod,
    VoteOutcome, VoteSubject,
};
use crate::resolution::Assignment;
use crate::service::ServiceSpec;
use crate::{
    Buildings, Category, Channel, Clock, CommitteeId, ContentHash, CouncilId, CouncilRules,
    DisputeId, Fraction, IssueId, JurisdictionId, JurisdictionKind, MajorityKind, MeetingId,
    MemberId, MemberKind, Name, Rating, Reason, RejectionReason, ResolutionId, Role, RulesHash,
    Seat, ServiceId, Spot, Stage,
};
use roundtable_ledger::Timestamp;

/// Current version of every event type; bumped per type when its body changes.
pub const EVENT_VERSION: u32 = 1;

/// One stream kind's events, inside [`Event`].
pub trait StreamEvent: Clone + std::fmt::Debug + Into<Event> {
    /// The event, if it is of this stream kind.
    fn of(event: &Event) -> Option<&Self>;
}

/// Writes the catalogue once: each stream kind's enum (serde tag = the leaf's
/// `type`), its `kind()`, the list of every type, and [`Event`], which holds one
/// stream kind's event, so each aggregate matches its own enum exhaustively.
macro_rules! catalogue {
    ($(
        $(#[$group_meta:meta])*
        $prefix:literal: $group:ident => $enum:ident {
            $(
                $(#[$meta:meta])*
                $tag:literal => $variant:ident { $($fields:tt)* },
            )*
        }
    )*) => {
        $(
            $(#[$group_meta])*
            #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
            #[serde(tag = "type", content = "body", deny_unknown_fields)]
            #[allow(clippy::enum_variant_names)]
            pub enum $enum {
                $(
                    $(#[$meta])*
                    #[serde(rename = $tag)]
                    $variant { $($fields)* },
                )*
            }

            impl $enum {
                /// The leaf's `type`.
                pub fn kind(&self) -> &'static str {
                    match self {
                        $($enum::$variant { .. } => $tag,)*
                    }
                }
            }

            impl From<$enum> for Event {
                fn from(event: $enum) -> Event {
                    Event::$group(event)
                }
            }

            impl StreamEvent for $enum {
                fn of(event: &Event) -> Option<&$enum> {
                    match event {
                        Event::$group(e) => Some(e),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }
        )*

        /// An event of the log: one stream kind's event. The leaf's `type` is
        /// `<stream kind>.<what happened>`.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Event {
            $($group($enum),)*
        }

        /// Every event type, for the schema catalogue and its test.
        pub const EVENT_TYPES: &[&str] = &[$($($tag,)*)*];

        impl Event {
            /// The leaf's `type`.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Event::$group(e) => e.kind(),)*
                }
            }

            /// The kind of stream the event belongs to (`issue`, `meeting`, …).
            pub fn stream_kind(&self) -> &'static str {
                match self {
                    $(Event::$group(_) => $prefix,)*
                }
            }

            /// The stream kind of a known event type; `None` for a type this build
            /// does not know (a later feature's, or the log's own `key.rotated`).
            pub fn stream_kind_of(kind: &str) -> Option<&'static str> {
                $(
                    if [$($tag),*].contains(&kind) {
                        return Some($prefix);
                    }
                )*
                None
            }
        }

        // As a leaf writes it: `{"type": …, "body": …}`.
        impl Serialize for Event {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Event::$group(e) => e.serialize(serializer),)*
                }
            }
        }

        impl Event {
            /// The event of type `kind`, read from `tagged` (its `type` and `body`);
            /// `None` for a type this build does not know. Only `codec` reads leaves.
            pub(crate) fn read<'de, D: serde::Deserializer<'de>>(
                kind: &str,
                tagged: D,
            ) -> Result<Option<Event>, D::Error> {
                $(
                    if [$($tag),*].contains(&kind) {
                        return $enum::deserialize(tagged).map(|e| Some(Event::$group(e)));
                    }
                )*
                Ok(None)
            }
        }
    };
}

catalogue! {
    /// Events of a `jurisdiction/<id>` stream: the grid tree.
    "jurisdiction": Jurisdiction => JurisdictionEvent {
        "jurisdiction.created" => JurisdictionCreated {
            kind: JurisdictionKind,
            name: Name,
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            parent: Option<JurisdictionId>,
        },
        "jurisdiction.renamed" => JurisdictionRenamed { name: Name },
        "jurisdiction.moved" => JurisdictionMoved { parent: JurisdictionId },
        /// A grid's buildings and their units, as residents pick them when raising.
        "jurisdiction.buildings_set" => BuildingsSet { buildings: Buildings },
    }

    /// Events of a `member/<id>` stream: registration, verification, roles, erasure.
    "member": Member => MemberEvent {
        "member.registered" => MemberRegistered {
            kind: MemberKind,
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            home_grid: Option<JurisdictionId>,
        },
        "member.verified" => MemberVerified {
            verified_by: MemberId,
            /// The verifier's scope that contains the member's home grid (`null`
            /// for an administrator's verification; never left out).
            #[serde(deserialize_with = "Option::deserialize")]
            scope: Option<JurisdictionId>,
        },
        "member.role_granted" => RoleGranted { role: Role, reason: Reason },
        "member.role_revoked" => RoleRevoked { role: Role, reason: Reason },
        "member.erased" => MemberErased { reason: Reason },
    }

    /// Events of a `council/<id>` stream: its name, rules and seats.
    "council": Council => CouncilEvent {
        "council.created" => CouncilCreated {
            jurisdiction: JurisdictionId,
            name: Name,
            rules: CouncilRules,
            rules_hash: RulesHash,
        },
        "council.renamed" => CouncilRenamed { name: Name },
        "council.rules_changed" => CouncilRulesChanged {
            rules: CouncilRules,
            rules_hash: RulesHash,
            previous_rules_hash: RulesHash,
            reason: Reason,
        },
        "council.member_seated" => MemberSeated {
            member: MemberId,
            seat: Seat,
            voting: bool,
            reason: Reason,
            /// The rules in force when the seat was given.
            rules_hash: RulesHash,
        },
        "council.member_unseated" => MemberUnseated { member: MemberId, reason: Reason },
    }

    /// Events of an `issue/<id>` stream.
    "issue": Issue => IssueEvent {
        "issue.raised" => IssueRaised {
            raiser: MemberId,
            /// The grid worker who took it down for the raiser.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            on_behalf_by: Option<MemberId>,
            channel: Channel,
            category: Category,
            jurisdiction: JurisdictionId,
            title: String,
            description: String,
            place: String,
            /// The building (and unit) of the grid the resident picked, if they did.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            spot: Option<Spot>,
            /// SHA-256 of each photo, stored content-addressed beside the log.
            photos: Vec<ContentHash>,
            version_hash: ContentHash,
            /// The triage clock of the responsible council (none when no council sits
            /// at or above the place).
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            clock: Option<Clock>,
        },
        "issue.edited" => IssueEdited {
            /// 2 for the first edit, and so on.
            version: u32,
            title: String,
            description: String,
            place: String,
            version_hash: ContentHash,
        },
        "issue.cosigned" => IssueCosigned {
            member: MemberId,
            /// The version supported (1-based) and its hash.
            version: u32,
            version_hash: ContentHash,
        },
        "issue.cosignature_withdrawn" => CosignatureWithdrawn { member: MemberId },
        "issue.threshold_reached" => ThresholdReached {
            council: CouncilId,
            /// The rules whose threshold was reached.
            rules_hash: RulesHash,
            cosigners: u32,
        },
        "issue.accepted" => IssueAccepted {
            /// The response clock of the council it is routed to.
            clock: Clock,
        },
        "issue.rejected" => IssueRejected {
            reason: RejectionReason,
            /// Public: the raiser and everyone can read why.
            explanation: String,
        },
        "issue.merged" => IssueMerged { into: IssueId },
        "issue.referred" => IssueReferred {
            from: JurisdictionId,
            to: JurisdictionId,
            /// How many times the issue has been referred, this one included.
            referrals: u32,
            note: String,
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            clock: Option<Clock>,
        },
        "issue.overdue" => IssueOverdue {
            stage: Stage,
            council: CouncilId,
            due: Timestamp,
        },
        "issue.escalated" => IssueEscalated {
            from: CouncilId,
            to: CouncilId,
            /// A fresh clock of the same stage under the new council's rules.
            clock: Clock,
        },
        "issue.responded" => IssueResponded {
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            council: Option<CouncilId>,
            text: String,
            /// 1 for the first response, 2 after a reopening, and so on.
            round: u32,
        },
        "issue.rated" => IssueRated {
            rating: Rating,
            comment: String,
            /// The response round rated.
            round: u32,
            /// The grid worker who took the rating on a feedback visit.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            visit_by: Option<MemberId>,
        },
        "issue.reopened" => IssueReopened { clock: Clock },
        "issue.withdrawn" => IssueWithdrawn { reason: String },
        /// A resolution answers the issue: it awaits implementation.
        "issue.resolved" => IssueResolved {
            resolution: ResolutionId,
            council: CouncilId,
        },
        /// The issue was taken to mediation as a dispute case (linked both ways).
        "issue.sent_to_mediation" => SentToMediation { dispute: DisputeId },
    }

    /// Events of a `meeting/<id>` stream.
    "meeting": Meeting => MeetingEvent {
        /// The published notice of a meeting.
        "meeting.convened" => MeetingConvened {
            council: CouncilId,
            title: String,
            starts_at: Timestamp,
            venue: String,
            online: bool,
            agenda: Vec<AgendaItem>,
            /// The rules the meeting runs under (those in force at convening).
            rules: CouncilRules,
            rules_hash: RulesHash,
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            urgent_reason: Option<String>,
        },
        /// Part of the council's seats at convening (who may check in, who votes),
        /// appended just before `meeting.convened` in chunks that keep leaves small.
        "meeting.seats_listed" => SeatsListed { seats: Vec<SeatHolder> },
        "meeting.agenda_changed" => AgendaChanged { agenda: Vec<AgendaItem> },
        "meeting.checked_in" => CheckedIn {
            member: MemberId,
            /// The officer who checked them in; none when they used the meeting code.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            by: Option<MemberId>,
        },
        "meeting.absence_recorded" => AbsenceRecorded { member: MemberId, apology: bool },
        "meeting.proxy_given" => ProxyGiven { from: MemberId, to: MemberId },
        "meeting.proxy_revoked" => ProxyRevoked { from: MemberId, to: MemberId },
        "meeting.departed" => Departed { member: MemberId },
        "meeting.opened" => MeetingOpened {
            /// Voting members present in person or by proxy, and all voting members.
            present: u32,
            proxies: u32,
            voting_members: u32,
            quorum: Fraction,
            rules_hash: RulesHash,
        },
        "meeting.item_opened" => ItemOpened { item: u32 },
        "meeting.statement_recorded" => StatementRecorded {
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            item: Option<u32>,
            speaker: MemberId,
            summary: String,
        },
        "meeting.motion_moved" => MotionMoved {
            item: u32,
            motion: u32,
            mover: MemberId,
            text: String,
            /// The motion this amends (its full new wording is `text`).
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            amends: Option<u32>,
        },
        "meeting.motion_seconded" => MotionSeconded { motion: u32, by: MemberId },
        "meeting.motion_withdrawn" => MotionWithdrawn { motion: u32 },
        /// Part of a vote's electorate (who may vote, and who casts for them), appended
        /// just before `meeting.vote_opened`.
        "meeting.electorate_listed" => ElectorateListed { vote: u32, eligible: Vec<Eligible> },
        "meeting.vote_opened" => VoteOpened {
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
        "meeting.ballot_cast" => BallotCast {
            vote: u32,
            /// The member whose vote this is.
            member: MemberId,
            /// Who cast it: the member, or their proxy.
            cast_by: MemberId,
            /// Absent while sealed (secret or hidden vote): it is published at close.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            choice: Option<Choice>,
        },
        /// Part of a sealed vote's ballots, opened at close (by member for a hidden roll
        /// call, by ballot hash in hash order for a secret one), appended just before
        /// `meeting.vote_closed`.
        "meeting.ballots_revealed" => BallotsRevealed {
            vote: u32,
            revealed: Vec<RevealedBallot>,
        },
        "meeting.vote_closed" => VoteClosed {
            vote: u32,
            tally: Tally,
            outcome: VoteOutcome,
            majority: MajorityKind,
            rules_hash: RulesHash,
            /// The latest signed checkpoint when the vote closed; it includes every ballot.
            checkpoint: CheckpointRef,
        },
        "meeting.item_closed" => ItemClosed { item: u32 },
        "meeting.item_deferred" => ItemDeferred { item: u32 },
        "meeting.adjourned" => MeetingAdjourned {
            /// Items not finished: back on the docket.
            unfinished: Vec<u32>,
        },
        "meeting.minutes_corrected" => MinutesCorrected { correction: u32, text: String },
        "meeting.minutes_approved" => MinutesApproved {
            vote: u32,
            /// SHA-256 of the approved text (canonical zh-CN Markdown).
            text_hash: ContentHash,
        },
    }

    /// Events of a `resolution/<id>` stream.
    "resolution": Resolution => ResolutionEvent {
        "resolution.adopted" => ResolutionAdopted {
            council: CouncilId,
            meeting: MeetingId,
            motion: u32,
            vote: u32,
            text: String,
            issues: Vec<IssueId>,
            assignments: Vec<Assignment>,
        },
        /// Disclosure one: the decision is made public.
        "resolution.published" => ResolutionPublished { note: String },
        "resolution.progress_reported" => ProgressReported {
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            assignment: Option<u32>,
            percent: u32,
            text: String,
            photos: Vec<ContentHash>,
        },
        "resolution.assignment_overdue" => AssignmentOverdue { assignment: u32, due: Timestamp },
        "resolution.implemented" => ResolutionImplemented { result: String },
        /// Disclosure two: the implementation result is made public.
        "resolution.result_published" => ResultPublished { note: String },
    }

    /// Events of a `calendar/cal_<year>` stream: one year's official working-day
    /// calendar, as an administrator published it and corrected it.
    "calendar": Calendar => CalendarEvent {
        "calendar.published" => CalendarPublished {
            calendar: CalendarYear,
            /// SHA-256 of the calendar's canonical JSON.
            calendar_hash: ContentHash,
        },
        /// Applies to clocks started after it; running ones keep their due time.
        "calendar.corrected" => CalendarCorrected {
            calendar: CalendarYear,
            calendar_hash: ContentHash,
            version: u32,
            reason: Reason,
        },
    }

    /// Events of a `service/<id>` stream: one entry of a jurisdiction's service
    /// catalogue, each version hashed.
    "service": Service => ServiceEvent {
        "service.published" => ServicePublished {
            /// Offered to residents of this node's subtree.
            jurisdiction: JurisdictionId,
            spec: ServiceSpec,
            spec_hash: ContentHash,
        },
        "service.revised" => ServiceRevised {
            spec: ServiceSpec,
            spec_hash: ContentHash,
            version: u32,
            reason: Reason,
        },
        "service.withdrawn" => ServiceWithdrawn { reason: Reason },
    }

    /// Events of a `service_request/<id>` stream: a resident's request for a service.
    "service_request": ServiceRequest => ServiceRequestEvent {
        "service_request.opened" => RequestOpened {
            service: ServiceId,
            /// The catalogue version it was made under, and its hash.
            version: u32,
            spec_hash: ContentHash,
            applicant: MemberId,
            /// The grid worker who took it down for the applicant.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            on_behalf_by: Option<MemberId>,
            channel: Channel,
            /// The grid worker collects the documents at home: no trip.
            at_home: bool,
            point: JurisdictionId,
            limit_working_days: u32,
        },
        /// One more trip: what the resident must still bring.
        "service_request.documents_missing" => DocumentsMissing {
            missing: Vec<Name>,
            /// Those the catalogue entry did not name (flagged against it).
            unlisted: Vec<Name>,
        },
        /// The documents are in (受理): the clock starts.
        "service_request.documents_complete" => DocumentsComplete {
            /// End of the last working day, from the calendars in force now.
            due: Timestamp,
        },
        "service_request.done" => RequestDone {},
        "service_request.refused" => RequestRefused { reason: Reason },
        "service_request.withdrawn" => RequestWithdrawn {},
        "service_request.overdue" => RequestOverdue {
            due: Timestamp,
            /// The node above the service point, whose staff now answer for it.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            escalated_to: Option<JurisdictionId>,
        },
        "service_request.rated" => RequestRated {
            rating: Rating,
            channel: Channel,
            /// The grid worker who took the rating on a feedback visit.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            recorded_by: Option<MemberId>,
        },
    }

    /// Events of a `committee/<id>` stream: a mediation committee and its mediators.
    "committee": Committee => CommitteeEvent {
        "committee.created" => CommitteeCreated {
            jurisdiction: JurisdictionId,
            kind: CommitteeKind,
            name: Name,
            rules: MediationRules,
            rules_hash: RulesHash,
        },
        "committee.mediator_appointed" => MediatorAppointed {
            member: MemberId,
            /// An officer (主任, 副主任) assigns cases and reads their content.
            officer: bool,
            reason: Reason,
        },
        "committee.mediator_removed" => MediatorRemoved { member: MemberId, reason: Reason },
    }

    /// Events of a `dispute/<id>` stream: a case of mediation. Private texts appear
    /// only as commitments (`*_hash`: SHA-256 over a nonce and the text in the vault).
    "dispute": Dispute => DisputeEvent {
        "dispute.raised" => DisputeRaised {
            applicant: MemberId,
            respondents: Vec<MemberId>,
            /// The grid worker who took it down for the applicant.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            on_behalf_by: Option<MemberId>,
            channel: Channel,
            kind: DisputeKind,
            jurisdiction: JurisdictionId,
            committee: CommitteeId,
            rules_hash: RulesHash,
            /// What the applicant asks, committed.
            claim_hash: ContentHash,
            /// The issue this case was turned from.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            from_issue: Option<IssueId>,
            /// Respondents answer by then, or the case closes.
            consent_due: Timestamp,
        },
        "dispute.answered" => DisputeAnswered {
            party: MemberId,
            consent: bool,
            channel: Channel,
            /// The staff member who recorded an answer given in person or by phone.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            recorded_by: Option<MemberId>,
            /// What the respondent asks, committed (when they consent and say).
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            claim_hash: Option<ContentHash>,
        },
        /// Every respondent consented: mediation runs under the committee's clock.
        "dispute.mediation_started" => MediationStarted {
            committee: CommitteeId,
            rules_hash: RulesHash,
            due: Timestamp,
        },
        "dispute.mediator_assigned" => MediatorAssigned { mediator: MemberId },
        /// A party objected to the mediator (once per party): they step aside.
        "dispute.mediator_objected" => MediatorObjected {
            party: MemberId,
            mediator: MemberId,
            reason: Reason,
        },
        "dispute.escalated" => DisputeEscalated {
            from: CommitteeId,
            to: CommitteeId,
            rules_hash: RulesHash,
            /// A fresh clock under the upper committee's rules.
            due: Timestamp,
        },
        "dispute.overdue" => DisputeOverdue { committee: CommitteeId, due: Timestamp },
        "dispute.session_scheduled" => SessionScheduled {
            session: u32,
            at: Timestamp,
            venue: String,
        },
        "dispute.session_held" => SessionHeld {
            session: u32,
            attendance: Vec<MemberId>,
            /// The session's record, committed (the record is sealed in the vault).
            record_hash: ContentHash,
        },
        "dispute.agreement_drafted" => AgreementDrafted {
            version: u32,
            /// The terms, committed (they are sealed in the vault).
            terms_hash: ContentHash,
            /// SHA-256 of the agreement's canonical text (zh-CN Markdown, by id).
            text_hash: ContentHash,
        },
        "dispute.agreement_confirmed" => AgreementConfirmed {
            party: MemberId,
            version: u32,
            text_hash: ContentHash,
            /// The mediator who recorded a confirmation signed on paper.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            recorded_by: Option<MemberId>,
        },
        /// Every party confirmed the same text: the agreement is frozen.
        "dispute.agreement_signed" => AgreementSigned {
            version: u32,
            text_hash: ContentHash,
            /// The last day to apply for judicial confirmation.
            confirmation_window_ends: Timestamp,
        },
        "dispute.closed" => DisputeClosed {
            outcome: CaseOutcome,
            advice: Advice,
            /// The consent deadline that passed, when that closed it.
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::event::present"
            )]
            due: Option<Timestamp>,
        },
        "dispute.confirmation_applied" => ConfirmationApplied {
            court: String,
            applied_on: Timestamp,
        },
        "dispute.confirmation_ruled" => ConfirmationRuled { confirmed: bool },
        "dispute.followed_up" => FollowedUp {
            performance: Performance,
            /// The visit's note, committed.
            note_hash: ContentHash,
        },
        /// The agreement was not performed: mediation starts again.
        "dispute.reopened" => DisputeReopened { rules_hash: RulesHash, due: Timestamp },
        /// The case's private texts were deleted from the vault for good.
        "dispute.records_erased" => RecordsErased { reason: Reason },
    }
}

impl Event {
    /// The leaf's `body`.
    pub fn body(&self) -> Value {
        serde_json::to_value(self)
            .ok()
            .and_then(|mut v| v.get_mut("body").map(Value::take))
            .unwrap_or(Value::Null)
    }

    /// Every member the event's body names (the actor and the stream are the
    /// envelope's), for a member's own record of what the log holds about them.
    pub fn members_named(&self) -> Vec<&MemberId> {
        match self {
            Event::Calendar(_) | Event::Service(_) => vec![],
            Event::ServiceRequest(event) => match event {
                ServiceRequestEvent::RequestOpened {
                    applicant,
                    on_behalf_by,
                    ..
                } => std::iter::once(applicant).chain(on_behalf_by).collect(),
                ServiceRequestEvent::RequestRated { recorded_by, .. } => {
                    recorded_by.iter().collect()
                }
                _ => vec![],
            },
            Event::Jurisdiction(
                JurisdictionEvent::JurisdictionCreated { .. }
                | JurisdictionEvent::JurisdictionRenamed { .. }
                | JurisdictionEvent::JurisdictionMoved { .. }
                | JurisdictionEvent::BuildingsSet { .. },
            ) => vec![],
            Event::Member(event) => match event {
                MemberEvent::MemberVerified { verified_by, .. } => vec![verified_by],
                MemberEvent::MemberRegistered { .. }
                | MemberEvent::RoleGranted { .. }
                | MemberEvent::RoleRevoked { .. }
                | MemberEvent::MemberErased { .. } => vec![],
            },
            Event::Council(event) => match event {
                CouncilEvent::MemberSeated { member, .. }
                | CouncilEvent::MemberUnseated { member, .. } => vec![member],
                CouncilEvent::CouncilCreated { .. }
                | CouncilEvent::CouncilRenamed { .. }
                | CouncilEvent::CouncilRulesChanged { .. } => vec![],
            },
            Event::Issue(event) => match event {
                IssueEvent::IssueRaised {
                    raiser,
                    on_behalf_by,
                    ..
                } => std::iter::once(raiser).chain(on_behalf_by).collect(),
                IssueEvent::IssueCosigned { member, .. }
                | IssueEvent::CosignatureWithdrawn { member } => vec![member],
                IssueEvent::IssueRated { visit_by, .. } => visit_by.iter().collect(),
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
                | IssueEvent::IssueWithdrawn { .. }
                | IssueEvent::IssueResolved { .. }
                | IssueEvent::SentToMediation { .. } => vec![],
            },
            Event::Meeting(event) => match event {
                MeetingEvent::SeatsListed { seats } => seats.iter().map(|s| &s.member).collect(),
                MeetingEvent::ElectorateListed { eligible, .. } => eligible
                    .iter()
                    .flat_map(|e| [&e.member, &e.cast_by])
                    .collect(),
                MeetingEvent::BallotsRevealed { revealed, .. } => {
                    revealed.iter().filter_map(|r| r.member.as_ref()).collect()
                }
                MeetingEvent::CheckedIn { member, by } => {
                    std::iter::once(member).chain(by).collect()
                }
                MeetingEvent::AbsenceRecorded { member, .. }
                | MeetingEvent::Departed { member } => vec![member],
                MeetingEvent::ProxyGiven { from, to } | MeetingEvent::ProxyRevoked { from, to } => {
                    vec![from, to]
                }
                MeetingEvent::StatementRecorded { speaker, .. } => vec![speaker],
                MeetingEvent::MotionMoved { mover, .. } => vec![mover],
                MeetingEvent::MotionSeconded { by, .. } => vec![by],
                MeetingEvent::BallotCast {
                    member, cast_by, ..
                } => vec![member, cast_by],
                MeetingEvent::MeetingConvened { .. }
                | MeetingEvent::AgendaChanged { .. }
                | MeetingEvent::MeetingOpened { .. }
                | MeetingEvent::ItemOpened { .. }
                | MeetingEvent::MotionWithdrawn { .. }
                | MeetingEvent::VoteOpened { .. }
                | MeetingEvent::VoteClosed { .. }
                | MeetingEvent::ItemClosed { .. }
                | MeetingEvent::ItemDeferred { .. }
                | MeetingEvent::MeetingAdjourned { .. }
                | MeetingEvent::MinutesCorrected { .. }
                | MeetingEvent::MinutesApproved { .. } => vec![],
            },
            Event::Resolution(event) => match event {
                ResolutionEvent::ResolutionAdopted { assignments, .. } => assignments
                    .iter()
                    .filter_map(|a| a.member.as_ref())
                    .collect(),
                ResolutionEvent::ResolutionPublished { .. }
                | ResolutionEvent::ProgressReported { .. }
                | ResolutionEvent::AssignmentOverdue { .. }
                | ResolutionEvent::ResolutionImplemented { .. }
                | ResolutionEvent::ResultPublished { .. } => vec![],
            },
            Event::Committee(event) => match event {
                CommitteeEvent::MediatorAppointed { member, .. }
                | CommitteeEvent::MediatorRemoved { member, .. } => vec![member],
                CommitteeEvent::CommitteeCreated { .. } => vec![],
            },
            Event::Dispute(event) => match event {
                DisputeEvent::DisputeRaised {
                    applicant,
                    respondents,
                    on_behalf_by,
                    ..
                } => std::iter::once(applicant)
                    .chain(respondents)
                    .chain(on_behalf_by)
                    .collect(),
                DisputeEvent::DisputeAnswered {
                    party, recorded_by, ..
                }
                | DisputeEvent::AgreementConfirmed {
                    party, recorded_by, ..
                } => std::iter::once(party).chain(recorded_by).collect(),
                DisputeEvent::MediatorAssigned { mediator } => vec![mediator],
                DisputeEvent::MediatorObjected {
                    party, mediator, ..
                } => vec![party, mediator],
                DisputeEvent::SessionHeld { attendance, .. } => attendance.iter().collect(),
                DisputeEvent::MediationStarted { .. }
                | DisputeEvent::DisputeEscalated { .. }
                | DisputeEvent::DisputeOverdue { .. }
                | DisputeEvent::SessionScheduled { .. }
                | DisputeEvent::AgreementDrafted { .. }
                | DisputeEvent::AgreementSigned { .. }
                | DisputeEvent::DisputeClosed { .. }
                | DisputeEvent::ConfirmationApplied { .. }
                | DisputeEvent::ConfirmationRuled { .. }
                | DisputeEvent::FollowedUp { .. }
                | DisputeEvent::DisputeReopened { .. }
                | DisputeEvent::RecordsErased { .. } => vec![],
            },
        }
    }
}

/// For an optional field that is left out when empty: present means a value. The
/// event schemas refuse `null` there, so decoding does too.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_name_their_type_and_stream_kind() {
        let event = Event::Member(MemberEvent::RoleGranted {
            role: Role::GridWorker {
                jurisdiction: JurisdictionId::parse("j_1").unwrap(),
            },
            reason: Reason::parse("assigned to grid 1").unwrap(),
        });
        assert_eq!(event.kind(), "member.role_granted");
        assert_eq!(event.stream_kind(), "member");
        assert_eq!(event.body()["role"]["kind"], "grid_worker");
    }

    #[test]
    fn every_type_is_named_once_and_under_its_stream_kind() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in EVENT_TYPES {
            assert!(seen.insert(*kind), "{kind} twice");
            let (stream, _) = kind.split_once('.').unwrap();
            assert_eq!(Event::stream_kind_of(kind), Some(stream));
        }
        assert_eq!(Event::stream_kind_of("key.rotated"), None);
    }
}
