//! Mediation committees: where each sits in the grid, its kind, its rules, and its
//! mediators (some of them officers, who assign cases).

use std::collections::BTreeMap;

use super::{CommitteeFacts, CommitteeKind, MediationRules};
use crate::aggregate::{Decided, Deciding};
use crate::{
    CommitteeEvent, CommitteeId, DomainError, JurisdictionId, MemberId, Name, Reason, Refusal,
    RulesHash,
};

pub struct Committee;

#[derive(Clone, Debug, Default)]
pub struct CommitteeState {
    pub jurisdiction: Option<JurisdictionId>,
    pub kind: Option<CommitteeKind>,
    pub name: Option<Name>,
    pub rules: Option<(MediationRules, RulesHash)>,
    /// Mediator → officer.
    pub mediators: BTreeMap<MemberId, bool>,
}

impl CommitteeState {
    /// What deciders may know of it (`None` before it is created).
    pub fn facts(&self, id: &CommitteeId) -> Option<CommitteeFacts> {
        let (rules, rules_hash) = self.rules.clone()?;
        Some(CommitteeFacts {
            id: id.clone(),
            jurisdiction: self.jurisdiction.clone()?,
            kind: self.kind?,
            rules,
            rules_hash,
            mediators: self
                .mediators
                .iter()
                .map(|(m, officer)| (m.clone(), *officer))
                .collect(),
        })
    }
}

#[derive(Clone, Debug)]
pub enum CommitteeCommand {
    Create {
        jurisdiction: JurisdictionId,
        kind: CommitteeKind,
        name: Name,
        rules: MediationRules,
    },
    /// Appoints a mediator, or changes whether they are an officer.
    Appoint {
        member: MemberId,
        officer: bool,
        reason: Reason,
    },
    Remove {
        member: MemberId,
        reason: Reason,
    },
}

crate::aggregate::aggregate!(Committee: CommitteeId, CommitteeState, CommitteeCommand, CommitteeEvent);

fn evolve(mut state: CommitteeState, event: &CommitteeEvent) -> CommitteeState {
    match event {
        CommitteeEvent::CommitteeCreated {
            jurisdiction,
            kind,
            name,
            rules,
            rules_hash,
        } => {
            state.jurisdiction = Some(jurisdiction.clone());
            state.kind = Some(*kind);
            state.name = Some(name.clone());
            state.rules = Some((rules.clone(), rules_hash.clone()));
        }
        CommitteeEvent::MediatorAppointed {
            member, officer, ..
        } => {
            state.mediators.insert(member.clone(), *officer);
        }
        CommitteeEvent::MediatorRemoved { member, .. } => {
            state.mediators.remove(member);
        }
    }
    state
}

fn decide(cx: &Deciding<'_, Committee>, command: CommitteeCommand) -> Decided<Committee> {
    let (id, state, actor, _now, directory) = cx.parts();
    if let CommitteeCommand::Create {
        jurisdiction,
        kind,
        name,
        rules,
    } = command
    {
        actor.require_administrator("create a mediation committee")?;
        if state.kind.is_some() {
            return Err(DomainError::conflict(Refusal::ALREADY_EXISTS).with("id", id));
        }
        directory.existing_jurisdiction(&jurisdiction)?;
        rules.validate()?;
        let rules_hash = rules.hash();
        return Ok(vec![CommitteeEvent::CommitteeCreated {
            jurisdiction,
            kind,
            name,
            rules,
            rules_hash,
        }]);
    }
    actor.signed_in()?;
    if state.kind.is_none() {
        return Err(DomainError::not_found(Refusal::COMMITTEE_NOT_FOUND).with("committee", id));
    }
    if !actor.is_administrator() && !actor.officer_of(id) {
        return Err(DomainError::forbidden(
            Refusal::ONLY_COMMITTEE_OFFICER_OR_ADMINISTRATOR,
        ));
    }
    match command {
        CommitteeCommand::Create { .. } => unreachable!("handled above"),
        CommitteeCommand::Appoint {
            member,
            officer,
            reason,
        } => {
            directory.live_member(&member)?;
            if state.mediators.get(&member) == Some(&officer) {
                return Err(DomainError::conflict(Refusal::UNCHANGED));
            }
            if !state.mediators.contains_key(&member)
                && state.mediators.len() >= super::MAX_MEDIATORS
            {
                return Err(DomainError::validation("member", Refusal::TOO_MANY)
                    .with("max", super::MAX_MEDIATORS));
            }
            Ok(vec![CommitteeEvent::MediatorAppointed {
                member,
                officer,
                reason,
            }])
        }
        CommitteeCommand::Remove { member, reason } => {
            if !state.mediators.contains_key(&member) {
                return Err(DomainError::not_found(Refusal::NOT_A_MEDIATOR).with("member", &member));
            }
            Ok(vec![CommitteeEvent::MediatorRemoved { member, reason }])
        }
    }
}
