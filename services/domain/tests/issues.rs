//! Issues: given the events of an issue's stream, when a command is decided, then…

mod world;

use roundtable_domain::*;
use world::*;

fn i(id: &str) -> IssueId {
    IssueId::parse(id).unwrap()
}

fn text(title: &str) -> IssueText {
    IssueText::new(title, "三号楼自来水常年断供", "银网小区3号楼").unwrap()
}

fn raise(jurisdiction: Option<&str>) -> IssueCommand {
    IssueCommand::Raise(RaiseIssue {
        text: text("三号楼停水"),
        category: Category::Water,
        jurisdiction: jurisdiction.map(j),
        on_behalf_of: None,
        photos: vec![],
        spot: None,
    })
}

fn raised() -> Event {
    decide::<Issue>(&i("i_1"), &[], raise(None), "resident_verified", &world()).unwrap()[0].clone()
}

fn code(result: Result<Vec<Event>, DomainError>) -> &'static str {
    match result {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

/// A verified resident of grid `grid` with id `id`, for co-signing.
fn neighbour(w: &mut World, id: &str, grid: &str) -> Context {
    w.members.insert(
        m(id),
        MemberFacts {
            kind: MemberKind::Resident,
            home_grid: Some(j(grid)),
            verified: true,
            erased: false,
        },
    );
    Context {
        actor: Actor {
            member: Some(m(id)),
            kind: Some(MemberKind::Resident),
            verified: true,
            home_grid: Some(j(grid)),
            roles: vec![],
            seats: vec![],
            mediator_of: vec![],
        },
        now: roundtable_ledger::Timestamp::from_unix_millis(NOW),
    }
}

#[test]
fn a_resident_raises_in_their_grid_by_default_or_above_it_but_not_elsewhere() {
    let w = world();
    match &raised() {
        Event::Issue(IssueEvent::IssueRaised {
            raiser,
            jurisdiction,
            channel,
            version_hash,
            ..
        }) => {
            assert_eq!(raiser, &m("m_verified"));
            assert_eq!(jurisdiction, &j("j_grid1"));
            assert_eq!(*channel, Channel::Online);
            assert_eq!(version_hash, &text("三号楼停水").hash());
        }
        other => panic!("{other:?}"),
    }
    let run =
        |at: Option<&str>, who: &str| code(decide::<Issue>(&i("i_1"), &[], raise(at), who, &w));
    assert_eq!(
        run(Some("j_community"), "resident_unverified"),
        "FORBIDDEN",
        "a resident is verified before raising (every raise stays in the log)"
    );
    assert_eq!(run(Some("j_city"), "resident_verified"), "OK");
    assert_eq!(
        run(Some("j_grid2"), "resident_verified"),
        "VALIDATION",
        "a neighbouring grid is out of reach"
    );
    assert_eq!(run(Some("j_nowhere"), "resident_verified"), "NOT_FOUND");
    assert_eq!(run(None, "auditor"), "FORBIDDEN");
    assert_eq!(run(None, "anonymous"), "UNAUTHENTICATED");
    let twice = decide::<Issue>(&i("i_1"), &[raised()], raise(None), "resident_verified", &w);
    assert_eq!(code(twice), "CONFLICT");
}

#[test]
fn a_grid_worker_raises_on_behalf_of_a_resident_they_serve_with_the_channel() {
    let w = world();
    let behalf = |who: &str, channel, photos: Vec<ContentHash>| {
        code(decide::<Issue>(
            &i("i_2"),
            &[],
            IssueCommand::Raise(RaiseIssue {
                text: text("下水道堵塞"),
                category: Category::Drainage,
                jurisdiction: None,
                on_behalf_of: Some((m("m_verified"), channel)),
                photos,
                spot: None,
            }),
            who,
            &w,
        ))
    };
    assert_eq!(behalf("grid_worker_inside", Channel::Visit, vec![]), "OK");
    assert_eq!(
        behalf("grid_worker_outside", Channel::Visit, vec![]),
        "FORBIDDEN"
    );
    assert_eq!(
        behalf("grid_worker_inside", Channel::Paper, vec![]),
        "VALIDATION",
        "paper needs its photo"
    );
    let photo = ContentHash::parse(&"ab".repeat(32)).unwrap();
    assert_eq!(
        behalf("grid_worker_inside", Channel::Paper, vec![photo.clone()]),
        "OK"
    );
    assert_eq!(
        behalf("grid_worker_inside", Channel::Visit, vec![photo; 6]),
        "VALIDATION"
    );
    assert_eq!(
        behalf("grid_worker_inside", Channel::Online, vec![]),
        "VALIDATION"
    );
}

#[test]
fn only_the_raiser_edits_and_each_edit_is_a_new_version() {
    let w = world();
    let edit = |title: &str| IssueCommand::Edit { text: text(title) };
    let events = decide::<Issue>(
        &i("i_1"),
        &[raised()],
        edit("三号楼停水三年"),
        "resident_verified",
        &w,
    )
    .unwrap();
    assert!(matches!(
        &events[0],
        Event::Issue(IssueEvent::IssueEdited { version: 2, .. })
    ));
    assert_eq!(
        code(decide::<Issue>(
            &i("i_1"),
            &[raised()],
            edit("x"),
            "grid_worker_inside",
            &w
        )),
        "FORBIDDEN"
    );
    assert_eq!(
        code(decide::<Issue>(
            &i("i_1"),
            &[raised()],
            edit("三号楼停水"),
            "resident_verified",
            &w
        )),
        "CONFLICT"
    );
    assert_eq!(
        code(decide::<Issue>(
            &i("i_9"),
            &[],
            edit("x"),
            "resident_verified",
            &w
        )),
        "NOT_FOUND"
    );
}

#[test]
fn verified_neighbours_cosign_once_and_the_threshold_puts_the_issue_on_the_docket() {
    let mut w = world();
    let mut given = vec![raised()];
    // Edited once: co-signatures name version 2.
    given.extend(
        decide::<Issue>(
            &i("i_1"),
            &given,
            IssueCommand::Edit {
                text: text("三号楼停水三年"),
            },
            "resident_verified",
            &w,
        )
        .unwrap(),
    );
    let state = Issue::replay(&given);
    let cosign = |who: &str, grid: &str, given: &mut Vec<Event>, w: &mut World| {
        let ctx = neighbour(w, who, grid);
        let state = Issue::replay(given.iter());
        let events = Issue::decide_for_log(&i("i_1"), &state, IssueCommand::Cosign, &ctx, w)?;
        given.extend(events.clone());
        Ok::<_, DomainError>(events)
    };
    let first = cosign("m_n1", "j_grid1", &mut given, &mut w).unwrap();
    assert_eq!(
        first,
        vec![Event::Issue(IssueEvent::IssueCosigned {
            member: m("m_n1"),
            version: 2,
            version_hash: state.versions[1].clone(),
        })]
    );
    assert_eq!(
        cosign("m_n1", "j_grid1", &mut given, &mut w).map(|_| ()),
        Err(DomainError::conflict(Refusal::ALREADY_COSIGNED))
    );
    assert!(
        matches!(
            cosign("m_far1", "j_grid3", &mut given, &mut w),
            Err(DomainError::Forbidden(_))
        ),
        "outside the area"
    );
    cosign("m_n2", "j_grid1", &mut given, &mut w).unwrap();
    let third = cosign("m_n3", "j_grid1", &mut given, &mut w).unwrap();
    // c_here (at the community above grid 1) has a threshold of 3 in the fixture.
    assert_eq!(
        third[1],
        Event::Issue(IssueEvent::ThresholdReached {
            council: c("c_here"),
            rules_hash: w.councils[&c("c_here")].rules_hash.clone(),
            cosigners: 3,
        })
    );
    let fourth = cosign("m_n4", "j_grid1", &mut given, &mut w).unwrap();
    assert_eq!(fourth.len(), 1, "the docket is reached once");
    // An unverified resident cannot co-sign.
    let unverified = decide::<Issue>(
        &i("i_1"),
        &given,
        IssueCommand::Cosign,
        "resident_unverified",
        &w,
    );
    assert_eq!(code(unverified), "FORBIDDEN");
}

#[test]
fn a_cosigner_may_withdraw_and_nobody_else_can_for_them() {
    let mut w = world();
    let ctx = neighbour(&mut w, "m_n1", "j_grid1");
    let mut given = vec![raised()];
    given.extend(
        Issue::decide_for_log(
            &i("i_1"),
            &Issue::replay(&given),
            IssueCommand::Cosign,
            &ctx,
            &w,
        )
        .unwrap(),
    );
    let state = Issue::replay(&given);
    assert_eq!(
        Issue::decide_for_log(
            &i("i_1"),
            &state,
            IssueCommand::WithdrawCosignature,
            &ctx,
            &w
        )
        .unwrap(),
        vec![Event::Issue(IssueEvent::CosignatureWithdrawn {
            member: m("m_n1")
        })]
    );
    let other = decide::<Issue>(
        &i("i_1"),
        &given,
        IssueCommand::WithdrawCosignature,
        "resident_verified",
        &w,
    );
    assert_eq!(code(other), "CONFLICT");
}

#[test]
fn texts_are_bounded_in_characters() {
    assert!(IssueText::new(&"水".repeat(100), "x", "").is_ok());
    assert!(matches!(
        IssueText::new(&"水".repeat(101), "x", ""),
        Err(DomainError::Validation { field: "title", .. })
    ));
    assert!(matches!(
        IssueText::new("t", " ", ""),
        Err(DomainError::Validation {
            field: "description",
            ..
        })
    ));
    assert!(matches!(
        IssueText::new("t", "d", &"路".repeat(201)),
        Err(DomainError::Validation { field: "place", .. })
    ));
}

#[test]
fn a_council_stating_its_limits_in_working_days_clocks_triage_across_the_holiday() {
    let mut w = world();
    let day = |s: &str| s.parse::<roundtable_ledger::Date>().unwrap();
    w.calendar = WorkCalendar::default().with(
        CalendarYear {
            year: 2026,
            holidays: (1..=7).map(|d| day(&format!("2026-10-0{d}"))).collect(),
            working_weekends: vec![day("2026-10-10")],
        }
        .checked()
        .unwrap(),
    );
    let council = w.councils.get_mut(&c("c_here")).unwrap();
    council.rules.working_days = Some(WorkingDayLimits {
        triage: 3,
        response: 10,
    });
    council.rules.validate().unwrap();
    council.rules_hash = council.rules.hash();
    // Raised on Wednesday 30 September 2026 at 10:00 in Beijing.
    let at = day("2026-09-30").start(CHINA_OFFSET_MINUTES).unix_millis() + 10 * HOUR;
    let events =
        decide_at::<Issue>(&i("i_1"), &[], raise(None), "resident_verified", at, &w).unwrap();
    let state = Issue::replay(&events);
    // 8, 9 and the worked Saturday 10 October: due at the end of the 10th.
    assert_eq!(
        state.clock.unwrap().due,
        day("2026-10-11").start(CHINA_OFFSET_MINUTES)
    );
    // Rules that leave working days out are written (and hashed) as before.
    let plain = serde_json::to_string(&CouncilRules::default()).unwrap();
    assert!(!plain.contains("working_days"), "{plain}");
    let bad = CouncilRules {
        working_days: Some(WorkingDayLimits {
            triage: 0,
            response: 10,
        }),
        ..CouncilRules::default()
    };
    assert_eq!(bad.validate().unwrap_err().refusal(), Refusal::OUT_OF_RANGE);
}
