//! The catalogue and requests as GraphQL objects: a service as anyone reads it
//! (what to bring, where, when, how many working days), a request as its
//! applicant and its staff read it (the domain's `may_read`), and the figures.

use async_graphql::{Context, Enum, Object, SimpleObject};
use roundtable_domain::{
    self as domain, Aggregate, CHINA_OFFSET_MINUTES, Channel as DomainChannel, Directory,
    RequestRecord, ServiceFacts, ServiceFigures, ServiceId, ServiceRequest as Decider,
    ServiceRequestCommand as C, ServiceRequestId, ServiceTally,
};

use super::super::issues::Rating;
use super::super::types::{Jurisdiction, Member, app, caller, jurisdiction, member};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::RequestStatus")]
pub enum RequestStatus {
    AwaitingDocuments,
    InProgress,
    Done,
    Refused,
    Withdrawn,
}

/// One entry of a catalogue.
pub struct CatalogueService(pub ServiceFacts);

#[Object(name = "Service")]
impl CatalogueService {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    /// The catalogue it is in (offered to residents of this node's subtree).
    async fn jurisdiction(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        jurisdiction(ctx, &self.0.jurisdiction)
    }
    async fn name(&self) -> &str {
        self.0.spec.name.as_str()
    }
    async fn description(&self) -> &str {
        &self.0.spec.description
    }
    async fn keywords(&self) -> Vec<&str> {
        self.0.spec.keywords.iter().map(|k| k.as_str()).collect()
    }
    /// What to bring, so the first trip is the last.
    async fn documents(&self) -> Vec<&str> {
        self.0.spec.documents.iter().map(|d| d.as_str()).collect()
    }
    /// The service point.
    async fn point(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        jurisdiction(ctx, &self.0.spec.point)
    }
    async fn counter(&self) -> &str {
        self.0.spec.counter.as_str()
    }
    async fn hours(&self) -> &str {
        self.0.spec.hours.as_str()
    }
    async fn limit_working_days(&self) -> u32 {
        self.0.spec.limit_working_days
    }
    async fn responsible(&self) -> &str {
        self.0.spec.responsible.as_str()
    }
    async fn version(&self) -> u32 {
        self.0.version
    }
    async fn spec_hash(&self) -> String {
        self.0.spec_hash.to_string()
    }
    async fn withdrawn(&self) -> bool {
        self.0.withdrawn
    }
    /// This service's public figures.
    async fn figures(&self, ctx: &Context<'_>) -> Figures {
        let id = &self.0.id;
        Figures(
            app(ctx)
                .projections
                .requests()
                .tally
                .figures(|r| r.service() == Some(id)),
        )
    }
    /// Whether the viewer may ask for it for themselves now (a verified resident
    /// living where it is offered), and whether they may take it down for a resident.
    async fn viewer_can(&self, ctx: &Context<'_>) -> ServiceCan {
        let app = app(ctx);
        let actor = caller(ctx);
        let directory = app.projections.directory();
        let context = domain::Context {
            actor: actor.clone(),
            now: app.clock.now(),
        };
        let Ok(placeholder) = ServiceRequestId::from_unique("0") else {
            return ServiceCan::default();
        };
        let open = |applicant: domain::MemberId, channel| {
            Decider::refusal(
                &placeholder,
                &Default::default(),
                C::Open(domain::OpenRequest {
                    service: self.0.id.clone(),
                    applicant,
                    channel,
                    at_home: false,
                }),
                &context,
                &directory,
                &[],
            )
            .is_none()
        };
        let request = actor
            .member
            .clone()
            .is_some_and(|me| open(me, DomainChannel::Online));
        let staff = actor.is_administrator() || actor.serves(&directory, &self.0.jurisdiction);
        // A grid worker whose area overlaps the catalogue's takes requests down for
        // its residents (each resident is checked when the request is made).
        let catalogue = &self.0.jurisdiction;
        let overlaps = actor.roles.iter().any(|r| match r {
            domain::Role::GridWorker {
                jurisdiction: scope,
            } => directory.is_within(scope, catalogue) || directory.is_within(catalogue, scope),
            _ => false,
        });
        ServiceCan {
            request,
            request_for_resident: !self.0.withdrawn && overlaps,
            revise: staff && !self.0.withdrawn,
            withdraw: staff && !self.0.withdrawn,
        }
    }
}

#[derive(SimpleObject, Default)]
pub struct ServiceCan {
    pub request: bool,
    /// A grid worker taking it down for a resident (the resident is chosen later).
    pub request_for_resident: bool,
    pub revise: bool,
    pub withdraw: bool,
}

pub fn service(ctx: &Context<'_>, id: &ServiceId) -> Option<CatalogueService> {
    app(ctx)
        .projections
        .registry()
        .service(id)
        .map(CatalogueService)
}

/// The public figures of a set of requests.
pub struct Figures(pub ServiceFigures);

#[Object(name = "ServiceFigures")]
impl Figures {
    async fn requests(&self) -> u32 {
        self.0.requests
    }
    async fn done(&self) -> u32 {
        self.0.done
    }
    /// Done in at most one trip.
    async fn one_trip(&self) -> u32 {
        self.0.one_trip
    }
    async fn one_trip_share(&self) -> Option<f64> {
        self.0.one_trip_share()
    }
    async fn on_time(&self) -> u32 {
        self.0.on_time
    }
    async fn on_time_share(&self) -> Option<f64> {
        self.0.on_time_share()
    }
    async fn refused(&self) -> u32 {
        self.0.refused
    }
    async fn median_working_days(&self) -> Option<f64> {
        self.0.median_working_days()
    }
    async fn rated(&self) -> u32 {
        self.0.rated
    }
    async fn satisfaction(&self) -> Option<f64> {
        self.0.satisfaction()
    }
    /// Requests that needed a document the catalogue did not name.
    async fn flagged(&self) -> u32 {
        self.0.flagged
    }
}

/// A request, for those who may read it.
pub struct Request {
    pub id: ServiceRequestId,
    pub record: RequestRecord,
}

impl Request {
    fn state(&self) -> &domain::ServiceRequestState {
        &self.record.state
    }
}

#[derive(SimpleObject)]
pub struct RequestEvent {
    /// The event type (`service_request.opened`, …).
    pub kind: String,
    pub at: String,
    pub index: u64,
}

#[Object(name = "ServiceRequest")]
impl Request {
    async fn id(&self) -> &str {
        self.id.as_str()
    }
    async fn service(&self, ctx: &Context<'_>) -> Option<CatalogueService> {
        service(ctx, self.state().service.as_ref()?)
    }
    /// The catalogue version it was made under.
    async fn version(&self) -> u32 {
        self.state().version
    }
    async fn status(&self) -> Option<RequestStatus> {
        self.state().status.map(Into::into)
    }
    async fn applicant(&self, ctx: &Context<'_>) -> Option<Member> {
        member(ctx, self.state().applicant.as_ref()?)
    }
    async fn taken_down_by(&self, ctx: &Context<'_>) -> Option<Member> {
        member(ctx, self.state().on_behalf_by.as_ref()?)
    }
    async fn at_home(&self) -> bool {
        self.state().at_home
    }
    async fn point(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        jurisdiction(ctx, self.state().point.as_ref()?)
    }
    async fn escalated_to(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        jurisdiction(ctx, self.state().escalated_to.as_ref()?)
    }
    async fn opened_at(&self) -> String {
        self.record.opened_at.to_string()
    }
    /// The end of the last working day.
    async fn due(&self) -> Option<String> {
        self.state().due.map(|d| d.to_string())
    }
    /// The due day in Beijing time (`YYYY-MM-DD`), as the counter says it.
    async fn due_day(&self) -> Option<String> {
        self.state()
            .due
            .map(|d| d.date(CHINA_OFFSET_MINUTES).plus_days(-1).to_string())
    }
    async fn limit_working_days(&self) -> u32 {
        self.state().limit_working_days
    }
    /// Working days after today up to the due day (0 on it and after), while it runs.
    async fn working_days_left(&self, ctx: &Context<'_>) -> Option<u32> {
        let state = self.state();
        let due = state
            .due
            .filter(|_| state.status.is_some_and(|s| !s.is_final()))?;
        let app = app(ctx);
        let calendar = app.projections.registry().calendar.clone();
        Some(calendar.working_days_left(app.clock.now(), due))
    }
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        let state = self.state();
        state.overdue
            || (state.status.is_some_and(|s| !s.is_final())
                && state.due.is_some_and(|d| d <= app(ctx).clock.now()))
    }
    /// Trips to the counter so far (none for documents collected at home).
    async fn trips(&self) -> u32 {
        self.state().trips()
    }
    /// Each list of missing documents, in order.
    async fn missing(&self) -> Vec<Vec<&str>> {
        self.state()
            .missing
            .iter()
            .map(|l| l.iter().map(|d| d.as_str()).collect())
            .collect()
    }
    /// Missing documents the catalogue entry did not name.
    async fn unlisted(&self) -> Vec<&str> {
        self.state().unlisted.iter().map(|d| d.as_str()).collect()
    }
    async fn working_days(&self) -> Option<u32> {
        self.record.working_days
    }
    async fn rating(&self) -> Option<Rating> {
        self.state().rating.map(Into::into)
    }
    async fn history(&self, ctx: &Context<'_>) -> Vec<RequestEvent> {
        app(ctx)
            .projections
            .requests()
            .history(&self.id)
            .iter()
            .map(|e| RequestEvent {
                kind: e.kind.clone(),
                at: e.time.to_string(),
                index: e.index,
            })
            .collect()
    }
    async fn viewer_can(&self, ctx: &Context<'_>) -> RequestCan {
        let app = app(ctx);
        let actor = caller(ctx);
        if actor.member.is_none() {
            return RequestCan::default();
        }
        let context = domain::Context {
            actor,
            now: app.clock.now(),
        };
        let directory = app.projections.directory();
        let may = |command: C, later: &[&str]| {
            Decider::refusal(&self.id, self.state(), command, &context, &directory, later).is_none()
        };
        let placeholder = || {
            domain::Name::parse("-")
                .map(|n| vec![n])
                .unwrap_or_default()
        };
        let reason = domain::Reason::parse("-");
        let rate = |channel| {
            may(
                C::Rate {
                    rating: domain::Rating::Satisfied,
                    channel,
                },
                &[],
            )
        };
        RequestCan {
            list_missing: may(
                C::ListMissing {
                    missing: placeholder(),
                },
                &[],
            ),
            mark_complete: may(C::MarkComplete, &[]),
            finish: may(C::Finish, &[]),
            refuse: reason.is_ok_and(|reason| may(C::Refuse { reason }, &[])),
            withdraw: may(C::Withdraw, &[]),
            rate: rate(DomainChannel::Online),
            record_rating: rate(DomainChannel::Visit),
        }
    }
}

#[derive(SimpleObject, Default)]
pub struct RequestCan {
    pub list_missing: bool,
    pub mark_complete: bool,
    pub finish: bool,
    pub refuse: bool,
    pub withdraw: bool,
    /// The applicant rates it.
    pub rate: bool,
    /// A grid worker takes the applicant's rating on a feedback visit.
    pub record_rating: bool,
}

/// The request if the viewer may read it (the domain's `may_read`).
pub fn request(ctx: &Context<'_>, id: &ServiceRequestId) -> Option<Request> {
    let app = app(ctx);
    let record = app.projections.requests().tally.request(id)?.clone();
    let directory = app.projections.directory();
    record
        .state
        .may_read(&caller(ctx), &directory)
        .then(|| Request {
            id: id.clone(),
            record,
        })
}

/// Figures per service point and service within a set of nodes.
#[derive(SimpleObject)]
pub struct ServiceStatsRow {
    pub point: Option<Jurisdiction>,
    pub service: Option<CatalogueService>,
    pub figures: Figures,
}

/// The most rows `serviceStats` gives (`LIST_BOUNDS`).
const MAX_ROWS: usize = 500;

pub fn rows(
    ctx: &Context<'_>,
    tally: &ServiceTally,
    within: impl Fn(&domain::JurisdictionId) -> bool,
) -> Vec<ServiceStatsRow> {
    tally
        .by_point_and_service()
        .into_iter()
        .filter(|((point, _), _)| within(point))
        .take(MAX_ROWS)
        .map(|((point, sv), figures)| ServiceStatsRow {
            point: jurisdiction(ctx, &point),
            service: service(ctx, &sv),
            figures: Figures(figures),
        })
        .collect()
}
