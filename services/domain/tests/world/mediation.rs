//! 银网社区's people's mediation committee and a neighbours' case, as deciders see
//! them: shared by the mediation tests and the event-schema catalogue.

use roundtable_domain::*;

use super::*;

pub const DAY: i64 = 24 * HOUR;

pub fn mc(id: &str) -> CommitteeId {
    CommitteeId::parse(id).unwrap()
}
pub fn d(id: &str) -> DisputeId {
    DisputeId::parse(id).unwrap()
}
pub fn sealed(text: &str) -> Sealed {
    Sealed::new(
        "0123456789abcdef0123456789abcdef",
        text,
        "text",
        MAX_PRIVATE_TEXT,
    )
    .unwrap()
}

/// The world, with a people's mediation committee at 银网社区 (`mc_here`: officer
/// `m_director`, mediators `m_med1`, `m_med2`) and one at 红旗街道 above it
/// (`mc_street`: officer `m_street_director`), and the applicant's neighbour
/// `m_neighbour` (verified, grid 1).
pub fn mediation_world() -> World {
    let mut w = world();
    let rules = MediationRules::default();
    for (id, at, officer, others) in [
        (
            "mc_here",
            "j_community",
            "m_director",
            vec!["m_med1", "m_med2"],
        ),
        ("mc_street", "j_street", "m_street_director", vec![]),
    ] {
        let mut mediators = vec![(m(officer), true)];
        mediators.extend(others.into_iter().map(|o| (m(o), false)));
        w.committees.insert(
            mc(id),
            CommitteeFacts {
                id: mc(id),
                jurisdiction: j(at),
                kind: CommitteeKind::Peoples,
                rules: rules.clone(),
                rules_hash: rules.hash(),
                mediators,
            },
        );
    }
    for staff in ["m_director", "m_med1", "m_med2", "m_street_director"] {
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
    w.members.insert(
        m("m_neighbour"),
        MemberFacts {
            kind: MemberKind::Resident,
            home_grid: Some(j("j_grid1")),
            verified: true,
            erased: false,
        },
    );
    w
}

/// The actors of mediation, by name (the others are [`actor`]'s).
pub fn mediation_actor(who: &str, w: &World) -> Actor {
    let seat = |member: &str| {
        w.committees
            .values()
            .filter_map(|c| {
                c.mediators
                    .iter()
                    .find(|(x, _)| x.as_str() == member)
                    .map(|(_, officer)| MediatorSeat {
                        committee: c.id.clone(),
                        officer: *officer,
                    })
            })
            .collect::<Vec<_>>()
    };
    match who {
        "mediator" => mediation_actor("m_med1", w),
        "m_director" | "m_med1" | "m_med2" | "m_street_director" => Actor {
            member: Some(m(who)),
            kind: Some(MemberKind::Staff),
            mediator_of: seat(who),
            ..Actor::default()
        },
        "m_neighbour" => Actor {
            member: Some(m(who)),
            kind: Some(MemberKind::Resident),
            verified: true,
            home_grid: Some(j("j_grid1")),
            ..Actor::default()
        },
        "m_far" => Actor {
            member: Some(m(who)),
            kind: Some(MemberKind::Resident),
            verified: true,
            home_grid: Some(j("j_grid3")),
            ..Actor::default()
        },
        "applicant" | "m_verified" => actor("resident_verified"),
        other => actor(other),
    }
}

/// Given a case's events, when `who` sends `command` at `now`, then…
pub fn case_decide(
    given: &[Event],
    command: DisputeCommand,
    who: &str,
    now: i64,
    w: &World,
) -> Result<Vec<Event>, DomainError> {
    let context = Context {
        actor: mediation_actor(who, w),
        now: Timestamp::from_unix_millis(now),
    };
    Dispute::decide_for_log(&d("d_case"), &Dispute::replay(given), command, &context, w)
}

/// The neighbours' water-leak case: `m_verified` (grid 1) against `m_neighbour`.
pub fn raise_leak() -> DisputeCommand {
    DisputeCommand::Raise(RaiseDispute {
        applicant: m("m_verified"),
        respondents: vec![m("m_neighbour")],
        kind: DisputeKind::Neighbours,
        jurisdiction: j("j_grid1"),
        channel: Channel::Online,
        claim: sealed("楼上漏水，请求赔偿吊顶维修费 800 元"),
        from_issue: None,
    })
}

/// Runs `steps` in order, each against what the earlier ones appended; returns
/// every event.
pub fn run_case(steps: Vec<(DisputeCommand, &str, i64)>, w: &World) -> Vec<Event> {
    run_case_after(&[], steps, w)
}

/// [`run_case`] after `before`; returns only the new events.
pub fn run_case_after(
    before: &[Event],
    steps: Vec<(DisputeCommand, &str, i64)>,
    w: &World,
) -> Vec<Event> {
    let mut given = before.to_vec();
    for (command, who, now) in steps {
        let label = format!("{command:?} by {who}");
        let events =
            case_decide(&given, command, who, now, w).unwrap_or_else(|e| panic!("{label}: {e}"));
        given.extend(events);
    }
    given.split_off(before.len())
}

/// The leak case, consented, with `m_med1` assigned by the officer.
pub fn assigned_case(w: &World) -> Vec<Event> {
    run_case(
        vec![
            (raise_leak(), "applicant", NOW),
            (
                DisputeCommand::Answer {
                    party: m("m_neighbour"),
                    consent: true,
                    channel: Channel::Online,
                    claim: None,
                },
                "m_neighbour",
                NOW + HOUR,
            ),
            (
                DisputeCommand::AssignMediator {
                    mediator: m("m_med1"),
                },
                "m_director",
                NOW + 2 * HOUR,
            ),
        ],
        w,
    )
}

/// The terms the mediator drafts.
pub fn terms() -> Sealed {
    sealed("一、楼上住户于 2026 年 12 月 20 日前修好防水层；\n二、赔偿吊顶维修费 600 元。")
}

/// The hash of the current draft, as a party reads it.
pub fn draft_hash(given: &[Event]) -> ContentHash {
    let state = Dispute::replay(given);
    agreement_hash(&d("d_case"), &state, state.drafts, &terms())
}

/// A whole case: raised, consented, mediator assigned, objected to once,
/// reassigned, a session, an agreement both confirm, judicial confirmation, a
/// follow-up that found it performed.
pub fn agreed_case(w: &World) -> Vec<Event> {
    let mut given = run_case(
        vec![
            (raise_leak(), "applicant", NOW),
            (
                DisputeCommand::AssignMediator {
                    mediator: m("m_med1"),
                },
                "m_director",
                NOW + HOUR,
            ),
            (
                DisputeCommand::Answer {
                    party: m("m_neighbour"),
                    consent: true,
                    channel: Channel::Online,
                    claim: Some(sealed("漏水是管道老化，物业也有责任")),
                },
                "m_neighbour",
                NOW + DAY,
            ),
            (
                DisputeCommand::ObjectToMediator {
                    party: m("m_neighbour"),
                    reason: reason("调解员是申请人的亲戚"),
                },
                "m_neighbour",
                NOW + DAY + HOUR,
            ),
            (
                DisputeCommand::AssignMediator {
                    mediator: m("m_med2"),
                },
                "m_director",
                NOW + DAY + 2 * HOUR,
            ),
            (
                DisputeCommand::ScheduleSession {
                    at: Timestamp::from_unix_millis(NOW + 3 * DAY),
                    venue: "银网社区调解室".into(),
                },
                "m_med2",
                NOW + DAY + 3 * HOUR,
            ),
            (
                DisputeCommand::RecordSession {
                    session: 1,
                    attendance: vec![m("m_verified"), m("m_neighbour"), m("m_med2")],
                    record: sealed("双方到场，查看漏水位置，同意修复并赔偿"),
                },
                "m_med2",
                NOW + 3 * DAY + HOUR,
            ),
            (
                DisputeCommand::DraftAgreement { terms: terms() },
                "m_med2",
                NOW + 3 * DAY + 2 * HOUR,
            ),
        ],
        w,
    );
    let hash = draft_hash(&given);
    for (party, at) in [("m_verified", 4 * DAY), ("m_neighbour", 4 * DAY + HOUR)] {
        let who = if party == "m_verified" {
            "applicant"
        } else {
            party
        };
        given.extend(
            case_decide(
                &given,
                DisputeCommand::ConfirmAgreement {
                    party: m(party),
                    text_hash: hash.clone(),
                    channel: Channel::Online,
                },
                who,
                NOW + at,
                w,
            )
            .unwrap(),
        );
    }
    for (command, who, at) in [
        (
            DisputeCommand::ApplyForConfirmation {
                court: "银州区人民法院".into(),
                applied_on: Timestamp::from_unix_millis(NOW + 5 * DAY),
            },
            "m_med2",
            NOW + 5 * DAY,
        ),
        (
            DisputeCommand::RecordRuling { confirmed: true },
            "m_med2",
            NOW + 12 * DAY,
        ),
        (
            DisputeCommand::FollowUp {
                performance: Performance::Performed,
                note: sealed("回访：防水层已修好，赔偿已付"),
            },
            "grid_worker_inside",
            NOW + 20 * DAY,
        ),
    ] {
        given.extend(case_decide(&given, command, who, at, w).unwrap());
    }
    given
}
