//! "At most one trip": given a community's catalogue and the official calendar,
//! when a resident (or a grid worker for them) asks for a service and staff check
//! the documents, then trips are counted, the clock runs in working days, and the
//! figures say how many were done in one trip.

mod world;

use roundtable_domain::*;
use roundtable_ledger::Timestamp;
use world::services::*;
use world::*;

/// Wednesday 30 September 2026, 10:00 in Beijing.
fn before_the_holiday() -> i64 {
    day("2026-09-30").start(CHINA_OFFSET_MINUTES).unix_millis() + 10 * HOUR
}

fn open_for(applicant: &str, channel: Channel, at_home: bool) -> ServiceRequestCommand {
    ServiceRequestCommand::Open(OpenRequest {
        service: sv("sv_residence"),
        applicant: m(applicant),
        channel,
        at_home,
    })
}

fn opened(w: &World) -> Vec<Event> {
    request_opened(w, before_the_holiday())
}

fn then(
    w: &World,
    given: &[Event],
    command: ServiceRequestCommand,
    who: &str,
) -> Result<Vec<Event>, DomainError> {
    decide_at::<ServiceRequest>(
        &sr("sr_1"),
        given,
        command,
        who,
        before_the_holiday() + HOUR,
        w,
    )
}

fn and(mut given: Vec<Event>, more: Vec<Event>) -> Vec<Event> {
    given.extend(more);
    given
}

#[test]
fn documents_complete_before_national_day_are_due_after_the_holiday_and_the_worked_saturday() {
    let w = service_world();
    let given = opened(&w);
    let Event::ServiceRequest(ServiceRequestEvent::RequestOpened {
        spec_hash,
        version,
        point,
        limit_working_days,
        ..
    }) = &given[0]
    else {
        panic!("{given:?}")
    };
    assert_eq!(*spec_hash, spec().hash());
    assert_eq!((*version, *limit_working_days), (1, 3));
    assert_eq!(*point, j("j_community"));
    // No clock runs while the documents are awaited.
    assert_eq!(ServiceRequest::replay(&given).armed_deadline(), None);
    let complete = then(
        &w,
        &given,
        ServiceRequestCommand::MarkComplete,
        "grid_worker_inside",
    )
    .unwrap();
    let Event::ServiceRequest(ServiceRequestEvent::DocumentsComplete { due }) = &complete[0] else {
        panic!("{complete:?}")
    };
    // 8, 9 and the worked Saturday 10 October: due at the end of the 10th.
    assert_eq!(*due, day("2026-10-11").start(CHINA_OFFSET_MINUTES));
}

#[test]
fn each_list_of_missing_documents_is_one_more_trip_and_an_unlisted_one_is_flagged() {
    let w = service_world();
    let given = opened(&w);
    // The resident comes once; the counter asks for a photo the catalogue never named.
    let missing = then(
        &w,
        &given,
        ServiceRequestCommand::ListMissing {
            missing: names(&["户口本", "一寸照片"]),
        },
        "grid_worker_inside",
    )
    .unwrap();
    let Event::ServiceRequest(ServiceRequestEvent::DocumentsMissing { unlisted, .. }) = &missing[0]
    else {
        panic!()
    };
    assert_eq!(*unlisted, names(&["一寸照片"]));
    let given = and(given, missing);
    let complete = then(
        &w,
        &given,
        ServiceRequestCommand::MarkComplete,
        "grid_worker_inside",
    )
    .unwrap();
    let given = and(given, complete);
    // Marking complete twice is refused and changes nothing.
    let twice = then(
        &w,
        &given,
        ServiceRequestCommand::MarkComplete,
        "grid_worker_inside",
    );
    assert_eq!(
        twice.unwrap_err().refusal(),
        Refusal::REQUEST_STATUS_FORBIDS
    );
    let done = then(
        &w,
        &given,
        ServiceRequestCommand::Finish,
        "grid_worker_inside",
    )
    .unwrap();
    let given = and(given, done);
    let state = ServiceRequest::replay(&given);
    assert_eq!(state.status, Some(RequestStatus::Done));
    assert_eq!(state.trips(), 2);
}

#[test]
fn the_network_runs_a_grid_worker_collects_at_home_and_the_resident_makes_no_trip() {
    let w = service_world();
    let at_home = decide_at::<ServiceRequest>(
        &sr("sr_1"),
        &[],
        open_for("m_verified", Channel::Visit, true),
        "grid_worker_inside",
        before_the_holiday(),
        &w,
    )
    .unwrap();
    let state = ServiceRequest::replay(&at_home);
    assert_eq!(state.on_behalf_by, Some(m("m_gw_in")));
    assert_eq!(state.trips(), 0);
    // A resident cannot claim a home collection for themselves.
    let myself = decide_at::<ServiceRequest>(
        &sr("sr_2"),
        &[],
        open_for("m_verified", Channel::Online, true),
        "resident_verified",
        before_the_holiday(),
        &w,
    );
    assert_eq!(
        myself.unwrap_err().refusal(),
        Refusal::AT_HOME_BY_GRID_WORKER
    );
}

#[test]
fn a_service_not_offered_where_the_resident_lives_or_withdrawn_is_refused() {
    let mut w = service_world();
    // m_far lives in j_grid3, outside 银网社区's catalogue.
    w.members.get_mut(&m("m_far")).unwrap().verified = true;
    let far = Actor {
        member: Some(m("m_far")),
        kind: Some(MemberKind::Resident),
        verified: true,
        home_grid: Some(j("j_grid3")),
        roles: vec![],
        seats: vec![],
        mediator_of: vec![],
    };
    let context = Context {
        actor: far,
        now: Timestamp::from_unix_millis(before_the_holiday()),
    };
    let refused = ServiceRequest::decide(
        &sr("sr_far"),
        &ServiceRequestState::default(),
        open_for("m_far", Channel::Online, false),
        &context,
        &w,
    );
    assert_eq!(refused.unwrap_err().refusal(), Refusal::SERVICE_NOT_OFFERED);
    // Unverified residents are asked to be verified first.
    let unverified = decide_at::<ServiceRequest>(
        &sr("sr_u"),
        &[],
        open_for("m_unverified", Channel::Online, false),
        "resident_unverified",
        before_the_holiday(),
        &w,
    );
    assert_eq!(unverified.unwrap_err().refusal(), Refusal::VERIFY_FIRST);
    // A withdrawn service takes no requests.
    w.services.get_mut(&sv("sv_residence")).unwrap().withdrawn = true;
    let withdrawn = decide_at::<ServiceRequest>(
        &sr("sr_w"),
        &[],
        open_for("m_verified", Channel::Online, false),
        "resident_verified",
        before_the_holiday(),
        &w,
    );
    assert_eq!(withdrawn.unwrap_err().refusal(), Refusal::SERVICE_WITHDRAWN);
}

#[test]
fn only_staff_of_the_service_point_handle_and_only_the_applicant_rates_once() {
    let w = service_world();
    let given = opened(&w);
    for who in ["resident_verified", "grid_worker_outside", "anonymous"] {
        assert!(
            then(&w, &given, ServiceRequestCommand::MarkComplete, who).is_err(),
            "{who}"
        );
    }
    let refused = then(
        &w,
        &given,
        ServiceRequestCommand::Refuse {
            reason: reason("不符合条件：未在本社区居住满半年"),
        },
        "grid_worker_inside",
    )
    .unwrap();
    let given = and(given, refused);
    let rate = |who: &str, channel| {
        then(
            &w,
            &given,
            ServiceRequestCommand::Rate {
                rating: Rating::BasicallySatisfied,
                channel,
            },
            who,
        )
    };
    assert!(rate("grid_worker_outside", Channel::Visit).is_err());
    assert_eq!(
        rate("resident_verified", Channel::Visit)
            .unwrap_err()
            .refusal(),
        Refusal::CHANNEL_ONLINE_FOR_SELF
    );
    let rated = rate("resident_verified", Channel::Online).unwrap();
    let given = and(given, rated);
    let again = then(
        &w,
        &given,
        ServiceRequestCommand::Rate {
            rating: Rating::Satisfied,
            channel: Channel::Online,
        },
        "resident_verified",
    );
    assert_eq!(again.unwrap_err().refusal(), Refusal::REQUEST_RATED);
}

#[test]
fn a_late_request_is_marked_and_goes_to_the_node_above() {
    let w = service_world();
    let given = opened(&w);
    let complete = then(
        &w,
        &given,
        ServiceRequestCommand::MarkComplete,
        "grid_worker_inside",
    )
    .unwrap();
    let given = and(given, complete);
    let due = ServiceRequest::replay(&given).due.unwrap();
    let early = decide_at::<ServiceRequest>(
        &sr("sr_1"),
        &given,
        ServiceRequestCommand::MarkOverdue { due },
        "anonymous",
        due.unix_millis() - 1,
        &w,
    );
    assert_eq!(early.unwrap_err().refusal(), Refusal::NOT_YET_DUE);
    let late = decide_at::<ServiceRequest>(
        &sr("sr_1"),
        &given,
        ServiceRequestCommand::MarkOverdue { due },
        "anonymous",
        due.unix_millis(),
        &w,
    )
    .unwrap();
    let state = ServiceRequest::replay(&and(given, late));
    assert!(state.overdue);
    assert_eq!(state.escalated_to, Some(j("j_street")));
    assert_eq!(state.armed_deadline(), None);
}

#[test]
fn bad_catalogue_entries_are_refused_with_their_code() {
    let w = world();
    let publish = |spec: ServiceSpec, who: &str| {
        decide::<Service>(
            &sv("sv_x"),
            &[],
            ServiceCommand::Publish {
                jurisdiction: j("j_community"),
                spec,
            },
            who,
            &w,
        )
        .unwrap_err()
        .refusal()
    };
    assert_eq!(
        publish(
            ServiceSpec {
                limit_working_days: 0,
                ..spec()
            },
            "grid_worker_inside"
        ),
        Refusal::OUT_OF_RANGE
    );
    assert_eq!(
        publish(
            ServiceSpec {
                documents: vec![],
                ..spec()
            },
            "grid_worker_inside"
        ),
        Refusal::OUT_OF_RANGE
    );
    assert_eq!(
        publish(
            ServiceSpec {
                documents: names(&["身份证", "身份证"]),
                ..spec()
            },
            "grid_worker_inside"
        ),
        Refusal::DOCUMENT_TWICE
    );
    assert_eq!(
        publish(
            ServiceSpec {
                point: j("j_grid3"),
                ..spec()
            },
            "grid_worker_inside"
        ),
        Refusal::POINT_OUTSIDE_CATALOGUE
    );
    assert_eq!(
        publish(spec(), "grid_worker_outside"),
        Refusal::ONLY_CATALOGUE_STAFF
    );
    assert_eq!(
        publish(spec(), "resident_verified"),
        Refusal::ONLY_CATALOGUE_STAFF
    );
}

#[test]
fn a_revision_is_a_new_hashed_version_and_requests_cite_the_one_they_were_made_under() {
    let w = service_world();
    let published = decide::<Service>(
        &sv("sv_residence"),
        &[],
        ServiceCommand::Publish {
            jurisdiction: j("j_community"),
            spec: spec(),
        },
        "administrator",
        &w,
    )
    .unwrap();
    let revised = decide::<Service>(
        &sv("sv_residence"),
        &published,
        ServiceCommand::Revise {
            spec: ServiceSpec {
                documents: names(&["身份证", "户口本", "一寸照片"]),
                ..spec()
            },
            reason: reason("补充照片要求"),
        },
        "grid_worker_inside",
        &w,
    )
    .unwrap();
    let state = Service::replay(&and(published.clone(), revised));
    assert_eq!(state.version, 2);
    assert_ne!(state.spec.as_ref().unwrap().1, spec().hash());
    let same = decide::<Service>(
        &sv("sv_residence"),
        &published,
        ServiceCommand::Revise {
            spec: spec(),
            reason: reason("无变化"),
        },
        "grid_worker_inside",
        &w,
    );
    assert_eq!(same.unwrap_err().refusal(), Refusal::UNCHANGED);
}

#[test]
fn the_figures_count_one_trip_on_time_working_days_and_satisfaction_from_the_log() {
    let w = service_world();
    let calendar_event = Event::Calendar(CalendarEvent::CalendarPublished {
        calendar: w.calendar.year(2026).unwrap().clone(),
        calendar_hash: w.calendar.year(2026).unwrap().hash(),
    });
    let mut tally = ServiceTally::default();
    let t0 = Timestamp::from_unix_millis(before_the_holiday());
    tally.record("cal_2026", &calendar_event, t0);
    // One request done in one trip on 9 October, one needing a second trip.
    let one = opened(&w);
    let at = |d: &str| {
        Timestamp::from_unix_millis(day(d).start(CHINA_OFFSET_MINUTES).unix_millis() + 9 * HOUR)
    };
    for e in &one {
        tally.record("sr_1", e, t0);
    }
    // Documents complete when opened: due at the end of 10 October.
    let due = w.calendar.due_after(t0, 3);
    tally.record(
        "sr_1",
        &Event::ServiceRequest(ServiceRequestEvent::DocumentsComplete { due }),
        t0,
    );
    tally.record(
        "sr_1",
        &Event::ServiceRequest(ServiceRequestEvent::RequestDone {}),
        at("2026-10-09"),
    );
    tally.record(
        "sr_1",
        &Event::ServiceRequest(ServiceRequestEvent::RequestRated {
            rating: Rating::Satisfied,
            channel: Channel::Online,
            recorded_by: None,
        }),
        at("2026-10-09"),
    );
    for e in &one {
        tally.record("sr_2", e, t0);
    }
    tally.record(
        "sr_2",
        &Event::ServiceRequest(ServiceRequestEvent::DocumentsMissing {
            missing: names(&["一寸照片"]),
            unlisted: names(&["一寸照片"]),
        }),
        t0,
    );
    // The photo came the next morning, a holiday: the clock counts from the next
    // working day, 8 October (9, 10, 12: due at the end of the 12th); done on
    // the 13th, late.
    let next = Timestamp::from_unix_millis(t0.unix_millis() + 23 * HOUR);
    let due2 = w.calendar.due_after(next, 3);
    tally.record(
        "sr_2",
        &Event::ServiceRequest(ServiceRequestEvent::DocumentsComplete { due: due2 }),
        next,
    );
    tally.record(
        "sr_2",
        &Event::ServiceRequest(ServiceRequestEvent::RequestDone {}),
        at("2026-10-13"),
    );
    assert_eq!(due2, day("2026-10-13").start(CHINA_OFFSET_MINUTES));
    let f = tally.figures(|_| true);
    assert_eq!((f.requests, f.done, f.one_trip, f.flagged), (2, 2, 1, 1));
    assert_eq!(f.one_trip_share(), Some(0.5));
    assert_eq!(f.on_time, 1);
    // 30 Sep → 9 Oct is 2 working days (8, 9); 1 Oct → 13 Oct is 5 (8, 9, 10, 12, 13).
    assert_eq!(f.working_days, [2, 5]);
    assert_eq!(f.median_working_days(), Some(3.5));
    assert_eq!(f.satisfaction(), Some(1.0));
    assert!(tally.misdated().is_empty());
    let per = tally.by_point_and_service();
    assert_eq!(per[&(j("j_community"), sv("sv_residence"))].done, 2);

    // A due time the calendar does not give is caught.
    tally.record("sr_3", &one[0], t0);
    let forged = Timestamp::from_unix_millis(due.unix_millis() + 24 * HOUR);
    tally.record(
        "sr_3",
        &Event::ServiceRequest(ServiceRequestEvent::DocumentsComplete { due: forged }),
        t0,
    );
    assert_eq!(tally.misdated().len(), 1);
}
