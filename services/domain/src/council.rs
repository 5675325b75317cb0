//! Round-table bodies: where they sit in the grid, who has a seat, and the rules
//! (versioned, hashed) they decide under.

use std::collections::BTreeMap;

use crate::CouncilEvent;
use crate::aggregate::{Decided, Deciding};
use crate::{
    CouncilFacts, CouncilId, CouncilRules, DomainError, JurisdictionId, MemberId, Name, Reason,
    Refusal, RulesHash, Seat,
};

pub struct Council;

#[derive(Clone, Debug, Default)]
pub struct CouncilState {
    pub jurisdiction: Option<JurisdictionId>,
    pub name: Option<Name>,
    pub rules: Option<(CouncilRules, RulesHash)>,
    pub seats: BTreeMap<MemberId, (Seat, bool)>,
}

#[derive(Clone, Debug)]
pub enum CouncilCommand {
    Create {
        jurisdiction: JurisdictionId,
        name: Name,
        rules: CouncilRules,
    },
    Rename {
        name: Name,
    },
    ChangeRules {
        rules: CouncilRules,
        reason: Reason,
    },
    SeatMember {
        member: MemberId,
        seat: Seat,
        voting: bool,
        reason: Reason,
    },
    UnseatMember {
        member: MemberId,
        reason: Reason,
    },
}

crate::aggregate::aggregate!(Council: CouncilId, CouncilState, CouncilCommand, CouncilEvent);

fn evolve(mut state: CouncilState, event: &CouncilEvent) -> CouncilState {
    match event {
        CouncilEvent::CouncilCreated {
            jurisdiction,
            name,
            rules,
            rules_hash,
        } => {
            state.jurisdiction = Some(jurisdiction.clone());
            state.name = Some(name.clone());
            state.rules = Some((rules.clone(), rules_hash.clone()));
        }
        CouncilEvent::CouncilRenamed { name } => state.name = Some(name.clone()),
        CouncilEvent::CouncilRulesChanged {
            rules, rules_hash, ..
        } => state.rules = Some((rules.clone(), rules_hash.clone())),
        CouncilEvent::MemberSeated {
            member,
            seat,
            voting,
            ..
        } => {
            state.seats.insert(member.clone(), (*seat, *voting));
        }
        CouncilEvent::MemberUnseated { member, .. } => {
            state.seats.remove(member);
        }
    }
    state
}

fn decide(cx: &Deciding<'_, Council>, command: CouncilCommand) -> Decided<Council> {
    let (id, state, actor, _now, directory) = cx.parts();
    if let CouncilCommand::Create {
        jurisdiction,
        name,
        rules,
    } = command
    {
        actor.require_administrator("create a council")?;
        if state.jurisdiction.is_some() {
            return Err(DomainError::conflict(Refusal::ALREADY_EXISTS).with("id", id));
        }
        directory.existing_jurisdiction(&jurisdiction)?;
        rules.validate()?;
        let rules_hash = rules.hash();
        return Ok(vec![CouncilEvent::CouncilCreated {
            jurisdiction,
            name,
            rules,
            rules_hash,
        }]);
    }

    // Every other command: the council exists, and its chair or an administrator acts.
    actor.signed_in()?;
    let Some((current_rules, current_hash)) = &state.rules else {
        return Err(DomainError::not_found(Refusal::COUNCIL_NOT_FOUND).with("council", id));
    };
    if !actor.is_administrator() && !actor.chairs(id) {
        return Err(DomainError::forbidden(Refusal::ONLY_CHAIR_OR_ADMINISTRATOR));
    }
    match command {
        CouncilCommand::Create { .. } => unreachable!("handled above"),
        CouncilCommand::Rename { name } => {
            if state.name.as_ref() == Some(&name) {
                return Err(DomainError::conflict(Refusal::UNCHANGED));
            }
            Ok(vec![CouncilEvent::CouncilRenamed { name }])
        }
        CouncilCommand::ChangeRules { rules, reason } => {
            rules.validate()?;
            if &rules == current_rules {
                return Err(DomainError::conflict(Refusal::UNCHANGED));
            }
            // Takes effect at this event's time: no rule applies to the past.
            let rules_hash = rules.hash();
            Ok(vec![CouncilEvent::CouncilRulesChanged {
                rules,
                rules_hash,
                previous_rules_hash: current_hash.clone(),
                reason,
            }])
        }
        CouncilCommand::SeatMember {
            member,
            seat,
            voting,
            reason,
        } => {
            match directory.member(&member) {
                None => {
                    return Err(
                        DomainError::not_found(Refusal::MEMBER_NOT_FOUND).with("member", &member)
                    );
                }
                Some(m) if m.erased => {
                    return Err(
                        DomainError::not_found(Refusal::MEMBER_ERASED).with("member", &member)
                    );
                }
                Some(_) => {}
            }
            if seat == Seat::Observer && voting {
                return Err(DomainError::validation(
                    "voting",
                    Refusal::OBSERVER_CANNOT_VOTE,
                ));
            }
            if state.seats.contains_key(&member) {
                return Err(DomainError::conflict(Refusal::ALREADY_SEATED));
            }
            if seat == Seat::Chair && state.seats.values().any(|(s, _)| *s == Seat::Chair) {
                return Err(DomainError::conflict(Refusal::COUNCIL_HAS_CHAIR));
            }
            Ok(vec![CouncilEvent::MemberSeated {
                member,
                seat,
                voting,
                reason,
                rules_hash: current_hash.clone(),
            }])
        }
        CouncilCommand::UnseatMember { member, reason } => {
            if !state.seats.contains_key(&member) {
                return Err(DomainError::not_found(Refusal::SEAT_NOT_FOUND).with("member", &member));
            }
            Ok(vec![CouncilEvent::MemberUnseated { member, reason }])
        }
    }
}

impl CouncilFacts {
    /// What deciders may know of council `id` in `state` (none before it exists).
    pub fn of(id: &CouncilId, state: &CouncilState) -> Option<CouncilFacts> {
        let (rules, rules_hash) = state.rules.clone()?;
        Some(CouncilFacts {
            id: id.clone(),
            jurisdiction: state.jurisdiction.clone()?,
            rules,
            rules_hash,
        })
    }
}
