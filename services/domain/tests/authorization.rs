//! Every command against every role: who may do what, decided in the domain.

mod world;

use roundtable_domain::*;
use world::mediation::*;
use world::services::*;
use world::*;

/// A mediation command on the case `given`, by one of the table's actors.
fn case_as(given: &[Event], command: DisputeCommand, who: &str) -> Result<Vec<Event>, DomainError> {
    let w = mediation_world();
    let context = Context {
        actor: actor(who),
        now: roundtable_ledger::Timestamp::from_unix_millis(NOW + 2 * DAY),
    };
    Dispute::decide_for_log(&d("d_case"), &Dispute::replay(given), command, &context, &w)
}

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
        ("createMediationCommittee", |who, _| {
            decide::<Committee>(
                &mc("mc_new"),
                &[],
                CommitteeCommand::Create {
                    jurisdiction: j("j_community"),
                    kind: CommitteeKind::Peoples,
                    name: name("银网社区人民调解委员会"),
                    rules: MediationRules::default(),
                },
                who,
                &mediation_world(),
            )
        }),
        ("appointMediator", |who, _| {
            let w = mediation_world();
            let created = decide::<Committee>(
                &mc("mc_here"),
                &[],
                CommitteeCommand::Create {
                    jurisdiction: j("j_community"),
                    kind: CommitteeKind::Peoples,
                    name: name("银网社区人民调解委员会"),
                    rules: MediationRules::default(),
                },
                "administrator",
                &w,
            )
            .unwrap();
            decide::<Committee>(
                &mc("mc_here"),
                &created,
                CommitteeCommand::Appoint {
                    member: m("m_verified"),
                    officer: false,
                    reason: reason("志愿调解员"),
                },
                who,
                &w,
            )
        }),
        ("raiseDispute", |who, _| {
            let DisputeCommand::Raise(raise) = raise_leak() else {
                unreachable!()
            };
            let channel = if who == "resident_verified" {
                Channel::Online
            } else {
                Channel::Visit
            };
            case_as(
                &[],
                DisputeCommand::Raise(RaiseDispute { channel, ..raise }),
                who,
            )
        }),
        ("answerDispute (for a party)", |who, _| {
            let w = mediation_world();
            let given = run_case(vec![(raise_leak(), "applicant", NOW)], &w);
            let command = DisputeCommand::Answer {
                party: m("m_neighbour"),
                consent: true,
                channel: Channel::Visit,
                claim: None,
            };
            case_as(&given, command, who)
        }),
        ("assignMediator", |who, _| {
            let w = mediation_world();
            let given = run_case(vec![(raise_leak(), "applicant", NOW)], &w);
            let command = DisputeCommand::AssignMediator {
                mediator: m("m_med1"),
            };
            case_as(&given, command, who)
        }),
        ("scheduleMediationSession", |who, _| {
            let given = assigned_case(&mediation_world());
            let command = DisputeCommand::ScheduleSession {
                at: roundtable_ledger::Timestamp::from_unix_millis(NOW + 3 * DAY),
                venue: "调解室".into(),
            };
            case_as(&given, command, who)
        }),
        ("confirmAgreement", |who, _| {
            let w = mediation_world();
            let mut given = assigned_case(&mediation_world());
            given.extend(run_case_after(
                &given,
                vec![
                    (
                        DisputeCommand::ScheduleSession {
                            at: roundtable_ledger::Timestamp::from_unix_millis(NOW + DAY),
                            venue: "调解室".into(),
                        },
                        "mediator",
                        NOW + 3 * HOUR,
                    ),
                    (
                        DisputeCommand::RecordSession {
                            session: 1,
                            attendance: vec![m("m_verified")],
                            record: sealed("记录"),
                        },
                        "mediator",
                        NOW + DAY,
                    ),
                    (
                        DisputeCommand::DraftAgreement { terms: terms() },
                        "mediator",
                        NOW + DAY,
                    ),
                ],
                &w,
            ));
            let channel = if who == "resident_verified" {
                Channel::Online
            } else {
                Channel::Paper
            };
            let command = DisputeCommand::ConfirmAgreement {
                party: m("m_verified"),
                text_hash: draft_hash(&given),
                channel,
            };
            case_as(&given, command, who)
        }),
        ("publishCalendar", |who, w| {
            decide::<Calendar>(
                &CalendarId::for_year(2026).unwrap(),
                &[],
                CalendarCommand::Publish(CalendarYear {
                    year: 2026,
                    holidays: vec![day("2026-10-01")],
                    working_weekends: vec![],
                }),
                who,
                w,
            )
        }),
        ("publishService", |who, w| {
            decide::<Service>(
                &sv("sv_new"),
                &[],
                ServiceCommand::Publish {
                    jurisdiction: j("j_community"),
                    spec: spec(),
                },
                who,
                w,
            )
        }),
        ("openServiceRequest", |who, _| {
            let w = service_world();
            // For oneself online, or for 周阿姨 by a visit.
            let channel = if who == "resident_verified" {
                Channel::Online
            } else {
                Channel::Visit
            };
            decide::<ServiceRequest>(
                &sr("sr_new"),
                &[],
                ServiceRequestCommand::Open(OpenRequest {
                    service: sv("sv_residence"),
                    applicant: m("m_verified"),
                    channel,
                    at_home: false,
                }),
                who,
                &w,
            )
        }),
        ("markDocumentsComplete", |who, _| {
            let w = service_world();
            let given = request_opened(&w, NOW);
            decide::<ServiceRequest>(
                &sr("sr_1"),
                &given,
                ServiceRequestCommand::MarkComplete,
                who,
                &w,
            )
        }),
        ("withdrawServiceRequest", |who, _| {
            let w = service_world();
            let given = request_opened(&w, NOW);
            decide::<ServiceRequest>(
                &sr("sr_1"),
                &given,
                ServiceRequestCommand::Withdraw,
                who,
                &w,
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
        "appointMediator" => &["administrator", "mediation_officer"],
        "raiseDispute" => &["resident_verified", "grid_worker_inside"],
        "answerDispute (for a party)" => &["grid_worker_inside", "mediation_officer"],
        "assignMediator" => &["mediation_officer"],
        "scheduleMediationSession" => &["mediator"],
        "confirmAgreement" => &["resident_verified", "mediator"],
        "publishService" => &["grid_worker_inside", "administrator"],
        "openServiceRequest" => &["resident_verified", "grid_worker_inside"],
        "markDocumentsComplete" => &["grid_worker_inside"],
        "withdrawServiceRequest" => &["resident_verified"],
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
