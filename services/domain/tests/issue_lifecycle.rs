//! The life of an issue after it is raised: given its events, when triage, the
//! deadline scheduler, a response, a rating or a withdrawal is decided, then…

mod world;

use roundtable_domain::*;
use roundtable_ledger::Timestamp;
use world::*;

fn id() -> IssueId {
    IssueId::parse("i_1").unwrap()
}

fn code(result: &Result<Vec<Event>, DomainError>) -> &'static str {
    match result {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

/// `m_verified` raised a water issue in grid 1 at NOW.
fn raised(w: &World) -> Vec<Event> {
    decide::<Issue>(
        &id(),
        &[],
        IssueCommand::Raise(RaiseIssue {
            text: IssueText::new("三号楼停水", "常年断供", "").unwrap(),
            category: Category::Water,
            jurisdiction: None,
            on_behalf_of: None,
            photos: vec![],
            spot: None,
        }),
        "resident_verified",
        w,
    )
    .unwrap()
}

fn and(given: &[Event], more: Vec<Event>) -> Vec<Event> {
    given.iter().cloned().chain(more).collect()
}

fn accepted(w: &World) -> Vec<Event> {
    let given = raised(w);
    let more = decide::<Issue>(
        &id(),
        &given,
        IssueCommand::Accept { council: None },
        "grid_worker_inside",
        w,
    )
    .unwrap();
    and(&given, more)
}

fn responded(w: &World) -> Vec<Event> {
    let given = accepted(w);
    let more = decide::<Issue>(
        &id(),
        &given,
        IssueCommand::Respond {
            text: "已维修".into(),
        },
        "committee_this_council",
        w,
    )
    .unwrap();
    and(&given, more)
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms)
}

#[test]
fn raising_starts_the_triage_clock_of_the_responsible_council() {
    let w = world();
    let state = Issue::replay(&raised(&w));
    let clock = state.clock.unwrap();
    let here = &w.councils[&c("c_here")];
    assert_eq!(clock.stage, Stage::Triage);
    assert_eq!(clock.council, c("c_here"));
    assert_eq!(clock.rules_hash, here.rules_hash);
    assert_eq!(
        clock.due,
        at(NOW + i64::from(here.rules.triage_hours) * HOUR)
    );
    assert_eq!(state.status, IssueStatus::Open);

    // No council at or above the place: no clock to run.
    let mut bare = world();
    bare.councils.clear();
    assert!(Issue::replay(&raised(&bare)).clock.is_none());
}

#[test]
fn grid_workers_in_scope_and_council_members_above_triage_nobody_else() {
    let w = world();
    let given = raised(&w);
    for (who, expected) in [
        ("grid_worker_inside", "OK"),
        ("committee_this_council", "OK"),
        ("grid_worker_outside", "FORBIDDEN"),
        ("committee_other_council", "FORBIDDEN"),
        ("resident_verified", "FORBIDDEN"),
        ("auditor", "FORBIDDEN"),
        ("administrator", "FORBIDDEN"),
        ("anonymous", "UNAUTHENTICATED"),
    ] {
        let result = decide::<Issue>(
            &id(),
            &given,
            IssueCommand::Accept { council: None },
            who,
            &w,
        );
        assert_eq!(code(&result), expected, "{who} accepts");
    }
}

#[test]
fn accepting_routes_to_a_council_above_and_starts_the_response_clock() {
    let w = world();
    let state = Issue::replay(&accepted(&w));
    assert_eq!(state.status, IssueStatus::Accepted);
    let clock = state.clock.unwrap();
    assert_eq!(clock.stage, Stage::Response);
    assert_eq!(
        clock.due,
        at(NOW + i64::from(w.councils[&c("c_here")].rules.response_hours) * HOUR)
    );
    let given = raised(&w);
    let elsewhere = decide::<Issue>(
        &id(),
        &given,
        IssueCommand::Accept {
            council: Some(c("c_other")),
        },
        "grid_worker_inside",
        &w,
    );
    assert_eq!(
        code(&elsewhere),
        "VALIDATION",
        "c_other is not above grid 1"
    );
    let twice = decide::<Issue>(
        &id(),
        &accepted(&w),
        IssueCommand::Accept { council: None },
        "grid_worker_inside",
        &w,
    );
    assert_eq!(code(&twice), "CONFLICT");
}

#[test]
fn a_rejection_has_a_coded_reason_and_a_public_explanation_and_ends_the_issue() {
    let w = world();
    let given = raised(&w);
    let reject = |explanation: &str| IssueCommand::Reject {
        reason: RejectionReason::OutsideCompetence,
        explanation: explanation.into(),
    };
    assert_eq!(
        code(&decide::<Issue>(
            &id(),
            &given,
            reject(" "),
            "grid_worker_inside",
            &w
        )),
        "VALIDATION"
    );
    let rejected = and(
        &given,
        decide::<Issue>(
            &id(),
            &given,
            reject("供水属供水公司职责\n已转告热线"),
            "grid_worker_inside",
            &w,
        )
        .unwrap(),
    );
    let state = Issue::replay(&rejected);
    assert_eq!(state.status, IssueStatus::Rejected);
    assert!(state.clock.is_none());
    for command in [
        IssueCommand::Cosign,
        IssueCommand::Edit {
            text: IssueText::new("x", "y", "").unwrap(),
        },
    ] {
        let who = if matches!(command, IssueCommand::Cosign) {
            "committee_this_council"
        } else {
            "resident_verified"
        };
        let result = decide::<Issue>(&id(), &rejected, command, who, &w);
        assert_ne!(code(&result), "OK", "a rejected issue stays as it is");
    }
}

#[test]
fn merging_needs_another_live_issue_in_reach() {
    let mut w = world();
    let open = |status| IssueFacts {
        jurisdiction: j("j_grid1"),
        raiser: m("m_verified"),
        status,
        council: None,
        docketed_at: None,
    };
    w.issues
        .insert(IssueId::parse("i_2").unwrap(), open(IssueStatus::Accepted));
    w.issues
        .insert(IssueId::parse("i_3").unwrap(), open(IssueStatus::Closed));
    w.issues.insert(
        IssueId::parse("i_4").unwrap(),
        IssueFacts {
            jurisdiction: j("j_grid3"),
            raiser: m("m_far"),
            status: IssueStatus::Open,
            council: None,
            docketed_at: None,
        },
    );
    let given = raised(&w);
    let merge = |into: &str| {
        code(&decide::<Issue>(
            &id(),
            &given,
            IssueCommand::Merge {
                into: IssueId::parse(into).unwrap(),
            },
            "grid_worker_inside",
            &w,
        ))
    };
    assert_eq!(merge("i_2"), "OK");
    assert_eq!(merge("i_1"), "VALIDATION");
    assert_eq!(merge("i_9"), "NOT_FOUND");
    assert_eq!(merge("i_3"), "CONFLICT");
    assert_eq!(
        merge("i_4"),
        "FORBIDDEN",
        "the target is outside the worker's scope"
    );
}

#[test]
fn each_referral_is_counted_and_restarts_triage_at_the_new_place() {
    let w = world();
    let given = raised(&w);
    let refer = |given: &[Event], to: &str| {
        decide::<Issue>(
            &id(),
            given,
            IssueCommand::Refer {
                to: j(to),
                note: "不属本网格".into(),
            },
            "grid_worker_inside",
            &w,
        )
    };
    let once = and(&given, refer(&given, "j_grid2").unwrap());
    let twice = and(&once, refer(&once, "j_grid1").unwrap());
    let state = Issue::replay(&twice);
    assert_eq!(state.referrals, 2);
    assert_eq!(state.jurisdiction, Some(j("j_grid1")));
    assert_eq!(state.clock.unwrap().stage, Stage::Triage);
    assert_eq!(
        code(&refer(&twice, "j_grid1")),
        "VALIDATION",
        "already there"
    );
    assert_eq!(code(&refer(&twice, "j_nowhere")), "NOT_FOUND");
}

#[test]
fn a_passed_deadline_is_marked_once_and_escalates_to_the_parent_council() {
    let mut w = world();
    add_council(&mut w, "c_street", "j_street");
    let given = raised(&w);
    let due = Issue::replay(&given).clock.unwrap().due;
    let mark = |given: &[Event], due: Timestamp, now: i64| {
        decide_at::<Issue>(
            &id(),
            given,
            IssueCommand::MarkOverdue { due },
            "anonymous",
            now,
            &w,
        )
    };
    assert_eq!(
        code(&mark(&given, due, due.unix_millis() - 1)),
        "CONFLICT",
        "not yet due"
    );
    assert_eq!(
        code(&mark(&given, at(NOW), due.unix_millis())),
        "CONFLICT",
        "not this clock"
    );
    let later = due.unix_millis() + HOUR;
    let events = mark(&given, due, later).unwrap();
    assert_eq!(
        events[0],
        Event::Issue(IssueEvent::IssueOverdue {
            stage: Stage::Triage,
            council: c("c_here"),
            due
        })
    );
    let street = &w.councils[&c("c_street")];
    assert_eq!(
        events[1],
        Event::Issue(IssueEvent::IssueEscalated {
            from: c("c_here"),
            to: c("c_street"),
            clock: Clock {
                stage: Stage::Triage,
                council: c("c_street"),
                rules_hash: street.rules_hash.clone(),
                due: at(later + i64::from(street.rules.triage_hours) * HOUR),
            },
        })
    );
    let escalated = and(&given, events);
    assert_eq!(
        code(&mark(&escalated, due, later)),
        "CONFLICT",
        "marked once"
    );
    // The street council may now triage it; at the top there is nobody to escalate to.
    let state = Issue::replay(&escalated);
    assert_eq!(state.council, Some(c("c_street")));
    let top_due = state.clock.unwrap().due;
    let mut top = world();
    add_council(&mut top, "c_street", "j_street");
    let top_events = decide_at::<Issue>(
        &id(),
        &escalated,
        IssueCommand::MarkOverdue { due: top_due },
        "anonymous",
        top_due.unix_millis(),
        &top,
    )
    .unwrap();
    assert_eq!(top_events.len(), 1, "overdue, and nowhere higher to go");
    let stuck = Issue::replay(&and(&escalated, top_events));
    assert!(stuck.overdue);
}

#[test]
fn a_response_awaits_the_raisers_verdict_and_unsatisfied_reopens() {
    let w = world();
    let given = responded(&w);
    assert_eq!(Issue::replay(&given).status, IssueStatus::Responded);
    let rate = |rating, who: &str, code_checked: bool| {
        decide::<Issue>(
            &id(),
            &given,
            IssueCommand::Rate {
                rating,
                comment: String::new(),
                raiser_code_checked: code_checked,
            },
            who,
            &w,
        )
    };
    assert_eq!(
        code(&rate(Rating::Satisfied, "grid_worker_inside", false)),
        "FORBIDDEN",
        "a grid worker needs the raiser's code"
    );
    assert_eq!(
        code(&rate(Rating::Satisfied, "grid_worker_outside", true)),
        "FORBIDDEN"
    );
    match &rate(Rating::BasicallySatisfied, "grid_worker_inside", true).unwrap()[0] {
        Event::Issue(IssueEvent::IssueRated {
            visit_by, round, ..
        }) => {
            assert_eq!(visit_by, &Some(m("m_gw_in")));
            assert_eq!(*round, 1);
        }
        other => panic!("{other:?}"),
    }
    let closed = and(
        &given,
        rate(Rating::Satisfied, "resident_verified", false).unwrap(),
    );
    assert_eq!(Issue::replay(&closed).status, IssueStatus::Closed);
    let unhappy = rate(Rating::Unsatisfied, "resident_verified", false).unwrap();
    assert_eq!(unhappy.len(), 2);
    let reopened = Issue::replay(&and(&given, unhappy));
    assert_eq!(reopened.status, IssueStatus::Accepted);
    assert_eq!(reopened.council, Some(c("c_here")));
    assert_eq!(reopened.clock.unwrap().stage, Stage::Response);
    // Nothing to rate before a response.
    let early = decide::<Issue>(
        &id(),
        &accepted(&w),
        IssueCommand::Rate {
            rating: Rating::Satisfied,
            comment: String::new(),
            raiser_code_checked: false,
        },
        "resident_verified",
        &w,
    );
    assert_eq!(code(&early), "CONFLICT");
}

#[test]
fn only_the_raiser_withdraws_and_not_once_closed() {
    let w = world();
    let withdraw = |given: &[Event], who: &str| {
        code(&decide::<Issue>(
            &id(),
            given,
            IssueCommand::Withdraw {
                reason: "已自行解决".into(),
            },
            who,
            &w,
        ))
    };
    assert_eq!(withdraw(&accepted(&w), "resident_verified"), "OK");
    assert_eq!(withdraw(&accepted(&w), "grid_worker_inside"), "FORBIDDEN");
    let given = responded(&w);
    let closed = and(
        &given,
        decide::<Issue>(
            &id(),
            &given,
            IssueCommand::Rate {
                rating: Rating::Satisfied,
                comment: String::new(),
                raiser_code_checked: false,
            },
            "resident_verified",
            &w,
        )
        .unwrap(),
    );
    assert_eq!(withdraw(&closed, "resident_verified"), "CONFLICT");
}

#[test]
fn supporters_reconfirm_after_an_edit_once_each() {
    let w = world();
    let given = raised(&w);
    let neighbour = Context {
        actor: Actor {
            member: Some(m("m_n1")),
            kind: Some(MemberKind::Resident),
            verified: true,
            home_grid: Some(j("j_grid1")),
            roles: vec![],
            seats: vec![],
            mediator_of: vec![],
        },
        now: at(NOW),
    };
    let cosign = |given: &[Event]| {
        Issue::decide_for_log(
            &id(),
            &Issue::replay(given),
            IssueCommand::Cosign,
            &neighbour,
            &w,
        )
    };
    let signed = and(&given, cosign(&given).unwrap());
    assert_eq!(code(&cosign(&signed)), "CONFLICT");
    let edited = and(
        &signed,
        decide::<Issue>(
            &id(),
            &signed,
            IssueCommand::Edit {
                text: IssueText::new("三号楼停水三年", "常年断供", "").unwrap(),
            },
            "resident_verified",
            &w,
        )
        .unwrap(),
    );
    let again = cosign(&edited).unwrap();
    assert!(matches!(
        again[..],
        [Event::Issue(IssueEvent::IssueCosigned { version: 2, .. })]
    ));
    let state = Issue::replay(&and(&edited, again));
    assert_eq!(state.cosigners.len(), 1, "still one supporter");
}

#[test]
fn the_scheduler_needs_nobody_signed_in_but_everything_else_does() {
    let w = world();
    let given = raised(&w);
    let result = decide::<Issue>(
        &id(),
        &given,
        IssueCommand::Respond { text: "x".into() },
        "anonymous",
        &w,
    );
    assert_eq!(code(&result), "UNAUTHENTICATED");
}
