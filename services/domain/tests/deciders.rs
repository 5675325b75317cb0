//! Given the events of a stream, when a command is decided, then these events (or
//! this error). One test per rule of the jurisdiction, member and council deciders.

mod world;

use roundtable_domain::*;
use world::*;

fn code(result: Result<Vec<Event>, DomainError>) -> &'static str {
    match result {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

// ---- jurisdictions -------------------------------------------------------------

#[test]
fn a_city_is_the_only_root() {
    let w = world();
    let create = |kind, parent: Option<&str>| {
        decide::<Jurisdiction>(
            &j("j_new"),
            &[],
            JurisdictionCommand::Create {
                kind,
                name: name("新"),
                parent: parent.map(j),
            },
            "administrator",
            &w,
        )
    };
    assert_eq!(
        create(JurisdictionKind::City, None).unwrap(),
        vec![Event::Jurisdiction(
            JurisdictionEvent::JurisdictionCreated {
                kind: JurisdictionKind::City,
                name: name("新"),
                parent: None
            }
        )]
    );
    assert_eq!(code(create(JurisdictionKind::District, None)), "VALIDATION");
}

#[test]
fn each_level_hangs_under_the_level_above() {
    let w = world();
    let create = |kind, parent: &str| {
        code(decide::<Jurisdiction>(
            &j("j_new"),
            &[],
            JurisdictionCommand::Create {
                kind,
                name: name("新"),
                parent: Some(j(parent)),
            },
            "administrator",
            &w,
        ))
    };
    assert_eq!(create(JurisdictionKind::Community, "j_street"), "OK");
    assert_eq!(create(JurisdictionKind::Grid, "j_street"), "VALIDATION");
    assert_eq!(create(JurisdictionKind::Street, "j_grid1"), "VALIDATION");
    assert_eq!(create(JurisdictionKind::Grid, "j_nowhere"), "NOT_FOUND");
}

#[test]
fn a_jurisdiction_is_created_once_and_renamed_only_to_a_new_name() {
    let w = world();
    let given = [grid_created("j_community")];
    let again = decide::<Jurisdiction>(
        &j("j_grid1"),
        &given,
        JurisdictionCommand::Create {
            kind: JurisdictionKind::Grid,
            name: name("网格"),
            parent: Some(j("j_community")),
        },
        "administrator",
        &w,
    );
    assert_eq!(code(again), "CONFLICT");
    let same = JurisdictionCommand::Rename {
        name: name("网格")
    };
    assert_eq!(
        code(decide::<Jurisdiction>(
            &j("j_grid1"),
            &given,
            same,
            "administrator",
            &w
        )),
        "CONFLICT"
    );
    let unknown = JurisdictionCommand::Rename { name: name("x") };
    assert_eq!(
        code(decide::<Jurisdiction>(
            &j("j_gone"),
            &[],
            unknown,
            "administrator",
            &w
        )),
        "NOT_FOUND"
    );
}

#[test]
fn a_jurisdiction_moves_only_while_nothing_refers_to_it() {
    let w = world();
    let mv = |id: &str, parent: &str, given: &[Event]| {
        code(decide::<Jurisdiction>(
            &j(id),
            given,
            JurisdictionCommand::Move { parent: j(parent) },
            "administrator",
            &w,
        ))
    };
    // grid1 has residents: it stays where it is.
    assert_eq!(
        mv("j_grid1", "j_community2", &[grid_created("j_community")]),
        "CONFLICT"
    );
    // grid9 is unused: it may move, but only under a community, and not where it is.
    assert_eq!(
        mv("j_grid9", "j_community2", &[grid_created("j_community")]),
        "OK"
    );
    assert_eq!(
        mv("j_grid9", "j_street2", &[grid_created("j_community")]),
        "VALIDATION"
    );
    assert_eq!(
        mv("j_grid9", "j_community", &[grid_created("j_community")]),
        "CONFLICT"
    );
    // A node can never move under its own subtree.
    let street = Event::Jurisdiction(JurisdictionEvent::JurisdictionCreated {
        kind: JurisdictionKind::Street,
        name: name("街道"),
        parent: Some(j("j_district")),
    });
    assert_eq!(mv("j_street", "j_community", &[street]), "VALIDATION");
}

// ---- members -------------------------------------------------------------------

fn register(grid: &str) -> MemberCommand {
    MemberCommand::Register { home_grid: j(grid) }
}

#[test]
fn a_resident_registers_once_with_a_grid_as_home() {
    let w = world();
    assert_eq!(
        decide::<Member>(&m("m_new"), &[], register("j_grid2"), "anonymous", &w).unwrap(),
        vec![resident_registered("j_grid2")]
    );
    assert_eq!(
        code(decide::<Member>(
            &m("m_new"),
            &[],
            register("j_community"),
            "anonymous",
            &w
        )),
        "VALIDATION"
    );
    assert_eq!(
        code(decide::<Member>(
            &m("m_new"),
            &[],
            register("j_nope"),
            "anonymous",
            &w
        )),
        "NOT_FOUND"
    );
    assert_eq!(
        code(decide::<Member>(
            &m("m_new"),
            &[resident_registered("j_grid1")],
            register("j_grid1"),
            "anonymous",
            &w
        )),
        "CONFLICT"
    );
}

#[test]
fn the_first_administrator_exists_only_while_there_is_none() {
    let mut w = world();
    let boot = || MemberCommand::Bootstrap {
        reason: reason("admin init"),
    };
    assert_eq!(
        code(decide::<Member>(&m("m_root"), &[], boot(), "anonymous", &w)),
        "CONFLICT"
    );
    w.administrators = false;
    let events = decide::<Member>(&m("m_root"), &[], boot(), "anonymous", &w).unwrap();
    assert_eq!(events.len(), 2);
    assert!(matches!(
        &events[1],
        Event::Member(MemberEvent::RoleGranted {
            role: Role::Administrator,
            ..
        })
    ));
}

#[test]
fn verification_names_the_verifier_and_their_scope_and_happens_once() {
    let w = world();
    let given = [resident_registered("j_grid1")];
    let events = decide::<Member>(
        &m("m_unverified"),
        &given,
        MemberCommand::Verify,
        "grid_worker_inside",
        &w,
    )
    .unwrap();
    let verified = Event::Member(MemberEvent::MemberVerified {
        verified_by: m("m_gw_in"),
        scope: Some(j("j_community")),
    });
    assert_eq!(events, vec![verified.clone()]);
    let twice = [resident_registered("j_grid1"), verified];
    assert_eq!(
        code(decide::<Member>(
            &m("m_unverified"),
            &twice,
            MemberCommand::Verify,
            "administrator",
            &w
        )),
        "CONFLICT"
    );
    let staff = [Event::Member(MemberEvent::MemberRegistered {
        kind: MemberKind::Staff,
        home_grid: None,
    })];
    assert_eq!(
        code(decide::<Member>(
            &m("m_gw_out"),
            &staff,
            MemberCommand::Verify,
            "administrator",
            &w
        )),
        "CONFLICT"
    );
}

#[test]
fn roles_are_granted_once_revoked_only_if_held_and_never_by_an_admin_from_themself() {
    let w = world();
    let given = [
        resident_registered("j_grid1"),
        Event::Member(MemberEvent::RoleGranted {
            role: Role::Auditor,
            reason: reason("audit office"),
        }),
    ];
    let grant = |role| MemberCommand::Grant {
        role,
        reason: reason("x"),
    };
    assert_eq!(
        code(decide::<Member>(
            &m("m_verified"),
            &given,
            grant(Role::Auditor),
            "administrator",
            &w
        )),
        "CONFLICT"
    );
    let nowhere = Role::GridWorker {
        jurisdiction: j("j_nowhere"),
    };
    assert_eq!(
        code(decide::<Member>(
            &m("m_verified"),
            &given,
            grant(nowhere),
            "administrator",
            &w
        )),
        "NOT_FOUND"
    );
    let revoke = |role| MemberCommand::Revoke {
        role,
        reason: reason("x"),
    };
    assert_eq!(
        code(decide::<Member>(
            &m("m_verified"),
            &given,
            revoke(Role::Administrator),
            "administrator",
            &w
        )),
        "CONFLICT"
    );
    let admin = [
        Event::Member(MemberEvent::MemberRegistered {
            kind: MemberKind::Staff,
            home_grid: None,
        }),
        Event::Member(MemberEvent::RoleGranted {
            role: Role::Administrator,
            reason: reason("init"),
        }),
    ];
    assert_eq!(
        code(decide::<Member>(
            &m("m_admin"),
            &admin,
            revoke(Role::Administrator),
            "administrator",
            &w
        )),
        "CONFLICT"
    );
}

#[test]
fn an_erased_member_can_no_longer_be_changed() {
    let w = world();
    let given = [
        resident_registered("j_grid1"),
        Event::Member(MemberEvent::MemberErased {
            reason: reason("asked"),
        }),
    ];
    let commands = [
        MemberCommand::Verify,
        MemberCommand::Grant {
            role: Role::Auditor,
            reason: reason("x"),
        },
        MemberCommand::Erase {
            reason: reason("again"),
        },
    ];
    for command in commands {
        assert_eq!(
            code(decide::<Member>(
                &m("m_verified"),
                &given,
                command,
                "administrator",
                &w
            )),
            "NOT_FOUND"
        );
    }
}

// ---- councils ------------------------------------------------------------------

#[test]
fn a_council_needs_a_jurisdiction_and_valid_rules() {
    let w = world();
    let create = |jurisdiction: &str, rules| {
        code(decide::<Council>(
            &c("c_new"),
            &[],
            CouncilCommand::Create {
                jurisdiction: j(jurisdiction),
                name: name("议事会"),
                rules,
            },
            "administrator",
            &w,
        ))
    };
    assert_eq!(create("j_community", CouncilRules::default()), "OK");
    assert_eq!(create("j_nowhere", CouncilRules::default()), "NOT_FOUND");
    let bad = CouncilRules {
        triage_hours: 0,
        ..CouncilRules::default()
    };
    assert_eq!(create("j_community", bad), "VALIDATION");
}

#[test]
fn changed_rules_cite_the_rules_they_replace_and_later_seats_cite_the_new_ones() {
    let w = world();
    let new_rules = CouncilRules {
        quorum: Fraction { num: 1, den: 2 },
        ..CouncilRules::default()
    };
    let changed = decide::<Council>(
        &c("c_here"),
        &[council_created()],
        CouncilCommand::ChangeRules {
            rules: new_rules.clone(),
            reason: reason("small compound"),
        },
        "committee_this_council",
        &w,
    )
    .unwrap();
    assert_eq!(
        changed,
        vec![Event::Council(CouncilEvent::CouncilRulesChanged {
            rules: new_rules.clone(),
            rules_hash: new_rules.hash(),
            previous_rules_hash: CouncilRules::default().hash(),
            reason: reason("small compound"),
        })]
    );
    let given = [council_created(), changed[0].clone()];
    let seated = decide::<Council>(
        &c("c_here"),
        &given,
        CouncilCommand::SeatMember {
            member: m("m_verified"),
            seat: Seat::Secretary,
            voting: true,
            reason: reason("elected"),
        },
        "administrator",
        &w,
    )
    .unwrap();
    assert!(
        matches!(&seated[0], Event::Council(CouncilEvent::MemberSeated { rules_hash, .. }) if *rules_hash == new_rules.hash())
    );
    let same = CouncilCommand::ChangeRules {
        rules: new_rules,
        reason: reason("again"),
    };
    assert_eq!(
        code(decide::<Council>(
            &c("c_here"),
            &given,
            same,
            "administrator",
            &w
        )),
        "CONFLICT"
    );
}

#[test]
fn seats_observers_do_not_vote_one_chair_one_seat_each() {
    let mut w = world();
    let seat = |member: &str, seat, voting| CouncilCommand::SeatMember {
        member: m(member),
        seat,
        voting,
        reason: reason("x"),
    };
    let chaired = council_with("m_chair", Seat::Chair);
    let run = |given: &[Event], command, w: &World| {
        code(decide::<Council>(
            &c("c_here"),
            given,
            command,
            "administrator",
            w,
        ))
    };
    assert_eq!(
        run(&chaired, seat("m_verified", Seat::Observer, true), &w),
        "VALIDATION"
    );
    assert_eq!(
        run(&chaired, seat("m_verified", Seat::Chair, true), &w),
        "CONFLICT"
    );
    assert_eq!(
        run(&chaired, seat("m_chair", Seat::Member, true), &w),
        "CONFLICT"
    );
    assert_eq!(
        run(&chaired, seat("m_nobody", Seat::Member, true), &w),
        "NOT_FOUND"
    );
    w.members.get_mut(&m("m_verified")).unwrap().erased = true;
    assert_eq!(
        run(&chaired, seat("m_verified", Seat::Member, true), &w),
        "NOT_FOUND"
    );
    let unseat = CouncilCommand::UnseatMember {
        member: m("m_far"),
        reason: reason("x"),
    };
    assert_eq!(run(&chaired, unseat, &w), "NOT_FOUND");
    let missing = CouncilCommand::Rename { name: name("x") };
    assert_eq!(
        code(decide::<Council>(
            &c("c_gone"),
            &[],
            missing,
            "administrator",
            &w
        )),
        "NOT_FOUND"
    );
}
