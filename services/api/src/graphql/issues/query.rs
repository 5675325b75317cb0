//! Issue queries: one issue, the filtered and sorted `issues` search, similar issues,
//! statistics and notifications.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use roundtable_domain::{
    self as domain, CouncilId, DomainError, IssueId, JurisdictionId, MemberId, Refusal,
};
use roundtable_projections::{
    IssueFilter, IssueOrder as Order, IssueStats, IssueView, NoticeSubject,
};

use super::super::mediation::{DisputeCase, dispute_case};
use super::super::services::ServiceFiguresView;

use super::super::types::{app, caller, parse_time};
use crate::error::OrGql;

use super::objects::*;

#[derive(InputObject, Default)]
pub struct IssueFilterInput {
    /// Issues in this jurisdiction's subtree.
    pub within: Option<String>,
    pub status: Option<Vec<IssueStatus>>,
    pub category: Option<Category>,
    /// Only issues whose clock has (true) or has not (false) run out.
    pub overdue: Option<bool>,
    /// Only issues referred to another jurisdiction more than once (the figure
    /// `StatsRow.referredMoreThanOnce` counts).
    #[graphql(default)]
    pub referred_more_than_once: bool,
    #[graphql(default)]
    pub raised_by_me: bool,
    #[graphql(default)]
    pub cosigned_by_me: bool,
    /// Words or characters to find in the title, description or place (Chinese or English).
    pub text: Option<String>,
    /// Only issues where the caller lives: placed at their grid or a place above
    /// it (the places whose issues a resident may co-sign), their own grid's
    /// first, then each level up; within a place, in the asked order.
    #[graphql(default)]
    pub near_me: bool,
}

#[derive(SimpleObject)]
pub struct SimilarIssue {
    pub issue: Issue,
    /// 0 to 1: how much of the wording the two share.
    pub similarity: f64,
}

/// Figures for one place or one council.
#[derive(SimpleObject)]
pub struct StatsRow {
    /// The jurisdiction or council the row is about.
    pub id: String,
    pub name: String,
    pub raised: u64,
    pub triaged: u64,
    pub triaged_on_time: u64,
    pub responded: u64,
    pub responded_on_time: u64,
    pub resolved: u64,
    pub rated: u64,
    /// Share of rated issues whose latest rating was (basically) satisfied.
    pub satisfaction_rate: Option<f64>,
    pub median_hours_to_response: Option<f64>,
    pub referred_more_than_once: u64,
}

impl StatsRow {
    fn new(id: &str, name: &str, stats: IssueStats) -> StatsRow {
        StatsRow {
            id: id.to_owned(),
            name: name.to_owned(),
            satisfaction_rate: stats.satisfaction_rate(),
            raised: stats.raised,
            triaged: stats.triaged,
            triaged_on_time: stats.triaged_on_time,
            responded: stats.responded,
            responded_on_time: stats.responded_on_time,
            resolved: stats.resolved,
            rated: stats.rated,
            median_hours_to_response: stats.median_hours_to_response,
            referred_more_than_once: stats.referred_more_than_once,
        }
    }
}

#[derive(SimpleObject)]
pub struct JurisdictionStats {
    pub from: String,
    pub to: String,
    /// The whole subtree.
    pub total: StatsRow,
    /// Each child jurisdiction's subtree.
    pub children: Vec<StatsRow>,
    /// "At most one trip": service requests opened in the period at service points
    /// of the subtree (`serviceStats` breaks them down).
    pub services: ServiceFiguresView,
    /// Each council that issues of the subtree were with.
    pub councils: Vec<StatsRow>,
}

pub struct Notification(roundtable_projections::Notice, bool);

#[Object]
impl Notification {
    /// The log index of the event (also the cursor).
    async fn index(&self) -> u64 {
        self.0.index
    }
    /// The event type, e.g. `issue.responded`.
    #[graphql(name = "type")]
    async fn kind(&self) -> &str {
        self.0.kind
    }
    async fn time(&self) -> String {
        self.0.time.to_string()
    }
    async fn read(&self) -> bool {
        self.1
    }
    /// The issue it is about, if it is about one.
    async fn issue(&self, ctx: &Context<'_>) -> Option<Issue> {
        match &self.0.subject {
            NoticeSubject::Issue(id) => issue(ctx, id),
            NoticeSubject::Dispute(_) => None,
        }
    }
    /// The mediation case it is about, if it is about one (and the viewer may
    /// still know of it).
    async fn dispute(&self, ctx: &Context<'_>) -> Option<DisputeCase> {
        match &self.0.subject {
            NoticeSubject::Dispute(id) => dispute_case(ctx, id),
            NoticeSubject::Issue(_) => None,
        }
    }
}

/// The subtree of `root`, expanded once per query.
pub(crate) fn subtree(
    ctx: &Context<'_>,
    root: &JurisdictionId,
) -> std::collections::BTreeSet<JurisdictionId> {
    let registry = app(ctx).projections.registry();
    let mut out = std::collections::BTreeSet::new();
    let mut stack = vec![root.clone()];
    while let Some(next) = stack.pop() {
        if let Some(view) = registry.jurisdictions.get(&next) {
            stack.extend(view.children.iter().cloned());
        }
        out.insert(next);
    }
    out
}

/// `place` and the places above it, nearest first.
fn up_from(ctx: &Context<'_>, place: JurisdictionId) -> Vec<JurisdictionId> {
    let registry = app(ctx).projections.registry();
    let mut chain: Vec<JurisdictionId> = registry
        .ancestry(&place)
        .into_iter()
        .map(|view| view.id.clone())
        .collect();
    chain.reverse();
    chain
}

#[derive(Default)]
pub struct IssueQuery;

#[Object]
impl IssueQuery {
    async fn issue(&self, ctx: &Context<'_>, id: String) -> Result<Issue> {
        let id = IssueId::parse(&id).gql()?;
        issue(ctx, &id)
            .ok_or(DomainError::not_found(Refusal::ISSUE_NOT_FOUND).with("issue", &id))
            .gql()
    }

    /// Issues matching a filter, in an order; the cursor is the issue id.
    async fn issues(
        &self,
        ctx: &Context<'_>,
        filter: Option<IssueFilterInput>,
        #[graphql(default)] order: IssueOrder,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<Connection<String, Issue>> {
        let filter = filter.unwrap_or_default();
        let first = page_size(first)?;
        let me = caller(ctx).member;
        let mine = |wanted: bool| -> Result<Option<MemberId>> {
            if !wanted {
                return Ok(None);
            }
            me.clone()
                .map(Some)
                .ok_or(DomainError::Unauthenticated)
                .gql()
        };
        let within = match &filter.within {
            Some(w) => Some(subtree(ctx, &JurisdictionId::parse(w).gql()?)),
            None => None,
        };
        let after = after.map(|a| IssueId::parse(&a)).transpose().gql()?;
        let query = IssueFilter {
            within,
            status: filter
                .status
                .map(|s| s.into_iter().map(Into::into).collect()),
            category: filter.category.map(Into::into),
            overdue: filter.overdue,
            referred_more_than_once: filter.referred_more_than_once,
            raised_by: mine(filter.raised_by_me)?,
            cosigned_by: mine(filter.cosigned_by_me)?,
            text: filter.text.filter(|t| !t.trim().is_empty()),
            near: if filter.near_me {
                let home = caller(ctx)
                    .home_grid
                    .ok_or(DomainError::Unauthenticated)
                    .gql()?;
                Some(up_from(ctx, home))
            } else {
                None
            },
        };
        let order = match order {
            IssueOrder::Newest => Order::Newest,
            IssueOrder::MostSupported => Order::MostSupported,
            IssueOrder::MostOverdue => Order::MostOverdue,
        };
        let now = app(ctx).clock.now();
        let issues = app(ctx).projections.issues();
        let (page, has_next) = issues.page(&query, order, now, after.as_ref(), first);
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(
            page.into_iter()
                .map(|i| Edge::new(i.id.as_str().to_owned(), Issue(i.clone()))),
        );
        Ok(connection)
    }

    /// Open issues like a draft, in places related to `jurisdiction` (defaults to
    /// the caller's grid): shown before raising, so residents co-sign instead.
    async fn similar_issues(
        &self,
        ctx: &Context<'_>,
        title: String,
        #[graphql(default)] description: String,
        jurisdiction: Option<String>,
        #[graphql(default = 5)] first: i32,
    ) -> Result<Vec<SimilarIssue>> {
        let at = match jurisdiction {
            Some(j) => Some(JurisdictionId::parse(&j).gql()?),
            None => caller(ctx).home_grid,
        };
        Ok(similar(
            ctx,
            &title,
            &description,
            at.as_ref(),
            None,
            first.clamp(1, 20) as usize,
        ))
    }

    /// Figures per jurisdiction and council for issues raised in `[from, to)`,
    /// computed from the log's read models (anyone can recompute them).
    async fn jurisdiction_stats(
        &self,
        ctx: &Context<'_>,
        id: String,
        from: String,
        to: String,
    ) -> Result<JurisdictionStats> {
        let root = JurisdictionId::parse(&id).gql()?;
        let (from_t, to_t) = (parse_time("from", &from)?, parse_time("to", &to)?);
        let app = app(ctx);
        let (root_name, children): (String, Vec<(JurisdictionId, String)>) = {
            let registry = app.projections.registry();
            let view = registry
                .jurisdictions
                .get(&root)
                .ok_or(
                    DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND)
                        .with("jurisdiction", &root),
                )
                .gql()?;
            let children = view
                .children
                .iter()
                .filter_map(|c| Some((c.clone(), registry.jurisdictions.get(c)?.name().to_owned())))
                .collect();
            (view.name().to_owned(), children)
        };
        let whole = subtree(ctx, &root);
        let child_trees: Vec<_> = children
            .iter()
            .map(|(id, name)| (id.clone(), name.clone(), subtree(ctx, id)))
            .collect();
        let council_names: std::collections::BTreeMap<CouncilId, String> = app
            .projections
            .registry()
            .councils
            .iter()
            .map(|(id, c)| (id.clone(), c.name().to_owned()))
            .collect();
        let issues = app.projections.issues();
        let in_tree: Vec<&IssueView> = issues
            .all()
            .filter(|i| whole.contains(i.jurisdiction()))
            .collect();
        let total = StatsRow::new(
            root.as_str(),
            &root_name,
            IssueStats::of(in_tree.iter().copied(), from_t, to_t),
        );
        let children = child_trees
            .iter()
            .map(|(id, name, tree)| {
                let of_child = in_tree
                    .iter()
                    .copied()
                    .filter(|i| tree.contains(i.jurisdiction()));
                StatsRow::new(id.as_str(), name, IssueStats::of(of_child, from_t, to_t))
            })
            .collect();
        let mut councils: Vec<CouncilId> = in_tree
            .iter()
            .filter_map(|i| i.state.council.clone())
            .collect();
        councils.sort();
        councils.dedup();
        let councils = councils
            .into_iter()
            .map(|c| {
                let of_council = in_tree
                    .iter()
                    .copied()
                    .filter(|i| i.state.council.as_ref() == Some(&c));
                let name = council_names.get(&c).map_or("", String::as_str);
                StatsRow::new(c.as_str(), name, IssueStats::of(of_council, from_t, to_t))
            })
            .collect();
        let services = ServiceFiguresView(app.projections.requests().tally.figures(|r| {
            r.point().is_some_and(|p| whole.contains(p))
                && r.opened_at >= from_t
                && r.opened_at < to_t
        }));
        Ok(JurisdictionStats {
            from: from_t.to_string(),
            to: to_t.to_string(),
            total,
            children,
            councils,
            services,
        })
    }

    /// The caller's notifications, newest first.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] unread_only: bool,
        first: Option<i32>,
    ) -> Result<Vec<Notification>> {
        let me = caller(ctx)
            .member
            .ok_or(DomainError::Unauthenticated)
            .gql()?;
        let read_up_to = app(ctx).vault.notifications_read(&me).gql()?;
        let first = page_size(first)?;
        Ok(app(ctx)
            .projections
            .notifications()
            .of(&me)
            .map(|n| Notification(n.clone(), n.index < read_up_to))
            .filter(|n| !unread_only || !n.1)
            .take(first)
            .collect())
    }

    /// How many of the caller's notifications are unread.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> Result<usize> {
        let me = caller(ctx)
            .member
            .ok_or(DomainError::Unauthenticated)
            .gql()?;
        let read_up_to = app(ctx).vault.notifications_read(&me).gql()?;
        Ok(app(ctx)
            .projections
            .notifications()
            .of(&me)
            .take_while(|n| n.index >= read_up_to)
            .count())
    }
}

pub(crate) fn page_size(first: Option<i32>) -> Result<usize> {
    match first {
        None => Ok(20),
        Some(n) if (1..=100).contains(&n) => Ok(n as usize),
        Some(n) => Err(DomainError::validation("first", Refusal::OUT_OF_RANGE)
            .with("min", 1)
            .with("max", 100)
            .with("got", n))
        .gql(),
    }
}

/// Open issues like the text, in places on the same line as `at` (the place, above
/// it or below it).
pub(super) fn similar(
    ctx: &Context<'_>,
    title: &str,
    description: &str,
    at: Option<&JurisdictionId>,
    exclude: Option<&IssueId>,
    limit: usize,
) -> Vec<SimilarIssue> {
    let app = app(ctx);
    let registry = app.projections.registry();
    let related = |j: &JurisdictionId| {
        at.is_none_or(|at| {
            domain::Directory::is_within(&*registry, j, at)
                || domain::Directory::is_within(&*registry, at, j)
        })
    };
    let issues = app.projections.issues();
    issues
        .similar(&format!("{title} {description}"), related, exclude, limit)
        .into_iter()
        .map(|(i, score)| SimilarIssue {
            issue: Issue(i.clone()),
            similarity: (score * 1000.0).round() / 1000.0,
        })
        .collect()
}
