//! A resident's request for a service: opened by them online or by a grid worker
//! for them (who may collect the documents at home: "the network runs instead of
//! the resident"), the documents marked complete or the missing ones listed (each
//! list one more trip), done or refused, late and escalated, rated.
//!
//! The clock: the limit in working days runs from the day the documents are
//! complete (受理), to the end of its last working day.
//!
//! Trips: a request whose documents are brought to the counter starts at one trip,
//! one collected at home at none; each list of missing documents adds one. A
//! missing document the catalogue entry did not name is flagged against it.

use roundtable_ledger::Timestamp;

use super::ServiceFacts;
use crate::aggregate::{Decided, Deciding};
use crate::{
    Actor, Channel, ContentHash, Directory, DomainError, JurisdictionId, MemberId, Name, Rating,
    Reason, Refusal, ServiceId, ServiceRequestEvent, ServiceRequestId,
};

/// Most documents one list of missing documents names.
pub const MAX_MISSING: usize = 30;
/// Most lists of missing documents one request gets (each is a trip: a request
/// that needs more is refused, not left open for ever).
pub const MAX_MISSING_LISTS: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestStatus {
    /// Waiting for the documents (or for the missing ones).
    AwaitingDocuments,
    /// The documents are complete; the clock runs.
    InProgress,
    Done,
    Refused,
    Withdrawn,
}

impl RequestStatus {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestStatus::Done | RequestStatus::Refused | RequestStatus::Withdrawn
        )
    }
}

pub struct ServiceRequest;

#[derive(Clone, Debug, Default)]
pub struct ServiceRequestState {
    pub status: Option<RequestStatus>,
    pub service: Option<ServiceId>,
    /// The catalogue version and hash it was made under.
    pub version: u32,
    pub spec_hash: Option<ContentHash>,
    pub applicant: Option<MemberId>,
    pub on_behalf_by: Option<MemberId>,
    pub at_home: bool,
    pub point: Option<JurisdictionId>,
    pub limit_working_days: u32,
    pub due: Option<Timestamp>,
    pub overdue: bool,
    /// Where it went when it ran late.
    pub escalated_to: Option<JurisdictionId>,
    /// Each list of missing documents given, in order.
    pub missing: Vec<Vec<Name>>,
    /// Missing documents the catalogue did not name.
    pub unlisted: Vec<Name>,
    pub rating: Option<Rating>,
}

impl ServiceRequestState {
    /// How many times the resident went (or goes) to the counter.
    pub fn trips(&self) -> u32 {
        u32::from(!self.at_home) + self.missing.len() as u32
    }

    /// The deadline the scheduler watches: a running clock not yet marked overdue.
    pub fn armed_deadline(&self) -> Option<Timestamp> {
        match self.status {
            Some(RequestStatus::InProgress) if !self.overdue => self.due,
            _ => None,
        }
    }

    /// Who reads the request: the applicant, the grid worker who took it down, its
    /// handlers, administrators and auditors (everyone else sees the figures).
    pub fn may_read(&self, actor: &Actor, directory: &dyn Directory) -> bool {
        let Some(me) = &actor.member else {
            return false;
        };
        self.applicant.as_ref() == Some(me)
            || self.on_behalf_by.as_ref() == Some(me)
            || actor.is_administrator()
            || actor.is_auditor()
            || self.is_handler(actor, directory)
    }

    /// Those who handle it: grid workers serving its service point or, once it ran
    /// late, the node above it.
    pub fn is_handler(&self, actor: &Actor, directory: &dyn Directory) -> bool {
        self.point
            .iter()
            .chain(&self.escalated_to)
            .any(|node| actor.serves(directory, node))
    }
}

/// What opening a request says.
#[derive(Clone, Debug)]
pub struct OpenRequest {
    pub service: ServiceId,
    pub applicant: MemberId,
    pub channel: Channel,
    /// A grid worker collects the documents at the resident's home.
    pub at_home: bool,
}

#[derive(Clone, Debug)]
pub enum ServiceRequestCommand {
    Open(OpenRequest),
    /// Staff list what is missing: one more trip.
    ListMissing {
        missing: Vec<Name>,
    },
    /// Staff mark the documents complete: the work starts.
    MarkComplete,
    Finish,
    Refuse {
        reason: Reason,
    },
    /// The applicant withdraws.
    Withdraw,
    /// The deadline scheduler: the clock due at `due` passed.
    MarkOverdue {
        due: Timestamp,
    },
    /// The applicant rates the outcome (or a grid worker takes their rating on a
    /// feedback visit, with the channel).
    Rate {
        rating: Rating,
        channel: Channel,
    },
}

crate::aggregate::aggregate!(ServiceRequest: ServiceRequestId, ServiceRequestState, ServiceRequestCommand, ServiceRequestEvent);

pub(super) fn evolve(
    mut s: ServiceRequestState,
    event: &ServiceRequestEvent,
) -> ServiceRequestState {
    use RequestStatus::*;
    match event {
        ServiceRequestEvent::RequestOpened {
            service,
            version,
            spec_hash,
            applicant,
            on_behalf_by,
            at_home,
            point,
            limit_working_days,
            ..
        } => {
            s.status = Some(AwaitingDocuments);
            s.service = Some(service.clone());
            s.version = *version;
            s.spec_hash = Some(spec_hash.clone());
            s.applicant = Some(applicant.clone());
            s.on_behalf_by = on_behalf_by.clone();
            s.at_home = *at_home;
            s.point = Some(point.clone());
            s.limit_working_days = *limit_working_days;
        }
        ServiceRequestEvent::DocumentsMissing { missing, unlisted } => {
            s.missing.push(missing.clone());
            s.unlisted.extend(unlisted.iter().cloned());
        }
        ServiceRequestEvent::DocumentsComplete { due } => {
            s.status = Some(InProgress);
            s.due = Some(*due);
        }
        ServiceRequestEvent::RequestDone {} => s.status = Some(Done),
        ServiceRequestEvent::RequestRefused { .. } => s.status = Some(Refused),
        ServiceRequestEvent::RequestWithdrawn {} => s.status = Some(Withdrawn),
        ServiceRequestEvent::RequestOverdue { escalated_to, .. } => {
            s.overdue = true;
            s.escalated_to = escalated_to.clone();
        }
        ServiceRequestEvent::RequestRated { rating, .. } => s.rating = Some(*rating),
    }
    s
}

fn status_forbids(status: RequestStatus, action: &str) -> DomainError {
    DomainError::conflict(Refusal::REQUEST_STATUS_FORBIDS)
        .with_state("status", status)
        .with("action", action)
}

fn require(
    state: &ServiceRequestState,
    allowed: &[RequestStatus],
    action: &str,
) -> Result<(), DomainError> {
    match state.status {
        None => Err(DomainError::not_found(Refusal::REQUEST_NOT_FOUND)),
        Some(s) if allowed.contains(&s) => Ok(()),
        Some(s) => Err(status_forbids(s, action)),
    }
}

fn require_handler(
    actor: &Actor,
    state: &ServiceRequestState,
    directory: &dyn Directory,
) -> Result<(), DomainError> {
    actor.signed_in()?;
    if state.is_handler(actor, directory) {
        Ok(())
    } else {
        Err(DomainError::forbidden(Refusal::ONLY_SERVICE_POINT_STAFF))
    }
}

fn open(cx: &Deciding<'_, ServiceRequest>, open: OpenRequest) -> Decided<ServiceRequest> {
    let (id, state, actor, _, directory) = cx.parts();
    if state.status.is_some() {
        return Err(DomainError::conflict(Refusal::ALREADY_EXISTS).with("id", id));
    }
    let OpenRequest {
        service,
        applicant,
        channel,
        at_home,
    } = open;
    let home = directory
        .live_member(&applicant)?
        .home_grid
        .ok_or_else(|| DomainError::validation("applicant", Refusal::SERVICE_NOT_OFFERED))?;
    let on_behalf_by =
        actor.acting_for(directory, &applicant, &home, channel, "ask for a service")?;
    if at_home && on_behalf_by.is_none() {
        return Err(DomainError::validation(
            "atHome",
            Refusal::AT_HOME_BY_GRID_WORKER,
        ));
    }
    let ServiceFacts {
        jurisdiction,
        spec,
        spec_hash,
        version,
        withdrawn,
        ..
    } = directory.service(&service).ok_or_else(|| {
        DomainError::not_found(Refusal::SERVICE_NOT_FOUND).with("service", &service)
    })?;
    if withdrawn {
        return Err(DomainError::conflict(Refusal::SERVICE_WITHDRAWN).with("service", &service));
    }
    if !directory.is_within(&home, &jurisdiction) {
        return Err(
            DomainError::validation("service", Refusal::SERVICE_NOT_OFFERED)
                .with("service", &service),
        );
    }
    Ok(vec![ServiceRequestEvent::RequestOpened {
        service,
        version,
        spec_hash,
        applicant,
        on_behalf_by,
        channel,
        at_home,
        point: spec.point,
        limit_working_days: spec.limit_working_days,
    }])
}

fn decide(
    cx: &Deciding<'_, ServiceRequest>,
    command: ServiceRequestCommand,
) -> Decided<ServiceRequest> {
    use RequestStatus::*;
    let (_, state, actor, now, directory) = cx.parts();
    match command {
        ServiceRequestCommand::Open(o) => open(cx, o),
        ServiceRequestCommand::ListMissing { missing } => {
            require_handler(actor, state, directory)?;
            require(
                state,
                &[AwaitingDocuments],
                "given a list of missing documents",
            )?;
            if missing.is_empty() || missing.len() > MAX_MISSING {
                return Err(DomainError::validation("missing", Refusal::OUT_OF_RANGE)
                    .with("min", 1)
                    .with("max", MAX_MISSING)
                    .with("got", missing.len()));
            }
            let named = state
                .service
                .as_ref()
                .and_then(|s| directory.service(s))
                .map(|f| f.spec.documents)
                .unwrap_or_default();
            let unlisted = missing
                .iter()
                .filter(|d| !named.contains(d))
                .cloned()
                .collect();
            Ok(vec![ServiceRequestEvent::DocumentsMissing {
                missing,
                unlisted,
            }])
        }
        ServiceRequestCommand::MarkComplete => {
            require_handler(actor, state, directory)?;
            require(state, &[AwaitingDocuments], "marked complete")?;
            // The clock starts once the documents are in (受理), and its due time is
            // fixed now from the calendars in force: a later correction moves no
            // running clock.
            let due = directory
                .calendar()
                .due_after(now, state.limit_working_days);
            Ok(vec![ServiceRequestEvent::DocumentsComplete { due }])
        }
        ServiceRequestCommand::Finish => {
            require_handler(actor, state, directory)?;
            require(state, &[InProgress], "finished")?;
            Ok(vec![ServiceRequestEvent::RequestDone {}])
        }
        ServiceRequestCommand::Refuse { reason } => {
            require_handler(actor, state, directory)?;
            require(state, &[AwaitingDocuments, InProgress], "refused")?;
            Ok(vec![ServiceRequestEvent::RequestRefused { reason }])
        }
        ServiceRequestCommand::Withdraw => {
            let me = actor.signed_in()?;
            if state.applicant.as_ref() != Some(me) {
                return Err(DomainError::forbidden(
                    Refusal::ONLY_APPLICANT_WITHDRAWS_REQUEST,
                ));
            }
            require(state, &[AwaitingDocuments, InProgress], "withdrawn")?;
            Ok(vec![ServiceRequestEvent::RequestWithdrawn {}])
        }
        ServiceRequestCommand::MarkOverdue { due } => {
            // A conflict tells the scheduler the clock is no longer due.
            if state.armed_deadline() != Some(due) {
                return Err(DomainError::conflict(Refusal::NOTHING_DUE).with("due", due));
            }
            if now < due {
                return Err(DomainError::conflict(Refusal::NOT_YET_DUE).with("due", due));
            }
            let escalated_to = state
                .point
                .as_ref()
                .and_then(|p| directory.jurisdiction(p))
                .and_then(|j| j.parent);
            Ok(vec![ServiceRequestEvent::RequestOverdue {
                due,
                escalated_to,
            }])
        }
        ServiceRequestCommand::Rate { rating, channel } => {
            let me = actor.signed_in()?;
            require(state, &[Done, Refused], "rated")?;
            let applicant = state.applicant.as_ref();
            let recorded_by = if applicant == Some(me) {
                if channel != Channel::Online {
                    return Err(DomainError::validation(
                        "channel",
                        Refusal::CHANNEL_ONLINE_FOR_SELF,
                    ));
                }
                None
            } else {
                let home = applicant
                    .and_then(|a| directory.member(a))
                    .and_then(|m| m.home_grid);
                if !home.is_some_and(|h| actor.serves(directory, &h)) {
                    return Err(DomainError::forbidden(Refusal::ONLY_APPLICANT_RATES));
                }
                if channel == Channel::Online {
                    return Err(DomainError::validation(
                        "channel",
                        Refusal::CHANNEL_FOR_OTHERS,
                    ));
                }
                Some(me.clone())
            };
            if state.rating.is_some() {
                return Err(DomainError::conflict(Refusal::REQUEST_RATED));
            }
            Ok(vec![ServiceRequestEvent::RequestRated {
                rating,
                channel,
                recorded_by,
            }])
        }
    }
}
