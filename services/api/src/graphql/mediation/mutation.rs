//! Mediation mutations: committees and their mediators, then the case's procedure.
//! Each returns the case as the caller may read it and the appended indexes. The
//! rules are the domain's (`mediation/procedure.rs`); texts are sealed by the app.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use roundtable_domain::{
    self as domain, Committee, CommitteeCommand, CommitteeId, DisputeCommand as C, DisputeId,
    JurisdictionId, MediationRules, MemberId, Name, RaiseDispute, Reason,
};
use roundtable_vault::PersonalData;

use super::super::issues::{Channel, on_allowance};
use super::super::mutation::{auth, key, run};
use super::super::types::{app, caller, member_id, parse_time};
use super::objects::*;
use crate::error::OrGql;

#[derive(InputObject)]
pub struct CreateMediationCommitteeInput {
    pub jurisdiction: String,
    pub kind: CommitteeKind,
    pub name: String,
    /// Default 7.
    pub consent_days: Option<u32>,
    /// Default 30.
    pub time_limit_days: Option<u32>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct AppointMediatorInput {
    pub committee: String,
    pub member: String,
    #[graphql(default)]
    pub officer: bool,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RemoveMediatorInput {
    pub committee: String,
    pub member: String,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct MediationCommitteePayload {
    pub committee: Option<MediationCommittee>,
    pub indexes: Vec<u64>,
}

/// Someone without an account: taken down by a grid worker, or named by a
/// neighbour in the same grid. They are reached by phone or a visit.
#[derive(InputObject)]
pub struct OutsidePartyInput {
    pub display_name: String,
    pub phone: String,
    /// Their grid (one the grid worker serves).
    pub home_grid: String,
}

#[derive(InputObject)]
pub struct RaiseDisputeInput {
    pub kind: DisputeKind,
    /// Members on the other side (1 to 5 with `outsideRespondents`).
    #[graphql(default)]
    pub respondents: Vec<String>,
    /// A grid worker names people without an account (recorded in the vault).
    #[graphql(default)]
    pub outside_respondents: Vec<OutsidePartyInput>,
    /// What the applicant asks (private: the log keeps a commitment).
    pub claim: String,
    /// Defaults to the applicant's grid.
    pub jurisdiction: Option<String>,
    /// A grid worker raising for a resident names them and the channel.
    pub on_behalf_of: Option<String>,
    pub channel: Option<Channel>,
    /// An issue of the applicant's to turn into this case.
    pub from_issue: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct AnswerDisputeInput {
    pub dispute: String,
    pub consent: bool,
    /// Staff recording a respondent's answer name them and the channel.
    pub party: Option<String>,
    pub channel: Option<Channel>,
    /// What the respondent asks, when they consent (private).
    pub claim: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct DisputeMemberInput {
    pub dispute: String,
    pub member: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ObjectToMediatorInput {
    pub dispute: String,
    pub reason: String,
    /// Staff recording an objection name the party.
    pub party: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct DisputeRefInput {
    pub dispute: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ScheduleSessionInput {
    pub dispute: String,
    /// RFC 3339 UTC.
    pub at: String,
    pub venue: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RecordSessionInput {
    pub dispute: String,
    pub session: u32,
    pub attendance: Vec<String>,
    /// The session's record (private).
    pub record: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct DraftAgreementInput {
    pub dispute: String,
    /// The terms agreed (private: parties confirm the rendered text by its hash).
    pub terms: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ConfirmAgreementInput {
    pub dispute: String,
    /// `DisputeCase.agreement.textHash` of the text the party read.
    pub text_hash: String,
    /// The mediator recording a confirmation signed on paper names the party.
    pub party: Option<String>,
    pub channel: Option<Channel>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct CloseDisputeInput {
    pub dispute: String,
    /// `NO_AGREEMENT` or `PARTY_ABSENT` (the mediator), `WITHDRAWN` (the applicant).
    pub outcome: CaseOutcome,
    pub advice: Option<Advice>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ApplyForConfirmationInput {
    pub dispute: String,
    pub court: String,
    /// RFC 3339 UTC: the day the application was filed.
    pub applied_on: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RecordRulingInput {
    pub dispute: String,
    pub confirmed: bool,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct FollowUpInput {
    pub dispute: String,
    pub performance: Performance,
    /// The visit's note (private).
    pub note: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ReferDisputeInput {
    pub dispute: String,
    pub advice: Advice,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct EraseDisputeRecordsInput {
    pub dispute: String,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct DisputePayload {
    pub dispute: Option<DisputeCase>,
    pub indexes: Vec<u64>,
    /// The receipt of the command's first event (a confirmation).
    pub receipt: Option<super::super::issues::Receipt>,
}

fn dispute_id(raw: &str) -> Result<DisputeId> {
    DisputeId::parse(raw).gql()
}

fn me(ctx: &Context<'_>) -> Result<MemberId> {
    caller(ctx)
        .member
        .ok_or(domain::DomainError::Unauthenticated)
        .gql()
}

/// The party a command is for: the one named (staff recording it), else the caller.
pub(in crate::graphql) fn party_or_me(
    ctx: &Context<'_>,
    named: &Option<String>,
) -> Result<MemberId> {
    named.as_deref().map_or_else(|| me(ctx), member_id)
}

/// The channel a command came by: as given, else online for oneself and a visit
/// for someone staff name.
pub(in crate::graphql) fn channel(
    named: &Option<String>,
    given: Option<Channel>,
) -> domain::Channel {
    match (named, given) {
        (_, Some(c)) => c.into(),
        (None, None) => domain::Channel::Online,
        (Some(_), None) => domain::Channel::Visit,
    }
}

async fn on_case(
    ctx: &Context<'_>,
    id: DisputeId,
    command: C,
    idempotency_key: &Option<String>,
) -> Result<DisputePayload> {
    let app = app(ctx);
    let actor = auth(ctx).actor_for_change(app).gql()?;
    let outcome = app
        .on_dispute(&actor, &id, command, key(idempotency_key)?)
        .await
        .gql()?;
    Ok(DisputePayload {
        dispute: dispute_case(ctx, &id),
        indexes: outcome.indexes,
        receipt: None,
    })
}

async fn on_committee(
    ctx: &Context<'_>,
    id: CommitteeId,
    command: CommitteeCommand,
    idempotency_key: &Option<String>,
) -> Result<MediationCommitteePayload> {
    let indexes = run::<Committee>(ctx, &id, command, idempotency_key).await?;
    Ok(MediationCommitteePayload {
        committee: committee(ctx, &id),
        indexes,
    })
}

#[derive(Default)]
pub struct MediationMutation;

#[Object]
impl MediationMutation {
    /// An administrator sets up a mediation committee at a node of the grid.
    async fn create_mediation_committee(
        &self,
        ctx: &Context<'_>,
        input: CreateMediationCommitteeInput,
    ) -> Result<MediationCommitteePayload> {
        let actor = caller(ctx);
        let id = CommitteeId::from_unique(&roundtable_app::mint_for(
            &actor,
            "committee",
            key(&input.idempotency_key)?,
        ))
        .gql()?;
        let defaults = MediationRules::default();
        let command = CommitteeCommand::Create {
            jurisdiction: JurisdictionId::parse(&input.jurisdiction).gql()?,
            kind: input.kind.into(),
            name: Name::parse(&input.name).gql()?,
            rules: MediationRules {
                consent_days: input.consent_days.unwrap_or(defaults.consent_days),
                time_limit_days: input.time_limit_days.unwrap_or(defaults.time_limit_days),
            },
        };
        on_committee(ctx, id, command, &input.idempotency_key).await
    }

    /// An administrator or an officer appoints a mediator (or makes one an officer).
    async fn appoint_mediator(
        &self,
        ctx: &Context<'_>,
        input: AppointMediatorInput,
    ) -> Result<MediationCommitteePayload> {
        let id = CommitteeId::parse(&input.committee).gql()?;
        let command = CommitteeCommand::Appoint {
            member: member_id(&input.member)?,
            officer: input.officer,
            reason: Reason::parse(&input.reason).gql()?,
        };
        on_committee(ctx, id, command, &input.idempotency_key).await
    }

    async fn remove_mediator(
        &self,
        ctx: &Context<'_>,
        input: RemoveMediatorInput,
    ) -> Result<MediationCommitteePayload> {
        let id = CommitteeId::parse(&input.committee).gql()?;
        let command = CommitteeCommand::Remove {
            member: member_id(&input.member)?,
            reason: Reason::parse(&input.reason).gql()?,
        };
        on_committee(ctx, id, command, &input.idempotency_key).await
    }

    /// A verified resident asks for mediation (or a grid worker for them). The
    /// claim is sealed; respondents are asked to accept.
    async fn raise_dispute(
        &self,
        ctx: &Context<'_>,
        input: RaiseDisputeInput,
    ) -> Result<DisputePayload> {
        let app = app(ctx);
        let actor = auth(ctx).actor_for_change(app).gql()?;
        let applicant = party_or_me(ctx, &input.on_behalf_of)?;
        let chan = channel(&input.on_behalf_of, input.channel);
        let idem = key(&input.idempotency_key)?;
        let id =
            DisputeId::from_unique(&roundtable_app::mint_for(&actor, "dispute", idem)).gql()?;
        let jurisdiction = match &input.jurisdiction {
            Some(j) => JurisdictionId::parse(j).gql()?,
            None => app
                .projections
                .registry()
                .members
                .get(&applicant)
                .and_then(|m| m.home_grid().cloned())
                .ok_or_else(|| {
                    domain::DomainError::validation(
                        "jurisdiction",
                        domain::Refusal::OUTSIDE_RAISER_REACH,
                    )
                })
                .gql()?,
        };
        if input.respondents.len() + input.outside_respondents.len() > domain::MAX_RESPONDENTS {
            return Err(domain::DomainError::validation(
                "respondents",
                domain::Refusal::OUT_OF_RANGE,
            )
            .with("min", 1)
            .with("max", domain::MAX_RESPONDENTS)
            .with(
                "got",
                input.respondents.len() + input.outside_respondents.len(),
            ))
            .gql();
        }
        let mut respondents = input
            .respondents
            .iter()
            .map(|r| member_id(r))
            .collect::<Result<Vec<_>>>()?;
        let claim = app.seal_text("claim", &input.claim).gql()?;
        let from_issue = input
            .from_issue
            .as_deref()
            .map(domain::IssueId::parse)
            .transpose()
            .gql()?;
        // Each case (and each party it records) is one of the caller's raises.
        let raise = async {
            for (n, party) in input.outside_respondents.iter().enumerate() {
                let personal =
                    PersonalData::new(&party.display_name, &party.phone, None, None, None).gql()?;
                let grid = JurisdictionId::parse(&party.home_grid).gql()?;
                let party_key = idem.map(|k| format!("{k}|party|{n}"));
                respondents.push(
                    app.record_outside_party(&actor, grid, personal, party_key.as_deref())
                        .await
                        .gql()?,
                );
            }
            let command = C::Raise(RaiseDispute {
                applicant,
                respondents,
                kind: input.kind.into(),
                jurisdiction,
                channel: chan,
                claim,
                from_issue,
            });
            on_case(ctx, id, command, &input.idempotency_key).await
        };
        on_allowance(ctx, roundtable_app::limits::Action::Raise, raise).await
    }

    /// A respondent accepts or declines mediation (or staff record their answer).
    async fn answer_dispute(
        &self,
        ctx: &Context<'_>,
        input: AnswerDisputeInput,
    ) -> Result<DisputePayload> {
        let claim = match input.claim.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() && input.consent => {
                Some(app(ctx).seal_text("claim", text).gql()?)
            }
            _ => None,
        };
        let command = C::Answer {
            party: party_or_me(ctx, &input.party)?,
            consent: input.consent,
            channel: channel(&input.party, input.channel),
            claim,
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    /// An officer of the committee assigns a mediator.
    async fn assign_mediator(
        &self,
        ctx: &Context<'_>,
        input: DisputeMemberInput,
    ) -> Result<DisputePayload> {
        let command = C::AssignMediator {
            mediator: member_id(&input.member)?,
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    /// A party objects to the mediator, once: the mediator steps aside.
    async fn object_to_mediator(
        &self,
        ctx: &Context<'_>,
        input: ObjectToMediatorInput,
    ) -> Result<DisputePayload> {
        let command = C::ObjectToMediator {
            party: party_or_me(ctx, &input.party)?,
            reason: Reason::parse(&input.reason).gql()?,
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    /// The mediator or an officer sends a hard case to the committee above.
    async fn escalate_dispute(
        &self,
        ctx: &Context<'_>,
        input: DisputeRefInput,
    ) -> Result<DisputePayload> {
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            C::Escalate,
            &input.idempotency_key,
        )
        .await
    }

    async fn schedule_mediation_session(
        &self,
        ctx: &Context<'_>,
        input: ScheduleSessionInput,
    ) -> Result<DisputePayload> {
        let command = C::ScheduleSession {
            at: parse_time("at", &input.at)?,
            venue: input.venue,
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    /// The mediator records a session: who came (in the log) and the record (sealed).
    async fn record_mediation_session(
        &self,
        ctx: &Context<'_>,
        input: RecordSessionInput,
    ) -> Result<DisputePayload> {
        if input.attendance.len() > domain::MAX_RESPONDENTS + 2 {
            return Err(
                domain::DomainError::validation("attendance", domain::Refusal::TOO_MANY)
                    .with("max", domain::MAX_RESPONDENTS + 2),
            )
            .gql();
        }
        let command = C::RecordSession {
            session: input.session,
            attendance: input
                .attendance
                .iter()
                .map(|m| member_id(m))
                .collect::<Result<_>>()?,
            record: app(ctx).seal_text("record", &input.record).gql()?,
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    /// The mediator drafts the agreement (a new version voids earlier confirmations).
    async fn draft_agreement(
        &self,
        ctx: &Context<'_>,
        input: DraftAgreementInput,
    ) -> Result<DisputePayload> {
        let command = C::DraftAgreement {
            terms: app(ctx).seal_text("terms", &input.terms).gql()?,
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    /// A party confirms the agreement they read, by its hash. Returns a receipt.
    async fn confirm_agreement(
        &self,
        ctx: &Context<'_>,
        input: ConfirmAgreementInput,
    ) -> Result<DisputePayload> {
        let command = C::ConfirmAgreement {
            party: party_or_me(ctx, &input.party)?,
            text_hash: domain::ContentHash::parse(&input.text_hash)
                .map_err(|_| domain::DomainError::validation("textHash", domain::Refusal::BAD_HASH))
                .gql()?,
            channel: channel(&input.party, input.channel),
        };
        let mut payload = on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await?;
        payload.receipt = payload
            .indexes
            .first()
            .map(|&i| super::super::issues::Receipt::at(i));
        Ok(payload)
    }

    async fn close_dispute(
        &self,
        ctx: &Context<'_>,
        input: CloseDisputeInput,
    ) -> Result<DisputePayload> {
        let command = C::Close {
            outcome: input.outcome.into(),
            advice: input.advice.map(Into::into),
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    /// Records the parties' application to a court for judicial confirmation
    /// (within 30 days of the agreement).
    async fn apply_for_judicial_confirmation(
        &self,
        ctx: &Context<'_>,
        input: ApplyForConfirmationInput,
    ) -> Result<DisputePayload> {
        let command = C::ApplyForConfirmation {
            court: input.court,
            applied_on: parse_time("appliedOn", &input.applied_on)?,
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    async fn record_judicial_ruling(
        &self,
        ctx: &Context<'_>,
        input: RecordRulingInput,
    ) -> Result<DisputePayload> {
        let command = C::RecordRuling {
            confirmed: input.confirmed,
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    /// A follow-up visit on the agreement's performance (the note is sealed).
    async fn record_follow_up(
        &self,
        ctx: &Context<'_>,
        input: FollowUpInput,
    ) -> Result<DisputePayload> {
        let command = C::FollowUp {
            performance: input.performance.into(),
            note: app(ctx).seal_text("note", &input.note).gql()?,
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    /// After a visit found the agreement not performed: mediate again.
    async fn reopen_dispute(
        &self,
        ctx: &Context<'_>,
        input: DisputeRefInput,
    ) -> Result<DisputePayload> {
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            C::Reopen,
            &input.idempotency_key,
        )
        .await
    }

    /// After a visit found the agreement not performed: point the parties on.
    async fn refer_dispute(
        &self,
        ctx: &Context<'_>,
        input: ReferDisputeInput,
    ) -> Result<DisputePayload> {
        let command = C::Refer {
            advice: input.advice.into(),
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }

    /// Deletes the case's private texts for good (a party or the handler, once over).
    async fn erase_dispute_records(
        &self,
        ctx: &Context<'_>,
        input: EraseDisputeRecordsInput,
    ) -> Result<DisputePayload> {
        let command = C::EraseRecords {
            reason: Reason::parse(&input.reason).gql()?,
        };
        on_case(
            ctx,
            dispute_id(&input.dispute)?,
            command,
            &input.idempotency_key,
        )
        .await
    }
}
