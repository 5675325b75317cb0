//! The registry read model: the grid tree, members and their roles, councils with
//! their seats and every version of their rules. It is also the [`Directory`] the
//! deciders consult and the source of each caller's [`Actor`].

use std::collections::{BTreeMap, BTreeSet};

use roundtable_domain::{
    Actor, Aggregate, Buildings, CalendarEvent, Committee, CommitteeEvent, CommitteeFacts,
    CommitteeId, CommitteeState, Council, CouncilEvent, CouncilFacts, CouncilId, CouncilRules,
    CouncilSeat, CouncilState, Directory, Event, Jurisdiction, JurisdictionEvent,
    JurisdictionFacts, JurisdictionId, JurisdictionKind, JurisdictionState, MediatorSeat, Member,
    MemberEvent, MemberFacts, MemberId, MemberKind, MemberState, Name, Role, RulesHash, Seat,
    Service, ServiceFacts, ServiceId, ServiceState, WorkCalendar,
};
use roundtable_ledger::{StreamName, Timestamp};

use roundtable_domain::Decoded;

/// A catalogue entry: the domain's state (`Service::evolve`) and when it was first
/// published.
#[derive(Clone, Debug)]
pub struct ServiceView {
    pub state: ServiceState,
    pub published_at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct JurisdictionView {
    pub id: JurisdictionId,
    /// The domain's state of the node (`Jurisdiction::evolve`).
    pub state: JurisdictionState,
    pub children: Vec<JurisdictionId>,
    pub created_at: Timestamp,
    facts: JurisdictionFacts,
}

impl JurisdictionView {
    pub fn kind(&self) -> JurisdictionKind {
        self.facts.kind
    }

    pub fn parent(&self) -> Option<&JurisdictionId> {
        self.facts.parent.as_ref()
    }

    pub fn name(&self) -> &str {
        self.state.name.as_ref().map_or("", Name::as_str)
    }
}

#[derive(Clone, Debug)]
pub struct MemberView {
    pub id: MemberId,
    /// The domain's state of the member (`Member::evolve`): kind, home, verifier,
    /// roles, erasure.
    pub state: MemberState,
    pub registered_at: Timestamp,
    pub verified_at: Option<Timestamp>,
    /// The member's seats, as the councils' own states hold them.
    pub seats: Vec<CouncilSeat>,
    pub erased_at: Option<Timestamp>,
    facts: MemberFacts,
}

impl MemberView {
    pub fn kind(&self) -> MemberKind {
        self.facts.kind
    }

    pub fn home_grid(&self) -> Option<&JurisdictionId> {
        self.state.home_grid.as_ref()
    }

    pub fn verified_by(&self) -> Option<&MemberId> {
        self.state.verified_by.as_ref()
    }

    pub fn roles(&self) -> &[Role] {
        &self.state.roles
    }

    pub fn erased(&self) -> bool {
        self.state.erased
    }
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
    /// The domain's state of the council (`Council::evolve`): place, name, rules in
    /// force, seats.
    pub state: CouncilState,
    /// Every version of the rules with when it came into force, oldest first.
    pub rules: Vec<RulesVersion>,
    pub created_at: Timestamp,
    /// `CouncilFacts::of` the state, kept with it.
    facts: CouncilFacts,
}

impl CouncilView {
    /// What deciders may know of the council.
    pub fn facts(&self) -> &CouncilFacts {
        &self.facts
    }

    pub fn jurisdiction(&self) -> &JurisdictionId {
        &self.facts.jurisdiction
    }

    pub fn name(&self) -> &str {
        self.state.name.as_ref().map_or("", Name::as_str)
    }

    /// Who sits on the council: their seat, and whether it votes.
    pub fn seats(&self) -> &BTreeMap<MemberId, (Seat, bool)> {
        &self.state.seats
    }

    pub fn rules_in_force(&self) -> Option<&RulesVersion> {
        self.rules.last()
    }

    /// The version in force at `time`: the last one that came into force at or before it.
    pub fn rules_at(&self, time: Timestamp) -> Option<&RulesVersion> {
        self.rules.iter().rev().find(|r| r.since <= time)
    }
}

#[derive(Clone, Debug)]
pub struct CommitteeView {
    pub id: CommitteeId,
    /// The domain's state of the committee (`Committee::evolve`).
    pub state: CommitteeState,
    pub created_at: Timestamp,
    facts: CommitteeFacts,
}

impl CommitteeView {
    pub fn facts(&self) -> &CommitteeFacts {
        &self.facts
    }

    pub fn name(&self) -> &str {
        self.state.name.as_ref().map_or("", Name::as_str)
    }
}

#[derive(Default)]
pub struct Registry {
    /// Mediation committees.
    pub committees: BTreeMap<CommitteeId, CommitteeView>,
    /// The service catalogues' entries.
    pub services: BTreeMap<ServiceId, ServiceView>,
    /// The working-day calendars in force, and each year's version (1 when
    /// published, one more per correction).
    pub calendar: WorkCalendar,
    pub calendar_versions: BTreeMap<u16, u32>,
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
        let time = decoded.time;
        // The codec checked that each event sits in a stream of its kind.
        match &decoded.event {
            Some(Event::Jurisdiction(event)) => {
                if let Some(id) = id_of(stream, JurisdictionId::parse) {
                    self.apply_jurisdiction(id, event, time);
                }
            }
            Some(Event::Member(event)) => {
                if let Some(id) = id_of(stream, MemberId::parse) {
                    self.apply_member(id, event, time);
                }
            }
            Some(Event::Council(event)) => {
                if let Some(id) = id_of(stream, CouncilId::parse) {
                    self.apply_council(id, event, time, index);
                }
            }
            Some(Event::Committee(event)) => {
                if let Some(id) = id_of(stream, CommitteeId::parse) {
                    self.apply_committee(id, event, time);
                }
            }
            // Each year's calendar in force is its latest version (log order).
            Some(Event::Calendar(
                CalendarEvent::CalendarPublished { calendar, .. }
                | CalendarEvent::CalendarCorrected { calendar, .. },
            )) => {
                *self.calendar_versions.entry(calendar.year).or_default() += 1;
                self.calendar.put(calendar.clone());
            }
            Some(Event::Service(event)) => {
                if let Some(id) = id_of(stream, ServiceId::parse) {
                    let view = self.services.entry(id).or_insert_with(|| ServiceView {
                        state: ServiceState::default(),
                        published_at: time,
                    });
                    let state = std::mem::take(&mut view.state);
                    view.state = Service::evolve(state, event);
                }
            }
            Some(
                Event::Issue(_)
                | Event::Meeting(_)
                | Event::Resolution(_)
                | Event::Dispute(_)
                | Event::ServiceRequest(_),
            )
            | None => {}
        }
    }

    fn apply_committee(&mut self, id: CommitteeId, event: &CommitteeEvent, time: Timestamp) {
        let before = self.committees.get(&id).map(|c| c.state.clone());
        let state = Committee::evolve(before.unwrap_or_default(), event);
        // Only `committee.created` brings a committee into being.
        let Some(facts) = state.facts(&id) else {
            return;
        };
        self.referenced.insert(facts.jurisdiction.clone());
        let view = self
            .committees
            .entry(id.clone())
            .or_insert_with(|| CommitteeView {
                id: id.clone(),
                state: CommitteeState::default(),
                created_at: time,
                facts: facts.clone(),
            });
        view.state = state;
        view.facts = facts;
    }

    /// The committees a member mediates for.
    pub fn mediator_seats(&self, member: &MemberId) -> Vec<MediatorSeat> {
        self.committees
            .values()
            .filter_map(|c| {
                c.state.mediators.get(member).map(|officer| MediatorSeat {
                    committee: c.id.clone(),
                    officer: *officer,
                })
            })
            .collect()
    }

    fn apply_jurisdiction(
        &mut self,
        id: JurisdictionId,
        event: &JurisdictionEvent,
        time: Timestamp,
    ) {
        let before = self.jurisdictions.get(&id);
        let old_parent = before.and_then(|j| j.facts.parent.clone());
        let state =
            Jurisdiction::evolve(before.map(|j| j.state.clone()).unwrap_or_default(), event);
        // Only `jurisdiction.created` brings a node into being.
        let Some(facts) = JurisdictionFacts::of(&state) else {
            return;
        };
        let new_parent = facts.parent.clone();
        let created = before.is_none();
        let view = self
            .jurisdictions
            .entry(id.clone())
            .or_insert_with(|| JurisdictionView {
                id: id.clone(),
                state: JurisdictionState::default(),
                children: Vec::new(),
                created_at: time,
                facts: facts.clone(),
            });
        view.state = state;
        view.facts = facts;
        // The tree's edges follow the parent the domain's state holds.
        if created || old_parent != new_parent {
            if let Some(old) = old_parent.and_then(|o| self.jurisdictions.get_mut(&o)) {
                old.children.retain(|c| c != &id);
            }
            if let Some(parent) = new_parent {
                self.referenced.insert(parent.clone());
                if let Some(p) = self.jurisdictions.get_mut(&parent) {
                    p.children.push(id);
                }
            }
        }
    }

    fn apply_member(&mut self, id: MemberId, event: &MemberEvent, time: Timestamp) {
        let before = self.members.get(&id).map(|m| &m.state);
        let was_verified = before.is_some_and(|m| m.verified_by.is_some());
        let was_erased = before.is_some_and(|m| m.erased);
        let state = Member::evolve(before.cloned().unwrap_or_default(), event);
        // Only `member.registered` brings a member into being.
        let Some(facts) = MemberFacts::of(&state) else {
            return;
        };
        self.referenced.extend(state.home_grid.iter().cloned());
        self.referenced
            .extend(state.roles.iter().filter_map(|r| match r {
                Role::GridWorker { jurisdiction } => Some(jurisdiction.clone()),
                Role::Auditor | Role::Administrator => None,
            }));
        let view = self
            .members
            .entry(id.clone())
            .or_insert_with(|| MemberView {
                id: id.clone(),
                state: MemberState::default(),
                registered_at: time,
                verified_at: None,
                seats: Vec::new(),
                erased_at: None,
                facts: facts.clone(),
            });
        if !was_verified && state.verified_by.is_some() {
            view.verified_at = Some(time);
        }
        if !was_erased && state.erased {
            view.erased_at = Some(time);
        }
        view.state = state;
        view.facts = facts;
    }

    fn apply_council(&mut self, id: CouncilId, event: &CouncilEvent, time: Timestamp, index: u64) {
        let before = self.councils.get(&id).map(|c| &c.state);
        let seats_before = before.map(|c| c.seats.clone()).unwrap_or_default();
        let rules_before = before.and_then(|c| c.rules.as_ref().map(|(_, hash)| hash.clone()));
        let state = Council::evolve(before.cloned().unwrap_or_default(), event);
        // Only `council.created` brings a council into being.
        let Some(facts) = CouncilFacts::of(&id, &state) else {
            return;
        };
        self.referenced.insert(facts.jurisdiction.clone());
        let council = self
            .councils
            .entry(id.clone())
            .or_insert_with(|| CouncilView {
                id: id.clone(),
                state: CouncilState::default(),
                rules: Vec::new(),
                created_at: time,
                facts: facts.clone(),
            });
        if rules_before.as_ref() != Some(&facts.rules_hash) {
            council.rules.push(RulesVersion {
                rules: facts.rules.clone(),
                hash: facts.rules_hash.clone(),
                since: time,
                index,
            });
        }
        council.state = state;
        council.facts = facts;
        // Each member's seats mirror the council's state: whoever's seat changed.
        let seats_after = &council.state.seats;
        let changed: BTreeSet<MemberId> = seats_before
            .keys()
            .chain(seats_after.keys())
            .filter(|m| seats_before.get(*m) != seats_after.get(*m))
            .cloned()
            .collect();
        for member in changed {
            let seat = seats_after.get(&member).copied();
            if let Some(m) = self.members.get_mut(&member) {
                m.seats.retain(|s| s.council != id);
                if let Some((seat, voting)) = seat {
                    m.seats.push(CouncilSeat {
                        council: id.clone(),
                        seat,
                        voting,
                    });
                }
            }
        }
    }

    /// The actor a signed-in member acts as; anonymous for an unknown or erased one.
    pub fn actor(&self, member: &MemberId) -> Actor {
        match self.members.get(member) {
            Some(m) if !m.erased() => Actor {
                member: Some(m.id.clone()),
                kind: Some(m.kind()),
                verified: m.facts.verified,
                home_grid: m.state.home_grid.clone(),
                roles: m.state.roles.clone(),
                seats: m.seats.clone(),
                mediator_of: self.mediator_seats(member),
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
                !m.erased()
                    && m.roles().iter().any(
                        |r| matches!(r, Role::GridWorker { jurisdiction } if jurisdiction == id),
                    )
            })
            .collect()
    }
}

impl Directory for Registry {
    fn calendar(&self) -> WorkCalendar {
        self.calendar.clone()
    }
    fn service(&self, id: &ServiceId) -> Option<ServiceFacts> {
        self.services.get(id)?.state.facts(id)
    }
    fn committee(&self, id: &CommitteeId) -> Option<CommitteeFacts> {
        self.committees.get(id).map(|c| c.facts.clone())
    }
    fn committees_at(&self, jurisdiction: &JurisdictionId) -> Vec<CommitteeFacts> {
        self.committees
            .values()
            .filter(|c| &c.facts.jurisdiction == jurisdiction)
            .map(|c| c.facts.clone())
            .collect()
    }
    fn buildings(&self, grid: &JurisdictionId) -> Buildings {
        self.jurisdictions
            .get(grid)
            .map(|j| j.state.buildings.clone())
            .unwrap_or_default()
    }
    fn jurisdiction(&self, id: &JurisdictionId) -> Option<JurisdictionFacts> {
        self.jurisdictions.get(id).map(|j| j.facts.clone())
    }

    fn jurisdiction_in_use(&self, id: &JurisdictionId) -> bool {
        self.referenced.contains(id)
    }

    fn member(&self, id: &MemberId) -> Option<MemberFacts> {
        self.members.get(id).map(|m| m.facts.clone())
    }

    fn council(&self, id: &CouncilId) -> Option<CouncilFacts> {
        self.councils.get(id).map(|c| c.facts.clone())
    }

    fn councils_at(&self, jurisdiction: &JurisdictionId) -> Vec<CouncilFacts> {
        self.councils
            .values()
            .filter(|c| c.jurisdiction() == jurisdiction)
            .map(|c| c.facts.clone())
            .collect()
    }

    fn has_administrator(&self) -> bool {
        self.members
            .values()
            .any(|m| !m.erased() && m.roles().contains(&Role::Administrator))
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
            stream: stream.into(),
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
            Event::Jurisdiction(JurisdictionEvent::JurisdictionCreated {
                kind,
                name: Name::parse(id).unwrap(),
                parent: parent.map(|p| JurisdictionId::parse(p).unwrap()),
            }),
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
            Event::Jurisdiction(JurisdictionEvent::JurisdictionMoved { parent: c2.clone() }),
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
            Event::Council(CouncilEvent::CouncilCreated {
                jurisdiction: JurisdictionId::parse("j_c").unwrap(),
                name: Name::parse("议事会").unwrap(),
                rules_hash: first.hash(),
                rules: first.clone(),
            }),
        );
        apply(
            &mut r,
            "council/c_1",
            5_000,
            Event::Council(CouncilEvent::CouncilRulesChanged {
                rules_hash: second.hash(),
                previous_rules_hash: first.hash(),
                rules: second.clone(),
                reason: Reason::parse("x").unwrap(),
            }),
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
            Event::Member(MemberEvent::MemberRegistered {
                kind: MemberKind::Staff,
                home_grid: None,
            }),
        );
        apply(
            &mut r,
            "member/m_1",
            0,
            Event::Member(MemberEvent::RoleGranted {
                role: Role::Administrator,
                reason: Reason::parse("x").unwrap(),
            }),
        );
        let m = MemberId::parse("m_1").unwrap();
        assert!(r.actor(&m).is_administrator());
        assert!(r.has_administrator());
        let rules = CouncilRules::default();
        apply(
            &mut r,
            "council/c_1",
            0,
            Event::Council(CouncilEvent::CouncilCreated {
                jurisdiction: JurisdictionId::parse("j_c").unwrap(),
                name: Name::parse("议事会").unwrap(),
                rules_hash: rules.hash(),
                rules,
            }),
        );
        apply(
            &mut r,
            "council/c_1",
            0,
            Event::Council(CouncilEvent::MemberSeated {
                member: m.clone(),
                seat: Seat::Chair,
                voting: true,
                reason: Reason::parse("x").unwrap(),
                rules_hash: CouncilRules::default().hash(),
            }),
        );
        assert!(r.actor(&m).chairs(&CouncilId::parse("c_1").unwrap()));
        apply(
            &mut r,
            "member/m_1",
            0,
            Event::Member(MemberEvent::MemberErased {
                reason: Reason::parse("x").unwrap(),
            }),
        );
        assert_eq!(r.actor(&m), Actor::anonymous());
        assert!(!r.has_administrator());
    }
}
