//! Service mutations: the catalogue's staff publish, revise and withdraw entries;
//! residents (or grid workers for them) ask; the service point's staff check the
//! documents, finish or refuse; the applicant withdraws or rates. The rules are the
//! domain's (`service/`).

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use roundtable_domain::{
    self as domain, JurisdictionId, Name, OpenRequest, Reason, Service, ServiceCommand, ServiceId,
    ServiceRequest, ServiceRequestCommand as C, ServiceRequestId, ServiceSpec,
};

use super::super::issues::{Channel, Rating, on_allowance};
use super::super::mediation::{channel, party_or_me};
use super::super::mutation::{key, run};
use super::super::types::caller;
use super::objects::*;
use crate::error::OrGql;

#[derive(InputObject)]
pub struct ServiceSpecInput {
    pub name: String,
    pub description: String,
    #[graphql(default)]
    pub keywords: Vec<String>,
    pub documents: Vec<String>,
    pub point: String,
    pub counter: String,
    pub hours: String,
    pub limit_working_days: u32,
    pub responsible: String,
}

fn names(field: &'static str, raw: &[String], max: usize) -> Result<Vec<Name>> {
    if raw.len() > max {
        return Err(
            domain::DomainError::validation(field, domain::Refusal::OUT_OF_RANGE)
                .with("min", 0)
                .with("max", max)
                .with("got", raw.len()),
        )
        .gql();
    }
    raw.iter().map(|n| Name::parse(n).gql()).collect()
}

impl ServiceSpecInput {
    fn spec(&self) -> Result<ServiceSpec> {
        Ok(ServiceSpec {
            name: Name::parse(&self.name).gql()?,
            description: self.description.clone(),
            keywords: names("keywords", &self.keywords, domain::MAX_KEYWORDS)?,
            documents: names("documents", &self.documents, domain::MAX_DOCUMENTS)?,
            point: JurisdictionId::parse(&self.point).gql()?,
            counter: Name::parse(&self.counter).gql()?,
            hours: Name::parse(&self.hours).gql()?,
            limit_working_days: self.limit_working_days,
            responsible: Name::parse(&self.responsible).gql()?,
        })
    }
}

#[derive(InputObject)]
pub struct PublishServiceInput {
    /// The catalogue: offered to residents of this node's subtree.
    pub jurisdiction: String,
    pub spec: ServiceSpecInput,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ReviseServiceInput {
    pub service: String,
    pub spec: ServiceSpecInput,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct WithdrawServiceInput {
    pub service: String,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct ServicePayload {
    pub service: Option<CatalogueService>,
    pub indexes: Vec<u64>,
}

#[derive(InputObject)]
pub struct OpenServiceRequestInput {
    pub service: String,
    /// A grid worker taking it down for a resident names them and the channel.
    pub on_behalf_of: Option<String>,
    pub channel: Option<Channel>,
    /// The grid worker collects the documents at the resident's home.
    #[graphql(default)]
    pub at_home: bool,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ServiceRequestInput {
    pub request: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct MissingDocumentsInput {
    pub request: String,
    pub missing: Vec<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RefuseServiceRequestInput {
    pub request: String,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RateServiceRequestInput {
    pub request: String,
    pub rating: Rating,
    /// A grid worker taking the rating on a feedback visit says how.
    pub channel: Option<Channel>,
    pub idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct ServiceRequestPayload {
    pub request: Option<Request>,
    pub indexes: Vec<u64>,
}

async fn on_service(
    ctx: &Context<'_>,
    id: ServiceId,
    command: ServiceCommand,
    idempotency_key: &Option<String>,
) -> Result<ServicePayload> {
    let indexes = run::<Service>(ctx, &id, command, idempotency_key).await?;
    Ok(ServicePayload {
        service: service(ctx, &id),
        indexes,
    })
}

async fn on_request(
    ctx: &Context<'_>,
    raw: &str,
    command: C,
    idempotency_key: &Option<String>,
) -> Result<ServiceRequestPayload> {
    let id = ServiceRequestId::parse(raw).gql()?;
    let indexes = run::<ServiceRequest>(ctx, &id, command, idempotency_key).await?;
    Ok(ServiceRequestPayload {
        request: request(ctx, &id),
        indexes,
    })
}

#[derive(Default)]
pub struct ServiceMutation;

#[Object]
impl ServiceMutation {
    /// The catalogue's staff (an administrator, or a grid worker serving it) add a service.
    async fn publish_service(
        &self,
        ctx: &Context<'_>,
        input: PublishServiceInput,
    ) -> Result<ServicePayload> {
        let actor = caller(ctx);
        let id = ServiceId::from_unique(&roundtable_app::mint_for(
            &actor,
            "service",
            key(&input.idempotency_key)?,
        ))
        .gql()?;
        let command = ServiceCommand::Publish {
            jurisdiction: JurisdictionId::parse(&input.jurisdiction).gql()?,
            spec: input.spec.spec()?,
        };
        on_service(ctx, id, command, &input.idempotency_key).await
    }

    /// A new version of an entry; requests keep the version they were made under.
    async fn revise_service(
        &self,
        ctx: &Context<'_>,
        input: ReviseServiceInput,
    ) -> Result<ServicePayload> {
        let id = ServiceId::parse(&input.service).gql()?;
        let command = ServiceCommand::Revise {
            spec: input.spec.spec()?,
            reason: Reason::parse(&input.reason).gql()?,
        };
        on_service(ctx, id, command, &input.idempotency_key).await
    }

    async fn withdraw_service(
        &self,
        ctx: &Context<'_>,
        input: WithdrawServiceInput,
    ) -> Result<ServicePayload> {
        let id = ServiceId::parse(&input.service).gql()?;
        let command = ServiceCommand::Withdraw {
            reason: Reason::parse(&input.reason).gql()?,
        };
        on_service(ctx, id, command, &input.idempotency_key).await
    }

    /// A verified resident asks for a service offered where they live (or a grid
    /// worker for them, who may collect the documents at home). Its clock in working
    /// days is fixed now. Each request is one of the caller's raises.
    async fn open_service_request(
        &self,
        ctx: &Context<'_>,
        input: OpenServiceRequestInput,
    ) -> Result<ServiceRequestPayload> {
        let actor = caller(ctx);
        let applicant = party_or_me(ctx, &input.on_behalf_of)?;
        let id = ServiceRequestId::from_unique(&roundtable_app::mint_for(
            &actor,
            "service_request",
            key(&input.idempotency_key)?,
        ))
        .gql()?;
        let command = C::Open(OpenRequest {
            service: ServiceId::parse(&input.service).gql()?,
            applicant,
            channel: channel(&input.on_behalf_of, input.channel),
            at_home: input.at_home,
        });
        let key = input.idempotency_key.clone();
        let open = async { on_request(ctx, id.as_str(), command, &key).await };
        on_allowance(ctx, roundtable_app::limits::Action::Raise, open).await
    }

    /// The counter lists what is still missing: one more trip for the resident.
    async fn list_missing_documents(
        &self,
        ctx: &Context<'_>,
        input: MissingDocumentsInput,
    ) -> Result<ServiceRequestPayload> {
        let missing = names("missing", &input.missing, domain::MAX_DOCUMENTS)?;
        on_request(
            ctx,
            &input.request,
            C::ListMissing { missing },
            &input.idempotency_key,
        )
        .await
    }

    async fn mark_documents_complete(
        &self,
        ctx: &Context<'_>,
        input: ServiceRequestInput,
    ) -> Result<ServiceRequestPayload> {
        on_request(ctx, &input.request, C::MarkComplete, &input.idempotency_key).await
    }

    async fn finish_service_request(
        &self,
        ctx: &Context<'_>,
        input: ServiceRequestInput,
    ) -> Result<ServiceRequestPayload> {
        on_request(ctx, &input.request, C::Finish, &input.idempotency_key).await
    }

    async fn refuse_service_request(
        &self,
        ctx: &Context<'_>,
        input: RefuseServiceRequestInput,
    ) -> Result<ServiceRequestPayload> {
        let reason = Reason::parse(&input.reason).gql()?;
        on_request(
            ctx,
            &input.request,
            C::Refuse { reason },
            &input.idempotency_key,
        )
        .await
    }

    async fn withdraw_service_request(
        &self,
        ctx: &Context<'_>,
        input: ServiceRequestInput,
    ) -> Result<ServiceRequestPayload> {
        on_request(ctx, &input.request, C::Withdraw, &input.idempotency_key).await
    }

    async fn rate_service_request(
        &self,
        ctx: &Context<'_>,
        input: RateServiceRequestInput,
    ) -> Result<ServiceRequestPayload> {
        let command = C::Rate {
            rating: input.rating.into(),
            channel: input.channel.map_or(domain::Channel::Online, Into::into),
        };
        on_request(ctx, &input.request, command, &input.idempotency_key).await
    }
}
