//! Issues in GraphQL: the `Issue` type, its queries and the raise / edit / co-sign
//! mutations (issue 4; triage, clocks and responses follow).

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};
use roundtable_domain::{
    self as domain, DomainError, Issue as IssueAggregate, IssueCommand, IssueId, IssueText,
    JurisdictionId, MemberId,
};
use roundtable_projections::{IssueVersion as VersionView, IssueView};

use super::mutation::{key, run};
use super::types::{
    Jurisdiction, Member, app, caller, connect, council, in_subtree, jurisdiction, member,
};
use crate::error::OrGql;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Category")]
pub enum Category {
    Water,
    Drainage,
    Roads,
    Greening,
    Sanitation,
    Safety,
    NeighbourDispute,
    Employment,
    ElderlyCare,
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Channel")]
pub enum Channel {
    Online,
    Visit,
    Phone,
    Wechat,
    Paper,
}

pub struct IssueVersion(VersionView, usize, usize);

#[Object]
impl IssueVersion {
    /// 1 for the text as raised, 2 after the first edit, …
    async fn number(&self) -> usize {
        self.1
    }
    async fn title(&self) -> &str {
        &self.0.text.title
    }
    async fn description(&self) -> &str {
        &self.0.text.description
    }
    async fn place(&self) -> &str {
        &self.0.text.place
    }
    /// SHA-256 of the version's canonical JSON; co-signatures name it.
    async fn hash(&self) -> &str {
        self.0.hash.as_str()
    }
    async fn at(&self) -> String {
        self.0.at.to_string()
    }
    /// Current co-signers who supported this version.
    async fn supports(&self) -> usize {
        self.2
    }
}

pub struct Issue(pub IssueView);

#[Object]
impl Issue {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn category(&self) -> Category {
        self.0.category.into()
    }
    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }
    async fn raised_at(&self) -> String {
        self.0.raised_at.to_string()
    }
    async fn raiser(&self, ctx: &Context<'_>) -> Option<Member> {
        member(ctx, &self.0.raiser)
    }
    async fn raised_on_behalf_by(&self, ctx: &Context<'_>) -> Option<Member> {
        member(ctx, self.0.on_behalf_by.as_ref()?)
    }
    async fn jurisdiction(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        jurisdiction(ctx, &self.0.jurisdiction)
    }
    /// The current text.
    async fn current(&self) -> Option<IssueVersion> {
        self.versions_list().pop()
    }
    /// Every version, first to last.
    async fn versions(&self) -> Vec<IssueVersion> {
        self.versions_list()
    }
    async fn cosigner_count(&self) -> usize {
        self.0.cosigners.len()
    }
    /// SHA-256 of each photo.
    async fn photos(&self) -> Vec<&str> {
        self.0.photos.iter().map(|h| h.as_str()).collect()
    }
    /// The council whose docket the issue reached, once co-signers met its threshold.
    async fn docket(&self, ctx: &Context<'_>) -> Option<super::types::Council> {
        council(ctx, self.0.docket.as_ref()?)
    }
    /// Log indexes of the issue's events, in order.
    async fn timeline(&self) -> &[u64] {
        &self.0.timeline
    }
    /// Whether the caller co-signs it now.
    async fn cosigned_by_me(&self, ctx: &Context<'_>) -> bool {
        caller(ctx)
            .member
            .is_some_and(|me| self.0.cosigners.contains_key(&me))
    }
}

impl Issue {
    fn versions_list(&self) -> Vec<IssueVersion> {
        let supports = self.0.supports_per_version();
        self.0
            .versions
            .iter()
            .enumerate()
            .map(|(n, v)| IssueVersion(v.clone(), n + 1, supports.get(n).copied().unwrap_or(0)))
            .collect()
    }
}

fn issue(ctx: &Context<'_>, id: &IssueId) -> Option<Issue> {
    app(ctx)
        .projections
        .issues()
        .issues
        .get(id)
        .cloned()
        .map(Issue)
}

#[derive(Default)]
pub struct IssueQuery;

#[Object]
impl IssueQuery {
    async fn issue(&self, ctx: &Context<'_>, id: String) -> Result<Issue> {
        let id = IssueId::parse(&id).gql()?;
        issue(ctx, &id)
            .ok_or(DomainError::NotFound(format!("issue {id}")))
            .gql()
    }

    /// Issues, newest first, optionally within a jurisdiction's subtree.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn issues(
        &self,
        ctx: &Context<'_>,
        within: Option<String>,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<Connection<String, Issue>> {
        let within = within
            .map(|w| JurisdictionId::parse(&w))
            .transpose()
            .gql()?;
        let app = app(ctx);
        let registry = app.projections.registry();
        let issues = app.projections.issues();
        let mut items: Vec<_> = issues
            .issues
            .values()
            .filter(|i| in_subtree(&registry, &i.jurisdiction, within.as_ref()))
            .map(|i| {
                (
                    format!("{:020}", u64::MAX - i.timeline[0]),
                    Issue(i.clone()),
                )
            })
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        connect(items, after, first)
    }
}

#[derive(InputObject)]
pub struct RaiseIssueInput {
    pub title: String,
    pub description: String,
    #[graphql(default)]
    pub place: String,
    pub category: Category,
    /// Defaults to the raiser's grid.
    pub jurisdiction: Option<String>,
    /// A grid worker raising for a resident names them and the channel.
    pub on_behalf_of: Option<String>,
    pub channel: Option<Channel>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct EditIssueInput {
    pub issue: String,
    pub title: String,
    pub description: String,
    #[graphql(default)]
    pub place: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct IssueRefInput {
    pub issue: String,
    pub idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct IssuePayload {
    pub issue: Option<Issue>,
    pub indexes: Vec<u64>,
}

async fn on_issue(
    ctx: &Context<'_>,
    id: IssueId,
    command: IssueCommand,
    idempotency_key: &Option<String>,
) -> Result<IssuePayload> {
    let indexes = run::<IssueAggregate>(ctx, &id, command, idempotency_key).await?;
    Ok(IssuePayload {
        issue: issue(ctx, &id),
        indexes,
    })
}

#[derive(Default)]
pub struct IssueMutation;

#[Object]
impl IssueMutation {
    /// A resident raises an issue (or a grid worker for them).
    async fn raise_issue(&self, ctx: &Context<'_>, input: RaiseIssueInput) -> Result<IssuePayload> {
        let text = IssueText::new(&input.title, &input.description, &input.place).gql()?;
        let on_behalf_of = match (&input.on_behalf_of, input.channel) {
            (None, _) => None,
            (Some(m), channel) => Some((
                MemberId::parse(m).gql()?,
                channel.map_or(domain::Channel::Visit, Into::into),
            )),
        };
        let actor = caller(ctx);
        let id = IssueId::from_unique(&crate::operations::mint_for(
            &actor,
            "issue",
            key(&input.idempotency_key)?,
        ))
        .gql()?;
        let command = IssueCommand::Raise {
            text,
            category: input.category.into(),
            jurisdiction: input
                .jurisdiction
                .as_deref()
                .map(JurisdictionId::parse)
                .transpose()
                .gql()?,
            on_behalf_of,
            photos: vec![],
        };
        on_issue(ctx, id, command, &input.idempotency_key).await
    }

    /// The raiser edits the text: a new version.
    async fn edit_issue(&self, ctx: &Context<'_>, input: EditIssueInput) -> Result<IssuePayload> {
        let id = IssueId::parse(&input.issue).gql()?;
        let text = IssueText::new(&input.title, &input.description, &input.place).gql()?;
        on_issue(ctx, id, IssueCommand::Edit { text }, &input.idempotency_key).await
    }

    /// A verified resident of the area supports the current version.
    async fn cosign_issue(&self, ctx: &Context<'_>, input: IssueRefInput) -> Result<IssuePayload> {
        let id = IssueId::parse(&input.issue).gql()?;
        on_issue(ctx, id, IssueCommand::Cosign, &input.idempotency_key).await
    }

    async fn withdraw_cosignature(
        &self,
        ctx: &Context<'_>,
        input: IssueRefInput,
    ) -> Result<IssuePayload> {
        let id = IssueId::parse(&input.issue).gql()?;
        on_issue(
            ctx,
            id,
            IssueCommand::WithdrawCosignature,
            &input.idempotency_key,
        )
        .await
    }
}
