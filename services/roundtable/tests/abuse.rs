//! The attacks of an anonymous stranger, as regression tests against the real
//! binary with the demo: each is refused with a code, quickly, and leaves the log
//! as it was (docs/SECURITY.md).

mod support;

use serde_json::json;
use support::accounts::{PASSWORD, VERIFIED_RESIDENT};
use support::demo;
use support::graphql::Client;

fn cost_refusal(reply: &support::graphql::Reply) -> (u64, u64) {
    assert_eq!(reply.code(), "QUERY_TOO_COSTLY", "{}", reply.body);
    let ext = &reply.body["errors"][0]["extensions"];
    (
        ext["cost"].as_u64().unwrap(),
        ext["limit"].as_u64().unwrap(),
    )
}

#[test]
fn costly_documents_are_refused_before_validation_with_their_cost_and_limit() {
    let (_dir, server) = demo(&[]);
    let anon = Client::anonymous(&server.base);
    let before = anon.log_size();

    // 1. Each fragment spreads the next twice: 2^25 × 2 fields in under 2 KB.
    let chain = support::attacks::fragment_chain();
    assert!(chain.len() < 2048);
    let (expanded, limit) = cost_refusal(&anon.query(&chain, json!({})));
    assert_eq!((expanded, limit), (1 << 26, 2_000));

    // A fragment that spreads itself never ends: refused, not expanded.
    let cycle = anon.query(
        "query { ...a } fragment a on Query { ...b ...b } fragment b on Query { ...a logSize }",
        json!({}),
    );
    assert_eq!(cycle.code(), "VALIDATION", "{}", cycle.body);

    // 2. Lists that lead back to themselves, aliased 150 times (22 KB).
    let aliased = support::attacks::aliased_lists();
    let (cost, limit) = cost_refusal(&anon.query(&aliased, json!({})));
    assert!(cost > 1_000_000, "{cost}");
    assert_eq!(limit, 8_000, "the public limit");

    // The same shape, once and small, is answered.
    let small = anon.query(
        "{ councils(first: 5) { nodes { name seats { member { id } } } } }",
        json!({}),
    );
    assert!(small.body["errors"].is_null(), "{}", small.body);

    // A verified resident has a larger allowance than a stranger.
    let resident = Client::sign_in(&server.base, VERIFIED_RESIDENT, PASSWORD);
    let (_, resident_limit) = cost_refusal(&resident.query(&aliased, json!({})));
    assert_eq!(resident_limit, 15_000);

    assert_eq!(anon.log_size(), before, "refusals change nothing");
}

const SIGN_IN: &str = "mutation($p: String!, $w: String!, $d: String) { signIn(input: {phone: $p, password: $w, wantToken: true, deviceToken: $d}) { token deviceToken } }";

/// Item 3: parallel guesses are counted before they are checked; a known device signs
/// in while the account is under attack; the socket uses the same limits.
#[test]
fn guessing_passwords_in_parallel_is_throttled_and_never_locks_the_owner_out() {
    let (_dir, server) = demo(&[]);
    let anon = Client::anonymous(&server.base);
    // The owner signed in before on their phone: it holds a device token.
    let first = anon.query(SIGN_IN, json!({"p": VERIFIED_RESIDENT, "w": PASSWORD}));
    let device = first.data()["signIn"]["deviceToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let replies: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..25)
            .map(|_| {
                scope.spawn(|| {
                    Client::anonymous(&server.base)
                        .query(SIGN_IN, json!({"p": VERIFIED_RESIDENT, "w": "wrong guess"}))
                        .code()
                        .to_owned()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let checked = replies.iter().filter(|c| *c == "UNAUTHENTICATED").count();
    let limited = replies.iter().filter(|c| *c == "RATE_LIMITED").count();
    assert_eq!(checked + limited, 25, "{replies:?}");
    assert!(
        checked <= 6,
        "at most the free guesses are checked: {replies:?}"
    );

    // The right password from elsewhere now waits, as the guesses do…
    let elsewhere = anon.query(SIGN_IN, json!({"p": VERIFIED_RESIDENT, "w": PASSWORD}));
    assert_eq!(elsewhere.code(), "RATE_LIMITED", "{}", elsewhere.body);
    // …but the owner's own phone signs in.
    let owner = anon.query(
        SIGN_IN,
        json!({"p": VERIFIED_RESIDENT, "w": PASSWORD, "d": device}),
    );
    assert!(owner.data()["signIn"]["token"].is_string());
    // A forged device token is just another stranger.
    let forged = anon.query(
        SIGN_IN,
        json!({"p": VERIFIED_RESIDENT, "w": PASSWORD, "d": format!("{}.{}", "ab".repeat(16), "00".repeat(16))}),
    );
    assert_eq!(forged.code(), "RATE_LIMITED");

    // Over the WebSocket, the same account limit holds.
    let mut socket = support::ws::connect(&server);
    support::ws::send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": SIGN_IN, "variables": {"p": VERIFIED_RESIDENT, "w": "wrong"}}}),
    );
    let answer = support::ws::next(&mut socket);
    let code = answer["payload"][0]["extensions"]["code"]
        .as_str()
        .or(answer["payload"]["errors"][0]["extensions"]["code"].as_str());
    assert_eq!(code, Some("RATE_LIMITED"), "{answer}");
}

/// Item 6: the socket's budget: message size, subscriptions per socket.
#[test]
fn a_socket_is_bounded_in_message_size_and_subscriptions() {
    let (_dir, server) = demo(&[]);
    // A 6 MiB message is not answered: the socket is closed.
    let mut socket = support::ws::connect(&server);
    let huge = format!(
        r#"{{"id":"1","type":"subscribe","payload":{{"query":"{{ logSize }}","variables":{{"x":"{}"}}}}}}"#,
        "a".repeat(6 << 20)
    );
    let _ = socket.send(tungstenite::Message::text(huge));
    assert!(
        closed(&mut socket),
        "an oversized message closes the socket"
    );

    // The 17th live subscription closes the socket; 16 are served.
    let mut socket = support::ws::connect(&server);
    for n in 0..16 {
        support::ws::send(
            &mut socket,
            json!({"id": format!("s{n}"), "type": "subscribe", "payload": {"query": "subscription { logEvents { index } }"}}),
        );
    }
    support::ws::send(
        &mut socket,
        json!({"id": "s16", "type": "subscribe", "payload": {"query": "subscription { logEvents { index } }"}}),
    );
    assert!(
        closed(&mut socket),
        "the 17th subscription closes the socket"
    );
}

/// Reads until the server closes the socket (true) or 10 s pass (false).
/// `--sockets-per-address` takes a whole number of at least 1: anything else is
/// refused by the argument parser (exit 2) before the server creates anything.
#[test]
fn a_socket_limit_that_is_not_a_positive_number_is_refused_before_serving() {
    for bad in ["0", "-1", "many", ""] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let flag = format!("--sockets-per-address={bad}");
        let out = support::roundtable(&["serve", "--data", data.to_str().unwrap(), &flag]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--sockets-per-address"),
            "{bad:?}: {out:?}"
        );
        assert!(!data.exists(), "{bad:?} created the data directory");
    }
}

fn closed(socket: &mut support::ws::Socket) -> bool {
    loop {
        match socket.read() {
            Ok(tungstenite::Message::Close(_)) => return true,
            Ok(_) => continue,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// Items 6 and 7: the HTTP stack: a trickled header is cut off; sign-in only as JSON;
/// every refusal carries a code.
#[test]
fn the_http_stack_cuts_slow_headers_and_codes_every_refusal() {
    use std::io::{Read, Write};
    let (_dir, server) = demo(&[]);
    let addr = server.base.trim_start_matches("http://").to_owned();

    // A header that never ends is cut off (the deadline is 10 s).
    let mut slow = std::net::TcpStream::connect(&addr).unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 64];
    let read = slow.read(&mut buf);
    assert!(
        matches!(read, Ok(0) | Err(_)),
        "the server hung up: {read:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(25));

    let agent = support::graphql::agent();
    let post = |content_type: &str, body: &str| {
        let mut r = agent
            .post(format!("{}/graphql", server.base))
            .header("content-type", content_type)
            .header("origin", "https://evil.example")
            .send(body)
            .unwrap();
        let status = r.status().as_u16();
        let body: serde_json::Value =
            serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        (status, body)
    };
    // Login CSRF: a form post from another site is refused before anything runs.
    let sign_in =
        json!({"query": SIGN_IN, "variables": {"p": VERIFIED_RESIDENT, "w": PASSWORD}}).to_string();
    let (status, body) = post("text/plain", &sign_in);
    assert_eq!(status, 415);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "UNSUPPORTED_MEDIA_TYPE"
    );
    // 413 and 400 carry codes.
    let (status, body) = post("application/json", &"x".repeat(300 * 1024));
    assert_eq!(status, 413);
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
    let (status, body) = post("application/json", "{not json");
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    // Routes' own refusals, too.
    for (method, path) in [
        ("GET", "/log/entries/notanumber"),
        ("DELETE", "/photos"),
        ("GET", "/log/proof/inclusion?index=x"),
    ] {
        let mut r = agent
            .run(
                ureq::http::Request::builder()
                    .method(method)
                    .uri(format!("{}{path}", server.base))
                    .body(())
                    .unwrap(),
            )
            .unwrap();
        assert!(r.status().as_u16() >= 400, "{method} {path}");
        let body: serde_json::Value =
            serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        assert!(body["code"].is_string(), "{method} {path}: {body}");
    }
}

/// Item 7: odd arguments are the caller's mistake, not the server's.
#[test]
fn out_of_range_arguments_and_reversing_texts_are_validation_errors() {
    let (_dir, server) = demo(&[]);
    let resident = Client::sign_in(&server.base, VERIFIED_RESIDENT, PASSWORD);
    let before = resident.log_size();
    let reply = resident.query("mutation { markNotificationsRead(upTo: -1) }", json!({}));
    assert_eq!(reply.code(), "VALIDATION", "{}", reply.body);
    let reply = resident.query(
        "mutation($t: String!) { raiseIssue(input: {title: $t, description: \"路灯不亮\", category: OTHER}) { indexes } }",
        json!({"t": "路灯\u{202E}gpj.exe"}),
    );
    assert_eq!(reply.code(), "VALIDATION", "{}", reply.body);
    assert_eq!(resident.log_size(), before);
}

/// Item 8: who may see who a resident is, per field (docs/SECURITY.md).
#[test]
fn strangers_see_counts_and_pseudonyms_staff_of_the_place_see_names() {
    let (_dir, server) = demo(&[]);
    let zhou = Client::sign_in(&server.base, VERIFIED_RESIDENT, PASSWORD);
    let raised = zhou.query(
        "mutation { raiseIssue(input: {title: \"楼道灯坏了\", description: \"5号楼二单元楼道灯不亮\", category: OTHER}) { issue { id } } }",
        json!({}),
    );
    let id = raised.data()["raiseIssue"]["issue"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let neighbour = Client::sign_in(&server.base, "13900000101", PASSWORD);
    neighbour
        .query(
            "mutation($i: String!) { cosignIssue(input: {issue: $i}) { indexes } }",
            json!({"i": id}),
        )
        .data();
    let view = |client: &Client| {
        client
            .query(
                "query($i: String!) { issue(id: $i) { cosignerCount raiser { displayName } timeline { type actorName actor { id } } } }",
                json!({"i": id}),
            )
            .data()["issue"]
            .clone()
    };
    let names = |issue: &serde_json::Value| -> Vec<String> {
        issue["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "issue.raised" || e["type"] == "issue.cosigned")
            .map(|e| e["actorName"].as_str().unwrap().to_owned())
            .collect()
    };

    // A stranger and an unverified resident: a count, no names, no ids.
    for stranger in [
        Client::anonymous(&server.base),
        Client::sign_in(&server.base, "13900000013", PASSWORD),
    ] {
        let issue = view(&stranger);
        assert_eq!(issue["cosignerCount"], 1);
        assert!(issue["raiser"].is_null(), "{issue}");
        assert_eq!(names(&issue), ["", ""], "{issue}");
        assert!(
            issue["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["actor"].is_null()),
            "{issue}"
        );
    }
    // Another verified resident sees who raised it, not who co-signed.
    let other = view(&Client::sign_in(&server.base, "13900000102", PASSWORD));
    assert_eq!(other["raiser"]["displayName"], "周阿姨");
    assert_eq!(names(&other), ["周阿姨", ""]);
    // The raiser and the grid worker of the place see everyone.
    let worker = view(&Client::sign_in(&server.base, "13900000003", PASSWORD));
    assert_eq!(names(&worker), ["周阿姨", "银网居民1"]);
    assert_eq!(names(&view(&zhou))[0], "周阿姨");
    // Office holders are public: a council's seats, to anyone.
    let seats = Client::anonymous(&server.base).query(
        "{ councils(first: 5) { nodes { seats { member { displayName } } } } }",
        json!({}),
    );
    let shown: Vec<&str> = seats.data()["councils"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["seats"].as_array().unwrap())
        .filter_map(|s| s["member"]["displayName"].as_str())
        .collect();
    assert!(
        shown.contains(&"赵书记") && shown.contains(&"陈大爷"),
        "{}",
        seats.body
    );
}

/// Item 7: a stranger's wrong feedback codes are refused before they are
/// counted, so they cannot block the grid worker's rating visit.
#[test]
fn strangers_cannot_use_up_a_grid_workers_feedback_code_attempts() {
    let (_dir, server) = demo(&[]);
    // 周阿姨 raises; the grid worker of 第一网格 accepts and answers: the issue
    // awaits its rating, which the worker may take on a visit with her code.
    let zhou = Client::sign_in(&server.base, VERIFIED_RESIDENT, PASSWORD);
    let raised = zhou.query(
        "mutation { raiseIssue(input: {title: \"垃圾桶破损\", description: \"3号楼垃圾桶盖子坏了\", category: OTHER}) { issue { id } } }",
        json!({}),
    );
    let id = raised.data()["raiseIssue"]["issue"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let worker = Client::sign_in(&server.base, "13900000003", PASSWORD);
    worker
        .query(
            "mutation($i: String!) { acceptIssue(input: {issue: $i}) { indexes } }",
            json!({"i": id}),
        )
        .data();
    worker
        .query(
            "mutation($i: String!) { respondToIssue(input: {issue: $i, text: \"已更换\"}) { indexes } }",
            json!({"i": id}),
        )
        .data();
    const RATE: &str = "mutation($i: String!, $c: String!) { rateIssue(input: {issue: $i, rating: SATISFIED, feedbackCode: $c}) { indexes } }";
    let anon = Client::anonymous(&server.base);
    let before = anon.log_size();
    for n in 0..30 {
        let reply = anon.query(RATE, json!({"i": id, "c": format!("{n:08}")}));
        assert_eq!(reply.code(), "UNAUTHENTICATED", "{}", reply.body);
    }
    // The worker's own attempt is still checked (a wrong code: VALIDATION, not a wait).
    let reply = worker.query(RATE, json!({"i": id, "c": "not-the-code"}));
    assert_eq!(reply.code(), "VALIDATION", "{}", reply.body);
    assert_eq!(anon.log_size(), before);
}

/// Places: a resident picks a building of their grid (the grid worker lists them);
/// a phone's GPS point is kept to about 100 m, for the raiser and the staff of
/// the place only; a stranger cannot list buildings, and bad points, unknown
/// buildings and oversized lists are refused with nothing appended.
#[test]
fn places_are_picked_from_the_grid_and_the_gps_point_is_for_staff_only() {
    let (_dir, server) = demo(&[]);
    let log_size = || Client::anonymous(&server.base).log_size();
    let zhou = Client::sign_in(&server.base, VERIFIED_RESIDENT, PASSWORD);
    let grid = zhou
        .query("{ me { member { homeGrid { id } } } }", json!({}))
        .data()["me"]["member"]["homeGrid"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = Client::anonymous(&server.base).query(
        "query($g: String!) { jurisdiction(id: $g) { buildings { name units } } }",
        json!({"g": grid}),
    );
    assert_eq!(
        listed.data()["jurisdiction"]["buildings"][3]["name"],
        "4号楼"
    );
    assert_eq!(
        listed.data()["jurisdiction"]["buildings"][3]["units"][2],
        "3单元"
    );

    let raise = |client: &Client, extra: &str| {
        client.query(
            &format!("mutation {{ raiseIssue(input: {{title: \"楼道灯坏了\", description: \"晚上看不见台阶\", category: OTHER {extra}}}) {{ issue {{ id spot {{ building unit }} }} }} }}"),
            json!({}),
        )
    };
    // Refused, and nothing is appended: an unknown unit, a point off the Earth.
    let before = log_size();
    for (extra, code) in [
        (
            ", spot: {building: \"4号楼\", unit: \"9单元\"}",
            "VALIDATION",
        ),
        (", spot: {building: \"99号楼\"}", "VALIDATION"),
        (", location: {latitude: 91, longitude: 0}", "VALIDATION"),
        (", spot: {building: \"  \"}", "VALIDATION"),
    ] {
        let refused = raise(&zhou, extra);
        assert_eq!(refused.code(), code, "{extra}: {}", refused.body);
        assert!(
            refused.body["errors"][0]["extensions"]["reason"].is_string(),
            "{}",
            refused.body
        );
    }
    assert_eq!(log_size(), before, "nothing appended");

    let raised = raise(
        &zhou,
        ", spot: {building: \"4号楼\", unit: \"1单元\"}, location: {latitude: 42.2234567, longitude: 123.7265432}",
    );
    let issue = raised.data()["raiseIssue"]["issue"].clone();
    assert_eq!(issue["spot"], json!({"building": "4号楼", "unit": "1单元"}));
    let id = issue["id"].as_str().unwrap().to_owned();
    let from = |client: &Client| {
        client
            .query(
                "query($i: String!) { issue(id: $i) { raisedFrom { latitude longitude } } }",
                json!({"i": id}),
            )
            .data()["issue"]["raisedFrom"]
            .clone()
    };
    let coarse = json!({"latitude": 42.223, "longitude": 123.727});
    assert_eq!(from(&zhou), coarse, "the raiser");
    assert_eq!(
        from(&Client::sign_in(&server.base, "13900000003", PASSWORD)),
        coarse,
        "the grid worker"
    );
    for stranger in [
        Client::anonymous(&server.base),
        Client::sign_in(&server.base, "13900000101", PASSWORD), // a neighbour
        Client::sign_in(&server.base, "13900000014", PASSWORD), // another community
        Client::sign_in(&server.base, "13900000002", PASSWORD), // the auditor
    ] {
        assert!(from(&stranger).is_null());
    }
    // The point never reaches the log.
    let entries = support::graphql::agent()
        .get(format!(
            "{}/log/entries?start=0&end={}",
            server.base,
            log_size()
        ))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(!entries.contains("42.22") && !entries.contains("123.72"));
    assert!(entries.contains("\"spot\":{\"building\":\"4号楼\",\"unit\":\"1单元\"}"));

    // Only the grid's staff list its buildings; a list over the bound is refused whole.
    let set = |client: &Client, buildings: serde_json::Value| {
        client.query(
            "mutation($g: String!, $b: [BuildingInput!]!) { setBuildings(input: {jurisdiction: $g, buildings: $b}) { jurisdiction { buildings { name } } } }",
            json!({"g": grid, "b": buildings}),
        )
    };
    let before = log_size();
    assert_eq!(set(&zhou, json!([{"name": "1号楼"}])).code(), "FORBIDDEN");
    assert_eq!(
        set(&Client::anonymous(&server.base), json!([{"name": "1号楼"}])).code(),
        "UNAUTHENTICATED"
    );
    let worker = Client::sign_in(&server.base, "13900000003", PASSWORD);
    let many: Vec<_> = (0..101)
        .map(|n| json!({"name": format!("{n}号楼")}))
        .collect();
    assert_eq!(set(&worker, json!(many)).code(), "VALIDATION");
    let units: Vec<_> = (0..13).map(|n| format!("{n}单元")).collect();
    assert_eq!(
        set(&worker, json!([{"name": "1号楼", "units": units}])).code(),
        "VALIDATION"
    );
    assert_eq!(set(&worker, json!([{"name": ""}])).code(), "VALIDATION");
    assert_eq!(
        set(&worker, json!([{"name": "1号楼"}, {"name": "1号楼"}])).code(),
        "VALIDATION"
    );
    assert_eq!(log_size(), before, "nothing appended");
    let done = set(
        &worker,
        json!([{"name": "1号楼", "units": ["1单元"]}, {"name": "新楼"}]),
    );
    assert_eq!(
        done.data()["setBuildings"]["jurisdiction"]["buildings"][1]["name"],
        "新楼"
    );
}

#[test]
fn a_case_is_read_by_its_parties_and_nobody_else_acts_on_it() {
    let (_dir, server) = demo(&[]);
    let base = &server.base;
    let log_size = || Client::anonymous(base).log_size();
    let zhou = Client::sign_in(base, VERIFIED_RESIDENT, PASSWORD);
    let mine = zhou.query(
        "{ disputes(mine: true) { nodes { id status claims { text } } } }",
        json!({}),
    );
    let cases = mine.data()["disputes"]["nodes"].as_array().unwrap().clone();
    let leak = cases
        .iter()
        .find(|c| c["status"] == "AGREED")
        .unwrap_or_else(|| panic!("{cases:#?}"));
    let id = leak["id"].as_str().unwrap();
    assert!(leak["claims"][0]["text"].as_str().unwrap().contains("漏水"));

    // Strangers: nothing of the case, and the public figures only.
    let anonymous = Client::anonymous(base);
    let read = "query($id: String!) { dispute(id: $id) { id claims { text } agreementText } }";
    assert_eq!(
        anonymous.query(read, json!({"id": id})).data()["dispute"],
        json!(null)
    );
    assert_eq!(
        anonymous
            .query("{ disputes { nodes { id } } }", json!({}))
            .data()["disputes"]["nodes"],
        json!([])
    );
    let stats = anonymous.query("{ mediationStats { all { cases agreed } } }", json!({}));
    assert_eq!(stats.data()["mediationStats"]["all"]["cases"], 3);
    let chen = Client::sign_in(base, support::accounts::COUNCIL_MEMBER, PASSWORD);
    assert_eq!(
        chen.query(read, json!({"id": id})).data()["dispute"],
        json!(null)
    );

    // Nobody but a party, the mediator or staff acts on it; nothing is appended.
    let before = log_size();
    let confirm = chen.query(
        "mutation($i: ConfirmAgreementInput!) { confirmAgreement(input: $i) { indexes } }",
        json!({"i": {"dispute": id, "textHash": "0".repeat(64), "party": zhou.me(), "channel": "PAPER"}}),
    );
    assert_eq!(confirm.code(), "FORBIDDEN", "{}", confirm.body);
    let erase = chen.query(
        "mutation($i: EraseDisputeRecordsInput!) { eraseDisputeRecords(input: $i) { indexes } }",
        json!({"i": {"dispute": id, "reason": "想删"}}),
    );
    assert_eq!(erase.code(), "FORBIDDEN", "{}", erase.body);
    let raise = "mutation($i: RaiseDisputeInput!) { raiseDispute(input: $i) { indexes } }";
    let unverified = Client::sign_in(base, support::accounts::UNVERIFIED_RESIDENT, PASSWORD);
    let refused = unverified.query(
        raise,
        json!({"i": {"kind": "NEIGHBOURS", "respondents": [zhou.me()], "claim": "噪音"}}),
    );
    assert_eq!(refused.code(), "FORBIDDEN", "{}", refused.body);
    let anonymous_raise = anonymous.query(
        raise,
        json!({"i": {"kind": "NEIGHBOURS", "respondents": [zhou.me()], "claim": "噪音"}}),
    );
    assert_eq!(anonymous_raise.code(), "UNAUTHENTICATED");
    // A claim over 4,000 characters, and six respondents, are refused whole.
    let long = zhou.query(
        raise,
        json!({"i": {"kind": "NEIGHBOURS", "respondents": [chen.me()], "claim": "长".repeat(4001)}}),
    );
    assert_eq!(long.code(), "VALIDATION", "{}", long.body);
    let crowd: Vec<String> = (0..6).map(|_| chen.me()).collect();
    let many = zhou.query(
        raise,
        json!({"i": {"kind": "NEIGHBOURS", "respondents": crowd, "claim": "噪音"}}),
    );
    assert_eq!(many.code(), "VALIDATION", "{}", many.body);
    // Malformed arguments: a case id, a time, a date, a hash.
    for (mutation, input_type, input) in [
        (
            "scheduleMediationSession",
            "ScheduleSessionInput",
            json!({"dispute": "x_1", "at": "2026-12-01T09:00:00.000Z", "venue": "v"}),
        ),
        (
            "scheduleMediationSession",
            "ScheduleSessionInput",
            json!({"dispute": id, "at": "tomorrow", "venue": "v"}),
        ),
        (
            "applyForJudicialConfirmation",
            "ApplyForConfirmationInput",
            json!({"dispute": id, "court": "c", "appliedOn": "2026-13-40"}),
        ),
        (
            "confirmAgreement",
            "ConfirmAgreementInput",
            json!({"dispute": id, "textHash": "not-a-hash"}),
        ),
    ] {
        let reply = zhou.query(
            &format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ indexes }} }}"),
            json!({"i": input}),
        );
        assert_eq!(reply.code(), "VALIDATION", "{mutation}: {}", reply.body);
    }
    assert_eq!(log_size(), before);

    // Reading every case's every session record at once costs more than a stranger may.
    let (cost, limit) = cost_refusal(&anonymous.query(
        "{ disputes(first: 100) { nodes { sessions { record attendance { displayName } } claims { text } } } }",
        json!({}),
    ));
    assert!(cost > limit, "{cost} {limit}");
}
