//! Meeting and resolution queries: one meeting or resolution, filtered lists (newest
//! first), and a council's docket.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, Result};
use roundtable_domain::{CouncilId, IssueStatus, JurisdictionId, MeetingId, ResolutionId};

use super::super::issues::{Issue, page_size, subtree};
use super::super::types::app;
use super::objects::{Meeting, MeetingPhase, Resolution};
use crate::error::OrGql;

#[derive(InputObject, Default)]
pub struct MeetingFilterInput {
    pub council: Option<String>,
    /// Meetings of councils at this place or below it.
    pub within: Option<String>,
    pub phase: Option<MeetingPhase>,
}

#[derive(InputObject, Default)]
pub struct ResolutionFilterInput {
    pub council: Option<String>,
    pub within: Option<String>,
    /// Only those with an assignment past due and not done.
    pub overdue: Option<bool>,
    /// Only those not yet implemented.
    pub open: Option<bool>,
}

fn parse_council(raw: &Option<String>) -> Result<Option<CouncilId>> {
    raw.as_deref().map(CouncilId::parse).transpose().gql()
}

/// The councils sitting in the subtree of `within`, if given.
fn councils_within(ctx: &Context<'_>, within: &Option<String>) -> Result<Option<Vec<CouncilId>>> {
    let Some(w) = within else { return Ok(None) };
    let places = subtree(ctx, &JurisdictionId::parse(w).gql()?);
    let registry = app(ctx).projections.registry();
    Ok(Some(
        registry
            .councils
            .values()
            .filter(|c| places.contains(c.jurisdiction()))
            .map(|c| c.id.clone())
            .collect(),
    ))
}

/// The page after the node named `after` (exclusive) of an ordered list of views.
fn page<V, N: async_graphql::OutputType>(
    all: &[&std::sync::Arc<V>],
    id: impl Fn(&V) -> String,
    wrap: impl Fn(std::sync::Arc<V>) -> N,
    after: Option<&str>,
    first: usize,
) -> Connection<String, N> {
    let start = match after {
        Some(a) => all
            .iter()
            .position(|x| id(x) == a)
            .map_or(all.len(), |p| p + 1),
        None => 0,
    };
    let page = &all[start.min(all.len())..(start + first).min(all.len())];
    let mut connection = Connection::new(after.is_some(), start + page.len() < all.len());
    connection
        .edges
        .extend(page.iter().map(|x| Edge::new(id(x), wrap((*x).clone()))));
    connection
}

#[derive(Default)]
pub struct MeetingQuery;

#[Object]
impl MeetingQuery {
    async fn meeting(&self, ctx: &Context<'_>, id: String) -> Result<Option<Meeting>> {
        let id = MeetingId::parse(&id).gql()?;
        Ok(app(ctx)
            .projections
            .meetings()
            .meeting(&id)
            .cloned()
            .map(Meeting))
    }

    /// Meetings, latest start first.
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        filter: Option<MeetingFilterInput>,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<Connection<String, Meeting>> {
        let filter = filter.unwrap_or_default();
        let first = page_size(first)?;
        let council = parse_council(&filter.council)?;
        let within = councils_within(ctx, &filter.within)?;
        let after = after.map(|a| MeetingId::parse(&a)).transpose().gql()?;
        let meetings = app(ctx).projections.meetings();
        let mut all: Vec<_> = meetings
            .meetings()
            .filter(|m| council.is_none() || m.state.council == council)
            .filter(|m| {
                within
                    .as_ref()
                    .is_none_or(|w| m.state.council.as_ref().is_some_and(|c| w.contains(c)))
            })
            .filter(|m| {
                filter
                    .phase
                    .is_none_or(|p| MeetingPhase::from(m.state.phase) == p)
            })
            .collect();
        all.sort_by(|a, b| {
            b.state
                .starts_at
                .cmp(&a.state.starts_at)
                .then(b.id.cmp(&a.id))
        });
        Ok(page(
            &all,
            |m| m.id.to_string(),
            Meeting,
            after.as_ref().map(|a| a.as_str()),
            first,
        ))
    }

    async fn resolution(&self, ctx: &Context<'_>, id: String) -> Result<Option<Resolution>> {
        let id = ResolutionId::parse(&id).gql()?;
        Ok(app(ctx)
            .projections
            .meetings()
            .resolution(&id)
            .cloned()
            .map(Resolution))
    }

    /// Resolutions, newest first, with their progress and overdue state.
    async fn resolutions(
        &self,
        ctx: &Context<'_>,
        filter: Option<ResolutionFilterInput>,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<Connection<String, Resolution>> {
        let filter = filter.unwrap_or_default();
        let first = page_size(first)?;
        let council = parse_council(&filter.council)?;
        let within = councils_within(ctx, &filter.within)?;
        let after = after.map(|a| ResolutionId::parse(&a)).transpose().gql()?;
        let now = app(ctx).clock.now();
        let meetings = app(ctx).projections.meetings();
        let mut all: Vec<_> = meetings
            .resolutions()
            .filter(|r| council.as_ref().is_none_or(|c| &r.council == c))
            .filter(|r| within.as_ref().is_none_or(|w| w.contains(&r.council)))
            .filter(|r| {
                filter
                    .overdue
                    .is_none_or(|o| o != r.overdue(now).is_empty())
            })
            .filter(|r| filter.open.is_none_or(|o| o != r.state.implemented))
            .collect();
        all.sort_by(|a, b| b.adopted_at.cmp(&a.adopted_at).then(b.id.cmp(&a.id)));
        Ok(page(
            &all,
            |r| r.id.to_string(),
            Resolution,
            after.as_ref().map(|a| a.as_str()),
            first,
        ))
    }

    /// The council's docket: live issues with it or put on its docket by co-signers,
    /// not yet answered by a resolution, oldest first.
    async fn docket(&self, ctx: &Context<'_>, council: String) -> Result<Vec<Issue>> {
        let council = CouncilId::parse(&council).gql()?;
        let issues = app(ctx).projections.issues();
        let mut docket: Vec<_> = issues
            .all()
            .filter(|i| matches!(i.state.status, IssueStatus::Open | IssueStatus::Accepted))
            .filter(|i| {
                i.state.council.as_ref() == Some(&council)
                    || i.state.docketed_at.as_ref() == Some(&council)
            })
            .filter_map(|i| issues.get(&i.id).cloned())
            .collect();
        docket.sort_by_key(|i| i.raised_at);
        docket.truncate(100);
        Ok(docket.into_iter().map(Issue).collect())
    }
}
