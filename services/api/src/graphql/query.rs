use async_graphql::connection::Connection;
use async_graphql::{Context, Json, Object, Result};
use roundtable_domain::{CouncilId, DomainError, JurisdictionId, MemberId, Refusal};

use super::types::*;
use crate::auth::RequestAuth;
use crate::error::OrGql;

#[derive(Default)]
pub struct PeopleQuery;

/// The signed-in caller.
pub struct Viewer {
    member: Member,
    csrf_token: String,
    session_expires_at: String,
}

#[Object]
impl Viewer {
    async fn member(&self) -> &Member {
        &self.member
    }
    /// Send as `X-CSRF-Token` with every cookie-authenticated mutation.
    async fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
    async fn session_expires_at(&self) -> &str {
        &self.session_expires_at
    }
}

fn parse<T>(raw: &str, parse: fn(&str) -> Result<T, DomainError>) -> Result<T> {
    parse(raw).gql()
}

#[Object]
impl PeopleQuery {
    /// The caller, or null when not signed in (or the session has expired).
    async fn me(&self, ctx: &Context<'_>) -> Option<Viewer> {
        let auth = ctx.data_opt::<RequestAuth>()?;
        let (session, _, _) = auth.session.as_ref()?;
        let member = member(ctx, &session.member)?;
        Some(Viewer {
            member,
            csrf_token: session.csrf.clone(),
            session_expires_at: roundtable_ledger::Timestamp::from_unix_millis(session.expires_ms)
                .to_string(),
        })
    }

    /// Everything Roundtable holds about the caller: the log events that name them
    /// and their decrypted personal data, as one JSON document.
    async fn my_data(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
        let actor = caller(ctx);
        let me = actor.signed_in().gql()?;
        app(ctx).my_data(me).await.map(Json).gql()
    }

    /// How many events of the log the read models include (the log's size as this
    /// API sees it; compare `/log/checkpoint` for the signed size).
    async fn log_size(&self, ctx: &Context<'_>) -> u64 {
        app(ctx).projections.applied()
    }

    /// The roots of the grid (cities); walk down with `children`.
    async fn jurisdiction_tree(&self, ctx: &Context<'_>) -> Vec<Jurisdiction> {
        let registry = app(ctx).projections.registry();
        registry
            .jurisdictions
            .values()
            .filter(|j| j.parent().is_none())
            .cloned()
            .map(Jurisdiction)
            .collect()
    }

    async fn jurisdiction(&self, ctx: &Context<'_>, id: String) -> Result<Jurisdiction> {
        let id = parse(&id, JurisdictionId::parse)?;
        jurisdiction(ctx, &id)
            .ok_or(
                DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND).with("jurisdiction", &id),
            )
            .gql()
    }

    /// Every jurisdiction, optionally of one kind or below one node.
    async fn jurisdictions(
        &self,
        ctx: &Context<'_>,
        kind: Option<JurisdictionKind>,
        within: Option<String>,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<Connection<String, Jurisdiction>> {
        let within = within
            .map(|w| parse(&w, JurisdictionId::parse))
            .transpose()?;
        let registry = app(ctx).projections.registry();
        let kind: Option<roundtable_domain::JurisdictionKind> = kind.map(Into::into);
        let items: Vec<_> = registry
            .jurisdictions
            .values()
            .filter(|j| kind.is_none_or(|k| j.kind() == k))
            .filter(|j| in_subtree(&registry, &j.id, within.as_ref()))
            .map(|j| (j.id.to_string(), Jurisdiction(j.clone())))
            .collect();
        connect(items, after, first)
    }

    /// A member. Signed-in callers only; personal fields are further restricted.
    async fn member(&self, ctx: &Context<'_>, id: String) -> Result<Member> {
        caller(ctx).signed_in().gql()?;
        let id = parse(&id, MemberId::parse)?;
        member(ctx, &id)
            .ok_or(DomainError::not_found(Refusal::MEMBER_NOT_FOUND).with("member", &id))
            .gql()
    }

    /// Members, optionally living in (or serving) a jurisdiction's subtree.
    async fn members(
        &self,
        ctx: &Context<'_>,
        within: Option<String>,
        verified: Option<bool>,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<Connection<String, Member>> {
        caller(ctx).signed_in().gql()?;
        let within = within
            .map(|w| parse(&w, JurisdictionId::parse))
            .transpose()?;
        let registry = app(ctx).projections.registry();
        let items: Vec<_> = registry
            .members
            .values()
            .filter(|m| verified.is_none_or(|v| m.verified_by().is_some() == v))
            .filter(|m| {
                within.is_none()
                    || m.home_grid()
                        .as_ref()
                        .is_some_and(|home| in_subtree(&registry, home, within.as_ref()))
            })
            .map(|m| (m.id.to_string(), Member::from(m.clone())))
            .collect();
        connect(items, after, first)
    }

    async fn council(&self, ctx: &Context<'_>, id: String) -> Result<Council> {
        let id = parse(&id, CouncilId::parse)?;
        council(ctx, &id)
            .ok_or(DomainError::not_found(Refusal::COUNCIL_NOT_FOUND).with("council", &id))
            .gql()
    }

    /// Councils, optionally those sitting in a jurisdiction's subtree.
    async fn councils(
        &self,
        ctx: &Context<'_>,
        within: Option<String>,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<Connection<String, Council>> {
        let within = within
            .map(|w| parse(&w, JurisdictionId::parse))
            .transpose()?;
        let registry = app(ctx).projections.registry();
        let items: Vec<_> = registry
            .councils
            .values()
            .filter(|c| in_subtree(&registry, c.jurisdiction(), within.as_ref()))
            .map(|c| (c.id.to_string(), Council(c.clone())))
            .collect();
        connect(items, after, first)
    }
}
