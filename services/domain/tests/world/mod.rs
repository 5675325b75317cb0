//! A small grid and its people, as a decider sees them, for the domain's tests.
#![allow(dead_code)]

pub mod mediation;
pub mod meeting;
pub mod services;

use std::collections::{BTreeMap, BTreeSet};

use roundtable_domain::*;
use roundtable_ledger::Timestamp;

pub fn j(id: &str) -> JurisdictionId {
    JurisdictionId::parse(id).unwrap()
}
pub fn m(id: &str) -> MemberId {
    MemberId::parse(id).unwrap()
}
pub fn c(id: &str) -> CouncilId {
    CouncilId::parse(id).unwrap()
}
pub fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}
pub fn name(text: &str) -> Name {
    Name::parse(text).unwrap()
}

pub const NOW: i64 = 1_795_000_000_000;
pub const HOUR: i64 = 3_600_000;

/// Adds a council at `at` with default rules (for escalation above `c_here`).
pub fn add_council(w: &mut World, id: &str, at: &str) {
    let rules = CouncilRules::default();
    w.councils.insert(
        c(id),
        CouncilFacts {
            id: c(id),
            jurisdiction: j(at),
            rules_hash: rules.hash(),
            rules,
        },
    );
}

/// Given events, when `command` is decided by `who` at `now`, then…
pub fn decide_at<A: Aggregate>(
    id: &A::Id,
    given: &[Event],
    command: A::Command,
    who: &str,
    now: i64,
    world: &World,
) -> Result<Vec<Event>, DomainError> {
    let context = Context {
        actor: actor(who),
        now: Timestamp::from_unix_millis(now),
    };
    A::decide_for_log(id, &A::replay(given), command, &context, world)
}

#[derive(Default)]
pub struct World {
    pub jurisdictions: BTreeMap<JurisdictionId, JurisdictionFacts>,
    pub in_use: BTreeSet<JurisdictionId>,
    pub members: BTreeMap<MemberId, MemberFacts>,
    pub councils: BTreeMap<CouncilId, CouncilFacts>,
    pub issues: BTreeMap<IssueId, IssueFacts>,
    pub seats: BTreeMap<CouncilId, Vec<(MemberId, Seat, bool)>>,
    pub meetings: BTreeMap<MeetingId, MeetingFacts>,
    pub resolutions: BTreeMap<ResolutionId, ResolutionFacts>,
    pub buildings: BTreeMap<JurisdictionId, Buildings>,
    pub committees: BTreeMap<CommitteeId, CommitteeFacts>,
    pub disputes: BTreeMap<DisputeId, DisputeFacts>,
    pub services: BTreeMap<ServiceId, ServiceFacts>,
    pub calendar: WorkCalendar,
    pub administrators: bool,
}

impl Directory for World {
    fn service(&self, id: &ServiceId) -> Option<ServiceFacts> {
        self.services.get(id).cloned()
    }
    fn calendar(&self) -> WorkCalendar {
        self.calendar.clone()
    }
    fn buildings(&self, grid: &JurisdictionId) -> Buildings {
        self.buildings.get(grid).cloned().unwrap_or_default()
    }
    fn jurisdiction(&self, id: &JurisdictionId) -> Option<JurisdictionFacts> {
        self.jurisdictions.get(id).cloned()
    }
    fn jurisdiction_in_use(&self, id: &JurisdictionId) -> bool {
        self.in_use.contains(id)
    }
    fn member(&self, id: &MemberId) -> Option<MemberFacts> {
        self.members.get(id).cloned()
    }
    fn council(&self, id: &CouncilId) -> Option<CouncilFacts> {
        self.councils.get(id).cloned()
    }
    fn has_administrator(&self) -> bool {
        self.administrators
    }
    fn councils_at(&self, jurisdiction: &JurisdictionId) -> Vec<CouncilFacts> {
        self.councils
            .values()
            .filter(|c| &c.jurisdiction == jurisdiction)
            .cloned()
            .collect()
    }
    fn issue(&self, id: &IssueId) -> Option<IssueFacts> {
        self.issues.get(id).cloned()
    }
    fn council_seats(&self, id: &CouncilId) -> Vec<(MemberId, Seat, bool)> {
        self.seats.get(id).cloned().unwrap_or_default()
    }
    fn meeting(&self, id: &MeetingId) -> Option<MeetingFacts> {
        self.meetings.get(id).cloned()
    }
    fn resolution(&self, id: &ResolutionId) -> Option<ResolutionFacts> {
        self.resolutions.get(id).cloned()
    }
    fn committee(&self, id: &CommitteeId) -> Option<CommitteeFacts> {
        self.committees.get(id).cloned()
    }
    fn committees_at(&self, jurisdiction: &JurisdictionId) -> Vec<CommitteeFacts> {
        self.committees
            .values()
            .filter(|c| &c.jurisdiction == jurisdiction)
            .cloned()
            .collect()
    }
    fn dispute(&self, id: &DisputeId) -> Option<DisputeFacts> {
        self.disputes.get(id).cloned()
    }
}

/// A council member as an actor, with their seats from the world.
pub fn seated(w: &World, id: &str) -> Actor {
    let member = m(id);
    let seats = w
        .seats
        .iter()
        .flat_map(|(council, seats)| {
            seats
                .iter()
                .filter(|(who, ..)| *who == member)
                .map(|(_, seat, voting)| CouncilSeat {
                    council: council.clone(),
                    seat: *seat,
                    voting: *voting,
                })
        })
        .collect();
    Actor {
        member: Some(member),
        kind: Some(MemberKind::Staff),
        verified: true,
        home_grid: None,
        roles: vec![],
        seats,
        mediator_of: vec![],
    }
}

/// Seats `c_here`: a chair, a secretary, `n` voting members `m_v1…` and an observer.
pub fn seat_council(w: &mut World, n: usize) {
    let mut seats = vec![
        (m("m_chair"), Seat::Chair, true),
        (m("m_sec"), Seat::Secretary, true),
        (m("m_obs"), Seat::Observer, false),
    ];
    for i in 1..=n {
        seats.push((m(&format!("m_v{i}")), Seat::Member, true));
    }
    for (member, ..) in &seats {
        w.members.insert(
            member.clone(),
            MemberFacts {
                kind: MemberKind::Staff,
                home_grid: None,
                verified: true,
                erased: false,
            },
        );
    }
    w.seats.insert(c("c_here"), seats);
}

/// 铁岭市 > 银州区 > 红旗街道 > 银网社区 > grids 1 and 2 (and an unused grid 9);
/// 兀术街街道 > 兀术社区 > grid 3 elsewhere in the city.
pub fn world() -> World {
    use JurisdictionKind::*;
    let mut w = World {
        administrators: true,
        ..World::default()
    };
    let tree = [
        ("j_city", City, None),
        ("j_district", District, Some("j_city")),
        ("j_street", Street, Some("j_district")),
        ("j_community", Community, Some("j_street")),
        ("j_grid1", Grid, Some("j_community")),
        ("j_grid2", Grid, Some("j_community")),
        ("j_grid9", Grid, Some("j_community")),
        ("j_street2", Street, Some("j_district")),
        ("j_community2", Community, Some("j_street2")),
        ("j_grid3", Grid, Some("j_community2")),
    ];
    for (id, kind, parent) in tree {
        w.jurisdictions.insert(
            j(id),
            JurisdictionFacts {
                kind,
                parent: parent.map(j),
            },
        );
        if let Some(p) = parent {
            w.in_use.insert(j(p));
        }
    }
    for g in ["j_grid1", "j_grid2", "j_grid3"] {
        w.in_use.insert(j(g));
    }
    let resident = |grid: &str, verified: bool| MemberFacts {
        kind: MemberKind::Resident,
        home_grid: Some(j(grid)),
        verified,
        erased: false,
    };
    w.members
        .insert(m("m_unverified"), resident("j_grid1", false));
    w.members.insert(m("m_verified"), resident("j_grid1", true));
    w.members.insert(m("m_far"), resident("j_grid3", true));
    for staff in [
        "m_admin",
        "m_auditor",
        "m_gw_in",
        "m_gw_out",
        "m_chair",
        "m_other_chair",
    ] {
        w.members.insert(
            m(staff),
            MemberFacts {
                kind: MemberKind::Staff,
                home_grid: None,
                verified: false,
                erased: false,
            },
        );
    }
    for (id, at) in [("c_here", "j_community"), ("c_other", "j_community2")] {
        let rules = CouncilRules {
            cosign_threshold: 3,
            ..CouncilRules::default()
        };
        w.councils.insert(
            c(id),
            CouncilFacts {
                id: c(id),
                jurisdiction: j(at),
                rules_hash: rules.hash(),
                rules,
            },
        );
    }
    w
}

/// The actors of the authorization table, by name.
pub fn actor(who: &str) -> Actor {
    let staff = |id: &str, roles: Vec<Role>, seats: Vec<CouncilSeat>| Actor {
        member: Some(m(id)),
        kind: Some(MemberKind::Staff),
        verified: false,
        home_grid: None,
        roles,
        seats,
        mediator_of: vec![],
    };
    let chair = |council: &str| CouncilSeat {
        council: c(council),
        seat: Seat::Chair,
        voting: true,
    };
    match who {
        "anonymous" => Actor::anonymous(),
        "resident_unverified" | "resident_verified" => Actor {
            member: Some(m(if who == "resident_verified" {
                "m_verified"
            } else {
                "m_unverified"
            })),
            kind: Some(MemberKind::Resident),
            verified: who == "resident_verified",
            home_grid: Some(j("j_grid1")),
            roles: vec![],
            seats: vec![],
            mediator_of: vec![],
        },
        "grid_worker_inside" => staff(
            "m_gw_in",
            vec![Role::GridWorker {
                jurisdiction: j("j_community"),
            }],
            vec![],
        ),
        "grid_worker_outside" => staff(
            "m_gw_out",
            vec![Role::GridWorker {
                jurisdiction: j("j_community2"),
            }],
            vec![],
        ),
        "committee_this_council" => staff("m_chair", vec![], vec![chair("c_here")]),
        "committee_other_council" => staff("m_other_chair", vec![], vec![chair("c_other")]),
        "auditor" => staff("m_auditor", vec![Role::Auditor], vec![]),
        "mediation_officer" | "mediator" => Actor {
            mediator_of: vec![MediatorSeat {
                committee: CommitteeId::parse("mc_here").unwrap(),
                officer: who == "mediation_officer",
            }],
            ..staff(
                if who == "mediator" {
                    "m_med1"
                } else {
                    "m_director"
                },
                vec![],
                vec![],
            )
        },
        "administrator" => staff("m_admin", vec![Role::Administrator], vec![]),
        other => panic!("no actor {other}"),
    }
}

pub const ACTORS: &[&str] = &[
    "anonymous",
    "resident_unverified",
    "resident_verified",
    "grid_worker_inside",
    "grid_worker_outside",
    "committee_this_council",
    "committee_other_council",
    "auditor",
    "administrator",
    "mediation_officer",
    "mediator",
];

pub fn context(who: &str) -> Context {
    Context {
        actor: actor(who),
        now: Timestamp::from_unix_millis(NOW),
    }
}

/// Given these events of one stream, when the command is decided, then…
pub fn decide<A: Aggregate>(
    id: &A::Id,
    given: &[Event],
    when: A::Command,
    who: &str,
    world: &World,
) -> Result<Vec<Event>, DomainError> {
    let state = A::replay(given);
    A::decide_for_log(id, &state, when, &context(who), world)
}

/// A grid under `parent`.
pub fn grid_created(parent: &str) -> Event {
    Event::Jurisdiction(JurisdictionEvent::JurisdictionCreated {
        kind: JurisdictionKind::Grid,
        name: name("网格"),
        parent: Some(j(parent)),
    })
}

pub fn council_created() -> Event {
    let rules = CouncilRules::default();
    Event::Council(CouncilEvent::CouncilCreated {
        jurisdiction: j("j_community"),
        name: name("银网社区圆桌议事会"),
        rules_hash: rules.hash(),
        rules,
    })
}

/// A council created under the default rules with `member` seated in it (voting).
pub fn council_with(member: &str, seat: Seat) -> [Event; 2] {
    [
        council_created(),
        Event::Council(CouncilEvent::MemberSeated {
            member: m(member),
            seat,
            voting: true,
            reason: reason("elected"),
            rules_hash: CouncilRules::default().hash(),
        }),
    ]
}

pub fn resident_registered(grid: &str) -> Event {
    Event::Member(MemberEvent::MemberRegistered {
        kind: MemberKind::Resident,
        home_grid: Some(j(grid)),
    })
}

/// A verified resident of grid 1 raised a water issue (no council clock).
pub fn water_raised() -> Event {
    Event::Issue(IssueEvent::IssueRaised {
        raiser: m("m_verified"),
        on_behalf_by: None,
        channel: Channel::Online,
        category: Category::Water,
        jurisdiction: j("j_grid1"),
        title: "停水".into(),
        description: "三天没水".into(),
        place: String::new(),
        photos: vec![],
        spot: None,
        version_hash: IssueText::new("停水", "三天没水", "").unwrap().hash(),
        clock: None,
    })
}
