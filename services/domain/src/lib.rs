//! `roundtable-domain`: the deliberation model as pure deciders.
//!
//! Each aggregate (one stream) has a `State`, a `Command`, `decide` and `evolve`
//! ([`Aggregate`]). Deciders see the actor and their roles, the time and a read-only
//! [`Directory`] of other aggregates, all passed in: this crate does no I/O, reads no
//! clock and draws no randomness, so every rule is tested given/when/then.

mod actor;
mod aggregate;
mod calendar;
pub mod codec;
mod council;
mod document;
mod error;
mod event;
mod ids;
mod issue;
mod jurisdiction;
mod mediation;
mod meeting;
mod member;
mod place;
mod resolution;
mod rules;
mod service;
mod text;

pub use actor::{
    Actor, Appearance, CallerClass, Context, CouncilFacts, CouncilSeat, Directory,
    JurisdictionFacts, JurisdictionKind, MediatorSeat, MemberFacts, MemberKind, Role, Seat,
};
pub use aggregate::Aggregate;
pub use calendar::{
    CHINA_OFFSET_MINUTES, Calendar, CalendarCommand, CalendarState, CalendarYear,
    MAX_CALENDAR_DAYS, MAX_WORKING_DAYS, WorkCalendar,
};
pub use codec::{DecodeError, Decoded, decode};
pub use council::{Council, CouncilCommand, CouncilState};
pub use error::{DomainError, Grounds, Refusal};
pub use event::{
    CalendarEvent, CommitteeEvent, CouncilEvent, DisputeEvent, EVENT_TYPES, EVENT_VERSION, Event,
    IssueEvent, JurisdictionEvent, MeetingEvent, MemberEvent, ResolutionEvent, ServiceEvent,
    ServiceRequestEvent, StreamEvent,
};
pub use ids::{
    CalendarId, CommitteeId, CouncilId, DisputeId, IssueId, JurisdictionId, MeetingId, MemberId,
    ResolutionId, ServiceId, ServiceRequestId,
};
pub use issue::{
    Category, Channel, Clock, Issue, IssueCommand, IssueFacts, IssueState, IssueStatus, IssueText,
    MAX_PHOTOS, RaiseIssue, Rating, RejectionReason, Stage, may_see_raised_from, may_triage,
};
pub use jurisdiction::{Jurisdiction, JurisdictionCommand, JurisdictionState};
pub use mediation::{
    Advice, AgreementNaming, AgreementState, CONFIRMATION_WINDOW_DAYS, CaseOutcome, CaseRecord,
    Committee, CommitteeCommand, CommitteeFacts, CommitteeKind, CommitteeState, Dispute,
    DisputeAccess, DisputeCommand, DisputeFacts, DisputeKind, DisputeState, DisputeStatus,
    JudicialConfirmation, MAX_CASE_HISTORY, MAX_FOLLOW_UPS, MAX_MEDIATORS, MAX_PRIVATE_TEXT,
    MAX_RESPONDENTS, MAX_SESSIONS, MediationFigures, MediationRules, MediationTally, Performance,
    RaiseDispute, Sealed, SessionState, Told, agreement_hash, render_agreement,
};
pub use meeting::{
    AgendaItem, Attendance, CheckpointRef, Choice, ClosedVote, Electorate, Eligible, ItemStatus,
    Language, Meeting, MeetingCommand, MeetingFacts, MeetingState, MinutesFormat, Motion,
    MotionStatus, Naming, Phase, RecountError, Recounted, RevealedBallot, SeatHolder, Statement,
    Tally, Vote, VoteMethod, VoteOutcome, VoteSubject, minutes_hash, outcome, recount,
    render_minutes,
};
pub use member::{Member, MemberCommand, MemberState};
pub use place::{Building, Buildings, CoarsePoint, MAX_BUILDINGS, MAX_UNITS, Spot};
pub use resolution::{
    Assignment, AssignmentState, Resolution, ResolutionCommand, ResolutionFacts, ResolutionState,
};
pub use rules::{ContentHash, CouncilRules, Fraction, MajorityKind, RulesHash, WorkingDayLimits};
pub use service::{
    MAX_DOCUMENTS, MAX_KEYWORDS, MAX_MISSING, MAX_MISSING_LISTS, MAX_SERVICE_DESCRIPTION, Misdated,
    OpenRequest, RequestRecord, RequestStatus, Service, ServiceCommand, ServiceFacts,
    ServiceFigures, ServiceRequest, ServiceRequestCommand, ServiceRequestState, ServiceSpec,
    ServiceState, ServiceTally,
};
pub use text::{Name, Reason, checked_multiline, checked_text};
