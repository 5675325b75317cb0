//! The issue's GraphQL types: enums mirroring the domain's, the `Issue` object with
//! its clock, timeline, responses and ratings.

use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use roundtable_domain::{self as domain, IssueId, JurisdictionId, MemberId};
use roundtable_ledger::Timestamp;
use roundtable_projections::{
    IssueVersion as VersionView, IssueView, RatingRecord, ResponseRecord, TimelineEntry,
};

use super::super::mediation::{DisputeCase, dispute_case};
use super::super::types::{
    Council, Jurisdiction, Member, WhyNot, app, caller, council, display_name, jurisdiction, member,
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

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::IssueStatus")]
pub enum IssueStatus {
    Open,
    Accepted,
    /// A resolution answers it; awaiting implementation.
    Resolved,
    Responded,
    Closed,
    Rejected,
    Merged,
    Withdrawn,
    /// Taken to mediation as a dispute case (`Issue.dispute`).
    InMediation,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Stage")]
pub enum Stage {
    Triage,
    Response,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::RejectionReason")]
pub enum RejectionReason {
    Duplicate,
    OutsideCompetence,
    InsufficientDetail,
    Offensive,
    PersonalData,
    AlreadyResolved,
    NotActionable,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Rating")]
pub enum Rating {
    Satisfied,
    BasicallySatisfied,
    Unsatisfied,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum IssueOrder {
    #[default]
    Newest,
    MostSupported,
    MostOverdue,
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

/// A running deadline.
pub struct IssueClock {
    clock: domain::Clock,
    marked_overdue: bool,
    now: Timestamp,
}

#[Object]
impl IssueClock {
    async fn stage(&self) -> Stage {
        self.clock.stage.into()
    }
    /// The council that owes the next step.
    async fn council(&self, ctx: &Context<'_>) -> Option<Council> {
        council(ctx, &self.clock.council)
    }
    /// The rules the deadline comes from.
    async fn rules_hash(&self) -> &str {
        self.clock.rules_hash.as_str()
    }
    async fn due(&self) -> String {
        self.clock.due.to_string()
    }
    async fn overdue(&self) -> bool {
        self.marked_overdue || self.now > self.clock.due
    }
    /// Seconds past due (0 while on time).
    async fn overdue_by_seconds(&self) -> i64 {
        (self.now.unix_millis() - self.clock.due.unix_millis()).max(0) / 1000
    }
    /// Seconds left (0 once due).
    async fn remaining_seconds(&self) -> i64 {
        (self.clock.due.unix_millis() - self.now.unix_millis()).max(0) / 1000
    }
}

/// One event of the issue's stream, with what the privacy rule needs: the issue's
/// raiser and place.
pub struct TimelineEvent {
    entry: TimelineEntry,
    raiser: MemberId,
    place: JurisdictionId,
}

/// Whether the caller may see who `subject` is where they appear on an issue at
/// `place`: office holders always (they hold office in public), anyone else by
/// the domain's rule (`Actor::sees_who`). The one place the rule is applied.
fn shown(
    ctx: &Context<'_>,
    subject: &MemberId,
    appearance: domain::Appearance,
    place: &JurisdictionId,
) -> bool {
    let registry = app(ctx).projections.registry();
    registry.actor(subject).caller_class() == domain::CallerClass::Staff
        || caller(ctx).sees_who(subject, appearance, place, &*registry)
}

/// A receipt or a proof of one leaf, served by the log (`/log/*`, docs/ARCHITECTURE.md "The record").
pub(crate) fn receipt_url(index: u64) -> String {
    format!("/log/receipt/{index}")
}

impl TimelineEvent {
    fn visible(&self, ctx: &Context<'_>, id: &MemberId) -> bool {
        let appearance = match *id == self.raiser {
            true => domain::Appearance::Raiser,
            false => domain::Appearance::Supporter,
        };
        shown(ctx, id, appearance, &self.place)
    }
}

#[Object]
impl TimelineEvent {
    /// Global index in the log.
    async fn index(&self) -> u64 {
        self.entry.index
    }
    #[graphql(name = "type")]
    async fn kind(&self) -> &str {
        self.entry.kind
    }
    async fn time(&self) -> String {
        self.entry.time.to_string()
    }
    /// The acting member (none for the deadline scheduler, and none where the
    /// caller may not see who a resident is: docs/SECURITY.md).
    async fn actor(&self, ctx: &Context<'_>) -> Option<Member> {
        let id = self.entry.actor.as_ref()?;
        self.visible(ctx, id).then(|| member(ctx, id))?
    }
    /// Who acted, as people read it: a display name, "(erased)" or "system";
    /// empty where the caller may not see who it was (the app says "a resident").
    async fn actor_name(&self, ctx: &Context<'_>) -> Result<String> {
        match &self.entry.actor {
            Some(id) if self.visible(ctx, id) => display_name(ctx, id).await,
            Some(_) => Ok(String::new()),
            None => Ok("system".to_owned()),
        }
    }
    /// The leaf's inclusion proof as a `tlog-proof` receipt.
    async fn proof_url(&self) -> String {
        receipt_url(self.entry.index)
    }
}

pub struct IssueResponse(ResponseRecord);

#[Object]
impl IssueResponse {
    async fn round(&self) -> u32 {
        self.0.round
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
    async fn council(&self, ctx: &Context<'_>) -> Option<Council> {
        council(ctx, self.0.council.as_ref()?)
    }
    async fn by(&self, ctx: &Context<'_>) -> Option<Member> {
        member(ctx, self.0.by.as_ref()?)
    }
    async fn at(&self) -> String {
        self.0.at.to_string()
    }
    async fn index(&self) -> u64 {
        self.0.index
    }
}

pub struct IssueRating(RatingRecord);

#[Object]
impl IssueRating {
    async fn round(&self) -> u32 {
        self.0.round
    }
    async fn rating(&self) -> Rating {
        self.0.rating.into()
    }
    async fn comment(&self) -> &str {
        &self.0.comment
    }
    /// The grid worker who took the rating on a feedback visit.
    async fn visit_by(&self, ctx: &Context<'_>) -> Option<Member> {
        member(ctx, self.0.visit_by.as_ref()?)
    }
    async fn at(&self) -> String {
        self.0.at.to_string()
    }
    async fn receipt_url(&self) -> String {
        receipt_url(self.0.index)
    }
}

#[derive(SimpleObject)]
pub struct Rejection {
    pub reason: RejectionReason,
    /// Public, for the raiser and everyone.
    pub explanation: String,
}

#[derive(SimpleObject)]
pub struct Photo {
    pub hash: String,
    pub url: String,
}

pub struct Issue(pub std::sync::Arc<IssueView>);

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
    async fn status(&self) -> IssueStatus {
        self.0.state.status.into()
    }
    async fn raised_at(&self) -> String {
        self.0.raised_at.to_string()
    }
    /// Who raised it; none where the caller may not see who (docs/SECURITY.md).
    async fn raiser(&self, ctx: &Context<'_>) -> Option<Member> {
        let raiser = self.0.raiser();
        shown(
            ctx,
            raiser,
            domain::Appearance::Raiser,
            self.0.jurisdiction(),
        )
        .then(|| member(ctx, raiser))?
    }
    async fn raised_on_behalf_by(&self, ctx: &Context<'_>) -> Option<Member> {
        member(ctx, self.0.on_behalf_by.as_ref()?)
    }
    /// Where the issue is now (a referral moves it).
    async fn jurisdiction(&self, ctx: &Context<'_>) -> Option<Jurisdiction> {
        jurisdiction(ctx, self.0.jurisdiction())
    }
    /// The current text.
    async fn current(&self) -> Option<IssueVersion> {
        let n = self.0.versions.len();
        let latest = self.0.versions.last()?.clone();
        let supports = self
            .0
            .state
            .cosigners
            .values()
            .filter(|&&v| v as usize == n)
            .count();
        Some(IssueVersion(latest, n, supports))
    }
    /// Every version, first to last.
    async fn versions(&self) -> Vec<IssueVersion> {
        self.versions_list()
    }
    async fn cosigner_count(&self) -> usize {
        self.0.state.cosigners.len()
    }
    /// Co-signatures per version, first to last.
    async fn supports_per_version(&self) -> Vec<usize> {
        self.0.supports_per_version()
    }
    /// The building (and unit) the resident picked from the grid's list.
    async fn spot(&self) -> Option<IssueSpot> {
        self.0.spot.as_ref().map(|s| IssueSpot {
            building: s.building.to_string(),
            unit: s.unit.as_ref().map(ToString::to_string),
        })
    }
    /// Where the raiser's phone was (to 0.001°, about 100 m), for the raiser and the
    /// staff who triage here (`may_see_raised_from`); null for everyone else.
    async fn raised_from(&self, ctx: &Context<'_>) -> Result<Option<GeoPoint>> {
        let app = app(ctx);
        let actor = caller(ctx);
        if !domain::may_see_raised_from(&actor, &app.projections.directory(), &self.0.state) {
            return Ok(None);
        }
        let point = app.vault.issue_location(self.0.id.as_str()).gql()?;
        Ok(point.map(|p| GeoPoint {
            latitude: p.latitude(),
            longitude: p.longitude(),
        }))
    }
    async fn photos(&self) -> Vec<Photo> {
        self.0
            .photos
            .iter()
            .map(|h| Photo {
                hash: h.as_str().to_owned(),
                url: format!("/photos/{}", h.as_str()),
            })
            .collect()
    }
    /// The council whose docket the issue reached, once co-signers met its threshold.
    async fn docket(&self, ctx: &Context<'_>) -> Option<Council> {
        council(ctx, self.0.state.docketed_at.as_ref()?)
    }
    /// The council the issue is with now.
    async fn responsible_council(&self, ctx: &Context<'_>) -> Option<Council> {
        council(ctx, self.0.state.council.as_ref()?)
    }
    /// The running deadline, if any.
    async fn clock(&self, ctx: &Context<'_>) -> Option<IssueClock> {
        Some(IssueClock {
            clock: self.0.state.clock.clone()?,
            marked_overdue: self.0.state.overdue,
            now: app(ctx).clock.now(),
        })
    }
    /// How many times it was referred to another place.
    async fn referral_count(&self) -> u32 {
        self.0.state.referrals
    }
    /// How many times a missed deadline sent it up to a higher council.
    async fn escalation_count(&self) -> u32 {
        self.0.escalations
    }
    async fn merged_into(&self, ctx: &Context<'_>) -> Option<Issue> {
        issue(ctx, self.0.merged_into.as_ref()?)
    }
    async fn merged_from(&self, ctx: &Context<'_>) -> Vec<Issue> {
        self.0
            .merged_from
            .iter()
            .filter_map(|id| issue(ctx, id))
            .collect()
    }
    async fn rejection(&self) -> Option<Rejection> {
        self.0
            .rejection
            .as_ref()
            .map(|(reason, explanation)| Rejection {
                reason: (*reason).into(),
                explanation: explanation.clone(),
            })
    }
    async fn withdrawal_reason(&self) -> Option<&str> {
        self.0.withdrawal.as_deref()
    }
    async fn responses(&self) -> Vec<IssueResponse> {
        self.0
            .responses
            .iter()
            .cloned()
            .map(IssueResponse)
            .collect()
    }
    async fn ratings(&self) -> Vec<IssueRating> {
        self.0.ratings.iter().cloned().map(IssueRating).collect()
    }
    /// The resolution of a round-table meeting that answers the issue.
    async fn linked_resolution(&self) -> Option<String> {
        self.0.resolution.as_ref().map(|r| r.to_string())
    }
    /// Every event of the issue, oldest first.
    async fn timeline(&self) -> Vec<TimelineEvent> {
        self.0
            .timeline
            .iter()
            .cloned()
            .map(|entry| TimelineEvent {
                entry,
                raiser: self.0.raiser().clone(),
                place: self.0.jurisdiction().clone(),
            })
            .collect()
    }
    /// Whether the caller co-signs it now.
    async fn cosigned_by_me(&self, ctx: &Context<'_>) -> bool {
        caller(ctx)
            .member
            .is_some_and(|me| self.0.state.cosigners.contains_key(&me))
    }
    /// The caller co-signed an earlier version and may re-confirm or withdraw.
    async fn needs_my_reconfirmation(&self, ctx: &Context<'_>) -> bool {
        caller(ctx).member.is_some_and(|me| {
            self.0
                .state
                .cosigners
                .get(&me)
                .is_some_and(|&v| (v as usize) < self.0.versions.len())
        })
    }
    /// What the caller may do with the issue now, as the domain decides it.
    async fn viewer_can(&self, ctx: &Context<'_>) -> IssueViewerCan {
        IssueViewerCan::of(ctx, &self.0)
    }
    /// The mediation case it was turned into, for those who may know of that case.
    async fn dispute(&self, ctx: &Context<'_>) -> Option<DisputeCase> {
        dispute_case(ctx, self.0.dispute.as_ref()?)
    }
    /// For the raiser only, while a response awaits their rating: the one-time code
    /// to give a grid worker who takes the rating on a feedback visit.
    async fn feedback_code(&self, ctx: &Context<'_>) -> Option<String> {
        let me = caller(ctx).member?;
        (&me == self.0.raiser() && self.0.state.status == domain::IssueStatus::Responded).then(
            || {
                app(ctx)
                    .vault
                    .feedback_code(self.0.id.as_str(), self.0.responses.len() as u32)
            },
        )
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

pub(super) fn issue(ctx: &Context<'_>, id: &IssueId) -> Option<Issue> {
    app(ctx).projections.issues().get(id).cloned().map(Issue)
}

/// What the caller may do with an issue now: each is the domain's own decision on
/// the command, run as a dry run for the caller (nothing is written). The app shows
/// exactly these actions.
#[derive(SimpleObject)]
pub struct IssueSpot {
    pub building: String,
    pub unit: Option<String>,
}

/// A point on Earth in degrees (WGS 84, as phones give it).
#[derive(SimpleObject)]
pub struct GeoPoint {
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(SimpleObject)]
pub struct IssueViewerCan {
    /// Co-sign (or re-confirm after an edit).
    pub cosign: bool,
    /// Why not, when `cosign` is false (e.g. `COSIGN_OUTSIDE_AREA`, or
    /// `ALREADY_COSIGNED`): the line the app shows instead of the button.
    pub cosign_why_not: Option<WhyNot>,
    pub withdraw_cosignature: bool,
    pub edit: bool,
    /// Withdraw the issue (the raiser).
    pub withdraw: bool,
    /// Rate the response (the raiser).
    pub rate: bool,
    pub accept: bool,
    pub reject: bool,
    pub merge: bool,
    pub refer: bool,
    pub respond: bool,
    /// Turn it into a mediation case (the raiser, or staff of the place for them).
    pub send_to_mediation: bool,
}

impl IssueViewerCan {
    fn of(ctx: &Context<'_>, issue: &IssueView) -> IssueViewerCan {
        use domain::{Aggregate, Issue as Decider, IssueCommand as C};
        let app = app(ctx);
        let context = domain::Context {
            actor: caller(ctx),
            now: app.clock.now(),
        };
        let directory = app.projections.directory();
        let may = |command: C, chosen_later: &[&str]| {
            Decider::permits(
                &issue.id,
                &issue.state,
                command,
                &context,
                &directory,
                chosen_later,
            )
        };
        // Placeholder arguments stand for what the caller will type; a refusal of
        // those alone (named in `chosen_later`) does not hide the action.
        let placeholder = || domain::IssueText {
            title: String::new(),
            description: String::new(),
            place: String::new(),
        };
        let cosign_why_not = Decider::refusal(
            &issue.id,
            &issue.state,
            C::Cosign,
            &context,
            &directory,
            &[],
        );
        IssueViewerCan {
            cosign: cosign_why_not.is_none(),
            cosign_why_not: cosign_why_not.as_ref().map(WhyNot::of),
            withdraw_cosignature: may(C::WithdrawCosignature, &[]),
            edit: may(
                C::Edit {
                    text: placeholder(),
                },
                &[],
            ),
            withdraw: may(
                C::Withdraw {
                    reason: String::new(),
                },
                &[],
            ),
            rate: may(
                C::Rate {
                    rating: domain::Rating::Satisfied,
                    comment: String::new(),
                    raiser_code_checked: false,
                },
                &[],
            ),
            accept: may(C::Accept { council: None }, &["council"]),
            reject: may(
                C::Reject {
                    reason: domain::RejectionReason::Duplicate,
                    explanation: String::new(),
                },
                &["explanation"],
            ),
            merge: may(
                C::Merge {
                    into: issue.id.clone(),
                },
                &["into"],
            ),
            refer: may(
                C::Refer {
                    to: issue.jurisdiction().clone(),
                    note: String::new(),
                },
                &["to", "note"],
            ),
            respond: may(
                C::Respond {
                    text: String::new(),
                },
                &["text"],
            ),
            send_to_mediation: may_mediate(&context, &directory, issue, &may),
        }
    }
}

/// Whether the caller may turn the issue into a mediation case: the issue may be
/// sent (the case is named later) and the caller may ask for mediation for its
/// raiser at the raiser's grid (themselves online, or staff for them).
fn may_mediate(
    context: &domain::Context,
    directory: &dyn domain::Directory,
    issue: &IssueView,
    may: &dyn Fn(domain::IssueCommand, &[&str]) -> bool,
) -> bool {
    let Ok(placeholder) = domain::DisputeId::from_unique("0") else {
        return false;
    };
    let raiser = issue.raiser();
    let Some(grid) = directory.member(raiser).and_then(|m| m.home_grid) else {
        return false;
    };
    let channel = if context.actor.member.as_ref() == Some(raiser) {
        domain::Channel::Online
    } else {
        domain::Channel::Phone
    };
    may(
        domain::IssueCommand::SendToMediation {
            dispute: placeholder,
        },
        &["dispute"],
    ) && context
        .actor
        .acting_for(directory, raiser, &grid, channel, "apply for mediation")
        .is_ok()
}
