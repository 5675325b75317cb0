//! A round-table meeting at the largest size the issue names, through the real
//! binary: 500 voting members checked in, all casting a roll-call ballot at once
//! (time from the vote's opening to every ballot durable, and to the closed tally
//! under a signed checkpoint), and `meetingChanged` fanned out to 1,000 WebSocket
//! subscribers (latency from sending a change to each subscriber receiving it).
//! Rewrites its section of `docs/BENCHMARKS.md`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use roundtable_ledger::Timestamp;
use serde_json::{Value, json};
use support::bench::{healthz, in_parallel, ms, percentile, registered, write_section};
use support::graphql::Client;
use support::ws::{connect_to, next, send};

const MARKER: &str = "<!-- meetings benchmark: written by `make bench-meetings` -->";
const VOTERS: usize = 500;
const SUBSCRIBERS: usize = 1000;
const CHANGES: usize = 20;
const ADMIN_PHONE: &str = "13900009999";
const PASSWORD: &str = "bench password";

fn ok(reply: support::graphql::Reply, field: &str) -> Value {
    reply.data()[field].clone()
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().unwrap();
    support::admin_init(dir.path(), ADMIN_PHONE, PASSWORD);
    // The benchmark registers its own members from one address.
    let server = support::start_with(
        dir.path(),
        &[
            "--raises-per-hour",
            "100000",
            "--registrations-per-address-per-hour",
            "100000",
            "--registrations-per-hour",
            "100000",
            // The fan-out opens 1,000 sockets from this one address.
            "--sockets-per-address",
            "2000",
        ],
    );
    let base = server.base.clone();
    let admin = Client::sign_in(&base, ADMIN_PHONE, PASSWORD);

    // A place, a council chaired by the administrator, 500 voting members.
    let mut parent: Option<String> = None;
    for (kind, name) in [
        ("CITY", "铁岭市"),
        ("DISTRICT", "银州区"),
        ("STREET", "红旗街道"),
        ("COMMUNITY", "银网社区"),
        ("GRID", "第一网格"),
    ] {
        let reply = admin.query(
            "mutation($i: CreateJurisdictionInput!) { createJurisdiction(input: $i) { jurisdiction { id } } }",
            json!({"i": {"kind": kind, "name": name, "parent": parent}}),
        );
        parent = Some(
            ok(reply, "createJurisdiction")["jurisdiction"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let grid = parent.unwrap();
    let council = ok(
        admin.query(
            "mutation($i: CreateCouncilInput!) { createCouncil(input: $i) { council { id } } }",
            json!({"i": {"jurisdiction": grid, "name": "五百人代表议事会"}}),
        ),
        "createCouncil",
    )["council"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seat = |member: &str, kind: &str| {
        admin
            .query(
                "mutation($i: SeatCouncilMemberInput!) { seatCouncilMember(input: $i) { council { id } } }",
                json!({"i": {"council": council, "member": member, "seat": kind, "voting": true, "reason": "基准测试"}}),
            )
            .data();
    };
    let admin_id = admin.me();
    seat(&admin_id, "CHAIR");
    let t = Instant::now();
    let voters: Vec<(String, Client)> = in_parallel(VOTERS, 8, |n| {
        let phone = format!("1370000{n:04}");
        let member = registered(&base, &format!("代表{phone}"), &phone, PASSWORD, &grid);
        (member.me(), member)
    });
    for (id, _) in &voters {
        seat(id, "MEMBER");
    }
    eprintln!(
        "{} members registered and seated in {:?}",
        voters.len(),
        t.elapsed()
    );

    // An urgent meeting starting now; everyone checked in; a seconded motion.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let act = |client: &Client, mutation: &str, kind: &str, input: Value| -> Value {
        let reply = client.query(
            &format!("mutation($i: {kind}Input!) {{ {mutation}(input: $i) {{ indexes meeting {{ id }} }} }}"),
            json!({"i": input}),
        );
        reply.data()[mutation].clone()
    };
    let meeting = act(
        &admin,
        "conveneMeeting",
        "ConveneMeeting",
        json!({"council": council, "title": "年度预算表决", "startsAt": Timestamp::from_unix_millis(now + 1000).to_string(),
               "venue": "体育馆", "agenda": [{"title": "年度预算", "text": "审议年度预算"}], "urgentReason": "基准测试"}),
    )["meeting"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = Instant::now();
    std::thread::scope(|scope| {
        for chunk in voters.chunks(VOTERS / 8) {
            let (admin, meeting) = (&admin, &meeting);
            scope.spawn(move || {
                for (id, _) in chunk {
                    act(
                        admin,
                        "checkIn",
                        "CheckIn",
                        json!({"meeting": meeting, "member": id}),
                    );
                }
            });
        }
    });
    let roll_call = t.elapsed();
    act(
        &admin,
        "checkIn",
        "CheckIn",
        json!({"meeting": meeting, "member": admin_id}),
    );
    act(
        &admin,
        "openMeeting",
        "MeetingRef",
        json!({"meeting": meeting}),
    );
    act(
        &admin,
        "openAgendaItem",
        "AgendaItemRef",
        json!({"meeting": meeting, "item": 1}),
    );
    act(
        &voters[0].1,
        "moveMotion",
        "MoveMotion",
        json!({"meeting": meeting, "text": "通过年度预算。"}),
    );
    act(
        &voters[1].1,
        "secondMotion",
        "MotionRef",
        json!({"meeting": meeting, "motion": 1}),
    );

    // The vote: open, every ballot at once, close.
    let barrier = Arc::new(Barrier::new(VOTERS + 1));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(VOTERS)));
    let opened = Instant::now();
    act(
        &admin,
        "openVote",
        "OpenVote",
        json!({"meeting": meeting, "motion": 1, "method": "ROLL_CALL"}),
    );
    let vote_open = opened.elapsed();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for (n, (_, client)) in voters.iter().enumerate() {
            let (barrier, latencies, meeting) = (barrier.clone(), latencies.clone(), &meeting);
            scope.spawn(move || {
                barrier.wait();
                let t = Instant::now();
                let choice = if n % 5 == 0 { "NO" } else { "YES" };
                let reply = client.query(
                    "mutation($i: CastBallotInput!) { castBallot(input: $i) { indexes } }",
                    json!({"i": {"meeting": meeting, "vote": 1, "choice": choice}}),
                );
                assert_eq!(
                    reply.data()["castBallot"]["indexes"]
                        .as_array()
                        .unwrap()
                        .len(),
                    1
                );
                latencies.lock().unwrap().push(t.elapsed());
            });
        }
        barrier.wait();
    });
    let all_durable = start.elapsed() + vote_open;
    let closing = Instant::now();
    let closed = admin.query(
        "mutation($i: VoteRefInput!) { closeVote(input: $i) { meeting { votes { tally { yes no abstain } outcome checkpoint { size } } } } }",
        json!({"i": {"meeting": meeting, "vote": 1}}),
    );
    let close_time = closing.elapsed();
    let tallied = all_durable + close_time;
    let vote = closed.data()["closeVote"]["meeting"]["votes"][0].clone();
    assert_eq!(vote["tally"]["yes"], json!(VOTERS - VOTERS / 5));
    let mut lat = latencies.lock().unwrap().clone();
    lat.sort();

    // Fan-out: 1,000 subscribers to the meeting, then 20 changes.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let sent: Arc<Mutex<Vec<Instant>>> = Arc::new(Mutex::new(Vec::new()));
    let subscribers: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| {
            let (server_base, meeting, ready) = (base.clone(), meeting.clone(), ready_tx.clone());
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let mut socket = connect_to(&server_base, None);
                    send(&mut socket, json!({"id": "1", "type": "subscribe", "payload": {"query": format!("subscription {{ meetingChanged(id: \"{meeting}\") {{ lastIndex present }} }}")}}));
                    next(&mut socket);
                    ready.send(()).unwrap();
                    (0..CHANGES).map(|_| { next(&mut socket); Instant::now() }).collect::<Vec<_>>()
                })
                .unwrap()
        })
        .collect();
    for _ in 0..SUBSCRIBERS {
        ready_rx.recv().unwrap();
    }
    for k in 0..CHANGES {
        sent.lock().unwrap().push(Instant::now());
        act(
            &admin,
            "recordStatement",
            "RecordStatement",
            json!({"meeting": meeting, "speaker": admin_id, "summary": format!("第{k}条意见")}),
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let sent = sent.lock().unwrap().clone();
    let mut fan: Vec<Duration> = subscribers
        .into_iter()
        .flat_map(|h| {
            let received = h.join().unwrap();
            received
                .into_iter()
                .zip(sent.iter())
                .map(|(r, s)| r.duration_since(*s))
                .collect::<Vec<_>>()
        })
        .collect();
    fan.sort();
    let (health, health_time) = healthz(&base, 64, Duration::from_secs(5));
    let health_rate = health.len() as f64 / health_time.as_secs_f64();

    let md = format!(
        "{MARKER}
## Meetings: 500 voters, 1,000 live subscribers

`make bench-meetings` (`cargo bench -p roundtable --bench meetings`), through the real
binary over HTTP and WebSocket, on this machine ({cores} cores; the client threads
share them with the server). Default checkpoint interval (1 s).

| what | result | target |
|---|---|---|
| roll call of 500 by the secretary (8 clients) | {roll} | — |
| vote open → all 500 ballots durable | {durable} (ballot latency p50 {b50}, p99 {b99}) | reported |
| vote open → closed tally under a signed checkpoint | {tallied} (close alone {close}) | reported |
| `meetingChanged` fan-out to 1,000 subscribers | p50 {f50}, p99 {f99}, max {fmax} ({n} deliveries) | ≤ 100 ms from the event |
| `/healthz`, 64 clients, same run | {health:.0}/s | the limit |

- Ballots on one meeting are serialized by its stream (one writer per stream, each
  ballot re-reads the meeting's stream to decide), so 500 ballots take 500 ordered
  appends; group commit cannot merge them. The close waits for the next signed
  checkpoint that includes the last ballot (up to the 1 s signing interval).
- Fan-out latency is measured from the client sending the mutation (so it includes
  the durable append and the projections) to each subscriber's socket; every
  subscriber re-renders the meeting for its own selection.
",
        roll = ms(roll_call),
        durable = ms(all_durable),
        b50 = ms(percentile(&lat, 0.5)),
        b99 = ms(percentile(&lat, 0.99)),
        tallied = ms(tallied),
        close = ms(close_time),
        f50 = ms(percentile(&fan, 0.5)),
        f99 = ms(percentile(&fan, 0.99)),
        fmax = ms(*fan.last().unwrap()),
        n = fan.len(),
        health = health_rate,
    );
    println!("{md}");
    write_section(MARKER, &md);
    drop(server);
}
