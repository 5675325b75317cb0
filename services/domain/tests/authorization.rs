//! Every command against every role: who may do what, decided in the domain.

mod world;

use roundtable_domain::*;
use world::*;

/// One command, decided on a fresh copy of its stream for a given actor.
type Case = (
    &'static str,
    fn(&str, &World) -> Result<Vec<Event>, DomainError>,
);

fn cases() -> Vec<Case> {
    vec![
        ("createJurisdiction", |who, w| {
            decide::<Jurisdiction>(
                &j("j_new"),
                &[],
                JurisdictionCommand::Create {
                    kind: JurisdictionKind::Grid,
                    name: name("第三网格"),
                    parent: Some(j("j_community")),
                },
                who,
                w,
            )
        }),
        ("renameJurisdiction", |who, w| {
            let given = [grid_created("j_community")];
            decide::<Jurisdiction>(
                &j("j_grid1"),
                &given,
                JurisdictionCommand::Rename {
                    name: name("第一网格"),
                },
                who,
                w,
            )
        }),
        ("moveJurisdiction", |who, w| {
            let given = [grid_created("j_community")];
            decide::<Jurisdiction>(
                &j("j_grid9"),
                &given,
                JurisdictionCommand::Move {
                    parent: j("j_community2"),
                },
                who,
                w,
            )
        }),
        ("register", |who, w| {
            decide::<Member>(
                &m("m_new"),
                &[],
                MemberCommand::Register {
                    home_grid: j("j_grid1"),
                },
                who,
                w,
            )
        }),
        ("inviteStaff", |who, w| {
            decide::<Member>(
                &m("m_new"),
                &[],
                MemberCommand::Invite {
                    role: Some(Role::Auditor),
                    reason: reason("audit office"),
                },
                who,
                w,
            )
        }),
        ("verifyResident", |who, w| {
            decide::<Member>(
                &m("m_unverified"),
                &[resident_registered("j_grid1")],
                MemberCommand::Verify,
                who,
                w,
            )
        }),
        ("grantRole", |who, w| {
            decide::<Member>(
                &m("m_verified"),
                &[resident_registered("j_grid1")],
                MemberCommand::Grant {
                    role: Role::GridWorker {
                        jurisdiction: j("j_grid1"),
                    },
                    reason: reason("new grid worker"),
                },
                who,
                w,
            )
        }),
        ("revokeRole", |who, w| {
            let given = [
                resident_registered("j_grid1"),
                Event::Member(MemberEvent::RoleGranted {
                    role: Role::Auditor,
                    reason: reason("temporary"),
                }),
            ];
            decide::<Member>(
                &m("m_verified"),
                &given,
                MemberCommand::Revoke {
                    role: Role::Auditor,
                    reason: reason("done"),
                },
                who,
                w,
            )
        }),
        ("eraseMember (someone else)", |who, w| {
            decide::<Member>(
                &m("m_far"),
                &[resident_registered("j_grid3")],
                MemberCommand::Erase {
                    reason: reason("asked by the member in writing"),
                },
                who,
                w,
            )
        }),
        ("createCouncil", |who, w| {
            decide::<Council>(
                &c("c_new"),
                &[],
                CouncilCommand::Create {
                    jurisdiction: j("j_community"),
                    name: name("议事会"),
                    rules: CouncilRules::default(),
                },
                who,
                w,
            )
        }),
        ("renameCouncil", |who, w| {
            decide::<Council>(
                &c("c_here"),
                &[council_created()],
                CouncilCommand::Rename {
                    name: name("银网小区圆桌会"),
                },
                who,
                w,
            )
        }),
        ("changeCouncilRules", |who, w| {
            decide::<Council>(
                &c("c_here"),
                &[council_created()],
                CouncilCommand::ChangeRules {
                    rules: CouncilRules {
                        cosign_threshold: 20,
                        ..CouncilRules::default()
                    },
                    reason: reason("larger compound"),
                },
                who,
                w,
            )
        }),
        ("seatCouncilMember", |who, w| {
            decide::<Council>(
                &c("c_here"),
                &[council_created()],
                CouncilCommand::SeatMember {
                    member: m("m_verified"),
                    seat: Seat::Member,
                    voting: true,
                    reason: reason("elected resident representative"),
                },
                who,
                w,
            )
        }),
        ("unseatCouncilMember", |who, w| {
            let given = council_with("m_verified", Seat::Member);
            decide::<Council>(
                &c("c_here"),
                &given,
                CouncilCommand::UnseatMember {
                    member: m("m_verified"),
                    reason: reason("moved away"),
                },
                who,
                w,
            )
        }),
    ]
}

/// Who may run each command; everyone else is refused.
fn allowed(command: &str) -> &'static [&'static str] {
    match command {
        "register" => ACTORS,
        "verifyResident" => &["grid_worker_inside", "administrator"],
        "renameCouncil" | "changeCouncilRules" | "seatCouncilMember" | "unseatCouncilMember" => {
            &["committee_this_council", "administrator"]
        }
        _ => &["administrator"],
    }
}

#[test]
fn every_command_against_every_role() {
    let world = world();
    let mut table = String::new();
    let mut wrong = Vec::new();
    for (command, run) in cases() {
        for &who in ACTORS {
            let outcome = run(who, &world);
            let may = allowed(command).contains(&who);
            let verdict = match &outcome {
                Ok(events) => {
                    assert!(!events.is_empty(), "{command} by {who} decided nothing");
                    "allowed"
                }
                Err(DomainError::Forbidden(_)) => "forbidden",
                Err(DomainError::Unauthenticated) => "unauthenticated",
                Err(e) => {
                    wrong.push(format!("{command} by {who}: unexpected {e}"));
                    continue;
                }
            };
            let refused = verdict != "allowed";
            if may == refused {
                wrong.push(format!(
                    "{command} by {who}: {verdict}, expected the opposite"
                ));
            }
            if who == "anonymous" && refused && verdict != "unauthenticated" {
                wrong.push(format!(
                    "{command} by anonymous: {verdict}, expected unauthenticated"
                ));
            }
            table.push_str(&format!("{command:<28} {who:<26} {verdict}\n"));
        }
    }
    assert!(wrong.is_empty(), "{}\n\n{table}", wrong.join("\n"));
    assert_eq!(table.lines().count(), cases().len() * ACTORS.len());
}

#[test]
fn a_member_may_erase_themself() {
    let outcome = decide::<Member>(
        &m("m_verified"),
        &[resident_registered("j_grid1")],
        MemberCommand::Erase {
            reason: reason("I am moving away"),
        },
        "resident_verified",
        &world(),
    );
    assert!(matches!(
        outcome.as_deref(),
        Ok([Event::Member(MemberEvent::MemberErased { .. })])
    ));
}
