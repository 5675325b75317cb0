//! Mediation: given a committee and a case, when a party, a mediator or staff
//! acts, then…

mod world;

use roundtable_domain::*;
use roundtable_ledger::Timestamp;
use world::mediation::*;
use world::*;

fn refusal(result: Result<Vec<Event>, DomainError>) -> Refusal {
    result.expect_err("refused").refusal()
}

fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(Event::kind).collect()
}

fn state(given: &[Event]) -> DisputeState {
    Dispute::replay(given)
}

#[test]
fn a_whole_case_runs_from_raising_to_a_performed_agreement() {
    let w = mediation_world();
    let given = agreed_case(&w);
    assert_eq!(
        kinds(&given),
        [
            "dispute.raised",
            "dispute.mediator_assigned",
            "dispute.answered",
            "dispute.mediation_started",
            "dispute.mediator_objected",
            "dispute.mediator_assigned",
            "dispute.session_scheduled",
            "dispute.session_held",
            "dispute.agreement_drafted",
            "dispute.agreement_confirmed",
            "dispute.agreement_confirmed",
            "dispute.agreement_signed",
            "dispute.confirmation_applied",
            "dispute.confirmation_ruled",
            "dispute.followed_up",
        ]
    );
    let s = state(&given);
    assert_eq!(s.status, Some(DisputeStatus::Agreed));
    assert_eq!(s.mediator, Some(m("m_med2")));
    assert_eq!(s.committee, Some(mc("mc_here")));
    assert_eq!(s.confirmation.unwrap().confirmed, Some(true));
    assert_eq!(s.follow_ups, [Performance::Performed]);
    // The clock: 30 days from the respondent's consent, under the committee's rules.
    let Event::Dispute(DisputeEvent::MediationStarted {
        due, rules_hash, ..
    }) = &given[3]
    else {
        panic!("{:?}", given[3]);
    };
    assert_eq!(due.unix_millis(), NOW + DAY + 30 * DAY);
    assert_eq!(rules_hash, &MediationRules::default().hash());
}

#[test]
fn the_log_carries_commitments_to_private_texts_never_the_texts() {
    let w = mediation_world();
    let given = agreed_case(&w);
    let log = serde_json::to_string(&given.iter().map(Event::body).collect::<Vec<_>>()).unwrap();
    for private in ["漏水", "赔偿", "防水层", "亲戚"] {
        // The objection's reason is the party's public statement; the others are sealed.
        if private == "亲戚" {
            assert!(log.contains(private));
        } else {
            assert!(!log.contains(private), "{private} in the log");
        }
    }
    let raised = Dispute::replay(&given[..1]);
    assert!(raised.applicant.is_some());
    let Event::Dispute(DisputeEvent::DisputeRaised { claim_hash, .. }) = &given[0] else {
        panic!()
    };
    assert_eq!(
        claim_hash,
        &sealed("楼上漏水，请求赔偿吊顶维修费 800 元").commitment()
    );
    // The same text under another nonce commits differently: guesses find nothing.
    let other = Sealed::new(
        "ffffffffffffffffffffffffffffffff",
        "楼上漏水，请求赔偿吊顶维修费 800 元",
        "claim",
        100,
    )
    .unwrap();
    assert_ne!(claim_hash, &other.commitment());
}

#[test]
fn a_resident_raises_for_their_own_grid_and_a_grid_worker_for_them_with_the_channel() {
    let w = mediation_world();
    let events = case_decide(&[], raise_leak(), "applicant", NOW, &w).unwrap();
    let Event::Dispute(DisputeEvent::DisputeRaised {
        committee,
        consent_due,
        on_behalf_by,
        ..
    }) = &events[0]
    else {
        panic!()
    };
    assert_eq!(committee, &mc("mc_here"));
    assert_eq!(consent_due.unix_millis(), NOW + 7 * DAY);
    assert_eq!(on_behalf_by, &None);
    let DisputeCommand::Raise(raise) = raise_leak() else {
        unreachable!()
    };
    let by_phone = DisputeCommand::Raise(RaiseDispute {
        channel: Channel::Phone,
        ..raise.clone()
    });
    let events = case_decide(&[], by_phone.clone(), "grid_worker_inside", NOW, &w).unwrap();
    assert!(matches!(
        &events[0],
        Event::Dispute(DisputeEvent::DisputeRaised { on_behalf_by: Some(g), .. }) if g == &m("m_gw_in")
    ));
    assert_eq!(
        refusal(case_decide(&[], by_phone.clone(), "applicant", NOW, &w)),
        Refusal::CHANNEL_ONLINE_FOR_SELF
    );
    assert_eq!(
        refusal(case_decide(
            &[],
            raise_leak(),
            "grid_worker_inside",
            NOW,
            &w
        )),
        Refusal::CHANNEL_FOR_OTHERS
    );
    assert_eq!(
        refusal(case_decide(&[], by_phone, "grid_worker_outside", NOW, &w)),
        Refusal::ONLY_GRID_WORKER_RAISES_FOR
    );
    let unverified = DisputeCommand::Raise(RaiseDispute {
        applicant: m("m_unverified"),
        ..raise.clone()
    });
    assert_eq!(
        refusal(case_decide(&[], unverified, "resident_unverified", NOW, &w)),
        Refusal::VERIFY_FIRST
    );
    let far = DisputeCommand::Raise(RaiseDispute {
        jurisdiction: j("j_grid3"),
        ..raise.clone()
    });
    assert_eq!(
        refusal(case_decide(&[], far, "applicant", NOW, &w)),
        Refusal::OUTSIDE_RAISER_REACH
    );
    let against_self = DisputeCommand::Raise(RaiseDispute {
        respondents: vec![m("m_verified")],
        ..raise.clone()
    });
    assert_eq!(
        refusal(case_decide(&[], against_self, "applicant", NOW, &w)),
        Refusal::PARTY_TWICE
    );
    let nobody = DisputeCommand::Raise(RaiseDispute {
        respondents: vec![],
        ..raise.clone()
    });
    assert_eq!(
        refusal(case_decide(&[], nobody, "applicant", NOW, &w)),
        Refusal::OUT_OF_RANGE
    );
    let mut empty = world();
    empty.members = w.members.clone();
    assert_eq!(
        refusal(case_decide(&[], raise_leak(), "applicant", NOW, &empty)),
        Refusal::NO_COMMITTEE_FOR_PLACE
    );
}

#[test]
fn a_mediator_cannot_be_a_party_before_their_committee() {
    let w = mediation_world();
    let DisputeCommand::Raise(raise) = raise_leak() else {
        unreachable!()
    };
    let against_mediator = DisputeCommand::Raise(RaiseDispute {
        respondents: vec![m("m_med1")],
        ..raise
    });
    assert_eq!(
        refusal(case_decide(&[], against_mediator, "applicant", NOW, &w)),
        Refusal::MEDIATOR_IS_PARTY
    );
    // Appointed after the case was raised: still not assignable to it.
    let given = assigned_case(&w);
    let mut w2 = mediation_world();
    if let Some(c) = w2.committees.get_mut(&mc("mc_here")) {
        c.mediators.push((m("m_neighbour"), false));
    }
    assert_eq!(
        refusal(case_decide(
            &given,
            DisputeCommand::AssignMediator {
                mediator: m("m_neighbour")
            },
            "m_director",
            NOW + 3 * HOUR,
            &w2
        )),
        Refusal::MEDIATOR_IS_PARTY
    );
}

#[test]
fn only_an_officer_assigns_and_only_a_mediator_of_the_committee() {
    let w = mediation_world();
    let given = run_case(vec![(raise_leak(), "applicant", NOW)], &w);
    let assign = |who: &str, mediator: &str| {
        case_decide(
            &given,
            DisputeCommand::AssignMediator {
                mediator: m(mediator),
            },
            who,
            NOW + HOUR,
            &w,
        )
    };
    assert!(assign("m_director", "m_med1").is_ok());
    assert_eq!(
        refusal(assign("m_med1", "m_med1")),
        Refusal::ONLY_COMMITTEE_OFFICER
    );
    assert_eq!(
        refusal(assign("m_street_director", "m_med1")),
        Refusal::ONLY_COMMITTEE_OFFICER
    );
    assert_eq!(
        refusal(assign("administrator", "m_med1")),
        Refusal::ONLY_COMMITTEE_OFFICER
    );
    assert_eq!(
        refusal(assign("m_director", "m_street_director")),
        Refusal::NOT_A_MEDIATOR
    );
}

#[test]
fn a_party_objects_to_a_mediator_once_and_that_mediator_stays_off_the_case() {
    let w = mediation_world();
    let given = assigned_case(&w);
    let object = |given: &[Event], who: &str| {
        case_decide(
            given,
            DisputeCommand::ObjectToMediator {
                party: m(who),
                reason: reason("不公正"),
            },
            who,
            NOW + 3 * HOUR,
            &w,
        )
    };
    let objected: Vec<Event> = given
        .iter()
        .cloned()
        .chain(object(&given, "m_neighbour").unwrap())
        .collect();
    assert_eq!(state(&objected).mediator, None);
    assert_eq!(
        refusal(case_decide(
            &objected,
            DisputeCommand::AssignMediator {
                mediator: m("m_med1")
            },
            "m_director",
            NOW + 4 * HOUR,
            &w
        )),
        Refusal::MEDIATOR_OBJECTED_TO
    );
    let reassigned: Vec<Event> = objected
        .iter()
        .cloned()
        .chain(
            case_decide(
                &objected,
                DisputeCommand::AssignMediator {
                    mediator: m("m_med2"),
                },
                "m_director",
                NOW + 4 * HOUR,
                &w,
            )
            .unwrap(),
        )
        .collect();
    assert_eq!(
        refusal(object(&reassigned, "m_neighbour")),
        Refusal::OBJECTED_ONCE
    );
    // The other party still has their one objection.
    assert!(object(&reassigned, "m_verified").is_ok());
    assert_eq!(refusal(object(&reassigned, "m_far")), Refusal::NOT_A_PARTY);
}

#[test]
fn a_decline_closes_the_case_with_advice_and_nothing_more_happens() {
    let w = mediation_world();
    let declined = run_case(
        vec![
            (raise_leak(), "applicant", NOW),
            (
                DisputeCommand::Answer {
                    party: m("m_neighbour"),
                    consent: false,
                    channel: Channel::Online,
                    claim: None,
                },
                "m_neighbour",
                NOW + HOUR,
            ),
        ],
        &w,
    );
    assert_eq!(
        state(&declined).outcome,
        Some((CaseOutcome::Declined, Advice::Litigation))
    );
    assert_eq!(state(&declined).status, Some(DisputeStatus::Closed));
    assert_eq!(
        refusal(case_decide(
            &declined,
            DisputeCommand::ScheduleSession {
                at: Timestamp::from_unix_millis(NOW + DAY),
                venue: "调解室".into()
            },
            "m_med1",
            NOW + 2 * HOUR,
            &w
        )),
        Refusal::NO_MEDIATOR
    );
    assert_eq!(
        refusal(case_decide(
            &declined,
            DisputeCommand::AssignMediator {
                mediator: m("m_med1")
            },
            "m_director",
            NOW + 2 * HOUR,
            &w
        )),
        Refusal::DISPUTE_STATUS_FORBIDS
    );
    // Only the respondent answers, once; the applicant does not.
    let raised = run_case(vec![(raise_leak(), "applicant", NOW)], &w);
    let answer = |party: &str, who: &str, channel: Channel| {
        case_decide(
            &raised,
            DisputeCommand::Answer {
                party: m(party),
                consent: true,
                channel,
                claim: None,
            },
            who,
            NOW + HOUR,
            &w,
        )
    };
    assert_eq!(
        refusal(answer("m_verified", "applicant", Channel::Online)),
        Refusal::APPLICANT_CONSENTS
    );
    assert_eq!(
        refusal(answer("m_neighbour", "applicant", Channel::Online)),
        Refusal::ONLY_PARTY_OR_STAFF
    );
    assert!(answer("m_neighbour", "grid_worker_inside", Channel::Visit).is_ok());
    assert_eq!(
        refusal(answer("m_neighbour", "grid_worker_inside", Channel::Online)),
        Refusal::CHANNEL_FOR_OTHERS
    );
}

#[test]
fn silence_past_the_consent_deadline_closes_the_case_and_not_before() {
    let w = mediation_world();
    let raised = run_case(vec![(raise_leak(), "applicant", NOW)], &w);
    let due = Timestamp::from_unix_millis(NOW + 7 * DAY);
    let lapse = |now: i64, due: Timestamp| {
        case_decide(
            &raised,
            DisputeCommand::LapseConsent { due },
            "anonymous",
            now,
            &w,
        )
    };
    assert_eq!(refusal(lapse(NOW + DAY, due)), Refusal::NOT_YET_DUE);
    assert_eq!(
        refusal(lapse(NOW + 8 * DAY, Timestamp::from_unix_millis(NOW))),
        Refusal::NOTHING_DUE
    );
    let closed = lapse(NOW + 7 * DAY, due).unwrap();
    assert_eq!(
        closed,
        [Event::Dispute(DisputeEvent::DisputeClosed {
            outcome: CaseOutcome::NoReply,
            advice: Advice::Litigation,
            due: Some(due)
        })]
    );
}

#[test]
fn an_overdue_case_goes_to_the_committee_above_with_a_fresh_clock() {
    let w = mediation_world();
    let given = assigned_case(&w);
    let due = state(&given).due.unwrap().0;
    let overdue = case_decide(
        &given,
        DisputeCommand::MarkOverdue { due },
        "anonymous",
        due.unix_millis(),
        &w,
    )
    .unwrap();
    assert_eq!(kinds(&overdue), ["dispute.overdue", "dispute.escalated"]);
    let after: Vec<Event> = given.iter().cloned().chain(overdue).collect();
    let s = state(&after);
    assert_eq!(s.committee, Some(mc("mc_street")));
    assert_eq!(s.mediator, None);
    assert!(s.ever_overdue);
    assert_eq!(
        s.due,
        Some((
            Timestamp::from_unix_millis(due.unix_millis() + 30 * DAY),
            false
        ))
    );
    // The street committee's officer now assigns; the community's no longer can.
    let assign = |who: &str, mediator: &str| {
        case_decide(
            &after,
            DisputeCommand::AssignMediator {
                mediator: m(mediator),
            },
            who,
            due.unix_millis() + HOUR,
            &w,
        )
    };
    assert_eq!(
        refusal(assign("m_director", "m_med1")),
        Refusal::ONLY_COMMITTEE_OFFICER
    );
    assert!(assign("m_street_director", "m_street_director").is_ok());
    // Nothing sits above the street: escalating by hand is refused there.
    assert_eq!(
        refusal(case_decide(
            &after,
            DisputeCommand::Escalate,
            "m_street_director",
            due.unix_millis() + HOUR,
            &w
        )),
        Refusal::NO_COMMITTEE_ABOVE
    );
}

#[test]
fn a_party_confirms_only_the_text_they_read() {
    let w = mediation_world();
    let given = agreed_case(&w);
    // Up to the draft.
    let drafted = &given[..9];
    let old = draft_hash(drafted);
    let redraft = case_decide(
        drafted,
        DisputeCommand::DraftAgreement {
            terms: sealed("赔偿 700 元"),
        },
        "m_med2",
        NOW + 4 * DAY,
        &w,
    )
    .unwrap();
    let redrafted: Vec<Event> = drafted.iter().cloned().chain(redraft).collect();
    let confirm = |given: &[Event], party: &str, who: &str, hash: ContentHash, channel: Channel| {
        case_decide(
            given,
            DisputeCommand::ConfirmAgreement {
                party: m(party),
                text_hash: hash,
                channel,
            },
            who,
            NOW + 5 * DAY,
            &w,
        )
    };
    let e = confirm(
        &redrafted,
        "m_verified",
        "applicant",
        old.clone(),
        Channel::Online,
    )
    .unwrap_err();
    assert_eq!(e.refusal(), Refusal::AGREEMENT_CHANGED);
    assert_eq!(e.params(), &[("version", "2".to_owned())]);
    let once: Vec<Event> = drafted
        .iter()
        .cloned()
        .chain(
            confirm(
                drafted,
                "m_verified",
                "applicant",
                old.clone(),
                Channel::Online,
            )
            .unwrap(),
        )
        .collect();
    assert_eq!(
        refusal(confirm(
            &once,
            "m_verified",
            "applicant",
            old.clone(),
            Channel::Online
        )),
        Refusal::ALREADY_CONFIRMED
    );
    // Staff do not confirm for a party, except the mediator holding the signed paper.
    assert_eq!(
        refusal(confirm(
            &once,
            "m_neighbour",
            "grid_worker_inside",
            old.clone(),
            Channel::Visit
        )),
        Refusal::CONFIRM_ON_PAPER
    );
    let paper = confirm(&once, "m_neighbour", "m_med2", old, Channel::Paper).unwrap();
    assert_eq!(
        kinds(&paper),
        ["dispute.agreement_confirmed", "dispute.agreement_signed"]
    );
}

#[test]
fn judicial_confirmation_is_applied_for_within_thirty_days_of_the_agreement() {
    let w = mediation_world();
    let given = agreed_case(&w);
    let signed = &given[..12];
    let signed_at = NOW + 4 * DAY + HOUR;
    let apply = |applied_on: i64, now: i64| {
        case_decide(
            signed,
            DisputeCommand::ApplyForConfirmation {
                court: "银州区人民法院".into(),
                applied_on: Timestamp::from_unix_millis(applied_on),
            },
            "applicant",
            now,
            &w,
        )
    };
    assert!(apply(signed_at + 30 * DAY, signed_at + 31 * DAY).is_ok());
    let late = apply(signed_at + 30 * DAY + 1, signed_at + 31 * DAY).unwrap_err();
    assert_eq!(late.refusal(), Refusal::CONFIRMATION_LATE);
    assert_eq!(
        refusal(apply(signed_at + 2 * DAY, signed_at + DAY)),
        Refusal::DATE_IN_FUTURE
    );
    assert_eq!(
        refusal(apply(signed_at - DAY, signed_at + DAY)),
        Refusal::BEFORE_AGREEMENT
    );
    assert_eq!(
        refusal(case_decide(
            &given,
            DisputeCommand::ApplyForConfirmation {
                court: "银州区人民法院".into(),
                applied_on: Timestamp::from_unix_millis(signed_at + DAY),
            },
            "applicant",
            signed_at + 2 * DAY,
            &w
        )),
        Refusal::CONFIRMATION_APPLIED
    );
    // Before the agreement is signed there is nothing to confirm.
    assert_eq!(
        refusal(case_decide(
            &given[..9],
            DisputeCommand::ApplyForConfirmation {
                court: "银州区人民法院".into(),
                applied_on: Timestamp::from_unix_millis(NOW),
            },
            "applicant",
            NOW + 4 * DAY,
            &w
        )),
        Refusal::DISPUTE_STATUS_FORBIDS
    );
}

#[test]
fn an_agreement_not_performed_is_mediated_again_or_referred_on() {
    let w = mediation_world();
    let given = agreed_case(&w);
    let at = NOW + 40 * DAY;
    assert_eq!(
        refusal(case_decide(
            &given,
            DisputeCommand::Reopen,
            "m_med2",
            at,
            &w
        )),
        Refusal::NOT_PERFORMED_FIRST
    );
    let not: Vec<Event> = given
        .iter()
        .cloned()
        .chain(
            case_decide(
                &given,
                DisputeCommand::FollowUp {
                    performance: Performance::NotPerformed,
                    note: sealed("赔偿未付"),
                },
                "m_med2",
                at,
                &w,
            )
            .unwrap(),
        )
        .collect();
    let reopened = case_decide(&not, DisputeCommand::Reopen, "m_med2", at, &w).unwrap();
    let after: Vec<Event> = not.iter().cloned().chain(reopened).collect();
    let s = state(&after);
    assert_eq!(s.status, Some(DisputeStatus::InMediation));
    assert_eq!(s.agreement, None);
    assert_eq!(s.due.unwrap().0.unix_millis(), at + 30 * DAY);
    let referred = case_decide(
        &not,
        DisputeCommand::Refer {
            advice: Advice::Litigation,
        },
        "m_director",
        at,
        &w,
    )
    .unwrap();
    assert_eq!(
        referred,
        [Event::Dispute(DisputeEvent::DisputeClosed {
            outcome: CaseOutcome::NotPerformed,
            advice: Advice::Litigation,
            due: None
        })]
    );
    assert_eq!(
        refusal(case_decide(&not, DisputeCommand::Reopen, "m_med1", at, &w)),
        Refusal::ONLY_MEDIATOR_OR_OFFICER
    );
}

#[test]
fn closing_without_agreement_is_the_mediators_and_withdrawing_the_applicants() {
    let w = mediation_world();
    let given = assigned_case(&w);
    let close = |outcome, who: &str| {
        case_decide(
            &given,
            DisputeCommand::Close {
                outcome,
                advice: None,
            },
            who,
            NOW + DAY,
            &w,
        )
    };
    assert!(close(CaseOutcome::NoAgreement, "m_med1").is_ok());
    assert!(close(CaseOutcome::PartyAbsent, "m_director").is_ok());
    assert_eq!(
        refusal(close(CaseOutcome::NoAgreement, "m_med2")),
        Refusal::ONLY_MEDIATOR_OR_OFFICER
    );
    assert_eq!(
        refusal(close(CaseOutcome::Declined, "m_med1")),
        Refusal::OUTCOME_NOT_CHOSEN
    );
    assert_eq!(
        close(CaseOutcome::Withdrawn, "applicant").unwrap(),
        [Event::Dispute(DisputeEvent::DisputeClosed {
            outcome: CaseOutcome::Withdrawn,
            advice: Advice::None,
            due: None
        })]
    );
    assert_eq!(
        refusal(close(CaseOutcome::Withdrawn, "m_neighbour")),
        Refusal::ONLY_APPLICANT_WITHDRAWS
    );
}

#[test]
fn sessions_are_the_assigned_mediators_and_record_only_who_may_attend() {
    let w = mediation_world();
    let given = assigned_case(&w);
    let schedule = |who: &str, at: i64| {
        case_decide(
            &given,
            DisputeCommand::ScheduleSession {
                at: Timestamp::from_unix_millis(at),
                venue: "银网社区调解室".into(),
            },
            who,
            NOW + 3 * HOUR,
            &w,
        )
    };
    assert_eq!(
        refusal(schedule("m_med2", NOW + DAY)),
        Refusal::ONLY_ASSIGNED_MEDIATOR
    );
    assert_eq!(refusal(schedule("m_med1", NOW)), Refusal::STARTS_IN_PAST);
    let scheduled: Vec<Event> = given
        .iter()
        .cloned()
        .chain(schedule("m_med1", NOW + DAY).unwrap())
        .collect();
    let record = |attendance: Vec<MemberId>, now: i64| {
        case_decide(
            &scheduled,
            DisputeCommand::RecordSession {
                session: 1,
                attendance,
                record: sealed("记录"),
            },
            "m_med1",
            now,
            &w,
        )
    };
    assert_eq!(
        refusal(record(vec![m("m_verified")], NOW + 4 * HOUR)),
        Refusal::NOT_YET_DUE
    );
    assert_eq!(
        refusal(record(vec![m("m_far")], NOW + DAY)),
        Refusal::NOT_A_PARTY
    );
    assert!(record(vec![m("m_verified"), m("m_med1")], NOW + DAY).is_ok());
    assert_eq!(
        refusal(case_decide(
            &scheduled,
            DisputeCommand::DraftAgreement { terms: terms() },
            "m_med1",
            NOW + DAY,
            &w
        )),
        Refusal::SESSION_FIRST
    );
}

#[test]
fn records_are_erased_once_the_case_is_over_and_nothing_private_follows() {
    let w = mediation_world();
    let given = agreed_case(&w);
    assert_eq!(
        refusal(case_decide(
            &assigned_case(&w),
            DisputeCommand::EraseRecords {
                reason: reason("当事人要求")
            },
            "applicant",
            NOW + DAY,
            &w
        )),
        Refusal::DISPUTE_STATUS_FORBIDS
    );
    let erased: Vec<Event> = given
        .iter()
        .cloned()
        .chain(
            case_decide(
                &given,
                DisputeCommand::EraseRecords {
                    reason: reason("当事人要求"),
                },
                "m_neighbour",
                NOW + 30 * DAY,
                &w,
            )
            .unwrap(),
        )
        .collect();
    assert_eq!(
        refusal(case_decide(
            &erased,
            DisputeCommand::FollowUp {
                performance: Performance::Performed,
                note: sealed("回访")
            },
            "m_med2",
            NOW + 31 * DAY,
            &w
        )),
        Refusal::RECORDS_ERASED
    );
    assert_eq!(
        refusal(case_decide(
            &given,
            DisputeCommand::EraseRecords {
                reason: reason("x")
            },
            "m_far",
            NOW + 30 * DAY,
            &w
        )),
        Refusal::ONLY_PARTY_OR_STAFF
    );
}

#[test]
fn who_sees_what_of_a_case() {
    let w = mediation_world();
    let s = state(&agreed_case(&w));
    let access = |who: &str| s.access(&mediation_actor(who, &w), &w);
    for who in ["applicant", "m_neighbour", "m_med2", "m_director"] {
        assert_eq!(access(who), DisputeAccess::Content, "{who}");
    }
    for who in ["grid_worker_inside", "m_med1", "administrator", "auditor"] {
        assert_eq!(access(who), DisputeAccess::Exists, "{who}");
    }
    for who in [
        "anonymous",
        "resident_unverified",
        "grid_worker_outside",
        "m_street_director",
        "committee_this_council",
    ] {
        assert_eq!(access(who), DisputeAccess::Hidden, "{who}");
    }
}

#[test]
fn the_parties_and_the_mediator_hear_of_each_step_and_the_officers_of_what_waits_for_them() {
    let w = mediation_world();
    let given = agreed_case(&w);
    let mut s = DisputeState::default();
    let mut told = Vec::new();
    for event in &given {
        let Event::Dispute(e) = event else {
            panic!("{event:?}")
        };
        s = Dispute::evolve(s, e);
        told.push((event.kind(), s.told_of(e)));
    }
    let heard = |kind: &str| {
        told.iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, t)| t.clone())
            .expect(kind)
    };
    // Raised: both parties (the respondent is asked to answer); no mediator yet.
    assert_eq!(
        heard("dispute.raised"),
        Told {
            members: vec![m("m_verified"), m("m_neighbour")],
            officers_of: None
        }
    );
    // Consent given: the officers must assign a mediator.
    assert_eq!(
        heard("dispute.mediation_started").officers_of,
        Some(mc("mc_here"))
    );
    // An objection: the mediator who steps aside hears it, and the officers who
    // must assign another.
    let objected = heard("dispute.mediator_objected");
    assert!(objected.members.contains(&m("m_med1")), "{objected:?}");
    assert_eq!(objected.officers_of, Some(mc("mc_here")));
    // A session: the parties and the mediator now assigned, not the officers.
    assert_eq!(
        heard("dispute.session_scheduled"),
        Told {
            members: vec![m("m_verified"), m("m_neighbour"), m("m_med2")],
            officers_of: None
        }
    );
    // The agreement's draft reaches each party, who must confirm it.
    for party in [m("m_verified"), m("m_neighbour")] {
        assert!(heard("dispute.agreement_drafted").members.contains(&party));
    }
}

#[test]
fn the_agreement_text_is_deterministic_and_its_canonical_form_is_what_is_confirmed() {
    let w = mediation_world();
    let given = agreed_case(&w);
    let s = state(&given[..9]);
    let id = d("d_case");
    let canonical = render_agreement(
        &id,
        &s,
        1,
        &terms(),
        Language::ZhCn,
        MinutesFormat::Markdown,
        &AgreementNaming::CANONICAL,
    );
    assert!(canonical.starts_with("# 人民调解协议书\n"));
    assert!(canonical.contains("申请人：m_verified"));
    assert!(canonical.contains("调解员：m_med2"));
    assert!(canonical.contains("赔偿吊顶维修费 600 元"));
    assert_eq!(
        ContentHash::of_bytes(canonical.as_bytes()),
        agreement_hash(&id, &s, 1, &terms())
    );
    let Event::Dispute(DisputeEvent::AgreementDrafted { text_hash, .. }) = &given[8] else {
        panic!()
    };
    assert_eq!(text_hash, &agreement_hash(&id, &s, 1, &terms()));
    let english = render_agreement(
        &id,
        &s,
        1,
        &terms(),
        Language::En,
        MinutesFormat::Html,
        &AgreementNaming {
            member: &|m| format!("<{m}>"),
            committee: &|_| "Yinwang people's mediation committee".into(),
        },
    );
    assert!(english.contains("<h1>People's mediation agreement</h1>"));
    assert!(english.contains("&lt;m_verified&gt;"));
}

#[test]
fn the_figures_count_consent_agreement_time_and_performance() {
    let w = mediation_world();
    let mut tally = MediationTally::default();
    let agreed = agreed_case(&w);
    // Times as the envelope would carry them: one hour apart is enough here, the
    // signature lands four days and an hour after raising.
    let times = [0, 1, 24, 24, 25, 26, 27, 73, 74, 96, 97, 97, 120, 288, 480];
    for (event, hours) in agreed.iter().zip(times) {
        let Event::Dispute(e) = event else { panic!() };
        tally.record(
            &d("d_case"),
            e,
            Timestamp::from_unix_millis(NOW + hours * HOUR),
        );
    }
    let declined = run_case(
        vec![
            (raise_leak(), "applicant", NOW),
            (
                DisputeCommand::Answer {
                    party: m("m_neighbour"),
                    consent: false,
                    channel: Channel::Online,
                    claim: None,
                },
                "m_neighbour",
                NOW + HOUR,
            ),
        ],
        &w,
    );
    for event in &declined {
        let Event::Dispute(e) = event else { panic!() };
        tally.record(&d("d_other"), e, Timestamp::from_unix_millis(NOW));
    }
    let f = &tally.by_committee()[&mc("mc_here")];
    assert_eq!(f.cases, 2);
    assert_eq!((f.consented, f.consent_settled), (1, 2));
    assert_eq!((f.agreed, f.mediations_ended), (1, 1));
    assert_eq!(f.on_time, 1);
    assert_eq!((f.performed, f.followed_up), (1, 1));
    assert_eq!(f.median_days_to_agreement(), Some(4.0));
    let by_mediator = tally.by_mediator();
    assert_eq!(by_mediator[&m("m_med2")].agreed, 1);
    assert!(!by_mediator.contains_key(&m("m_med1")));
}

#[test]
fn an_issue_becomes_a_case_and_the_two_name_each_other() {
    let mut w = mediation_world();
    let issue = IssueId::parse("i_1").unwrap();
    w.issues.insert(
        issue.clone(),
        IssueFacts {
            jurisdiction: j("j_grid1"),
            raiser: m("m_verified"),
            status: IssueStatus::Open,
            council: None,
            docketed_at: None,
        },
    );
    let DisputeCommand::Raise(raise) = raise_leak() else {
        unreachable!()
    };
    let from_issue = |raiser: &str, other: &str| {
        DisputeCommand::Raise(RaiseDispute {
            from_issue: Some(issue.clone()),
            applicant: m(raiser),
            respondents: vec![m(other)],
            ..raise.clone()
        })
    };
    assert!(
        case_decide(
            &[],
            from_issue("m_verified", "m_neighbour"),
            "applicant",
            NOW,
            &w
        )
        .is_ok()
    );
    assert_eq!(
        refusal(case_decide(
            &[],
            from_issue("m_neighbour", "m_verified"),
            "m_neighbour",
            NOW,
            &w
        )),
        Refusal::ISSUE_NOT_APPLICANTS
    );
    let send = |dispute: &str, world: &World| {
        decide::<Issue>(
            &issue,
            &[water_raised()],
            IssueCommand::SendToMediation {
                dispute: d(dispute),
            },
            "resident_verified",
            world,
        )
    };
    assert_eq!(refusal(send("d_case", &w)), Refusal::DISPUTE_NOT_FOUND);
    w.disputes.insert(
        d("d_case"),
        DisputeFacts {
            from_issue: Some(issue.clone()),
        },
    );
    w.disputes
        .insert(d("d_other"), DisputeFacts { from_issue: None });
    assert_eq!(refusal(send("d_other", &w)), Refusal::DISPUTE_NOT_FOR_ISSUE);
    let sent = send("d_case", &w).unwrap();
    let after: Vec<Event> = [water_raised()].into_iter().chain(sent).collect();
    assert_eq!(Issue::replay(&after).status, IssueStatus::InMediation);
    assert!(IssueStatus::InMediation.is_terminal());
}

#[test]
fn committees_are_created_by_an_administrator_and_staffed_by_their_officers() {
    let w = mediation_world();
    let id = mc("mc_new");
    let create = CommitteeCommand::Create {
        jurisdiction: j("j_community"),
        kind: CommitteeKind::Lawyers,
        name: name("银网社区律师调解工作室"),
        rules: MediationRules::default(),
    };
    assert_eq!(
        refusal(decide::<Committee>(
            &id,
            &[],
            create.clone(),
            "grid_worker_inside",
            &w
        )),
        Refusal::ONLY_ADMINISTRATOR
    );
    let created = decide::<Committee>(&id, &[], create, "administrator", &w).unwrap();
    let bad = CommitteeCommand::Create {
        jurisdiction: j("j_community"),
        kind: CommitteeKind::Peoples,
        name: name("x"),
        rules: MediationRules {
            consent_days: 0,
            time_limit_days: 30,
        },
    };
    assert_eq!(
        refusal(decide::<Committee>(
            &mc("mc_bad"),
            &[],
            bad,
            "administrator",
            &w
        )),
        Refusal::OUT_OF_RANGE
    );
    let appoint = |who: &str| {
        decide::<Committee>(
            &id,
            &created,
            CommitteeCommand::Appoint {
                member: m("m_med1"),
                officer: false,
                reason: reason("律师"),
            },
            who,
            &w,
        )
    };
    assert!(appoint("administrator").is_ok());
    assert_eq!(
        refusal(appoint("resident_verified")),
        Refusal::ONLY_COMMITTEE_OFFICER_OR_ADMINISTRATOR
    );
    let state = Committee::replay(&created);
    assert_eq!(state.facts(&id).unwrap().kind, CommitteeKind::Lawyers);
}

#[test]
fn the_other_side_without_an_account_is_recorded_by_a_grid_worker_or_a_neighbour_of_the_grid() {
    let w = mediation_world();
    let record = |who: &str, grid: &str| {
        decide::<Member>(
            &m("m_outside"),
            &[],
            MemberCommand::RecordParty { home_grid: j(grid) },
            who,
            &w,
        )
    };
    assert_eq!(
        record("grid_worker_inside", "j_grid1").unwrap(),
        [Event::Member(MemberEvent::MemberRegistered {
            kind: MemberKind::Resident,
            home_grid: Some(j("j_grid1"))
        })]
    );
    assert_eq!(
        refusal(record("grid_worker_outside", "j_grid1")),
        Refusal::RECORD_PARTY_REACH
    );
    // A verified resident names a neighbour in their own grid, not elsewhere; an
    // unverified one nobody.
    assert!(record("resident_verified", "j_grid1").is_ok());
    assert_eq!(
        refusal(record("resident_verified", "j_grid2")),
        Refusal::RECORD_PARTY_REACH
    );
    assert_eq!(
        refusal(record("resident_unverified", "j_grid1")),
        Refusal::RECORD_PARTY_REACH
    );
    assert_eq!(
        refusal(record("grid_worker_inside", "j_community")),
        Refusal::HOME_NOT_GRID
    );
}
