//! GraphQL object types over the read models. Personal fields come from the vault
//! and are shown only to the member, administrators and grid workers serving them.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, Object, OutputType, Result, SimpleObject};
use roundtable_domain::{self as domain, Actor, CouncilId, JurisdictionId, MemberId};
use roundtable_projections::{CouncilView, JurisdictionView, MemberView, RulesVersion};

use roundtable_app::App;

use crate::Api;
use crate::auth::RequestAuth;
use crate::error::OrGql;

pub fn api<'a>(ctx: &Context<'a>) -> &'a Arc<Api> {
    ctx.data_unchecked::<Arc<Api>>()
}

pub fn app<'a>(ctx: &Context<'a>) -> &'a Arc<App> {
    &api(ctx).app
}

pub fn caller(ctx: &Context<'_>) -> Actor {
    let auth = ctx.data_opt::<RequestAuth>().cloned().unwrap_or_default();
    auth.actor(app(ctx))
}

/// Why the domain would refuse the viewer an action: a key of
/// `schema/refusals.json` and the values its message names. The app says it in
/// the viewer's language, in one line, where the action would have been.
#[derive(SimpleObject)]
pub struct WhyNot {
    pub reason: String,
    pub params: async_graphql::Json<std::collections::BTreeMap<String, String>>,
}

impl WhyNot {
    pub fn of(error: &domain::DomainError) -> WhyNot {
        WhyNot {
            reason: error.refusal().key().to_owned(),
            params: async_graphql::Json(
                error
                    .params()
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), value.clone()))
                    .collect(),
            ),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::JurisdictionKind")]
pub enum JurisdictionKind {
    City,
    District,
    Street,
    Community,
    Grid,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::MemberKind")]
pub enum MemberKind {
    Resident,
    Staff,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Seat")]
pub enum SeatKind {
    Chair,
    Secretary,
    Member,
    Observer,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::MajorityKind")]
pub enum MajorityKind {
    SimpleMajority,
    MajorityOfPresent,
    MajorityOfMembers,
    TwoThirds,
    TwoThirdsOfMembers,
    Consensus,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum RoleKind {
    GridWorker,
    Auditor,
    Administrator,
}

/// Whether `node` lies in the subtree of `within` (always, without a filter).
pub fn in_subtree(
    registry: &roundtable_projections::Registry,
    node: &JurisdictionId,
    within: Option<&JurisdictionId>,
) -> bool {
    within.is_none_or(|w| domain::Directory::is_within(registry, node, w))
}

/// A member id from an argument (`VALIDATION` on `member` when malformed).
pub fn member_id(raw: &str) -> Result<MemberId> {
    MemberId::parse(raw).gql()
}

/// An RFC 3339 UTC instant from an argument (`VALIDATION`, `BAD_TIME`, on `field`).
pub fn parse_time(field: &'static str, raw: &str) -> Result<roundtable_ledger::Timestamp> {
    raw.parse::<roundtable_ledger::Timestamp>()
        .map_err(|_| domain::DomainError::validation(field, domain::Refusal::BAD_TIME))
        .gql()
}

/// Default and largest page of a connection.
const PAGE: usize = 20;
const MAX_PAGE: usize = 100;

/// A Relay connection over items sorted by a stable key; the cursor is that key.
pub fn connect<N: OutputType>(
    items: impl IntoIterator<Item = (String, N)>,
    after: Option<String>,
    first: Option<i32>,
) -> Result<Connection<String, N>> {
    let first = match first {
        None => PAGE,
        Some(n) if (1..=MAX_PAGE as i32).contains(&n) => n as usize,
        Some(n) => {
            return Err(
                domain::DomainError::validation("first", domain::Refusal::OUT_OF_RANGE)
                    .with("min", 1)
                    .with("max", MAX_PAGE)
                    .with("got", n),
            )
            .gql();
        }
    };
    let mut skipped = false;
    let mut rest = items.into_iter().filter(|(key, _)| match &after {
        Some(a) if key <= a => {
            skipped = true;
            false
        }
        _ => true,
    });
    let page: Vec<(String, N)> = rest.by_ref().take(first).collect();
    let has_next = rest.next().is_some();
    let mut connection = Connection::new(skipped, has_next);
    connection
        .edges
        .extend(page.into_iter().map(|(key, node)| Edge::new(key, node)));
    Ok(connection)
}

pub struct Jurisdiction(pub JurisdictionView);

#[Object]
impl Jurisdiction {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn kind(&self) -> JurisdictionKind {
        self.0.kind().into()
    }
    async fn name(&self) -> &str {
        self.0.name()
    }
    async fn created_at(&self) -> String {
        self.0.created_at.to_string()
    }
    /// A grid's buildings and their units (residents pick one when raising); public,
    /// as the grid tree is. Bounded by the domain (`MAX_BUILDINGS`, `MAX_UNITS`).
    async fn buildings(&self) -> Vec<BuildingObject> {
        self.0
            .state
            .buildings
            .as_slice()
            .iter()
            .map(|b| BuildingObject {
                name: b.name.to_string(),
                units: b.units.iter().map(ToString::to_string).collect(),
            })
            .collect()
    }
    async fn parent(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        let parent = self.0.parent()?;
        jurisdiction(ctx, parent)
    }
    /// From the root (the city) down to this node's parent.
    async fn ancestors(&self, ctx: &Context<'_>) -> Vec<Jurisdiction> {
        let registry = app(ctx).projections.registry();
        let mut chain: Vec<Jurisdiction> = registry
            .ancestry(&self.0.id)
            .into_iter()
            .cloned()
            .map(Jurisdiction)
            .collect();
        chain.pop();
        chain
    }
    async fn children(&self, ctx: &Context<'_>) -> Vec<Jurisdiction> {
        let registry = app(ctx).projections.registry();
        self.0
            .children
            .iter()
            .filter_map(|c| registry.jurisdictions.get(c).cloned().map(Jurisdiction))
            .collect()
    }
    /// Grid workers assigned to exactly this node (their scope covers its subtree).
    async fn grid_workers(&self, ctx: &Context<'_>) -> Vec<Member> {
        let registry = app(ctx).projections.registry();
        registry
            .grid_workers_of(&self.0.id)
            .into_iter()
            .cloned()
            .map(Member::from)
            .collect()
    }
    async fn councils(&self, ctx: &Context<'_>) -> Vec<Council> {
        let registry = app(ctx).projections.registry();
        registry
            .councils
            .values()
            .filter(|c| c.jurisdiction() == &self.0.id)
            .cloned()
            .map(Council)
            .collect()
    }
}

pub fn jurisdiction(ctx: &Context<'_>, id: &JurisdictionId) -> Option<Jurisdiction> {
    app(ctx)
        .projections
        .registry()
        .jurisdictions
        .get(id)
        .cloned()
        .map(Jurisdiction)
}

pub fn member(ctx: &Context<'_>, id: &MemberId) -> Option<Member> {
    app(ctx)
        .projections
        .registry()
        .members
        .get(id)
        .cloned()
        .map(Member::from)
}

pub fn council(ctx: &Context<'_>, id: &CouncilId) -> Option<Council> {
    app(ctx)
        .projections
        .registry()
        .councils
        .get(id)
        .cloned()
        .map(Council)
}

pub struct Member {
    pub view: MemberView,
    /// The vault record, read and decrypted at most once per member per request.
    personal: tokio::sync::OnceCell<Option<roundtable_vault::PersonalData>>,
}

impl From<MemberView> for Member {
    fn from(view: MemberView) -> Member {
        Member {
            view,
            personal: tokio::sync::OnceCell::new(),
        }
    }
}

/// Shown in place of a name once a member is erased.
pub const ERASED_NAME: &str = "(erased)";

/// A member's name as people read it, or "(erased)".
pub async fn display_name(ctx: &Context<'_>, id: &MemberId) -> Result<String> {
    if app(ctx)
        .projections
        .registry()
        .members
        .get(id)
        .is_none_or(|m| m.erased_at.is_some())
    {
        return Ok(ERASED_NAME.to_owned());
    }
    let personal = app(ctx).personal(id).await.gql()?;
    Ok(personal.map_or_else(|| ERASED_NAME.to_owned(), |p| p.display_name))
}

impl Member {
    /// Whether the caller may see this member's personal data.
    fn personal_visible(&self, ctx: &Context<'_>) -> bool {
        let actor = caller(ctx);
        let registry = app(ctx).projections.registry();
        actor.member.as_ref() == Some(&self.view.id)
            || actor.is_administrator()
            || self
                .view
                .home_grid()
                .as_ref()
                .is_some_and(|home| actor.serves(&*registry, home))
    }

    async fn personal(&self, ctx: &Context<'_>) -> Result<Option<&roundtable_vault::PersonalData>> {
        if self.view.erased_at.is_some() {
            return Ok(None);
        }
        let personal = self
            .personal
            .get_or_try_init(|| app(ctx).personal(&self.view.id))
            .await
            .gql()?;
        Ok(personal.as_ref())
    }
}

#[derive(SimpleObject)]
pub struct RoleGrant {
    pub kind: RoleKind,
    /// The scope of a grid worker.
    pub jurisdiction: Option<Jurisdiction>,
}

#[derive(SimpleObject)]
pub struct CouncilSeat {
    pub council: Option<Council>,
    pub member: Option<Member>,
    pub seat: SeatKind,
    pub voting: bool,
}

#[Object]
impl Member {
    async fn id(&self) -> &str {
        self.view.id.as_str()
    }
    /// The member's chosen name, or "(erased)".
    async fn display_name(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self
            .personal(ctx)
            .await?
            .map_or_else(|| ERASED_NAME.to_owned(), |p| p.display_name.clone()))
    }
    async fn kind(&self) -> MemberKind {
        self.view.kind().into()
    }
    async fn erased(&self) -> bool {
        self.view.erased_at.is_some()
    }
    async fn erased_at(&self) -> Option<String> {
        self.view.erased_at.map(|t| t.to_string())
    }
    async fn registered_at(&self) -> String {
        self.view.registered_at.to_string()
    }
    async fn verified(&self) -> bool {
        self.view.verified_by().is_some()
    }
    async fn verified_at(&self) -> Option<String> {
        self.view.verified_at.map(|t| t.to_string())
    }
    async fn verified_by(&self, ctx: &Context<'_>) -> Option<Member> {
        member(ctx, self.view.verified_by()?)
    }
    async fn home_grid(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        jurisdiction(ctx, self.view.home_grid()?)
    }
    async fn roles(&self, ctx: &Context<'_>) -> Vec<RoleGrant> {
        self.view
            .roles()
            .iter()
            .map(|role| match role {
                domain::Role::GridWorker { jurisdiction: j } => RoleGrant {
                    kind: RoleKind::GridWorker,
                    jurisdiction: jurisdiction(ctx, j),
                },
                domain::Role::Auditor => RoleGrant {
                    kind: RoleKind::Auditor,
                    jurisdiction: None,
                },
                domain::Role::Administrator => RoleGrant {
                    kind: RoleKind::Administrator,
                    jurisdiction: None,
                },
            })
            .collect()
    }
    async fn seats(&self, ctx: &Context<'_>) -> Vec<CouncilSeat> {
        self.view
            .seats
            .iter()
            .map(|s| CouncilSeat {
                council: council(ctx, &s.council),
                member: Some(Member::from(self.view.clone())),
                seat: s.seat.into(),
                voting: s.voting,
            })
            .collect()
    }
    /// Visible to the member, administrators and grid workers serving their grid.
    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if !self.personal_visible(ctx) {
            return Ok(None);
        }
        Ok(self.personal(ctx).await?.map(|p| p.phone.clone()))
    }
    async fn real_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if !self.personal_visible(ctx) {
            return Ok(None);
        }
        Ok(self.personal(ctx).await?.and_then(|p| p.real_name.clone()))
    }
    async fn address(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if !self.personal_visible(ctx) {
            return Ok(None);
        }
        Ok(self.personal(ctx).await?.and_then(|p| p.address.clone()))
    }
}

pub struct Rules(pub RulesVersion);

#[Object]
impl Rules {
    /// SHA-256 of the rules' canonical JSON; events decided under them cite it.
    async fn hash(&self) -> &str {
        self.0.hash.as_str()
    }
    /// When this version came into force.
    async fn since(&self) -> String {
        self.0.since.to_string()
    }
    /// The log index of the event that set these rules.
    async fn index(&self) -> u64 {
        self.0.index
    }
    async fn quorum_numerator(&self) -> u32 {
        self.0.rules.quorum.num
    }
    async fn quorum_denominator(&self) -> u32 {
        self.0.rules.quorum.den
    }
    async fn default_majority(&self) -> MajorityKind {
        self.0.rules.default_majority.into()
    }
    async fn notice_hours(&self) -> u32 {
        self.0.rules.notice_hours
    }
    async fn cosign_threshold(&self) -> u32 {
        self.0.rules.cosign_threshold
    }
    /// Triage and response in working days, when the rules state them so.
    async fn triage_working_days(&self) -> Option<u32> {
        self.0.rules.working_days.map(|d| d.triage)
    }
    async fn response_working_days(&self) -> Option<u32> {
        self.0.rules.working_days.map(|d| d.response)
    }
    async fn triage_hours(&self) -> u32 {
        self.0.rules.triage_hours
    }
    async fn response_hours(&self) -> u32 {
        self.0.rules.response_hours
    }
    async fn seconds_required(&self) -> bool {
        self.0.rules.seconds_required
    }
    async fn proxies_per_member(&self) -> u32 {
        self.0.rules.proxies_per_member
    }
}

pub struct Council(pub CouncilView);

/// A building of a grid, and its units.
#[derive(async_graphql::SimpleObject)]
#[graphql(name = "Building")]
pub struct BuildingObject {
    pub name: String,
    pub units: Vec<String>,
}

#[Object]
impl Council {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn name(&self) -> &str {
        self.0.name()
    }
    async fn created_at(&self) -> String {
        self.0.created_at.to_string()
    }
    async fn jurisdiction(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        jurisdiction(ctx, self.0.jurisdiction())
    }
    /// The rules in force now.
    async fn rules(&self) -> Option<Rules> {
        self.0.rules_in_force().cloned().map(Rules)
    }
    /// Every version, oldest first.
    async fn rules_history(&self) -> Vec<Rules> {
        self.0.rules.iter().cloned().map(Rules).collect()
    }
    async fn seats(&self, ctx: &Context<'_>) -> Vec<CouncilSeat> {
        self.0
            .seats()
            .iter()
            .map(|(m, (seat, voting))| CouncilSeat {
                council: Some(Council(self.0.clone())),
                member: member(ctx, m),
                seat: (*seat).into(),
                voting: *voting,
            })
            .collect()
    }
}
