//! Service queries: the catalogue offered at a place (searched by the words
//! residents use), one service, one request, the caller's requests, a service
//! point's queue by due time, and the figures.

use async_graphql::{Context, Object, Result};
use roundtable_domain::{self as domain, DomainError, JurisdictionId, ServiceId, ServiceRequestId};
use roundtable_projections::tokens;

use super::super::issues::{page_size, subtree};
use super::super::types::{app, caller};
use super::objects::*;
use crate::error::OrGql;

/// The most entries a catalogue search looks through (a city's catalogues hold
/// hundreds, not more).
const MAX_SCANNED: usize = 2000;

#[derive(Default)]
pub struct ServiceQuery;

#[Object]
impl ServiceQuery {
    /// Services offered to residents at `at` (a node; by default the caller's home
    /// grid): those of its catalogue and of every catalogue above it, matching
    /// every word of `search` (Chinese by character pairs) in the name, the other
    /// words residents use, the description or the documents; names first.
    async fn services(
        &self,
        ctx: &Context<'_>,
        at: Option<String>,
        search: Option<String>,
        first: Option<i32>,
    ) -> Result<Vec<CatalogueService>> {
        let first = page_size(first)?;
        let app = app(ctx);
        let registry = app.projections.registry();
        let at = match at {
            Some(raw) => Some(JurisdictionId::parse(&raw).gql()?),
            None => caller(ctx).home_grid,
        };
        let line: Vec<JurisdictionId> = at
            .as_ref()
            .map(|a| domain::Directory::lineage(&*registry, a))
            .unwrap_or_default();
        let query = search.as_deref().map(tokens).unwrap_or_default();
        let mut found: Vec<(bool, String, domain::ServiceFacts)> = registry
            .services
            .iter()
            .take(MAX_SCANNED)
            .filter_map(|(id, view)| view.state.facts(id))
            .filter(|f| !f.withdrawn)
            .filter(|f| at.is_none() || line.contains(&f.jurisdiction))
            .filter_map(|f| {
                let spec = &f.spec;
                let title: String = std::iter::once(spec.name.as_str())
                    .chain(spec.keywords.iter().map(|k| k.as_str()))
                    .collect::<Vec<_>>()
                    .join(" ");
                let in_title = tokens(&title);
                if query.iter().all(|t| in_title.contains(t)) {
                    return Some((true, spec.name.to_string(), f));
                }
                let body = format!(
                    "{title} {} {}",
                    spec.description,
                    spec.documents
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                let all = tokens(&body);
                let name = spec.name.to_string();
                query
                    .iter()
                    .all(|t| all.contains(t))
                    .then_some((false, name, f))
            })
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        Ok(found
            .into_iter()
            .take(first)
            .map(|(_, _, f)| CatalogueService(f))
            .collect())
    }

    async fn service(&self, ctx: &Context<'_>, id: String) -> Result<Option<CatalogueService>> {
        let id = ServiceId::parse(&id).gql()?;
        Ok(service(ctx, &id))
    }

    /// A request, for its applicant, the grid worker who took it down, its staff,
    /// administrators and auditors; `null` for anyone else.
    async fn service_request(&self, ctx: &Context<'_>, id: String) -> Result<Option<Request>> {
        let id = ServiceRequestId::parse(&id).gql()?;
        Ok(request(ctx, &id))
    }

    /// The caller's requests (made or taken down), newest first.
    async fn my_service_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<Request>> {
        let me = caller(ctx)
            .member
            .ok_or(DomainError::Unauthenticated)
            .gql()?;
        let first = page_size(first)?;
        let ids = app(ctx).projections.requests().involving(&me);
        Ok(ids
            .iter()
            .filter_map(|id| request(ctx, id))
            .take(first)
            .collect())
    }

    /// Live requests at service points the caller serves, in `within`'s subtree
    /// (by default all they serve), the nearest due first.
    async fn service_queue(
        &self,
        ctx: &Context<'_>,
        within: Option<String>,
        first: Option<i32>,
    ) -> Result<Vec<Request>> {
        let actor = caller(ctx);
        actor.signed_in().gql()?;
        let first = page_size(first)?;
        let scopes: Vec<JurisdictionId> = match within {
            Some(raw) => vec![JurisdictionId::parse(&raw).gql()?],
            None => actor
                .roles
                .iter()
                .filter_map(|r| match r {
                    domain::Role::GridWorker { jurisdiction } => Some(jurisdiction.clone()),
                    _ => None,
                })
                .collect(),
        };
        let mut nodes = std::collections::BTreeSet::new();
        for scope in &scopes {
            nodes.extend(subtree(ctx, scope));
        }
        let ids = app(ctx).projections.requests().queue(&nodes);
        // Only what the caller handles (the domain's rule) is in their queue.
        let directory = app(ctx).projections.directory();
        let mine: Vec<ServiceRequestId> = {
            let requests = app(ctx).projections.requests();
            ids.into_iter()
                .filter(|id| {
                    requests
                        .tally
                        .request(id)
                        .is_some_and(|r| r.state.is_handler(&actor, &directory))
                })
                .take(first)
                .collect()
        };
        drop(directory);
        Ok(mine.iter().filter_map(|id| request(ctx, id)).collect())
    }

    /// The figures per service point and service in `within`'s subtree (all by
    /// default): public, recomputed by `audit verify`.
    async fn service_stats(
        &self,
        ctx: &Context<'_>,
        within: Option<String>,
    ) -> Result<ServiceStats> {
        let nodes = match within {
            Some(raw) => Some(subtree(ctx, &JurisdictionId::parse(&raw).gql()?)),
            None => None,
        };
        let inside = |p: &JurisdictionId| nodes.as_ref().is_none_or(|n| n.contains(p));
        let requests = app(ctx).projections.requests();
        let total = Figures(requests.tally.figures(|r| r.point().is_some_and(inside)));
        let rows = rows(ctx, &requests.tally, inside);
        Ok(ServiceStats { total, rows })
    }
}

#[derive(async_graphql::SimpleObject)]
pub struct ServiceStats {
    pub total: Figures,
    pub rows: Vec<ServiceStatsRow>,
}
