//! People: registration, verification, roles, erasure. The stream holds only
//! pseudonymous facts; names and phones live in the vault, off the log.

use crate::MemberEvent;
use crate::aggregate::{Decided, Deciding};
use crate::{
    Directory, DomainError, JurisdictionId, JurisdictionKind, MemberFacts, MemberId, MemberKind,
    Reason, Refusal, Role,
};

pub struct Member;

#[derive(Clone, Debug, Default)]
pub struct MemberState {
    pub kind: Option<MemberKind>,
    pub home_grid: Option<JurisdictionId>,
    pub verified_by: Option<MemberId>,
    pub roles: Vec<Role>,
    pub erased: bool,
}

#[derive(Clone, Debug)]
pub enum MemberCommand {
    /// A resident registers themself with a home grid.
    Register {
        home_grid: JurisdictionId,
    },
    /// Someone without an account (the other side of a mediation case), recorded by
    /// a grid worker of their grid or by a verified resident of the same grid.
    /// Nobody can sign in as them.
    RecordParty {
        home_grid: JurisdictionId,
    },
    /// The first administrator (`roundtable admin init`): allowed only while there is none.
    Bootstrap {
        reason: Reason,
    },
    /// An administrator invites a staff member, optionally with a first role.
    Invite {
        role: Option<Role>,
        reason: Reason,
    },
    Verify,
    Grant {
        role: Role,
        reason: Reason,
    },
    Revoke {
        role: Role,
        reason: Reason,
    },
    Erase {
        reason: Reason,
    },
}

fn check_role_target(role: &Role, directory: &dyn Directory) -> Result<(), DomainError> {
    if let Role::GridWorker { jurisdiction } = role
        && directory.jurisdiction(jurisdiction).is_none()
    {
        return Err(DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND)
            .with("jurisdiction", jurisdiction));
    }
    Ok(())
}

crate::aggregate::aggregate!(Member: MemberId, MemberState, MemberCommand, MemberEvent);

fn evolve(mut state: MemberState, event: &MemberEvent) -> MemberState {
    match event {
        MemberEvent::MemberRegistered { kind, home_grid } => {
            state.kind = Some(*kind);
            state.home_grid = home_grid.clone();
        }
        MemberEvent::MemberVerified { verified_by, .. } => {
            state.verified_by = Some(verified_by.clone())
        }
        MemberEvent::RoleGranted { role, .. } => state.roles.push(role.clone()),
        MemberEvent::RoleRevoked { role, .. } => state.roles.retain(|r| r != role),
        MemberEvent::MemberErased { .. } => state.erased = true,
    }
    state
}

fn decide(cx: &Deciding<'_, Member>, command: MemberCommand) -> Decided<Member> {
    let (id, state, actor, _now, directory) = cx.parts();
    let exists = |state: &MemberState| -> Result<MemberKind, DomainError> {
        match state.kind {
            Some(_) if state.erased => {
                Err(DomainError::not_found(Refusal::MEMBER_ERASED).with("member", id))
            }
            Some(kind) => Ok(kind),
            None => Err(DomainError::not_found(Refusal::MEMBER_NOT_FOUND).with("member", id)),
        }
    };
    let fresh = |state: &MemberState| {
        if state.kind.is_some() {
            Err(DomainError::conflict(Refusal::ALREADY_EXISTS).with("id", id))
        } else {
            Ok(())
        }
    };
    match command {
        MemberCommand::RecordParty { home_grid } => {
            actor.signed_in()?;
            // A grid worker of the grid, or a verified neighbour in the same grid
            // naming the other side of their dispute.
            let neighbour = actor.verified && actor.home_grid.as_ref() == Some(&home_grid);
            if !actor.serves(directory, &home_grid) && !neighbour {
                return Err(DomainError::forbidden(Refusal::RECORD_PARTY_REACH));
            }
            register(state, directory, home_grid, fresh)
        }
        MemberCommand::Register { home_grid } => register(state, directory, home_grid, fresh),
        MemberCommand::Bootstrap { reason } => {
            fresh(state)?;
            if directory.has_administrator() {
                return Err(DomainError::conflict(Refusal::ADMINISTRATOR_EXISTS));
            }
            Ok(vec![
                MemberEvent::MemberRegistered {
                    kind: MemberKind::Staff,
                    home_grid: None,
                },
                MemberEvent::RoleGranted {
                    role: Role::Administrator,
                    reason,
                },
            ])
        }
        MemberCommand::Invite { role, reason } => {
            actor.require_administrator("invite staff")?;
            fresh(state)?;
            let mut events = vec![MemberEvent::MemberRegistered {
                kind: MemberKind::Staff,
                home_grid: None,
            }];
            if let Some(role) = role {
                check_role_target(&role, directory)?;
                events.push(MemberEvent::RoleGranted { role, reason });
            }
            Ok(events)
        }
        MemberCommand::Verify => {
            let verifier = actor.signed_in()?.clone();
            let kind = exists(state)?;
            let home = match (&state.home_grid, kind) {
                (Some(home), MemberKind::Resident) => home,
                _ => return Err(DomainError::conflict(Refusal::ONLY_RESIDENTS_VERIFIED)),
            };
            let scope = actor.roles.iter().find_map(|role| match role {
                Role::GridWorker { jurisdiction } if directory.is_within(home, jurisdiction) => {
                    Some(jurisdiction.clone())
                }
                _ => None,
            });
            if scope.is_none() && !actor.is_administrator() {
                return Err(DomainError::forbidden(Refusal::ONLY_GRID_WORKER_VERIFIES));
            }
            if state.verified_by.is_some() {
                return Err(DomainError::conflict(Refusal::ALREADY_VERIFIED));
            }
            Ok(vec![MemberEvent::MemberVerified {
                verified_by: verifier,
                scope,
            }])
        }
        MemberCommand::Grant { role, reason } => {
            actor.require_administrator("grant roles")?;
            exists(state)?;
            check_role_target(&role, directory)?;
            if state.roles.contains(&role) {
                return Err(DomainError::conflict(Refusal::ROLE_HELD));
            }
            Ok(vec![MemberEvent::RoleGranted { role, reason }])
        }
        MemberCommand::Revoke { role, reason } => {
            actor.require_administrator("revoke roles")?;
            exists(state)?;
            if !state.roles.contains(&role) {
                return Err(DomainError::conflict(Refusal::ROLE_NOT_HELD));
            }
            if role == Role::Administrator && actor.member.as_ref() == Some(id) {
                return Err(DomainError::conflict(Refusal::OWN_ADMINISTRATOR_ROLE));
            }
            Ok(vec![MemberEvent::RoleRevoked { role, reason }])
        }
        MemberCommand::Erase { reason } => {
            let me = actor.signed_in()?;
            if me != id && !actor.is_administrator() {
                return Err(DomainError::forbidden(
                    Refusal::ONLY_SELF_OR_ADMINISTRATOR_ERASES,
                ));
            }
            exists(state)?;
            Ok(vec![MemberEvent::MemberErased { reason }])
        }
    }
}

/// A resident's registration at `home_grid` (a grid that exists).
fn register(
    state: &MemberState,
    directory: &dyn Directory,
    home_grid: JurisdictionId,
    fresh: impl Fn(&MemberState) -> Result<(), DomainError>,
) -> Decided<Member> {
    fresh(state)?;
    match directory.jurisdiction(&home_grid) {
        None => Err(DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND)
            .with("jurisdiction", &home_grid)),
        Some(j) if j.kind != JurisdictionKind::Grid => {
            Err(DomainError::validation("homeGrid", Refusal::HOME_NOT_GRID))
        }
        Some(_) => Ok(vec![MemberEvent::MemberRegistered {
            kind: MemberKind::Resident,
            home_grid: Some(home_grid),
        }]),
    }
}

impl MemberFacts {
    /// What deciders may know of a member in `state` (none before registration).
    pub fn of(state: &MemberState) -> Option<MemberFacts> {
        Some(MemberFacts {
            kind: state.kind?,
            home_grid: state.home_grid.clone(),
            verified: state.verified_by.is_some(),
            erased: state.erased,
        })
    }
}
