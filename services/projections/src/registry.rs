//! The registry read model: the grid tree, members and their roles, councils with
//! their seats and every version of their rules. It is also the [`Directory`] the
//! deciders consult and the source of each caller's [`Actor`].

use std::collections::{BTreeMap, BTreeSet};

use roundtable_domain::{
    Actor, CouncilFacts, CouncilId, CouncilRules, CouncilSeat, Directory, Event, JurisdictionFacts,
    JurisdictionId, JurisdictionKind, MemberFacts, MemberId, MemberKind, Role, RulesHash, Seat,
};
use roundtable_ledger::{StreamName, Timestamp};

use crate::decode::Decoded;

#[derive(Clone, Debug)]
pub struct JurisdictionView {
    pub id: JurisdictionId,
    pub kind: JurisdictionKind,
    pub name: String,
    pub parent: Option<JurisdictionId>,
    pub children: Vec<JurisdictionId>,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct MemberView {
    pub id: MemberId,
    pub kind: MemberKind,
    pub home_grid: Option<JurisdictionId>,
    pub registered_at: Timestamp,
    pub verified_by: Option<MemberId>,
    pub verified_at: Option<Timestamp>,
    pub roles: Vec<Role>,
    pub seats: Vec<CouncilSeat>,
    pub erased_at: Option<Timestamp>,
}

#[derive(Clone, Debug)]
pub struct RulesVersion {
    pub rules: CouncilRules,
    pub hash: RulesHash,
    /// When this version came into force (its event's time); it applies to nothing earlier.
    pub since: Timestamp,
    pub index: u64,
}

#[derive(Clone, Debug)]
pub struct CouncilView {
    pub id: CouncilId,
    pub jurisdiction: JurisdictionId,
    pub name: String,
    /// Oldest first; the last is in force.
    pub rules: Vec<RulesVersion>,
    pub seats: BTreeMap<MemberId, (Seat, bool)>,
    pub created_at: Timestamp,
}

impl CouncilView {
    /// What deciders may know of the council.
    pub fn facts(&self) -> Option<CouncilFacts> {
        let rules = self.rules_in_force()?;
        Some(CouncilFacts {
            id: self.id.clone(),
            jurisdiction: self.jurisdiction.clone(),
            rules: rules.rules.clone(),
            rules_hash: rules.hash.clone(),
        })
    }

    pub fn rules_in_force(&self) -> Option<&RulesVersion> {
        self.rules.last()
    }

    /// The version in force at `time`: the last one that came into force at or before it.
    pub fn rules_at(&self, time: Timestamp) -> Option<&RulesVersion> {
        self.rules.iter().rev().find(|r| r.since <= time)
    }
}

#[derive(Default)]
pub struct Registry {
    pub jurisdictions: BTreeMap<JurisdictionId, JurisdictionView>,
    pub members: BTreeMap<MemberId, MemberView>,
    pub councils: BTreeMap<CouncilId, CouncilView>,
    /// Nodes something has ever pointed at (children, homes, councils, grid workers).
    referenced: BTreeSet<JurisdictionId>,
    /// How many events of the log this model has applied.
    pub applied: u64,
}

/// The aggregate id a stream is named after (`kind/<id>`), if it parses.
pub(crate) fn id_of<T>(
    stream: &StreamName,
    parse: fn(&str) -> Result<T, roundtable_domain::DomainError>,
) -> Option<T> {
    stream
        .as_str()
        .split_once('/')
        .and_then(|(_, id)| parse(id).ok())
}

impl Registry {
    pub fn apply(&mut self, index: u64, stream: &StreamName, decoded: &Decoded) {
        self.applied = index + 1;
        let Some(event) = &decoded.event else { return };
        let time = decoded.time;
        match stream.kind() {
            "jurisdiction" => {
                if let Some(id) = id_of(stream, JurisdictionId::parse) {
                    self.apply_jurisdiction(id, event, time);
                }
            }
            "member" => {
                if let Some(id) = id_of(stream, MemberId::parse) {
                    self.apply_member(id, event, time);
                }
            }
            "council" => {
                if let Some(id) = id_of(stream, CouncilId::parse) {
                    self.apply_council(id, event, time, index);
                }
            }
            _ => {}
        }
    }

    fn apply_jurisdiction(&mut self, id: JurisdictionId, event: &Event, time: Timestamp) {
        match event {
            Event::JurisdictionCreated { kind, name, parent } => {
                if let Some(p) = parent {
                    self.referenced.insert(p.clone());
                    if let Some(pv) = self.jurisdictions.get_mut(p) {
                        pv.children.push(id.clone());
                    }
                }
                self.jurisdictions.insert(
                    id.clone(),
                    JurisdictionView {
                        id,
                        kind: *kind,
                        name: name.to_string(),
                        parent: parent.clone(),
                        children: Vec::new(),
                        created_at: time,
                    },
                );
            }
            Event::JurisdictionRenamed { name } => {
                if let Some(v) = self.jurisdictions.get_mut(&id) {
                    v.name = name.to_string();
                }
            }
            Event::JurisdictionMoved { parent } => {
                let old = self
                    .jurisdictions
                    .get_mut(&id)
                    .and_then(|v| v.parent.replace(parent.clone()));
                if let Some(old) = old.and_then(|o| self.jurisdictions.get_mut(&o)) {
                    old.children.retain(|c| c != &id);
                }
                self.referenced.insert(parent.clone());
                if let Some(p) = self.jurisdictions.get_mut(parent) {
                    p.children.push(id);
                }
            }
            _ => {}
        }
    }

    fn apply_member(&mut self, id: MemberId, event: &Event, time: Timestamp) {
        if let Event::MemberRegistered { kind, home_grid } = event {
            if let Some(home) = home_grid {
                self.referenced.insert(home.clone());
            }
            self.members.insert(
                id.clone(),
                MemberView {
                    id,
                    kind: *kind,
                    home_grid: home_grid.clone(),
                    registered_at: time,
                    verified_by: None,
                    verified_at: None,
                    roles: Vec::new(),
                    seats: Vec::new(),
                    erased_at: None,
                },
            );
            return;
        }
        if let Event::RoleGranted {
            role: Role::GridWorker { jurisdiction },
            ..
        } = event
        {
            self.referenced.insert(jurisdiction.clone());
        }
        let Some(member) = self.members.get_mut(&id) else {
            return;
        };
        match event {
            Event::MemberVerified { verified_by, .. } => {
                member.verified_by = Some(verified_by.clone());
                member.verified_at = Some(time);
            }
            Event::RoleGranted { role, .. } => member.roles.push(role.clone()),
            Event::RoleRevoked { role, .. } => member.roles.retain(|r| r != role),
            Event::MemberErased { .. } => member.erased_at = Some(time),
            _ => {}
        }
    }

    fn apply_council(&mut self, id: CouncilId, event: &Event, time: Timestamp, index: u64) {
        if let Event::CouncilCreated {
            jurisdiction,
            name,
            rules,
            rules_hash,
        } = event
        {
            self.referenced.insert(jurisdiction.clone());
            self.councils.insert(
                id.clone(),
                CouncilView {
                    id,
                    jurisdiction: jurisdiction.clone(),
                    name: name.to_string(),
                    rules: vec![RulesVersion {
                        rules: rules.clone(),
                        hash: rules_hash.clone(),
                        since: time,
                        index,
                    }],
                    seats: BTreeMap::new(),
                    created_at: time,
                },
            );
            return;
        }
        let Some(council) = self.councils.get_mut(&id) else {
            return;
        };
        match event {
            Event::CouncilRenamed { name } => council.name = name.to_string(),
            Event::CouncilRulesChanged {
                rules, rules_hash, ..
            } => council.rules.push(RulesVersion {
                rules: rules.clone(),
                hash: rules_hash.clone(),
                since: time,
                index,
            }),
            Event::MemberSeated {
                member,
                seat,
                voting,
                ..
            } => {
                council.seats.insert(member.clone(), (*seat, *voting));
                if let Some(m) = self.members.get_mut(member) {
                    m.seats.push(CouncilSeat {
                        council: id.clone(),
                        seat: *seat,
                        voting: *voting,
                    });
                }
            }
            Event::MemberUnseated { member, .. } => {
                council.seats.remove(member);
                if let Some(m) = self.members.get_mut(member) {
                    m.seats.retain(|s| s.council != id);
                }
            }
            _ => {}
        }
    }

    /// The actor a signed-in member acts as; anonymous for an unknown or erased one.
    pub fn actor(&self, member: &MemberId) -> Actor {
        match self.members.get(member) {
            Some(m) if m.erased_at.is_none() => Actor {
                member: Some(m.id.clone()),
                kind: Some(m.kind),
                verified: m.verified_by.is_some(),
                home_grid: m.home_grid.clone(),
                roles: m.roles.clone(),
                seats: m.seats.clone(),
            },
            _ => Actor::anonymous(),
        }
    }

    /// The node and its ancestors, root first.
    pub fn ancestry(&self, id: &JurisdictionId) -> Vec<&JurisdictionView> {
        let mut chain: Vec<&JurisdictionView> = self
            .lineage(id)
            .iter()
            .filter_map(|j| self.jurisdictions.get(j))
            .collect();
        chain.reverse();
        chain
    }

    /// Grid workers whose scope is exactly this node.
    pub fn grid_workers_of(&self, id: &JurisdictionId) -> Vec<&MemberView> {
        self.members
            .values()
            .filter(|m| {
                m.erased_at.is_none()
                    && m.roles.iter().any(
                        |r| matches!(r, Role::GridWorker { jurisdiction } if jurisdiction == id),
                    )
            })
            .collect()
    }
}

impl Directory for Registry {
    fn jurisdiction(&self, id: &JurisdictionId) -> Option<JurisdictionFacts> {
        self.jurisdictions.get(id).map(|j| JurisdictionFacts {
            kind: j.kind,
            parent: j.parent.clone(),
        })
    }

    fn jurisdiction_in_use(&self, id: &JurisdictionId) -> bool {
        self.referenced.contains(id)
    }

    fn member(&self, id: &MemberId) -> Option<MemberFacts> {
        self.members.get(id).map(|m| MemberFacts {
            kind: m.kind,
            home_grid: m.home_grid.clone(),
            verified: m.verified_by.is_some(),
            erased: m.erased_at.is_some(),
        })
    }

    fn council(&self, id: &CouncilId) -> Option<CouncilFacts> {
        self.councils.get(id).and_then(CouncilView::facts)
    }

    fn councils_at(&self, jurisdiction: &JurisdictionId) -> Vec<CouncilFacts> {
        self.councils
            .values()
            .filter(|c| &c.jurisdiction == jurisdiction)
            .filter_map(CouncilView::facts)
            .collect()
    }

    fn has_administrator(&self) -> bool {
        self.members
            .values()
            .any(|m| m.erased_at.is_none() && m.roles.contains(&Role::Administrator))
    }
}

#[cfg(test)]
mod tests {
    use roundtable_domain::{CouncilRules, MemberKind, Name, Reason};

    use super::*;

    fn apply(registry: &mut Registry, stream: &str, time: i64, event: Event) {
        let decoded = Decoded {
            id: String::new(),
            kind: event.kind().to_owned(),
            actor: "m_admin".into(),
            time: Timestamp::from_unix_millis(time),
            event: Some(event),
        };
        let index = registry.applied;
        registry.apply(index, &StreamName::new(stream).unwrap(), &decoded);
    }

    fn place(registry: &mut Registry, id: &str, kind: JurisdictionKind, parent: Option<&str>) {
        apply(
            registry,
            &format!("jurisdiction/{id}"),
            0,
            Event::JurisdictionCreated {
                kind,
                name: Name::parse(id).unwrap(),
                parent: parent.map(|p| JurisdictionId::parse(p).unwrap()),
            },
        );
    }

    #[test]
    fn the_tree_follows_moves_and_remembers_what_was_referred_to() {
        let mut r = Registry::default();
        place(&mut r, "j_c1", JurisdictionKind::Community, None);
        place(&mut r, "j_c2", JurisdictionKind::Community, None);
        place(&mut r, "j_g", JurisdictionKind::Grid, Some("j_c1"));
        let (c1, c2, g) = (
            JurisdictionId::parse("j_c1").unwrap(),
            JurisdictionId::parse("j_c2").unwrap(),
            JurisdictionId::parse("j_g").unwrap(),
        );
        assert!(r.jurisdiction_in_use(&c1));
        assert!(!r.jurisdiction_in_use(&g));
        apply(
            &mut r,
            "jurisdiction/j_g",
            1,
            Event::JurisdictionMoved { parent: c2.clone() },
        );
        assert!(r.jurisdictions[&c1].children.is_empty());
        assert_eq!(r.jurisdictions[&c2].children, vec![g.clone()]);
        assert_eq!(
            r.ancestry(&g)
                .iter()
                .map(|j| j.id.as_str())
                .collect::<Vec<_>>(),
            ["j_c2", "j_g"]
        );
        // Once pointed at, always "in use", even after the pointer moves away.
        assert!(r.jurisdiction_in_use(&c1));
        assert_eq!(r.applied, 4);
    }

    #[test]
    fn rules_versions_apply_from_their_own_time_only() {
        let mut r = Registry::default();
        place(&mut r, "j_c", JurisdictionKind::Community, None);
        let first = CouncilRules::default();
        let second = CouncilRules {
            cosign_threshold: 30,
            ..CouncilRules::default()
        };
        apply(
            &mut r,
            "council/c_1",
            1_000,
            Event::CouncilCreated {
                jurisdiction: JurisdictionId::parse("j_c").unwrap(),
                name: Name::parse("议事会").unwrap(),
                rules_hash: first.hash(),
                rules: first.clone(),
            },
        );
        apply(
            &mut r,
            "council/c_1",
            5_000,
            Event::CouncilRulesChanged {
                rules_hash: second.hash(),
                previous_rules_hash: first.hash(),
                rules: second.clone(),
                reason: Reason::parse("x").unwrap(),
            },
        );
        let council = &r.councils[&CouncilId::parse("c_1").unwrap()];
        let at = |ms| {
            council
                .rules_at(Timestamp::from_unix_millis(ms))
                .map(|v| v.hash.clone())
        };
        assert_eq!(at(500), None, "no rules before the council existed");
        assert_eq!(at(4_999), Some(first.hash()));
        assert_eq!(at(5_000), Some(second.hash()));
        assert_eq!(council.rules_in_force().unwrap().index, 2);
    }

    #[test]
    fn an_erased_member_acts_as_nobody_and_seats_follow_the_council() {
        let mut r = Registry::default();
        place(&mut r, "j_c", JurisdictionKind::Community, None);
        apply(
            &mut r,
            "member/m_1",
            0,
            Event::MemberRegistered {
                kind: MemberKind::Staff,
                home_grid: None,
            },
        );
        apply(
            &mut r,
            "member/m_1",
            0,
            Event::RoleGranted {
                role: Role::Administrator,
                reason: Reason::parse("x").unwrap(),
            },
        );
        let m = MemberId::parse("m_1").unwrap();
        assert!(r.actor(&m).is_administrator());
        assert!(r.has_administrator());
        let rules = CouncilRules::default();
        apply(
            &mut r,
            "council/c_1",
            0,
            Event::CouncilCreated {
                jurisdiction: JurisdictionId::parse("j_c").unwrap(),
                name: Name::parse("议事会").unwrap(),
                rules_hash: rules.hash(),
                rules,
            },
        );
        apply(
            &mut r,
            "council/c_1",
            0,
            Event::MemberSeated {
                member: m.clone(),
                seat: Seat::Chair,
                voting: true,
                reason: Reason::parse("x").unwrap(),
                rules_hash: CouncilRules::default().hash(),
            },
        );
        assert!(r.actor(&m).chairs(&CouncilId::parse("c_1").unwrap()));
        apply(
            &mut r,
            "member/m_1",
            0,
            Event::MemberErased {
                reason: Reason::parse("x").unwrap(),
            },
        );
        assert_eq!(r.actor(&m), Actor::anonymous());
        assert!(!r.has_administrator());
    }
}
