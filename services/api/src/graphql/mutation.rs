//! Mutations: one input object each, an optional idempotency key, and a payload
//! with the changed node and the log indexes of the appended events. Each returns
//! only after the read models include its events.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use roundtable_domain::{
    Aggregate, Council as CouncilAggregate, CouncilCommand, CouncilId, CouncilRules, DomainError,
    Fraction, Jurisdiction as JurisdictionAggregate, JurisdictionCommand, JurisdictionId,
    Member as MemberAggregate, MemberCommand, MemberId, Name, Reason, Refusal, Role,
};
use roundtable_vault::PersonalData;

use super::types::*;
use crate::auth::{RequestAuth, cleared_cookies, device_cookie, session_cookies};
use crate::error::OrGql;
use roundtable_app::{NewAccount, mint_for};

#[derive(Default)]
pub struct PeopleMutation;

pub(super) fn auth(ctx: &Context<'_>) -> RequestAuth {
    ctx.data_opt::<RequestAuth>().cloned().unwrap_or_default()
}

pub(super) fn key(raw: &Option<String>) -> Result<Option<&str>> {
    match raw.as_deref() {
        None => Ok(None),
        Some(k) if (1..=100).contains(&k.len()) && !k.chars().any(char::is_control) => Ok(Some(k)),
        Some(_) => Err(DomainError::validation("idempotencyKey", Refusal::BAD_KEY)).gql(),
    }
}

fn reason(raw: &str) -> Result<Reason> {
    Reason::parse(raw).gql()
}

fn name(raw: &str) -> Result<Name> {
    Name::parse(raw).gql()
}

#[derive(InputObject)]
pub struct RoleInput {
    pub kind: RoleKind,
    /// Required for a grid worker: the root of their scope.
    pub jurisdiction: Option<String>,
}

impl RoleInput {
    fn to_domain(&self) -> Result<Role> {
        match (self.kind, &self.jurisdiction) {
            (RoleKind::GridWorker, Some(j)) => Ok(Role::GridWorker {
                jurisdiction: JurisdictionId::parse(j).gql()?,
            }),
            (RoleKind::GridWorker, None) => Err(DomainError::validation(
                "jurisdiction",
                Refusal::GRID_WORKER_NEEDS_PLACE,
            ))
            .gql(),
            (RoleKind::Auditor, _) => Ok(Role::Auditor),
            (RoleKind::Administrator, _) => Ok(Role::Administrator),
        }
    }
}

#[derive(InputObject)]
pub struct RulesInput {
    pub quorum_numerator: u32,
    pub quorum_denominator: u32,
    pub default_majority: MajorityKind,
    pub notice_hours: u32,
    pub cosign_threshold: u32,
    pub triage_hours: u32,
    pub response_hours: u32,
    pub seconds_required: bool,
    pub proxies_per_member: u32,
    /// State triage and response limits in working days instead (both, or neither).
    pub triage_working_days: Option<u32>,
    pub response_working_days: Option<u32>,
}

impl RulesInput {
    fn to_domain(&self) -> CouncilRules {
        CouncilRules {
            quorum: Fraction {
                num: self.quorum_numerator,
                den: self.quorum_denominator,
            },
            default_majority: self.default_majority.into(),
            notice_hours: self.notice_hours,
            cosign_threshold: self.cosign_threshold,
            triage_hours: self.triage_hours,
            response_hours: self.response_hours,
            seconds_required: self.seconds_required,
            proxies_per_member: self.proxies_per_member,
            // One of the two alone states no limit in working days: the domain's
            // bounds refuse the missing one as 0.
            working_days: match (self.triage_working_days, self.response_working_days) {
                (None, None) => None,
                (t, r) => Some(roundtable_domain::WorkingDayLimits {
                    triage: t.unwrap_or(0),
                    response: r.unwrap_or(0),
                }),
            },
        }
    }
}

#[derive(InputObject)]
pub struct RegisterResidentInput {
    pub display_name: String,
    pub phone: String,
    pub password: String,
    pub home_grid: String,
    pub real_name: Option<String>,
    pub address: Option<String>,
    pub id_number: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct SignInInput {
    pub phone: String,
    pub password: String,
    /// Also return the session token in the payload (API clients using bearer auth).
    #[graphql(default)]
    pub want_token: bool,
    /// The `deviceToken` an earlier sign-in to this account returned (API clients;
    /// browsers send the `rt_device` cookie): failed guesses from elsewhere never
    /// lock a known device out.
    pub device_token: Option<String>,
}

#[derive(InputObject)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
}

#[derive(InputObject)]
pub struct InviteStaffInput {
    pub display_name: String,
    pub phone: String,
    pub role: Option<RoleInput>,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct VerifyResidentInput {
    pub member: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RoleChangeInput {
    pub member: String,
    pub role: RoleInput,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct EraseMemberInput {
    pub member: String,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct CreateJurisdictionInput {
    pub kind: JurisdictionKind,
    pub name: String,
    pub parent: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RenameJurisdictionInput {
    pub jurisdiction: String,
    pub name: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct BuildingInput {
    pub name: String,
    #[graphql(default)]
    pub units: Vec<String>,
}

#[derive(InputObject)]
pub struct SetBuildingsInput {
    /// A grid.
    pub jurisdiction: String,
    /// The whole list, replacing the one before (at most 100, each with at most 12 units).
    pub buildings: Vec<BuildingInput>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct MoveJurisdictionInput {
    pub jurisdiction: String,
    pub parent: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct CreateCouncilInput {
    pub jurisdiction: String,
    pub name: String,
    /// Defaults to the "four deliberations" rules (2/3 quorum, majority of members).
    pub rules: Option<RulesInput>,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct RenameCouncilInput {
    pub council: String,
    pub name: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct ChangeCouncilRulesInput {
    pub council: String,
    pub rules: RulesInput,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct SeatCouncilMemberInput {
    pub council: String,
    pub member: String,
    pub seat: SeatKind,
    pub voting: bool,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct UnseatCouncilMemberInput {
    pub council: String,
    pub member: String,
    pub reason: String,
    pub idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct MemberPayload {
    pub member: Option<Member>,
    /// Log indexes of the appended events.
    pub indexes: Vec<u64>,
}

#[derive(SimpleObject)]
pub struct InviteStaffPayload {
    pub member: Option<Member>,
    /// Shown once: give it to the new staff member, who should change it.
    pub temporary_password: String,
    pub indexes: Vec<u64>,
}

#[derive(SimpleObject)]
pub struct JurisdictionPayload {
    pub jurisdiction: Option<Jurisdiction>,
    pub indexes: Vec<u64>,
}

#[derive(SimpleObject)]
pub struct CouncilPayload {
    pub council: Option<Council>,
    pub indexes: Vec<u64>,
}

#[derive(SimpleObject)]
pub struct SignInPayload {
    pub member: Option<Member>,
    /// Echo as `X-CSRF-Token` on cookie-authenticated mutations.
    pub csrf_token: String,
    pub expires_at: String,
    /// Only when `wantToken` was set: send as `Authorization: Bearer …`.
    pub token: Option<String>,
    /// Only when `wantToken` was set: keep it and send it as `deviceToken` at the
    /// next sign-in (browsers get it as the `rt_device` cookie).
    pub device_token: Option<String>,
}

#[derive(SimpleObject)]
pub struct SignOutPayload {
    pub signed_out: bool,
}

#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    pub changed: bool,
}

/// Runs a command on one aggregate for the signed-in (or anonymous) caller.
pub(super) async fn run<A: Aggregate>(
    ctx: &Context<'_>,
    id: &A::Id,
    command: A::Command,
    idempotency_key: &Option<String>,
) -> Result<Vec<u64>> {
    let app = app(ctx);
    let actor = auth(ctx).actor_for_change(app).gql()?;
    let outcome = app
        .execute::<A>(id, command, &actor, None, key(idempotency_key)?)
        .await
        .gql()?;
    Ok(outcome.indexes)
}

async fn on_member(
    ctx: &Context<'_>,
    id: MemberId,
    command: MemberCommand,
    key: &Option<String>,
) -> Result<MemberPayload> {
    let indexes = run::<MemberAggregate>(ctx, &id, command, key).await?;
    Ok(MemberPayload {
        member: member(ctx, &id),
        indexes,
    })
}

async fn on_jurisdiction(
    ctx: &Context<'_>,
    id: JurisdictionId,
    command: JurisdictionCommand,
    key: &Option<String>,
) -> Result<JurisdictionPayload> {
    let indexes = run::<JurisdictionAggregate>(ctx, &id, command, key).await?;
    Ok(JurisdictionPayload {
        jurisdiction: jurisdiction(ctx, &id),
        indexes,
    })
}

async fn on_council(
    ctx: &Context<'_>,
    id: CouncilId,
    command: CouncilCommand,
    key: &Option<String>,
) -> Result<CouncilPayload> {
    let indexes = run::<CouncilAggregate>(ctx, &id, command, key).await?;
    Ok(CouncilPayload {
        council: council(ctx, &id),
        indexes,
    })
}

fn council_id(raw: &str) -> Result<CouncilId> {
    CouncilId::parse(raw).gql()
}

fn jurisdiction_id(raw: &str) -> Result<JurisdictionId> {
    JurisdictionId::parse(raw).gql()
}

#[Object]
impl PeopleMutation {
    /// A resident creates their account. They start unverified.
    async fn register_resident(
        &self,
        ctx: &Context<'_>,
        input: RegisterResidentInput,
    ) -> Result<MemberPayload> {
        let app = app(ctx);
        auth(ctx).actor_for_change(app).gql()?;
        let personal = PersonalData::new(
            &input.display_name,
            &input.phone,
            input.real_name.as_deref(),
            input.address.as_deref(),
            input.id_number.as_deref(),
        )
        .gql()?;
        let account = NewAccount::new(personal, &input.password).gql()?;
        let home = jurisdiction_id(&input.home_grid)?;
        let idempotency = key(&input.idempotency_key)?;
        let register = app.register_resident(home, account, idempotency);
        on_registration_allowance(ctx, register).await?;
        // The same answer whether the phone was new or already had an account
        // (its owner is not told here: there is no SMS channel); sign in next.
        Ok(MemberPayload {
            member: None,
            indexes: Vec::new(),
        })
    }

    /// Signs in with phone and password; sets the session cookies.
    async fn sign_in(&self, ctx: &Context<'_>, input: SignInInput) -> Result<SignInPayload> {
        let app = app(ctx);
        let request = auth(ctx);
        let device = input.device_token.as_deref().or(request.device.as_deref());
        let (id, tokens, device) = app
            .sign_in(&input.phone, &input.password, request.address, device)
            .await
            .gql()?;
        for cookie in session_cookies(api(ctx), &tokens.token, &tokens.csrf, request.tls) {
            ctx.append_http_header("Set-Cookie", cookie);
        }
        ctx.append_http_header("Set-Cookie", device_cookie(api(ctx), &device, request.tls));
        Ok(SignInPayload {
            member: member(ctx, &id),
            csrf_token: tokens.csrf,
            expires_at: roundtable_ledger::Timestamp::from_unix_millis(tokens.expires_ms)
                .to_string(),
            token: input.want_token.then_some(tokens.token),
            device_token: input.want_token.then_some(device),
        })
    }

    /// Ends the current session.
    async fn sign_out(&self, ctx: &Context<'_>) -> Result<SignOutPayload> {
        let app = app(ctx);
        let request = auth(ctx);
        request.member_for_change(app).gql()?;
        if let Some((_, token, _)) = &request.session {
            app.vault.end_session(token).gql()?;
        }
        for cookie in cleared_cookies() {
            ctx.append_http_header("Set-Cookie", cookie);
        }
        Ok(SignOutPayload { signed_out: true })
    }

    /// Changes the caller's password and ends their other sessions.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> Result<ChangePasswordPayload> {
        let app = app(ctx);
        let request = auth(ctx);
        let actor = request.member_for_change(app).gql()?;
        let me = actor.signed_in().gql()?;
        let keep = request.session.as_ref().map(|(_, token, _)| token.clone());
        app.change_password(me, &input.current_password, &input.new_password, keep)
            .await
            .gql()?;
        Ok(ChangePasswordPayload { changed: true })
    }

    /// An administrator invites a staff member (grid worker, auditor, administrator,
    /// or a future committee member to be seated on a council).
    async fn invite_staff(
        &self,
        ctx: &Context<'_>,
        input: InviteStaffInput,
    ) -> Result<InviteStaffPayload> {
        let app = app(ctx);
        let actor = auth(ctx).member_for_change(app).gql()?;
        actor.require_administrator("invite staff").gql()?;
        let personal =
            PersonalData::new(&input.display_name, &input.phone, None, None, None).gql()?;
        let role = input.role.as_ref().map(RoleInput::to_domain).transpose()?;
        let (id, password, outcome) = app
            .invite_staff(
                &actor,
                personal,
                role,
                reason(&input.reason)?,
                key(&input.idempotency_key)?,
            )
            .await
            .gql()?;
        Ok(InviteStaffPayload {
            member: member(ctx, &id),
            temporary_password: password,
            indexes: outcome.indexes,
        })
    }

    /// A grid worker of the resident's grid (or above) vouches for them.
    async fn verify_resident(
        &self,
        ctx: &Context<'_>,
        input: VerifyResidentInput,
    ) -> Result<MemberPayload> {
        let id = member_id(&input.member)?;
        on_member(ctx, id, MemberCommand::Verify, &input.idempotency_key).await
    }

    async fn grant_role(&self, ctx: &Context<'_>, input: RoleChangeInput) -> Result<MemberPayload> {
        let id = member_id(&input.member)?;
        let command = MemberCommand::Grant {
            role: input.role.to_domain()?,
            reason: reason(&input.reason)?,
        };
        on_member(ctx, id, command, &input.idempotency_key).await
    }

    async fn revoke_role(
        &self,
        ctx: &Context<'_>,
        input: RoleChangeInput,
    ) -> Result<MemberPayload> {
        let id = member_id(&input.member)?;
        let command = MemberCommand::Revoke {
            role: input.role.to_domain()?,
            reason: reason(&input.reason)?,
        };
        on_member(ctx, id, command, &input.idempotency_key).await
    }

    /// Destroys a member's personal data and records `member.erased` (the member
    /// themself or an administrator). The log keeps only the pseudonymous id.
    async fn erase_member(
        &self,
        ctx: &Context<'_>,
        input: EraseMemberInput,
    ) -> Result<MemberPayload> {
        let app = app(ctx);
        let actor = auth(ctx).member_for_change(app).gql()?;
        let id = member_id(&input.member)?;
        let outcome = app
            .erase_member(
                &actor,
                &id,
                reason(&input.reason)?,
                key(&input.idempotency_key)?,
            )
            .await
            .gql()?;
        Ok(MemberPayload {
            member: member(ctx, &id),
            indexes: outcome.indexes,
        })
    }

    async fn create_jurisdiction(
        &self,
        ctx: &Context<'_>,
        input: CreateJurisdictionInput,
    ) -> Result<JurisdictionPayload> {
        let actor = caller(ctx);
        let id = JurisdictionId::from_unique(&mint_for(
            &actor,
            "jurisdiction",
            key(&input.idempotency_key)?,
        ))
        .gql()?;
        let command = JurisdictionCommand::Create {
            kind: input.kind.into(),
            name: name(&input.name)?,
            parent: input.parent.as_deref().map(jurisdiction_id).transpose()?,
        };
        on_jurisdiction(ctx, id, command, &input.idempotency_key).await
    }

    async fn rename_jurisdiction(
        &self,
        ctx: &Context<'_>,
        input: RenameJurisdictionInput,
    ) -> Result<JurisdictionPayload> {
        let id = jurisdiction_id(&input.jurisdiction)?;
        let command = JurisdictionCommand::Rename {
            name: name(&input.name)?,
        };
        on_jurisdiction(ctx, id, command, &input.idempotency_key).await
    }

    /// A grid worker serving the grid (or an administrator) lists its buildings
    /// and units.
    async fn set_buildings(
        &self,
        ctx: &Context<'_>,
        input: SetBuildingsInput,
    ) -> Result<JurisdictionPayload> {
        let id = jurisdiction_id(&input.jurisdiction)?;
        // The bounds and repeats are the domain's (`Buildings::new`); the request's
        // size limit bounds what is parsed before it says so.
        let buildings = input
            .buildings
            .iter()
            .map(|b| {
                Ok(roundtable_domain::Building {
                    name: name(&b.name)?,
                    units: b.units.iter().map(|u| name(u)).collect::<Result<_>>()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let command = JurisdictionCommand::SetBuildings {
            buildings: roundtable_domain::Buildings::new(buildings).gql()?,
        };
        on_jurisdiction(ctx, id, command, &input.idempotency_key).await
    }

    /// Allowed only while nothing refers to the node.
    async fn move_jurisdiction(
        &self,
        ctx: &Context<'_>,
        input: MoveJurisdictionInput,
    ) -> Result<JurisdictionPayload> {
        let id = jurisdiction_id(&input.jurisdiction)?;
        let command = JurisdictionCommand::Move {
            parent: jurisdiction_id(&input.parent)?,
        };
        on_jurisdiction(ctx, id, command, &input.idempotency_key).await
    }

    async fn create_council(
        &self,
        ctx: &Context<'_>,
        input: CreateCouncilInput,
    ) -> Result<CouncilPayload> {
        let actor = caller(ctx);
        let id = CouncilId::from_unique(&mint_for(&actor, "council", key(&input.idempotency_key)?))
            .gql()?;
        let command = CouncilCommand::Create {
            jurisdiction: jurisdiction_id(&input.jurisdiction)?,
            name: name(&input.name)?,
            rules: input
                .rules
                .as_ref()
                .map_or_else(CouncilRules::default, RulesInput::to_domain),
        };
        on_council(ctx, id, command, &input.idempotency_key).await
    }

    async fn rename_council(
        &self,
        ctx: &Context<'_>,
        input: RenameCouncilInput,
    ) -> Result<CouncilPayload> {
        let id = council_id(&input.council)?;
        let command = CouncilCommand::Rename {
            name: name(&input.name)?,
        };
        on_council(ctx, id, command, &input.idempotency_key).await
    }

    /// New rules apply from this event on; nothing earlier is re-decided under them.
    async fn change_council_rules(
        &self,
        ctx: &Context<'_>,
        input: ChangeCouncilRulesInput,
    ) -> Result<CouncilPayload> {
        let id = council_id(&input.council)?;
        let command = CouncilCommand::ChangeRules {
            rules: input.rules.to_domain(),
            reason: reason(&input.reason)?,
        };
        on_council(ctx, id, command, &input.idempotency_key).await
    }

    /// Gives a member a seat (makes them a committee member of this council).
    async fn seat_council_member(
        &self,
        ctx: &Context<'_>,
        input: SeatCouncilMemberInput,
    ) -> Result<CouncilPayload> {
        let id = council_id(&input.council)?;
        let command = CouncilCommand::SeatMember {
            member: member_id(&input.member)?,
            seat: input.seat.into(),
            voting: input.voting,
            reason: reason(&input.reason)?,
        };
        on_council(ctx, id, command, &input.idempotency_key).await
    }

    async fn unseat_council_member(
        &self,
        ctx: &Context<'_>,
        input: UnseatCouncilMemberInput,
    ) -> Result<CouncilPayload> {
        let id = council_id(&input.council)?;
        let command = CouncilCommand::UnseatMember {
            member: member_id(&input.member)?,
            reason: reason(&input.reason)?,
        };
        on_council(ctx, id, command, &input.idempotency_key).await
    }
}

/// Runs a registration on the global and the address's hourly allowances; a
/// registration that fails gives them back.
async fn on_registration_allowance<T>(
    ctx: &Context<'_>,
    register: impl std::future::Future<Output = Result<T, roundtable_app::AppError>>,
) -> Result<T> {
    use roundtable_app::limits::Action;
    let address = auth(ctx).address.map(|a| a.to_string());
    let mut units = vec![("*", Action::RegisterAnywhere)];
    if let Some(address) = &address {
        units.push((address.as_str(), Action::RegisterFromAddress));
    }
    app(ctx)
        .actions
        .spend(&units, register)
        .await
        .map_err(roundtable_app::AppError::RateLimited)
        .gql()?
        .gql()
}
