//! Issue mutations: the lifecycle, each returning the issue and the appended
//! indexes (a receipt for co-signatures and ratings).

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use roundtable_domain::{
    self as domain, ContentHash, CouncilId, DomainError, Issue as IssueAggregate, IssueCommand,
    IssueId, IssueText, JurisdictionId, MemberId, Name, Refusal,
};

use super::super::mutation::{key, run};
use super::super::types::{app, caller};
use crate::error::OrGql;
use roundtable_app::AppError;
use roundtable_app::limits::Action;

use super::objects::*;
use super::query::{SimilarIssue, similar};

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
    /// SHA-256 of photos uploaded first with `POST /photos` (at most 5).
    #[graphql(default)]
    pub photos: Vec<String>,
    /// A building (and unit) from the grid's list (`Jurisdiction.buildings`); the
    /// issue goes to that grid (`jurisdiction`, which it must then name or default to).
    pub spot: Option<SpotInput>,
    /// The phone's GPS point: coarsened to 0.001° and kept in the vault for staff,
    /// never in the log.
    pub location: Option<LocationInput>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct SpotInput {
    pub building: String,
    pub unit: Option<String>,
}

#[derive(InputObject)]
pub struct LocationInput {
    pub latitude: f64,
    pub longitude: f64,
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

#[derive(InputObject)]
pub struct AcceptIssueInput {
    pub issue: String,
    /// Defaults to the council the issue is with.
    pub council: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RejectIssueInput {
    pub issue: String,
    pub reason: RejectionReason,
    /// Public: shown to the raiser and everyone.
    pub explanation: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct MergeIssueInput {
    pub issue: String,
    pub into: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ReferIssueInput {
    pub issue: String,
    pub to: String,
    pub note: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RespondToIssueInput {
    pub issue: String,
    pub text: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RateIssueInput {
    pub issue: String,
    pub rating: Rating,
    #[graphql(default)]
    pub comment: String,
    /// A grid worker rating on the raiser's behalf gives the raiser's one-time code.
    pub feedback_code: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct WithdrawIssueInput {
    pub issue: String,
    #[graphql(default)]
    pub reason: String,
    pub idempotency_key: Option<String>,
}

/// A receipt for a co-signature or a rating: the leaf's index and its `tlog-proof`
/// (which verifies offline against the log's key).
pub struct Receipt {
    index: u64,
}

impl Receipt {
    /// The receipt of leaf `index`.
    pub fn at(index: u64) -> Receipt {
        Receipt { index }
    }
}

#[Object]
impl Receipt {
    async fn index(&self) -> u64 {
        self.index
    }
    async fn url(&self) -> String {
        receipt_url(self.index)
    }
    /// The `tlog-proof@v1` text, carrying the leaf itself (`extra`) and the
    /// checkpoint as served (with witnesses' cosignatures); null until a signed checkpoint covers the leaf
    /// (checkpoints are signed every second or so: fetch `url` a little later).
    async fn text(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let api = super::super::types::api(ctx);
        Ok(crate::record::standalone_receipt(
            api.app.log.as_ref(),
            api.witnesses.as_deref(),
            self.index,
        )
        .await
        .map_err(AppError::from)
        .gql()?
        .map(|r| r.to_text()))
    }
}

#[derive(SimpleObject)]
pub struct IssuePayload {
    pub issue: Option<Issue>,
    pub indexes: Vec<u64>,
    /// For a co-signature or a rating: the receipt of its event.
    pub receipt: Option<Receipt>,
}

#[derive(SimpleObject)]
pub struct RaiseIssuePayload {
    pub issue: Option<Issue>,
    pub indexes: Vec<u64>,
    /// Open issues like this one nearby: co-sign one of them instead if it is the same.
    pub similar: Vec<SimilarIssue>,
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
        receipt: None,
    })
}

/// Adds the receipt of the command's first event (a co-signature, a rating).
fn with_receipt(payload: Result<IssuePayload>) -> Result<IssuePayload> {
    payload.map(|mut p| {
        p.receipt = p.indexes.first().map(|&index| Receipt { index });
        p
    })
}

/// Spends one of the caller's allowances for `action`.
/// Runs `command` on one unit of the caller's allowance for `action`; a command
/// that is refused (or fails) gives it back, so only what was done is counted.
pub(in crate::graphql) async fn on_allowance<T>(
    ctx: &Context<'_>,
    action: Action,
    command: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    let Some(me) = caller(ctx).member else {
        return Err(DomainError::Unauthenticated).gql();
    };
    app(ctx)
        .actions
        .spend(&[(me.as_str(), action)], command)
        .await
        .map_err(AppError::RateLimited)
        .gql()?
}

fn issue_id(raw: &str) -> Result<IssueId> {
    IssueId::parse(raw).gql()
}

#[derive(Default)]
pub struct IssueMutation;

#[Object]
impl IssueMutation {
    /// A resident raises an issue (or a grid worker for them). The payload lists
    /// similar open issues nearby.
    async fn raise_issue(
        &self,
        ctx: &Context<'_>,
        input: RaiseIssueInput,
    ) -> Result<RaiseIssuePayload> {
        let text = IssueText::new(&input.title, &input.description, &input.place).gql()?;
        let on_behalf_of = match (&input.on_behalf_of, input.channel) {
            (None, _) => None,
            (Some(m), channel) => Some((
                MemberId::parse(m).gql()?,
                channel.map_or(domain::Channel::Visit, Into::into),
            )),
        };
        if input.photos.len() > domain::MAX_PHOTOS {
            return Err(DomainError::validation("photos", Refusal::TOO_MANY)
                .with("max", domain::MAX_PHOTOS))
            .gql();
        }
        let mut photos = Vec::with_capacity(input.photos.len());
        for raw in &input.photos {
            let hash = ContentHash::parse(raw)
                .map_err(|_| DomainError::validation("photos", Refusal::BAD_HASH))
                .gql()?;
            if !app(ctx).photos.contains(&hash) {
                return Err(
                    DomainError::validation("photos", Refusal::PHOTO_NOT_UPLOADED)
                        .with("photo", raw),
                )
                .gql();
            }
            photos.push(hash);
        }
        let actor = caller(ctx);
        let id = IssueId::from_unique(&roundtable_app::mint_for(
            &actor,
            "issue",
            key(&input.idempotency_key)?,
        ))
        .gql()?;
        let jurisdiction = input
            .jurisdiction
            .as_deref()
            .map(JurisdictionId::parse)
            .transpose()
            .gql()?;
        let spot = input
            .spot
            .as_ref()
            .map(|s| {
                Ok::<_, DomainError>(domain::Spot {
                    building: Name::parse(&s.building)?,
                    unit: s.unit.as_deref().map(Name::parse).transpose()?,
                })
            })
            .transpose()
            .gql()?;
        let location = input
            .location
            .as_ref()
            .map(|l| domain::CoarsePoint::coarsen(l.latitude, l.longitude))
            .transpose()
            .gql()?;
        let replay = input.idempotency_key.is_some()
            && app(ctx).stream_exists::<IssueAggregate>(&id).await.gql()?;
        let command = IssueCommand::Raise(domain::RaiseIssue {
            text: text.clone(),
            category: input.category.into(),
            jurisdiction,
            on_behalf_of,
            photos,
            spot,
        });
        let raise = run::<IssueAggregate>(ctx, &id, command, &input.idempotency_key);
        let indexes = match replay {
            true => raise.await?,
            false => on_allowance(ctx, Action::Raise, raise).await?,
        };
        let raised = issue(ctx, &id);
        // The point is the raiser's personal data: sealed with their key in the vault.
        if let (Some(point), Some(raiser)) = (
            location,
            raised.as_ref().and_then(|i| i.0.state.raiser.clone()),
        ) {
            app(ctx)
                .vault
                .keep_issue_location(id.as_str(), &raiser, &point)
                .gql()?;
        }
        let at = raised.as_ref().map(|i| i.0.jurisdiction().clone());
        Ok(RaiseIssuePayload {
            similar: similar(
                ctx,
                &text.title,
                &text.description,
                at.as_ref(),
                Some(&id),
                5,
            ),
            issue: raised,
            indexes,
        })
    }

    /// The raiser edits the text: a new version; supporters are asked to re-confirm.
    async fn edit_issue(&self, ctx: &Context<'_>, input: EditIssueInput) -> Result<IssuePayload> {
        let id = issue_id(&input.issue)?;
        let text = IssueText::new(&input.title, &input.description, &input.place).gql()?;
        on_issue(ctx, id, IssueCommand::Edit { text }, &input.idempotency_key).await
    }

    /// A verified resident of the area supports the current version (or re-confirms
    /// after an edit). Returns a receipt.
    async fn cosign_issue(&self, ctx: &Context<'_>, input: IssueRefInput) -> Result<IssuePayload> {
        let id = issue_id(&input.issue)?;
        let cosign = on_issue(ctx, id, IssueCommand::Cosign, &input.idempotency_key);
        with_receipt(on_allowance(ctx, Action::Cosign, cosign).await)
    }

    async fn withdraw_cosignature(
        &self,
        ctx: &Context<'_>,
        input: IssueRefInput,
    ) -> Result<IssuePayload> {
        let id = issue_id(&input.issue)?;
        on_issue(
            ctx,
            id,
            IssueCommand::WithdrawCosignature,
            &input.idempotency_key,
        )
        .await
    }

    /// Triage: take the issue up and route it to a council; its response clock starts.
    async fn accept_issue(
        &self,
        ctx: &Context<'_>,
        input: AcceptIssueInput,
    ) -> Result<IssuePayload> {
        let id = issue_id(&input.issue)?;
        let council = input
            .council
            .as_deref()
            .map(CouncilId::parse)
            .transpose()
            .gql()?;
        on_issue(
            ctx,
            id,
            IssueCommand::Accept { council },
            &input.idempotency_key,
        )
        .await
    }

    /// Triage: decline with a coded reason and a public explanation.
    async fn reject_issue(
        &self,
        ctx: &Context<'_>,
        input: RejectIssueInput,
    ) -> Result<IssuePayload> {
        let id = issue_id(&input.issue)?;
        let command = IssueCommand::Reject {
            reason: input.reason.into(),
            explanation: input.explanation,
        };
        on_issue(ctx, id, command, &input.idempotency_key).await
    }

    /// Triage: fold a duplicate into another issue. Its supporters are told and
    /// carry their support over by co-signing the other issue, if they wish.
    async fn merge_issue(&self, ctx: &Context<'_>, input: MergeIssueInput) -> Result<IssuePayload> {
        let id = issue_id(&input.issue)?;
        let into = issue_id(&input.into)?;
        on_issue(
            ctx,
            id,
            IssueCommand::Merge { into },
            &input.idempotency_key,
        )
        .await
    }

    /// Triage: send the issue to another jurisdiction (the referral count is public).
    async fn refer_issue(&self, ctx: &Context<'_>, input: ReferIssueInput) -> Result<IssuePayload> {
        let id = issue_id(&input.issue)?;
        let to = JurisdictionId::parse(&input.to).gql()?;
        let command = IssueCommand::Refer {
            to,
            note: input.note,
        };
        on_issue(ctx, id, command, &input.idempotency_key).await
    }

    /// A written response; the raiser is then asked for their verdict.
    async fn respond_to_issue(
        &self,
        ctx: &Context<'_>,
        input: RespondToIssueInput,
    ) -> Result<IssuePayload> {
        let id = issue_id(&input.issue)?;
        on_issue(
            ctx,
            id,
            IssueCommand::Respond { text: input.text },
            &input.idempotency_key,
        )
        .await
    }

    /// The raiser's verdict (or a grid worker's, with the raiser's one-time code).
    /// Unsatisfied reopens the issue with a new response deadline. Returns a receipt.
    async fn rate_issue(&self, ctx: &Context<'_>, input: RateIssueInput) -> Result<IssuePayload> {
        let id = issue_id(&input.issue)?;
        let raiser_code_checked = match &input.feedback_code {
            None => false,
            Some(code) => check_feedback_code(ctx, &id, code)?,
        };
        let command = IssueCommand::Rate {
            rating: input.rating.into(),
            comment: input.comment,
            raiser_code_checked,
        };
        with_receipt(on_issue(ctx, id, command, &input.idempotency_key).await)
    }

    /// The raiser withdraws the issue (any time before it is closed).
    async fn withdraw_issue(
        &self,
        ctx: &Context<'_>,
        input: WithdrawIssueInput,
    ) -> Result<IssuePayload> {
        let id = issue_id(&input.issue)?;
        on_issue(
            ctx,
            id,
            IssueCommand::Withdraw {
                reason: input.reason,
            },
            &input.idempotency_key,
        )
        .await
    }

    /// Marks the caller's notifications read up to (not including) log index `upTo`;
    /// returns the new mark.
    async fn mark_notifications_read(&self, ctx: &Context<'_>, up_to: u64) -> Result<u64> {
        let app = app(ctx);
        let auth = ctx
            .data_opt::<crate::auth::RequestAuth>()
            .cloned()
            .unwrap_or_default();
        let actor = auth.member_for_change(app).gql()?;
        let me = actor.member.ok_or(DomainError::Unauthenticated).gql()?;
        app.vault.mark_notifications_read(&me, up_to).gql()
    }
}

/// Checks a raiser's one-time code for the response awaiting a rating. Only a
/// signed-in caller may try, and wrong codes back off per issue *and caller*, so
/// a stranger's guesses never block the grid worker's visit.
fn check_feedback_code(ctx: &Context<'_>, id: &IssueId, code: &str) -> Result<bool> {
    let app = app(ctx);
    let caller = ctx
        .data_opt::<crate::auth::RequestAuth>()
        .cloned()
        .unwrap_or_default()
        .member_for_change(app)
        .gql()?;
    let account = format!(
        "feedback:{id}:{}",
        caller.member.as_ref().map_or("", |m| m.as_str())
    );
    // A code is good only while a response awaits its rating: the rating ends it.
    let round = app
        .projections
        .issues()
        .get(id)
        .map(|i| {
            (i.state.status == domain::IssueStatus::Responded).then_some(i.responses.len() as u32)
        })
        .ok_or(DomainError::not_found(Refusal::ISSUE_NOT_FOUND).with("issue", id))
        .gql()?;
    let from = roundtable_app::limits::AttemptFrom::Elsewhere(None);
    app.feedback_attempts
        .begin(&account, from, std::time::Instant::now())
        .map_err(AppError::RateLimited)
        .gql()?;
    if let Some(round) = round
        && app.vault.feedback_code(id.as_str(), round) == code.trim()
    {
        app.feedback_attempts.succeeded(&account, from);
        Ok(true)
    } else {
        Err(DomainError::validation(
            "feedbackCode",
            Refusal::WRONG_FEEDBACK_CODE,
        ))
        .gql()
    }
}
