//! Meeting and resolution mutations. Each takes one input with an idempotency key
//! and returns the changed meeting or resolution with the appended indexes; a
//! ballot also returns its receipt (and, for a secret ballot, the voter's token).

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use roundtable_domain::{
    self as domain, AgendaItem, Assignment, ContentHash, CouncilId, DomainError, IssueId,
    Meeting as MeetingAggregate, MeetingCommand, MeetingId, MemberId, Refusal,
    Resolution as ResolutionAggregate, ResolutionCommand, ResolutionId,
};

use super::super::issues::receipt_url;
use super::super::mutation::{auth, key, run};
use super::super::types::MajorityKind;
use super::super::types::{app, member_id, parse_time};
use super::objects::{Choice, Meeting, Resolution, VoteMethod};
use crate::error::OrGql;

fn meeting_id(raw: &str) -> Result<MeetingId> {
    MeetingId::parse(raw).gql()
}

fn optional_member(raw: &Option<String>) -> Result<Option<MemberId>> {
    raw.as_deref().map(member_id).transpose()
}

#[derive(InputObject)]
pub struct AgendaItemInput {
    /// An issue from the council's docket (its title is used when none is given)…
    pub issue: Option<String>,
    /// …or a new topic, with a text.
    pub title: Option<String>,
    #[graphql(default)]
    pub text: String,
}

fn agenda(ctx: &Context<'_>, items: Vec<AgendaItemInput>) -> Result<Vec<AgendaItem>> {
    let issues = app(ctx).projections.issues();
    items
        .into_iter()
        .map(|i| {
            let issue = i.issue.as_deref().map(IssueId::parse).transpose().gql()?;
            let title = match (&i.title, &issue) {
                (Some(t), _) if !t.trim().is_empty() => t.clone(),
                (_, Some(id)) => issues
                    .get(id)
                    .map(|v| v.current().title.clone())
                    .ok_or_else(|| {
                        DomainError::not_found(Refusal::ISSUE_NOT_FOUND).with("issue", id)
                    })
                    .gql()?,
                _ => {
                    return Err(DomainError::validation(
                        "agenda",
                        Refusal::AGENDA_ITEM_NEEDS_SUBJECT,
                    ))
                    .gql();
                }
            };
            Ok(AgendaItem {
                item: 0,
                title,
                text: i.text,
                issue,
            })
        })
        .collect()
}

#[derive(InputObject)]
pub struct ConveneMeetingInput {
    pub council: String,
    pub title: String,
    /// RFC 3339 UTC.
    pub starts_at: String,
    /// The place, or the link for an online meeting.
    pub venue: String,
    #[graphql(default)]
    pub online: bool,
    pub agenda: Vec<AgendaItemInput>,
    /// Calls an urgent meeting inside the notice period (the chair only).
    pub urgent_reason: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ChangeAgendaInput {
    pub meeting: String,
    pub agenda: Vec<AgendaItemInput>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct MeetingRefInput {
    pub meeting: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct CheckInInput {
    pub meeting: String,
    /// An officer checks someone else in; otherwise the caller, with `code`.
    pub member: Option<String>,
    /// The meeting code shown in the hall.
    pub code: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct MemberAtMeetingInput {
    pub meeting: String,
    /// Defaults to the caller (an officer may name someone else).
    pub member: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RecordAbsenceInput {
    pub meeting: String,
    pub member: String,
    #[graphql(default)]
    pub apology: bool,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct GiveProxyInput {
    pub meeting: String,
    /// Defaults to the caller (an officer may record a written proxy).
    pub from: Option<String>,
    pub to: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct AgendaItemRefInput {
    pub meeting: String,
    pub item: u32,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RecordStatementInput {
    pub meeting: String,
    pub speaker: String,
    pub summary: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct MoveMotionInput {
    pub meeting: String,
    pub text: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct MoveAmendmentInput {
    pub meeting: String,
    /// The motion (or amendment) to amend.
    pub motion: u32,
    /// The full wording as amended.
    pub text: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct MotionRefInput {
    pub meeting: String,
    pub motion: u32,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct OpenVoteInput {
    pub meeting: String,
    pub motion: u32,
    pub method: VoteMethod,
    /// Defaults to the council's rule.
    pub majority: Option<MajorityKind>,
    /// Hide the running tally until close.
    #[graphql(default)]
    pub hidden: bool,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct CastBallotInput {
    pub meeting: String,
    pub vote: u32,
    pub choice: Choice,
    /// A proxy holder casts the ballot of the member who gave the proxy.
    pub on_behalf_of: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct VoteRefInput {
    pub meeting: String,
    pub vote: u32,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct CorrectMinutesInput {
    pub meeting: String,
    pub text: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct AssignmentInput {
    pub task: String,
    /// A responsible member…
    pub member: Option<String>,
    /// …or a unit by name.
    pub unit: Option<String>,
    /// RFC 3339 UTC.
    pub due: String,
}

#[derive(InputObject)]
pub struct RecordResolutionInput {
    pub meeting: String,
    /// The adopted main motion.
    pub motion: u32,
    /// Further issues it answers (the item's own issue is always included).
    #[graphql(default)]
    pub issues: Vec<String>,
    #[graphql(default)]
    pub assignments: Vec<AssignmentInput>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ResolutionNoteInput {
    pub resolution: String,
    #[graphql(default)]
    pub note: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ReportProgressInput {
    pub resolution: String,
    pub assignment: Option<u32>,
    pub percent: u32,
    pub text: String,
    /// SHA-256 of photos uploaded with `POST /photos`.
    #[graphql(default)]
    pub photos: Vec<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct MarkImplementedInput {
    pub resolution: String,
    pub result: String,
    pub idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct MeetingPayload {
    pub meeting: Option<Meeting>,
    pub indexes: Vec<u64>,
    /// For a ballot: its leaf and receipt (`GET /log/receipt/{index}`).
    pub receipt_url: Option<String>,
    /// For a secret ballot: keep this token; SHA-256 of it names your ballot in
    /// the published tally.
    pub ballot_token: Option<String>,
}

#[derive(SimpleObject)]
pub struct ResolutionPayload {
    pub resolution: Option<Resolution>,
    pub indexes: Vec<u64>,
}

fn meeting(ctx: &Context<'_>, id: &MeetingId) -> Option<Meeting> {
    app(ctx)
        .projections
        .meetings()
        .meeting(id)
        .cloned()
        .map(Meeting)
}

fn resolution(ctx: &Context<'_>, id: &ResolutionId) -> Option<Resolution> {
    app(ctx)
        .projections
        .meetings()
        .resolution(id)
        .cloned()
        .map(Resolution)
}

async fn on_meeting(
    ctx: &Context<'_>,
    raw: &str,
    command: MeetingCommand,
    idempotency_key: &Option<String>,
) -> Result<MeetingPayload> {
    let id = meeting_id(raw)?;
    let indexes = run::<MeetingAggregate>(ctx, &id, command, idempotency_key).await?;
    Ok(MeetingPayload {
        meeting: meeting(ctx, &id),
        indexes,
        receipt_url: None,
        ballot_token: None,
    })
}

/// An input naming a meeting and carrying an idempotency key: every meeting
/// mutation's. `input.decide(ctx, command)` is the whole of a forwarding resolver.
trait AtMeeting {
    fn meeting(&self) -> &str;
    fn idempotency_key(&self) -> &Option<String>;

    /// Runs `command` on the input's meeting with the input's key.
    async fn decide(&self, ctx: &Context<'_>, command: MeetingCommand) -> Result<MeetingPayload> {
        on_meeting(ctx, self.meeting(), command, self.idempotency_key()).await
    }
}

macro_rules! at_meeting {
    ($($input:ty),* $(,)?) => {$(
        impl AtMeeting for $input {
            fn meeting(&self) -> &str {
                &self.meeting
            }
            fn idempotency_key(&self) -> &Option<String> {
                &self.idempotency_key
            }
        }
    )*};
}

at_meeting!(
    ChangeAgendaInput,
    MeetingRefInput,
    CheckInInput,
    MemberAtMeetingInput,
    RecordAbsenceInput,
    GiveProxyInput,
    AgendaItemRefInput,
    RecordStatementInput,
    MoveMotionInput,
    MoveAmendmentInput,
    MotionRefInput,
    OpenVoteInput,
    CorrectMinutesInput,
);

async fn on_resolution(
    ctx: &Context<'_>,
    raw: &str,
    command: ResolutionCommand,
    idempotency_key: &Option<String>,
) -> Result<ResolutionPayload> {
    let id = ResolutionId::parse(raw).gql()?;
    let indexes = run::<ResolutionAggregate>(ctx, &id, command, idempotency_key).await?;
    Ok(ResolutionPayload {
        resolution: resolution(ctx, &id),
        indexes,
    })
}

fn photos(ctx: &Context<'_>, raw: &[String]) -> Result<Vec<ContentHash>> {
    raw.iter()
        .map(|p| {
            let hash = ContentHash::parse(p)
                .map_err(|_| DomainError::validation("photos", Refusal::BAD_HASH))
                .gql()?;
            if !app(ctx).photos.contains(&hash) {
                return Err(
                    DomainError::validation("photos", Refusal::PHOTO_NOT_UPLOADED).with("photo", p),
                )
                .gql();
            }
            Ok(hash)
        })
        .collect()
}

#[derive(Default)]
pub struct MeetingMutation;

#[Object]
impl MeetingMutation {
    /// The chair or secretary convenes a meeting: the notice is published as an event.
    async fn convene_meeting(
        &self,
        ctx: &Context<'_>,
        input: ConveneMeetingInput,
    ) -> Result<MeetingPayload> {
        let actor = auth(ctx).member_for_change(app(ctx)).gql()?;
        let id = MeetingId::from_unique(&roundtable_app::mint_for(
            &actor,
            "meeting",
            key(&input.idempotency_key)?,
        ))
        .gql()?;
        let command = MeetingCommand::Convene {
            council: CouncilId::parse(&input.council).gql()?,
            title: input.title,
            starts_at: parse_time("startsAt", &input.starts_at)?,
            venue: input.venue,
            online: input.online,
            agenda: agenda(ctx, input.agenda)?,
            urgent_reason: input.urgent_reason,
        };
        on_meeting(ctx, id.as_str(), command, &input.idempotency_key).await
    }

    /// Until the meeting opens.
    async fn change_agenda(
        &self,
        ctx: &Context<'_>,
        mut input: ChangeAgendaInput,
    ) -> Result<MeetingPayload> {
        let agenda = agenda(ctx, std::mem::take(&mut input.agenda))?;
        input
            .decide(ctx, MeetingCommand::ChangeAgenda { agenda })
            .await
    }

    /// Roll call: the caller with the meeting code, or an officer for someone.
    async fn check_in(&self, ctx: &Context<'_>, input: CheckInInput) -> Result<MeetingPayload> {
        let id = meeting_id(&input.meeting)?;
        let member = optional_member(&input.member)?;
        let code_checked = match &input.code {
            None => false,
            Some(code) => {
                let app = app(ctx);
                let who = auth(ctx).member_for_change(app).gql()?;
                let attempts_key =
                    format!("{id}:{}", who.member.as_ref().map_or("", |m| m.as_str()));
                let now = std::time::Instant::now();
                let from = roundtable_app::limits::AttemptFrom::Elsewhere(None);
                app.feedback_attempts
                    .begin(&attempts_key, from, now)
                    .map_err(roundtable_app::AppError::RateLimited)
                    .gql()?;
                if code.trim() != app.vault.meeting_code(id.as_str()) {
                    return Err(DomainError::validation("code", Refusal::WRONG_MEETING_CODE)).gql();
                }
                app.feedback_attempts.succeeded(&attempts_key, from);
                true
            }
        };
        input
            .decide(
                ctx,
                MeetingCommand::CheckIn {
                    member,
                    code_checked,
                },
            )
            .await
    }

    async fn record_absence(
        &self,
        ctx: &Context<'_>,
        input: RecordAbsenceInput,
    ) -> Result<MeetingPayload> {
        let command = MeetingCommand::RecordAbsence {
            member: member_id(&input.member)?,
            apology: input.apology,
        };
        input.decide(ctx, command).await
    }

    async fn give_proxy(&self, ctx: &Context<'_>, input: GiveProxyInput) -> Result<MeetingPayload> {
        let command = MeetingCommand::GiveProxy {
            from: optional_member(&input.from)?,
            to: member_id(&input.to)?,
        };
        input.decide(ctx, command).await
    }

    async fn revoke_proxy(
        &self,
        ctx: &Context<'_>,
        input: MemberAtMeetingInput,
    ) -> Result<MeetingPayload> {
        let command = MeetingCommand::RevokeProxy {
            from: optional_member(&input.member)?,
        };
        input.decide(ctx, command).await
    }

    async fn record_departure(
        &self,
        ctx: &Context<'_>,
        input: MemberAtMeetingInput,
    ) -> Result<MeetingPayload> {
        let command = MeetingCommand::Depart {
            member: optional_member(&input.member)?,
        };
        input.decide(ctx, command).await
    }

    /// Only with quorum.
    async fn open_meeting(
        &self,
        ctx: &Context<'_>,
        input: MeetingRefInput,
    ) -> Result<MeetingPayload> {
        input.decide(ctx, MeetingCommand::Open).await
    }

    async fn open_agenda_item(
        &self,
        ctx: &Context<'_>,
        input: AgendaItemRefInput,
    ) -> Result<MeetingPayload> {
        input
            .decide(ctx, MeetingCommand::OpenItem { item: input.item })
            .await
    }

    async fn close_agenda_item(
        &self,
        ctx: &Context<'_>,
        input: MeetingRefInput,
    ) -> Result<MeetingPayload> {
        input.decide(ctx, MeetingCommand::CloseItem).await
    }

    /// Back on the docket for a later meeting.
    async fn defer_agenda_item(
        &self,
        ctx: &Context<'_>,
        input: AgendaItemRefInput,
    ) -> Result<MeetingPayload> {
        input
            .decide(ctx, MeetingCommand::DeferItem { item: input.item })
            .await
    }

    async fn record_statement(
        &self,
        ctx: &Context<'_>,
        mut input: RecordStatementInput,
    ) -> Result<MeetingPayload> {
        let command = MeetingCommand::RecordStatement {
            speaker: member_id(&input.speaker)?,
            summary: std::mem::take(&mut input.summary),
        };
        input.decide(ctx, command).await
    }

    async fn move_motion(
        &self,
        ctx: &Context<'_>,
        mut input: MoveMotionInput,
    ) -> Result<MeetingPayload> {
        let text = std::mem::take(&mut input.text);
        input.decide(ctx, MeetingCommand::Move { text }).await
    }

    async fn move_amendment(
        &self,
        ctx: &Context<'_>,
        mut input: MoveAmendmentInput,
    ) -> Result<MeetingPayload> {
        let command = MeetingCommand::Amend {
            motion: input.motion,
            text: std::mem::take(&mut input.text),
        };
        input.decide(ctx, command).await
    }

    async fn second_motion(
        &self,
        ctx: &Context<'_>,
        input: MotionRefInput,
    ) -> Result<MeetingPayload> {
        input
            .decide(
                ctx,
                MeetingCommand::Second {
                    motion: input.motion,
                },
            )
            .await
    }

    async fn withdraw_motion(
        &self,
        ctx: &Context<'_>,
        input: MotionRefInput,
    ) -> Result<MeetingPayload> {
        input
            .decide(
                ctx,
                MeetingCommand::WithdrawMotion {
                    motion: input.motion,
                },
            )
            .await
    }

    /// The chair puts the pending motion or amendment to a vote (quorum is checked).
    async fn open_vote(&self, ctx: &Context<'_>, input: OpenVoteInput) -> Result<MeetingPayload> {
        let command = MeetingCommand::OpenVote {
            motion: input.motion,
            method: input.method.into(),
            majority: input.majority.map(Into::into),
            hidden: input.hidden,
        };
        input.decide(ctx, command).await
    }

    /// After adjournment: the council approves the minutes as they read now.
    async fn open_minutes_vote(
        &self,
        ctx: &Context<'_>,
        input: MeetingRefInput,
    ) -> Result<MeetingPayload> {
        input.decide(ctx, MeetingCommand::OpenMinutesVote).await
    }

    /// One ballot; returns its receipt (and a secret ballot's token).
    async fn cast_ballot(
        &self,
        ctx: &Context<'_>,
        input: CastBallotInput,
    ) -> Result<MeetingPayload> {
        let id = meeting_id(&input.meeting)?;
        let app = app(ctx);
        let actor = auth(ctx).member_for_change(app).gql()?;
        let cast = app
            .cast_ballot(
                &actor,
                &id,
                input.vote,
                optional_member(&input.on_behalf_of)?,
                domain::Choice::from(input.choice),
                key(&input.idempotency_key)?,
            )
            .await
            .gql()?;
        Ok(MeetingPayload {
            meeting: meeting(ctx, &id),
            receipt_url: cast.outcome.indexes.first().map(|i| receipt_url(*i)),
            indexes: cast.outcome.indexes,
            ballot_token: cast.ballot_token,
        })
    }

    /// Closes the vote: the tally, the outcome by the rule, and the signed
    /// checkpoint that includes every ballot.
    async fn close_vote(&self, ctx: &Context<'_>, input: VoteRefInput) -> Result<MeetingPayload> {
        let id = meeting_id(&input.meeting)?;
        let app = app(ctx);
        let actor = auth(ctx).member_for_change(app).gql()?;
        let outcome = app
            .close_vote(&actor, &id, input.vote, key(&input.idempotency_key)?)
            .await
            .gql()?;
        Ok(MeetingPayload {
            meeting: meeting(ctx, &id),
            receipt_url: outcome.indexes.first().map(|i| receipt_url(*i)),
            indexes: outcome.indexes,
            ballot_token: None,
        })
    }

    async fn adjourn_meeting(
        &self,
        ctx: &Context<'_>,
        input: MeetingRefInput,
    ) -> Result<MeetingPayload> {
        input.decide(ctx, MeetingCommand::Adjourn).await
    }

    /// The secretary's erratum to the minutes (before approval).
    async fn correct_minutes(
        &self,
        ctx: &Context<'_>,
        mut input: CorrectMinutesInput,
    ) -> Result<MeetingPayload> {
        let text = std::mem::take(&mut input.text);
        input
            .decide(ctx, MeetingCommand::CorrectMinutes { text })
            .await
    }

    /// An adopted motion becomes a resolution; the issues it answers move to
    /// "resolved, awaiting implementation".
    async fn record_resolution(
        &self,
        ctx: &Context<'_>,
        input: RecordResolutionInput,
    ) -> Result<ResolutionPayload> {
        let meeting = meeting_id(&input.meeting)?;
        // One resolution per adopted motion: its id derives from them.
        let suffix = meeting.as_str().trim_start_matches(MeetingId::PREFIX);
        let id = ResolutionId::from_unique(&format!("{suffix}-{}", input.motion)).gql()?;
        let mut assignments = Vec::with_capacity(input.assignments.len());
        for a in input.assignments {
            assignments.push(Assignment {
                assignment: 0,
                task: a.task,
                member: optional_member(&a.member)?,
                unit: a.unit,
                due: parse_time("assignments", &a.due)?,
            });
        }
        let issues = input
            .issues
            .iter()
            .map(|i| IssueId::parse(i))
            .collect::<Result<Vec<_>, _>>()
            .gql()?;
        let command = ResolutionCommand::Adopt {
            meeting,
            motion: input.motion,
            issues,
            assignments,
        };
        let app = app(ctx);
        let actor = auth(ctx).member_for_change(app).gql()?;
        let outcome = app
            .record_resolution(&actor, &id, command, key(&input.idempotency_key)?)
            .await
            .gql()?;
        Ok(ResolutionPayload {
            resolution: resolution(ctx, &id),
            indexes: outcome.indexes,
        })
    }

    /// Disclosure one.
    async fn publish_resolution(
        &self,
        ctx: &Context<'_>,
        input: ResolutionNoteInput,
    ) -> Result<ResolutionPayload> {
        on_resolution(
            ctx,
            &input.resolution,
            ResolutionCommand::Publish { note: input.note },
            &input.idempotency_key,
        )
        .await
    }

    async fn report_progress(
        &self,
        ctx: &Context<'_>,
        input: ReportProgressInput,
    ) -> Result<ResolutionPayload> {
        let command = ResolutionCommand::ReportProgress {
            assignment: input.assignment,
            percent: input.percent,
            text: input.text,
            photos: photos(ctx, &input.photos)?,
        };
        on_resolution(ctx, &input.resolution, command, &input.idempotency_key).await
    }

    async fn mark_resolution_implemented(
        &self,
        ctx: &Context<'_>,
        input: MarkImplementedInput,
    ) -> Result<ResolutionPayload> {
        on_resolution(
            ctx,
            &input.resolution,
            ResolutionCommand::MarkImplemented {
                result: input.result,
            },
            &input.idempotency_key,
        )
        .await
    }

    /// Disclosure two; the raisers of the issues it answers are asked to rate it.
    async fn publish_implementation_result(
        &self,
        ctx: &Context<'_>,
        input: ResolutionNoteInput,
    ) -> Result<ResolutionPayload> {
        let id = ResolutionId::parse(&input.resolution).gql()?;
        let app = app(ctx);
        let actor = auth(ctx).member_for_change(app).gql()?;
        let outcome = app
            .publish_result(&actor, &id, input.note, key(&input.idempotency_key)?)
            .await
            .gql()?;
        Ok(ResolutionPayload {
            resolution: resolution(ctx, &id),
            indexes: outcome.indexes,
        })
    }
}
