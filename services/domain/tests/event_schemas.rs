//! Every event type the domain can emit has a JSON Schema in `schema/events/`, and
//! every emitted event, sealed into a real leaf, validates against it.

mod world;

use std::path::PathBuf;

use roundtable_domain::*;
use roundtable_ledger::{
    EventDraft, Hash, KeyRotation, LOG_EVENT_TYPES, NoteSigner, StreamName, Timestamp,
};
use serde_json::Value;
use world::*;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/events")
}

/// One event of every type, each decided by its decider from a realistic state.
fn emitted() -> Vec<(String, Event)> {
    let mut w = world();
    let block3 = Building {
        name: name("3号楼"),
        units: vec![name("1单元"), name("2单元")],
    };
    w.buildings
        .insert(j("j_grid1"), Buildings::new(vec![block3.clone()]).unwrap());
    let mut out = Vec::new();
    let mut push = |stream: String, events: Result<Vec<Event>, DomainError>| {
        for e in events.unwrap() {
            out.push((stream.clone(), e));
        }
    };
    let grid = grid_created("j_community");
    push(
        j("j_new").stream(),
        decide::<Jurisdiction>(
            &j("j_new"),
            &[],
            JurisdictionCommand::Create {
                kind: JurisdictionKind::City,
                name: name("铁岭市"),
                parent: None,
            },
            "administrator",
            &w,
        ),
    );
    push(
        j("j_grid9").stream(),
        decide::<Jurisdiction>(
            &j("j_grid9"),
            std::slice::from_ref(&grid),
            JurisdictionCommand::Rename {
                name: name("第九网格"),
            },
            "administrator",
            &w,
        ),
    );
    push(
        j("j_grid9").stream(),
        decide::<Jurisdiction>(
            &j("j_grid9"),
            std::slice::from_ref(&grid),
            JurisdictionCommand::Move {
                parent: j("j_community2"),
            },
            "administrator",
            &w,
        ),
    );
    push(
        j("j_grid9").stream(),
        decide::<Jurisdiction>(
            &j("j_grid9"),
            &[grid],
            JurisdictionCommand::SetBuildings {
                buildings: Buildings::new(vec![block3]).unwrap(),
            },
            "administrator",
            &w,
        ),
    );

    let registered = resident_registered("j_grid1");
    push(
        m("m_new").stream(),
        decide::<Member>(
            &m("m_new"),
            &[],
            MemberCommand::Register {
                home_grid: j("j_grid1"),
            },
            "anonymous",
            &w,
        ),
    );
    push(
        m("m_new").stream(),
        decide::<Member>(
            &m("m_new"),
            std::slice::from_ref(&registered),
            MemberCommand::Verify,
            "grid_worker_inside",
            &w,
        ),
    );
    push(
        m("m_new").stream(),
        decide::<Member>(
            &m("m_new"),
            std::slice::from_ref(&registered),
            MemberCommand::Verify,
            "administrator",
            &w,
        ),
    );
    push(
        m("m_staff").stream(),
        decide::<Member>(
            &m("m_staff"),
            &[],
            MemberCommand::Invite {
                role: Some(Role::GridWorker {
                    jurisdiction: j("j_grid1"),
                }),
                reason: reason("网格员"),
            },
            "administrator",
            &w,
        ),
    );
    let audited = [
        registered.clone(),
        Event::Member(MemberEvent::RoleGranted {
            role: Role::Auditor,
            reason: reason("x"),
        }),
    ];
    push(
        m("m_new").stream(),
        decide::<Member>(
            &m("m_new"),
            &audited,
            MemberCommand::Revoke {
                role: Role::Auditor,
                reason: reason("done"),
            },
            "administrator",
            &w,
        ),
    );
    push(
        m("m_new").stream(),
        decide::<Member>(
            &m("m_new"),
            &[registered],
            MemberCommand::Erase {
                reason: reason("asked"),
            },
            "administrator",
            &w,
        ),
    );

    push(
        c("c_new").stream(),
        decide::<Council>(
            &c("c_new"),
            &[],
            CouncilCommand::Create {
                jurisdiction: j("j_community"),
                name: name("议事会"),
                rules: CouncilRules::default(),
            },
            "administrator",
            &w,
        ),
    );
    let created = [council_created()];
    push(
        c("c_here").stream(),
        decide::<Council>(
            &c("c_here"),
            &created,
            CouncilCommand::Rename {
                name: name("圆桌会"),
            },
            "administrator",
            &w,
        ),
    );
    push(
        c("c_here").stream(),
        decide::<Council>(
            &c("c_here"),
            &created,
            CouncilCommand::ChangeRules {
                rules: CouncilRules {
                    notice_hours: 24,
                    ..CouncilRules::default()
                },
                reason: reason("urgent matters"),
            },
            "administrator",
            &w,
        ),
    );
    push(
        c("c_here").stream(),
        decide::<Council>(
            &c("c_here"),
            &created,
            CouncilCommand::SeatMember {
                member: m("m_verified"),
                seat: Seat::Member,
                voting: true,
                reason: reason("elected"),
            },
            "administrator",
            &w,
        ),
    );
    let seated = council_with("m_verified", Seat::Member);
    push(
        c("c_here").stream(),
        decide::<Council>(
            &c("c_here"),
            &seated,
            CouncilCommand::UnseatMember {
                member: m("m_verified"),
                reason: reason("moved"),
            },
            "administrator",
            &w,
        ),
    );
    let issue = IssueId::parse("i_1").unwrap().stream();
    let text = IssueText::new("三号楼停水", "常年断供", "3号楼").unwrap();
    let photo = ContentHash::parse(&"cd".repeat(32)).unwrap();
    let raised = decide::<Issue>(
        &IssueId::parse("i_1").unwrap(),
        &[],
        IssueCommand::Raise(RaiseIssue {
            text: text.clone(),
            category: Category::Water,
            jurisdiction: None,
            on_behalf_of: Some((m("m_unverified"), Channel::Paper)),
            photos: vec![photo],
            spot: Some(Spot {
                building: name("3号楼"),
                unit: Some(name("2单元")),
            }),
        }),
        "grid_worker_inside",
        &w,
    )
    .unwrap();
    push(issue.clone(), Ok(raised.clone()));
    push(
        issue.clone(),
        decide::<Issue>(
            &IssueId::parse("i_1").unwrap(),
            &raised,
            IssueCommand::Edit {
                text: IssueText::new("三号楼停水三年", "常年断供", "").unwrap(),
            },
            "resident_unverified",
            &w,
        ),
    );
    let cosigned = [
        raised[0].clone(),
        Event::Issue(IssueEvent::IssueCosigned {
            member: m("m_verified"),
            version: 1,
            version_hash: text.hash(),
        }),
    ];
    push(
        issue.clone(),
        decide::<Issue>(
            &IssueId::parse("i_1").unwrap(),
            &cosigned,
            IssueCommand::WithdrawCosignature,
            "resident_verified",
            &w,
        ),
    );
    let mut threshold = w.councils[&c("c_here")].clone();
    threshold.rules.cosign_threshold = 1;
    let mut w1 = world();
    w1.councils.insert(c("c_here"), threshold);
    push(
        issue.clone(),
        decide::<Issue>(
            &IssueId::parse("i_1").unwrap(),
            &raised,
            IssueCommand::Cosign,
            "resident_verified",
            &w1,
        ),
    );
    // Triage, clocks, response, rating and withdrawal.
    let id = IssueId::parse("i_1").unwrap();
    let mut w2 = world();
    add_council(&mut w2, "c_city", "j_city");
    w2.issues.insert(
        IssueId::parse("i_2").unwrap(),
        IssueFacts {
            jurisdiction: j("j_grid1"),
            raiser: m("m_verified"),
            status: IssueStatus::Open,
            council: None,
            docketed_at: None,
        },
    );
    let gw = "grid_worker_inside";
    let mut then = |given: &[Event], command: IssueCommand, who: &str, now: i64| {
        let events = decide_at::<Issue>(&id, given, command, who, now, &w2).unwrap();
        for e in &events {
            out.push((issue.clone(), e.clone()));
        }
        given.iter().cloned().chain(events).collect::<Vec<Event>>()
    };
    let accepted = then(&raised, IssueCommand::Accept { council: None }, gw, NOW);
    then(
        &raised,
        IssueCommand::Reject {
            reason: RejectionReason::Duplicate,
            explanation: "同一问题已在 i_2 中提出".into(),
        },
        gw,
        NOW,
    );
    then(
        &raised,
        IssueCommand::Merge {
            into: IssueId::parse("i_2").unwrap(),
        },
        gw,
        NOW,
    );
    then(
        &raised,
        IssueCommand::Refer {
            to: j("j_grid2"),
            note: "属第二网格".into(),
        },
        gw,
        NOW,
    );
    let due = Issue::replay(&accepted).clock.unwrap().due;
    then(
        &accepted,
        IssueCommand::MarkOverdue { due },
        "anonymous",
        NOW + 15 * 24 * HOUR,
    );
    let responded = then(
        &accepted,
        IssueCommand::Respond {
            text: "已更换水管".into(),
        },
        gw,
        NOW,
    );
    then(
        &responded,
        IssueCommand::Rate {
            rating: Rating::Unsatisfied,
            comment: "还是没水".into(),
            raiser_code_checked: false,
        },
        "resident_unverified",
        NOW,
    );
    then(
        &raised,
        IssueCommand::Withdraw {
            reason: String::new(),
        },
        "resident_unverified",
        NOW,
    );
    out.extend(meeting_and_resolution());
    out.extend(mediation());
    out.extend(calendar());
    out.extend(services());
    out
}

/// A catalogue entry published, revised and withdrawn, and requests that are
/// done (after a missing document) and rated, refused, withdrawn and late.
fn services() -> Vec<(String, Event)> {
    let mut w = world();
    let sv = ServiceId::parse("sv_residence").unwrap();
    let spec = ServiceSpec {
        name: name("居住证明"),
        description: "证明在本社区居住。".into(),
        keywords: vec![],
        documents: vec![name("身份证"), name("户口本")],
        point: j("j_community"),
        counter: name("党群服务中心 2 号窗口"),
        hours: name("周一至周五 8:30–17:00"),
        limit_working_days: 3,
        responsible: name("社区居委会"),
    };
    let mut out = Vec::new();
    let publish = ServiceCommand::Publish {
        jurisdiction: j("j_community"),
        spec: spec.clone(),
    };
    let published = decide::<Service>(&sv, &[], publish, "grid_worker_inside", &w).unwrap();
    let revised = decide::<Service>(
        &sv,
        &published,
        ServiceCommand::Revise {
            spec: ServiceSpec {
                limit_working_days: 5,
                ..spec
            },
            reason: reason("延长时限"),
        },
        "grid_worker_inside",
        &w,
    )
    .unwrap();
    let given: Vec<Event> = published.iter().chain(&revised).cloned().collect();
    let withdrawn = decide::<Service>(
        &sv,
        &given,
        ServiceCommand::Withdraw {
            reason: reason("停办"),
        },
        "administrator",
        &w,
    )
    .unwrap();
    for e in published.iter().chain(&revised).chain(&withdrawn) {
        out.push((sv.stream(), e.clone()));
    }
    w.services
        .insert(sv.clone(), Service::replay(&given).facts(&sv).unwrap());
    let open = |id: &str| {
        let id = ServiceRequestId::parse(id).unwrap();
        let events = decide::<ServiceRequest>(
            &id,
            &[],
            ServiceRequestCommand::Open(OpenRequest {
                service: sv.clone(),
                applicant: m("m_verified"),
                channel: Channel::Online,
                at_home: false,
            }),
            "resident_verified",
            &w,
        )
        .unwrap();
        (id, events)
    };
    let step = |id: &ServiceRequestId,
                given: &mut Vec<Event>,
                command: ServiceRequestCommand,
                who: &str,
                now: i64| {
        let events = decide_at::<ServiceRequest>(id, given, command, who, now, &w).unwrap();
        given.extend(events);
    };
    let (done_id, mut done) = open("sr_done");
    step(
        &done_id,
        &mut done,
        ServiceRequestCommand::ListMissing {
            missing: vec![name("一寸照片")],
        },
        "grid_worker_inside",
        NOW,
    );
    step(
        &done_id,
        &mut done,
        ServiceRequestCommand::MarkComplete,
        "grid_worker_inside",
        NOW,
    );
    step(
        &done_id,
        &mut done,
        ServiceRequestCommand::Finish,
        "grid_worker_inside",
        NOW,
    );
    step(
        &done_id,
        &mut done,
        ServiceRequestCommand::Rate {
            rating: Rating::Satisfied,
            channel: Channel::Online,
        },
        "resident_verified",
        NOW,
    );
    let (refused_id, mut refused) = open("sr_refused");
    step(
        &refused_id,
        &mut refused,
        ServiceRequestCommand::Refuse {
            reason: reason("不符合条件"),
        },
        "grid_worker_inside",
        NOW,
    );
    let (withdrawn_id, mut withdrawn) = open("sr_withdrawn");
    step(
        &withdrawn_id,
        &mut withdrawn,
        ServiceRequestCommand::Withdraw,
        "resident_verified",
        NOW,
    );
    let (late_id, mut late) = open("sr_late");
    step(
        &late_id,
        &mut late,
        ServiceRequestCommand::MarkComplete,
        "grid_worker_inside",
        NOW,
    );
    let due = ServiceRequest::replay(&late).due.unwrap();
    step(
        &late_id,
        &mut late,
        ServiceRequestCommand::MarkOverdue { due },
        "anonymous",
        due.unix_millis(),
    );
    for (id, events) in [
        (done_id, done),
        (refused_id, refused),
        (withdrawn_id, withdrawn),
        (late_id, late),
    ] {
        out.extend(events.into_iter().map(|e| (id.stream(), e)));
    }
    out
}

/// A year's calendar published, then corrected.
fn calendar() -> Vec<(String, Event)> {
    let w = world();
    let id = CalendarId::for_year(2026).unwrap();
    let day = |s: &str| s.parse().unwrap();
    let year = CalendarYear {
        year: 2026,
        holidays: vec![day("2026-10-01"), day("2026-10-02")],
        working_weekends: vec![day("2026-10-10")],
    };
    let published = decide::<Calendar>(
        &id,
        &[],
        CalendarCommand::Publish(year.clone()),
        "administrator",
        &w,
    )
    .unwrap();
    let corrected = decide::<Calendar>(
        &id,
        &published,
        CalendarCommand::Correct {
            calendar: CalendarYear {
                holidays: vec![day("2026-10-01")],
                ..year
            },
            reason: reason("更正"),
        },
        "administrator",
        &w,
    )
    .unwrap();
    published
        .into_iter()
        .chain(corrected)
        .map(|e| (id.stream(), e))
        .collect()
}

/// A mediation committee, a whole case, and every way a case moves or ends.
fn mediation() -> Vec<(String, Event)> {
    use world::mediation::*;
    let w = mediation_world();
    let mut out = Vec::new();
    let committee = mc("mc_new");
    let created = decide::<Committee>(
        &committee,
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
    let appointed = decide::<Committee>(
        &committee,
        &created,
        CommitteeCommand::Appoint {
            member: m("m_med1"),
            officer: true,
            reason: reason("主任"),
        },
        "administrator",
        &w,
    )
    .unwrap();
    let given: Vec<Event> = created.iter().chain(&appointed).cloned().collect();
    let removed = decide::<Committee>(
        &committee,
        &given,
        CommitteeCommand::Remove {
            member: m("m_med1"),
            reason: reason("任期届满"),
        },
        "administrator",
        &w,
    )
    .unwrap();
    for e in given.into_iter().chain(removed) {
        out.push((committee.stream(), e));
    }
    let stream = d("d_case").stream();
    let case = agreed_case(&w);
    let mut push = |events: Vec<Event>| {
        for e in events {
            out.push((stream.clone(), e));
        }
    };
    push(case.clone());
    let at = NOW + 40 * DAY;
    let not_performed = case_decide(
        &case,
        DisputeCommand::FollowUp {
            performance: Performance::NotPerformed,
            note: sealed("未履行"),
        },
        "m_med2",
        at,
        &w,
    )
    .unwrap();
    let given: Vec<Event> = case.iter().chain(&not_performed).cloned().collect();
    let reopened = case_decide(&given, DisputeCommand::Reopen, "m_med2", at, &w).unwrap();
    let referred = case_decide(
        &given,
        DisputeCommand::Refer {
            advice: Advice::Litigation,
        },
        "m_med2",
        at,
        &w,
    )
    .unwrap();
    let closed: Vec<Event> = given.iter().chain(&referred).cloned().collect();
    let erased = case_decide(
        &closed,
        DisputeCommand::EraseRecords {
            reason: reason("当事人要求"),
        },
        "applicant",
        at,
        &w,
    )
    .unwrap();
    let reopened_case: Vec<Event> = given.iter().chain(&reopened).cloned().collect();
    let due = Dispute::replay(&reopened_case).due.unwrap().0;
    let overdue = case_decide(
        &reopened_case,
        DisputeCommand::MarkOverdue { due },
        "anonymous",
        due.unix_millis(),
        &w,
    )
    .unwrap();
    let raised = case_decide(&[], raise_leak(), "applicant", NOW, &w).unwrap();
    let lapsed = case_decide(
        &raised,
        DisputeCommand::LapseConsent {
            due: Timestamp::from_unix_millis(NOW + 7 * DAY),
        },
        "anonymous",
        NOW + 7 * DAY,
        &w,
    )
    .unwrap();
    for events in [not_performed, reopened, referred, erased, overdue, lapsed] {
        push(events);
    }
    let mut w = w;
    let issue = IssueId::parse("i_1").unwrap();
    w.disputes.insert(
        d("d_case"),
        DisputeFacts {
            from_issue: Some(issue.clone()),
        },
    );
    let sent = decide::<Issue>(
        &issue,
        &[water_raised()],
        IssueCommand::SendToMediation {
            dispute: d("d_case"),
        },
        "resident_verified",
        &w,
    )
    .unwrap();
    for e in sent {
        out.push((issue.stream(), e));
    }
    out
}

/// A whole meeting, its resolution, and the issue it answers.
fn meeting_and_resolution() -> Vec<(String, Event)> {
    use world::meeting::*;
    let mut meet = Meet::convened(3);
    let run = |meet: &mut Meet, who: &str, command: MeetingCommand| meet.run(who, command);
    run(
        &mut meet,
        "m_sec",
        MeetingCommand::ChangeAgenda {
            agenda: vec![topic("供水"), topic("绿化"), topic("停车")],
        },
    );
    for who in ["m_chair", "m_sec", "m_v1"] {
        run(
            &mut meet,
            "m_sec",
            MeetingCommand::CheckIn {
                member: Some(m(who)),
                code_checked: false,
            },
        );
    }
    run(
        &mut meet,
        "m_sec",
        MeetingCommand::RecordAbsence {
            member: m("m_v3"),
            apology: true,
        },
    );
    run(
        &mut meet,
        "m_v2",
        MeetingCommand::GiveProxy {
            from: None,
            to: m("m_v1"),
        },
    );
    run(
        &mut meet,
        "m_v2",
        MeetingCommand::RevokeProxy { from: None },
    );
    run(
        &mut meet,
        "m_v2",
        MeetingCommand::GiveProxy {
            from: None,
            to: m("m_v1"),
        },
    );
    run(&mut meet, "m_chair", MeetingCommand::Open);
    run(&mut meet, "m_chair", MeetingCommand::OpenItem { item: 1 });
    run(
        &mut meet,
        "m_sec",
        MeetingCommand::RecordStatement {
            speaker: m("m_v1"),
            summary: "水压低".into(),
        },
    );
    let main = meet.motion("m_v1", "m_sec", "维修水泵");
    run(
        &mut meet,
        "m_chair",
        MeetingCommand::Amend {
            motion: main,
            text: "一周内维修水泵".into(),
        },
    );
    run(
        &mut meet,
        "m_chair",
        MeetingCommand::WithdrawMotion { motion: main + 1 },
    );
    let vote = meet.vote(main, VoteMethod::Secret, MajorityKind::SimpleMajority);
    run(
        &mut meet,
        "m_v1",
        MeetingCommand::CastBallot {
            vote,
            on_behalf_of: None,
            choice: Choice::Yes,
        },
    );
    run(
        &mut meet,
        "m_chair",
        MeetingCommand::CloseVote {
            vote,
            sealed: vec![RevealedBallot {
                member: None,
                ballot: Some(ContentHash::of_bytes(b"token")),
                choice: Choice::Yes,
            }],
            checkpoint: cp(),
        },
    );
    run(&mut meet, "m_chair", MeetingCommand::CloseItem);
    run(&mut meet, "m_chair", MeetingCommand::DeferItem { item: 2 });
    run(&mut meet, "m_v1", MeetingCommand::Depart { member: None });
    run(&mut meet, "m_chair", MeetingCommand::Adjourn);
    run(
        &mut meet,
        "m_sec",
        MeetingCommand::CorrectMinutes {
            text: "更正".into(),
        },
    );
    let minutes = match run(&mut meet, "m_chair", MeetingCommand::OpenMinutesVote).last() {
        Some(Event::Meeting(MeetingEvent::VoteOpened { vote, .. })) => *vote,
        other => panic!("{other:?}"),
    };
    for who in meet.voters() {
        meet.ballot(&who, minutes, Choice::Yes);
    }
    meet.close(minutes);
    let mut out: Vec<(String, Event)> = meet
        .given
        .iter()
        .map(|e| (meet.id.stream(), e.clone()))
        .collect();

    let mut w = meet.w;
    w.meetings.insert(
        meet.id.clone(),
        MeetingFacts::of(&Meeting::replay(&meet.given)).unwrap(),
    );
    let issue = IssueId::parse("i_1").unwrap();
    w.issues.insert(
        issue.clone(),
        IssueFacts {
            jurisdiction: j("j_grid1"),
            raiser: m("m_verified"),
            status: IssueStatus::Accepted,
            council: Some(c("c_here")),
            docketed_at: None,
        },
    );
    let id = ResolutionId::parse("r_1").unwrap();
    let due = START + 24 * HOUR;
    let mut given: Vec<Event> = vec![];
    let commands = [
        (
            START,
            ResolutionCommand::Adopt {
                meeting: meet.id.clone(),
                motion: main,
                issues: vec![issue.clone()],
                assignments: vec![Assignment {
                    assignment: 0,
                    task: "更换水泵".into(),
                    member: Some(m("m_v1")),
                    unit: None,
                    due: Timestamp::from_unix_millis(due),
                }],
            },
        ),
        (
            START,
            ResolutionCommand::Publish {
                note: "公示".into(),
            },
        ),
        (
            START,
            ResolutionCommand::ReportProgress {
                assignment: Some(1),
                percent: 50,
                text: "已采购".into(),
                photos: vec![ContentHash::of_bytes(b"photo")],
            },
        ),
        (
            due + HOUR,
            ResolutionCommand::MarkAssignmentOverdue {
                assignment: 1,
                due: Timestamp::from_unix_millis(due),
            },
        ),
        (
            due + HOUR,
            ResolutionCommand::MarkImplemented {
                result: "已更换".into(),
            },
        ),
        (
            due + HOUR,
            ResolutionCommand::PublishResult {
                note: String::new(),
            },
        ),
    ];
    for (now, command) in commands {
        let context = Context {
            actor: seated(&w, "m_sec"),
            now: Timestamp::from_unix_millis(now),
        };
        let events =
            Resolution::decide_for_log(&id, &Resolution::replay(&given), command, &context, &w)
                .unwrap();
        out.extend(events.iter().map(|e| (id.stream(), e.clone())));
        given.extend(events);
    }
    answers(&mut w, &id, &issue);
    let resolved = resolve(&w, &issue, &id).unwrap();
    out.extend(resolved.into_iter().map(|e| (issue.stream(), e)));
    out
}

/// The schema of every domain event type, compiled, by type.
fn every_schema() -> (
    boon::Schemas,
    std::collections::BTreeMap<&'static str, boon::SchemaIndex>,
) {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let mut compiled = std::collections::BTreeMap::new();
    for kind in EVENT_TYPES {
        let path = schema_dir().join(format!("{kind}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: Value = serde_json::from_str(&text).unwrap();
        let url = format!("file:///events/{kind}.json");
        compiler.add_resource(&url, value).unwrap();
        compiled.insert(*kind, compiler.compile(&url, &mut schemas).unwrap());
    }
    (schemas, compiled)
}

#[test]
fn every_event_type_has_a_schema_and_every_emitted_event_validates() {
    let (schemas, compiled) = every_schema();
    let files = std::fs::read_dir(schema_dir()).unwrap().count();
    assert_eq!(
        files,
        EVENT_TYPES.len() + LOG_EVENT_TYPES.len(),
        "a schema file for an event type that does not exist"
    );

    let events = emitted();
    let mut seen = std::collections::BTreeSet::new();
    let prev = Hash::from_slice(&[7u8; 32]).unwrap();
    for (n, (stream, event)) in events.iter().enumerate() {
        let draft = EventDraft {
            id: format!("00000000-0000-4000-8000-{n:012}"),
            kind: event.kind().to_owned(),
            version: EVENT_VERSION,
            actor: serde_json::json!({"id": "m_admin", "role": "administrator"}),
            time: Timestamp::from_unix_millis(NOW),
            body: event.body(),
        };
        let stream = StreamName::new(stream.clone()).unwrap();
        let seq = (n as u64 % 3) + 1;
        let leaf = draft
            .seal(
                "roundtable.test/log",
                &stream,
                seq,
                (seq > 1).then_some(&prev),
            )
            .unwrap();
        let instance = leaf.value().unwrap();
        let schema = compiled[event.kind()];
        if let Err(e) = schemas.validate(&instance, schema) {
            panic!("{} does not validate: {e:#}\n{instance}", event.kind());
        }
        seen.insert(event.kind());
    }
    let missing: Vec<_> = EVENT_TYPES.iter().filter(|k| !seen.contains(*k)).collect();
    assert!(missing.is_empty(), "no decider case emits {missing:?}");
}

/// One schema file, compiled on its own.
fn one_schema(file: &str) -> (boon::Schemas, boon::SchemaIndex) {
    let text = std::fs::read_to_string(schema_dir().join(file)).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = format!("file:///{file}");
    compiler
        .add_resource(&url, serde_json::from_str(&text).unwrap())
        .unwrap();
    let idx = compiler.compile(&url, &mut schemas).unwrap();
    (schemas, idx)
}

/// The log's own events (`key.rotated`) as the checkpoint signer writes them.
#[test]
fn log_events_validate_against_their_schemas() {
    for kind in LOG_EVENT_TYPES {
        assert!(
            !EVENT_TYPES.contains(kind),
            "{kind} is the log's, not the domain's"
        );
    }
    let (schemas, idx) = one_schema("key.rotated.json");
    let origin = "roundtable.test/log";
    let key = |seed| {
        NoteSigner::from_seed(origin, [seed; 32])
            .unwrap()
            .verifier()
    };
    let rotation = KeyRotation::new(origin, key(1), key(2)).unwrap();
    let draft = rotation.draft(Timestamp::from_unix_millis(NOW));
    let leaf = draft.seal(origin, &KeyRotation::stream(), 1, None).unwrap();
    let instance = leaf.value().unwrap();
    if let Err(e) = schemas.validate(&instance, idx) {
        panic!("key.rotated does not validate: {e:#}\n{instance}");
    }
    let mut forged = instance.clone();
    forged["body"]["new"] = Value::from("somebody");
    assert!(schemas.validate(&forged, idx).is_err());
}

#[test]
fn schemas_reject_what_the_domain_never_writes() {
    let (schemas, idx) = one_schema("member.registered.json");
    let leaf = serde_json::json!({
        "actor": {"id": "m_1", "role": "registrant"},
        "body": {"kind": "resident", "home_grid": "j_1", "phone": "13800000001"},
        "id": "00000000-0000-4000-8000-000000000000", "log": "l", "prev": null, "seq": 1,
        "stream": "member/m_1", "time": "2026-11-26T08:00:00.000Z",
        "type": "member.registered", "v": 1
    });
    assert!(
        schemas.validate(&leaf, idx).is_err(),
        "a phone number must never fit a leaf"
    );
}

/// Every way of breaking one value of a body: each member removed, each value
/// replaced by one of another JSON type, and an unknown member added to each object.
fn broken_bodies(body: &Value) -> Vec<Value> {
    fn walk(value: &Value, rebuild: &dyn Fn(Option<Value>) -> Value, out: &mut Vec<Value>) {
        let replacements = [
            Value::Null,
            Value::from(7),
            Value::from(-1.5),
            Value::from("x"),
            Value::from(true),
            serde_json::json!([]),
            serde_json::json!({}),
        ];
        for r in replacements {
            if std::mem::discriminant(&r) != std::mem::discriminant(value) {
                out.push(rebuild(Some(r)));
            }
        }
        match value {
            Value::Object(map) => {
                let mut grown = map.clone();
                grown.insert("unexpected".into(), Value::from(1));
                out.push(rebuild(Some(Value::Object(grown))));
                for (key, child) in map {
                    let rebuild_child = |replacement: Option<Value>| {
                        let mut copy = map.clone();
                        match replacement {
                            Some(v) => copy.insert(key.clone(), v),
                            None => copy.remove(key),
                        };
                        rebuild(Some(Value::Object(copy)))
                    };
                    out.push(rebuild_child(None));
                    walk(child, &rebuild_child, out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let rebuild_child = |replacement: Option<Value>| {
                        let mut copy = items.clone();
                        match replacement {
                            Some(v) => copy[i] = v,
                            None => {
                                copy.remove(i);
                            }
                        }
                        rebuild(Some(Value::Array(copy)))
                    };
                    walk(child, &rebuild_child, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(body, &|v| v.unwrap_or(Value::Null), &mut out);
    out
}

/// The one codec (`codec::draft` → seal → `codec::decode`) gives back every event
/// the deciders emit, unchanged; and whatever a schema refuses, decoding refuses
/// too (every member of every body removed, retyped, or joined by an unknown one).
#[test]
fn the_codec_reads_back_every_event_and_refuses_what_the_schemas_refuse() {
    let (schemas, compiled) = every_schema();
    let actor = serde_json::json!({"id": "m_admin", "role": "administrator"});
    let (mut cases, mut refused) = (0, 0);
    for (n, (stream, event)) in emitted().into_iter().enumerate() {
        let id = format!("00000000-0000-4000-8000-{n:012}");
        let draft = codec::draft(
            &event,
            id.clone(),
            actor.clone(),
            Timestamp::from_unix_millis(NOW),
        );
        let name = StreamName::new(stream.clone()).unwrap();
        let leaf = draft.seal("roundtable.test/log", &name, 1, None).unwrap();
        let decoded = codec::decode(&leaf).unwrap();
        assert_eq!(decoded.event.as_ref(), Some(&event));
        assert_eq!(
            (
                decoded.id.as_str(),
                decoded.kind.as_str(),
                decoded.stream.as_str()
            ),
            (id.as_str(), event.kind(), stream.as_str())
        );
        assert_eq!(
            (decoded.actor.as_str(), decoded.time),
            ("m_admin", Timestamp::from_unix_millis(NOW))
        );

        let instance = leaf.value().unwrap();
        let schema = compiled[event.kind()];
        for body in broken_bodies(&instance["body"]) {
            let mut broken = instance.clone();
            broken["body"] = body;
            cases += 1;
            if schemas.validate(&broken, schema).is_err() {
                refused += 1;
                let bytes = serde_json::to_vec(&broken).unwrap();
                assert!(
                    codec::decode_bytes(&bytes).is_err(),
                    "the schema of {} refuses what the codec reads:\n{broken}",
                    event.kind()
                );
            }
        }
        // Another version, or the type of another stream kind, is refused too.
        let mut later = instance.clone();
        later["v"] = Value::from(EVENT_VERSION + 1);
        assert!(codec::decode_bytes(&serde_json::to_vec(&later).unwrap()).is_err());
        let mut elsewhere = instance.clone();
        elsewhere["stream"] = Value::from("nowhere/x_1");
        assert!(codec::decode_bytes(&serde_json::to_vec(&elsewhere).unwrap()).is_err());
    }
    assert!(
        refused > 1_000,
        "{refused} of {cases} broken bodies refused"
    );
}

/// Wherever an emitted event names a majority rule, every rule the domain has
/// validates there: a new `MajorityKind` fails here until each schema lists it.
#[test]
fn every_majority_kind_fits_every_schema_that_names_one() {
    let (schemas, compiled) = every_schema();
    let names: Vec<Value> = MajorityKind::ALL
        .iter()
        .map(|k| serde_json::to_value(k).unwrap())
        .collect();
    fn places(value: &Value, names: &[Value], path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match value {
            v if names.contains(v) => out.push(path.clone()),
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(k.clone());
                    places(v, names, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(i.to_string());
                    places(v, names, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut checked = std::collections::BTreeSet::new();
    for (n, (stream, event)) in emitted().into_iter().enumerate() {
        let draft = codec::draft(
            &event,
            format!("00000000-0000-4000-8000-{n:012}"),
            serde_json::json!({"id": "m_admin", "role": "administrator"}),
            Timestamp::from_unix_millis(NOW),
        );
        let name = StreamName::new(stream).unwrap();
        let instance = draft
            .seal("roundtable.test/log", &name, 1, None)
            .unwrap()
            .value()
            .unwrap();
        let mut found = Vec::new();
        places(&instance["body"], &names, &mut Vec::new(), &mut found);
        for path in found {
            for kind in &names {
                let mut variant = instance.clone();
                let mut slot = &mut variant["body"];
                for key in &path {
                    slot = match key.parse::<usize>() {
                        Ok(i) if slot.is_array() => &mut slot[i],
                        _ => &mut slot[key.as_str()],
                    };
                }
                *slot = kind.clone();
                if let Err(e) = schemas.validate(&variant, compiled[event.kind()]) {
                    panic!(
                        "{} does not take majority {kind} at {path:?}: {e}",
                        event.kind()
                    );
                }
            }
            checked.insert(event.kind());
        }
    }
    for kind in [
        "council.created",
        "council.rules_changed",
        "meeting.convened",
        "meeting.vote_opened",
        "meeting.vote_closed",
    ] {
        assert!(
            checked.contains(kind),
            "no {kind} naming a majority was checked"
        );
    }
}
