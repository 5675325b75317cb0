//! A whole round-table meeting through the real binary: convening, roll call with
//! the meeting code and a proxy, quorum, motions and an amendment, a roll-call and
//! a secret vote with concurrent ballots, adjournment, minutes, a resolution that
//! answers an issue through both disclosures to the raiser's rating; the live view
//! over `graphql-transport-ws`; and `audit verify` recounting every vote, and
//! failing, naming the vote, on a re-signed log whose tally was changed.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use roundtable_ledger::{Checkpoint, MemoryTree, Timestamp, leaf_hash};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::accounts::PASSWORD;
use support::graphql::Client;
use support::ws::{connect_with, next, send};

fn iso(ms: u128) -> String {
    Timestamp::from_unix_millis(ms as i64).to_string()
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

const MEETING: &str = "id phase present hasQuorum pendingMotion currentItem agenda { item status issue } rollCall { member attendance proxyHolder } motions { motion text status secondedBy } openVote { vote ballotsCast tally { yes no abstain } } votes { vote method outcome tally { yes no abstain } ballots { member castBy choice } secretBallots { ballot choice } checkpoint { size root } } minutesHash minutesApprovedHash resolutions { id }";

fn meeting(client: &Client, id: &str) -> Value {
    client
        .query(
            &format!("query($id: String!) {{ meeting(id: $id) {{ {MEETING} }} }}"),
            json!({"id": id}),
        )
        .data()["meeting"]
        .clone()
}

/// Runs a meeting mutation; returns the reply.
fn act(client: &Client, mutation: &str, input: Value) -> support::graphql::Reply {
    client.query(
        &format!(
            "mutation($input: {}Input!) {{ {mutation}(input: $input) {{ indexes receiptUrl ballotToken meeting {{ id }} }} }}",
            input_type(mutation)
        ),
        json!({"input": input}),
    )
}

fn input_type(mutation: &str) -> &'static str {
    match mutation {
        "conveneMeeting" => "ConveneMeeting",
        "checkIn" => "CheckIn",
        "giveProxy" => "GiveProxy",
        "openMeeting" | "closeAgendaItem" | "adjournMeeting" | "openMinutesVote" => "MeetingRef",
        "openAgendaItem" | "deferAgendaItem" => "AgendaItemRef",
        "recordStatement" => "RecordStatement",
        "moveMotion" => "MoveMotion",
        "moveAmendment" => "MoveAmendment",
        "secondMotion" | "withdrawMotion" => "MotionRef",
        "openVote" => "OpenVote",
        "castBallot" => "CastBallot",
        "closeVote" => "VoteRef",
        "correctMinutes" => "CorrectMinutes",
        other => panic!("no input type for {other}"),
    }
}

fn ok(reply: support::graphql::Reply) -> Value {
    reply.data().clone()
}

fn refused(reply: support::graphql::Reply, code: &str, words: &str) {
    assert_eq!(reply.code(), code, "{}", reply.body);
    assert!(
        reply.message().contains(words),
        "{:?} lacks {words:?}",
        reply.message()
    );
}

#[test]
fn a_whole_meeting_from_notice_to_the_raisers_rating_and_a_recount() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(
        dir.path(),
        &["--demo", "--test-clock", "--checkpoint-interval-ms", "50"],
    );
    let base = &server.base;
    let chair = Client::sign_in(base, "13900000006", PASSWORD);
    let secretary = Client::sign_in(base, "13900000007", PASSWORD);
    let utility = Client::sign_in(base, "13900000008", PASSWORD);
    let chen = Client::sign_in(base, "13900000011", PASSWORD);
    let zhou = Client::sign_in(base, "13900000012", PASSWORD);
    let wu = Client::sign_in(base, "13900000013", PASSWORD);

    let council = chair
        .query("{ me { member { seats { council { id } } } } }", json!({}))
        .data()["me"]["member"]["seats"][0]["council"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The fresh sanitation issue is on the council's docket.
    let docket = chair.query(
        "query($c: String!) { docket(council: $c) { id status current { title } } }",
        json!({"c": council}),
    );
    let issue = docket.data()["docket"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["current"]["title"] == "垃圾清运不及时")
        .expect("the sanitation issue on the docket")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let convene = |starts: u128| {
        json!({"council": council, "title": "垃圾清运问题圆桌会", "startsAt": iso(starts),
               "venue": "社区活动室", "agenda": [{"issue": issue}, {"title": "其他事项", "text": "自由发言"}]})
    };
    refused(
        act(&secretary, "conveneMeeting", convene(now_ms() + 3_600_000)),
        "VALIDATION",
        "72 hours' notice",
    );
    refused(
        act(&chen, "conveneMeeting", convene(now_ms() + 80 * 3_600_000)),
        "FORBIDDEN",
        "chair or secretary",
    );
    // Bad input is refused with a code and changes nothing.
    let size = chair.log_size();
    for (field, value, words) in [
        ("startsAt", json!("next tuesday"), "RFC 3339"),
        ("agenda", json!([]), "1 to 50 items"),
        (
            "agenda",
            json!([{"title": "长", "text": "字".repeat(3001)}]),
            "3000 characters",
        ),
        ("council", json!("not-a-council"), "council"),
    ] {
        let mut bad = convene(now_ms() + 80 * 3_600_000);
        bad[field] = value;
        refused(act(&secretary, "conveneMeeting", bad), "VALIDATION", words);
    }
    let unknown = chen.query("{ meeting(id: \"mt_nope\") { id } }", json!({}));
    assert!(unknown.data()["meeting"].is_null());
    assert_eq!(
        chen.query("{ meeting(id: \"x\") { id } }", json!({}))
            .code(),
        "VALIDATION"
    );
    refused(
        act(
            &chen,
            "castBallot",
            json!({"meeting": "mt_nope", "vote": 1, "choice": "YES"}),
        ),
        "NOT_FOUND",
        "vote 1",
    );
    assert_eq!(
        chen.query(
            "{ meetings(first: 0) { edges { node { id } } } }",
            json!({})
        )
        .code(),
        "VALIDATION"
    );
    for query in [
        "{ docket(council: \"x\") { id } }",
        "{ meetings(filter: {council: \"x\"}) { edges { node { id } } } }",
        "{ resolutions(filter: {within: \"x\"}) { edges { node { id } } } }",
        "{ resolution(id: \"x\") { id } }",
    ] {
        assert_eq!(chen.query(query, json!({})).code(), "VALIDATION", "{query}");
    }
    assert_eq!(chair.log_size(), size, "nothing was written");

    let starts = now_ms() + 73 * 3_600_000;
    let id =
        ok(act(&secretary, "conveneMeeting", convene(starts)))["conveneMeeting"]["meeting"]["id"]
            .as_str()
            .unwrap()
            .to_owned();

    // A live view, authenticated in connection_init.
    let token = chen.bearer.clone().unwrap();
    let mut socket = connect_with(&server, Some(json!({"token": token})));
    send(
        &mut socket,
        json!({"id": "m", "type": "subscribe", "payload": {"query": format!("subscription {{ meetingChanged(id: \"{id}\") {{ present hasQuorum pendingMotion openVote {{ ballotsCast tally {{ yes }} }} }} }}")}}),
    );
    assert_eq!(
        next(&mut socket)["payload"]["data"]["meetingChanged"]["present"],
        0
    );
    send(
        &mut socket,
        json!({"id": "bad", "type": "subscribe", "payload": {"query": "subscription { meetingChanged(id: \"x\") { present } }"}}),
    );
    let refusal = next(&mut socket);
    assert_eq!(refusal["id"], "bad", "{refusal}");
    assert_eq!(
        refusal["payload"]["errors"][0]["extensions"]["code"], "VALIDATION",
        "{refusal}"
    );
    assert_eq!(next(&mut socket)["type"], "complete");
    // (Panics if a forged token is acknowledged.)
    let _ = connect_with_refused(&server);

    // Roll call: the code, a proxy, the secretary for others.
    let code = secretary
        .query(
            "query($id: String!) { meeting(id: $id) { checkInCode } }",
            json!({"id": id}),
        )
        .data()["meeting"]["checkInCode"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        chen.query(
            "query($id: String!) { meeting(id: $id) { checkInCode } }",
            json!({"id": id})
        )
        .data()["meeting"]["checkInCode"]
            .is_null()
    );
    refused(
        act(&chen, "checkIn", json!({"meeting": id, "code": "000000x"})),
        "VALIDATION",
        "code is wrong",
    );
    // What each may do is the domain's decision for them (a dry run): a member may
    // check themself in with the code; the secretary runs the console and may check
    // anyone in, but nobody can yet record a departure.
    let can = |client: &Client| {
        client.query(
            "query($id: String!) { meeting(id: $id) { viewerCan { runConsole checkInWithCode open adjourn } rollCall { name viewerCan { checkIn apology absent depart } } } }",
            json!({"id": id}),
        ).data()["meeting"].clone()
    };
    let row = |m: &Value, name: &str| {
        m["rollCall"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {m}"))["viewerCan"]
            .clone()
    };
    let before = can(&chen);
    assert_eq!(before["viewerCan"]["checkInWithCode"], true);
    assert_eq!(before["viewerCan"]["runConsole"], false);
    assert_eq!(
        row(&before, "陈大爷")["checkIn"],
        false,
        "only officers check others in"
    );
    let officer = can(&secretary);
    assert_eq!(officer["viewerCan"]["runConsole"], true);
    assert_eq!(officer["viewerCan"]["open"], false, "not before its start");
    let chen_row = row(&officer, "陈大爷");
    assert_eq!(
        (
            &chen_row["checkIn"],
            &chen_row["apology"],
            &chen_row["depart"]
        ),
        (&json!(true), &json!(true), &json!(false))
    );
    ok(act(&chen, "checkIn", json!({"meeting": id, "code": code})));
    // Checked in: no second check-in, no absence, a departure instead.
    let after = can(&secretary);
    let chen_row = row(&after, "陈大爷");
    assert_eq!(
        (
            &chen_row["checkIn"],
            &chen_row["absent"],
            &chen_row["depart"]
        ),
        (&json!(false), &json!(false), &json!(true)),
        "{chen_row}"
    );
    assert_eq!(can(&chen)["viewerCan"]["checkInWithCode"], false);
    let live = next(&mut socket);
    assert_eq!(
        live["payload"]["data"]["meetingChanged"]["present"], 1,
        "{live}"
    );
    let utility_id = utility.me();
    let chen_id = chen.me();
    refused(
        act(
            &utility,
            "giveProxy",
            json!({"meeting": id, "to": utility_id}),
        ),
        "VALIDATION",
        "themself",
    );
    ok(act(
        &utility,
        "giveProxy",
        json!({"meeting": id, "to": chen_id}),
    ));
    refused(
        act(&chair, "openMeeting", json!({"meeting": id})),
        "VALIDATION",
        "announced for",
    );
    assert_eq!(
        ureq::post(format!("{base}/_test/clock?advanceHours=73"))
            .send_empty()
            .unwrap()
            .status(),
        200
    );
    refused(
        act(&secretary, "openMeeting", json!({"meeting": id})),
        "VALIDATION",
        "no quorum",
    );
    for who in [&chair, &secretary] {
        let me = who.me();
        ok(act(
            &secretary,
            "checkIn",
            json!({"meeting": id, "member": me}),
        ));
    }
    ok(act(&chair, "openMeeting", json!({"meeting": id})));
    ok(act(
        &chair,
        "openAgendaItem",
        json!({"meeting": id, "item": 1}),
    ));
    ok(act(
        &secretary,
        "recordStatement",
        json!({"meeting": id, "speaker": chen_id, "summary": "垃圾站夏天异味很大"}),
    ));

    // Motions: own second refused, an amendment first.
    ok(act(
        &chen,
        "moveMotion",
        json!({"meeting": id, "text": "请物业公司每日清运。"}),
    ));
    // The console says what a motion waits for: the domain's own refusal, dry run.
    let waits_for = |motion: usize| {
        chair.query(
            "query($id: String!) { meeting(id: $id) { motions { viewerCan { openVote openVoteWhyNot { reason } } } } }",
            json!({"id": id}),
        )
        .data()["meeting"]["motions"][motion - 1]["viewerCan"]
            .clone()
    };
    assert_eq!(
        waits_for(1),
        json!({"openVote": false, "openVoteWhyNot": {"reason": "PROCEDURE_NEEDS_SECOND"}})
    );
    refused(
        act(&chen, "secondMotion", json!({"meeting": id, "motion": 1})),
        "VALIDATION",
        "own motion",
    );
    refused(
        act(&zhou, "secondMotion", json!({"meeting": id, "motion": 1})),
        "FORBIDDEN",
        "not a voting member",
    );
    ok(act(
        &secretary,
        "secondMotion",
        json!({"meeting": id, "motion": 1}),
    ));
    refused(
        act(
            &secretary,
            "moveMotion",
            json!({"meeting": id, "text": "另一动议"}),
        ),
        "VALIDATION",
        "only one main motion",
    );
    ok(act(
        &chair,
        "moveAmendment",
        json!({"meeting": id, "motion": 1, "text": "请物业公司6月至9月每日清运。"}),
    ));
    ok(act(
        &chen,
        "secondMotion",
        json!({"meeting": id, "motion": 2}),
    ));
    assert_eq!(
        waits_for(1)["openVoteWhyNot"]["reason"],
        "PROCEDURE_AMENDMENT_FIRST"
    );
    let vote =
        |motion: u32, method: &str| json!({"meeting": id, "motion": motion, "method": method});
    refused(
        act(&chair, "openVote", vote(1, "ROLL_CALL")),
        "VALIDATION",
        "must be voted first",
    );
    ok(act(&chair, "openVote", vote(2, "ROLL_CALL")));

    // Every eligible ballot at once; each lands exactly once.
    let ballots: Vec<(&Client, Option<String>, &str)> = vec![
        (&chair, None, "YES"),
        (&secretary, None, "YES"),
        (&chen, None, "NO"),
        (&chen, Some(utility_id.clone()), "YES"),
    ];
    std::thread::scope(|scope| {
        for (client, for_whom, choice) in &ballots {
            let id = id.clone();
            scope.spawn(move || {
                let mut input = json!({"meeting": id, "vote": 1, "choice": choice});
                if let Some(m) = for_whom {
                    input["onBehalfOf"] = json!(m);
                }
                let cast = ok(act(client, "castBallot", input));
                assert!(
                    cast["castBallot"]["receiptUrl"]
                        .as_str()
                        .unwrap()
                        .starts_with("/log/receipt/")
                );
            });
        }
    });
    refused(
        act(
            &chen,
            "castBallot",
            json!({"meeting": id, "vote": 1, "choice": "YES"}),
        ),
        "VALIDATION",
        "already voted",
    );
    refused(
        act(
            &zhou,
            "castBallot",
            json!({"meeting": id, "vote": 1, "choice": "YES"}),
        ),
        "FORBIDDEN",
        "not eligible",
    );
    refused(
        act(
            &utility,
            "castBallot",
            json!({"meeting": id, "vote": 1, "choice": "YES"}),
        ),
        "FORBIDDEN",
        "cast by",
    );
    let seen = (0..60)
        .map(|_| next(&mut socket))
        .find(|m| m["payload"]["data"]["meetingChanged"]["openVote"]["ballotsCast"] == 4)
        .expect("the live view shows all four ballots");
    assert_eq!(
        seen["payload"]["data"]["meetingChanged"]["openVote"]["tally"]["yes"],
        3
    );
    ok(act(&chair, "closeVote", json!({"meeting": id, "vote": 1})));
    refused(
        act(
            &secretary,
            "castBallot",
            json!({"meeting": id, "vote": 1, "choice": "NO"}),
        ),
        "VALIDATION",
        "closed",
    );

    // The amended motion, by secret ballot: the log shows who voted, not how.
    ok(act(&chair, "openVote", vote(1, "SECRET")));
    let mut tokens = Vec::new();
    for (client, for_whom) in [
        (&chair, None),
        (&secretary, None),
        (&chen, None),
        (&chen, Some(utility_id.clone())),
    ] {
        let mut input = json!({"meeting": id, "vote": 2, "choice": "YES"});
        if let Some(m) = for_whom {
            input["onBehalfOf"] = json!(m);
        }
        let cast = ok(act(client, "castBallot", input));
        tokens.push(
            cast["castBallot"]["ballotToken"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let during = meeting(&chen, &id);
    assert!(
        during["openVote"]["tally"].is_null(),
        "a secret ballot's tally is hidden"
    );
    ok(act(&chair, "closeVote", json!({"meeting": id, "vote": 2})));
    let after = meeting(&chen, &id);
    let secret = &after["votes"][1];
    assert_eq!(secret["outcome"], "ADOPTED");
    assert!(
        secret["ballots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["choice"].is_null())
    );
    let published: Vec<&str> = secret["secretBallots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["ballot"].as_str().unwrap())
        .collect();
    for token in &tokens {
        let hash: String = Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(
            published.contains(&hash.as_str()),
            "a voter finds their ballot"
        );
    }
    let first = &after["votes"][0];
    assert_eq!(first["tally"], json!({"yes": 3, "no": 1, "abstain": 0}));
    assert!(first["checkpoint"]["size"].as_u64().unwrap() > 0);

    ok(act(&chair, "closeAgendaItem", json!({"meeting": id})));
    ok(act(&chair, "adjournMeeting", json!({"meeting": id})));
    let adjourned = meeting(&chen, &id);
    assert_eq!(adjourned["agenda"][1]["status"], "DEFERRED");

    // Minutes: rendered in both languages; approved by the council by hash.
    let minutes = chen.query(
        "query($id: String!) { meeting(id: $id) { zh: minutes en: minutes(language: EN, format: HTML) } }",
        json!({"id": id}),
    );
    assert!(
        minutes.data()["meeting"]["zh"]
            .as_str()
            .unwrap()
            .contains("会议纪要：垃圾清运问题圆桌会")
    );
    assert!(
        minutes.data()["meeting"]["en"]
            .as_str()
            .unwrap()
            .contains("<h1>Minutes: 垃圾清运问题圆桌会</h1>")
    );
    ok(act(&chair, "openMinutesVote", json!({"meeting": id})));
    for who in [&chair, &secretary, &chen, &utility] {
        ok(act(
            who,
            "castBallot",
            json!({"meeting": id, "vote": 3, "choice": "YES"}),
        ));
    }
    ok(act(&chair, "closeVote", json!({"meeting": id, "vote": 3})));
    let approved = meeting(&chen, &id);
    assert_eq!(approved["minutesApprovedHash"], approved["minutesHash"]);
    refused(
        act(
            &secretary,
            "correctMinutes",
            json!({"meeting": id, "text": "太迟了"}),
        ),
        "VALIDATION",
        "frozen",
    );

    // The resolution answers the issue; disclosure two asks its raiser to rate.
    let recorded = secretary.query(
        "mutation($i: RecordResolutionInput!) { recordResolution(input: $i) { resolution { id issues { id status } } } }",
        json!({"i": {"meeting": id, "motion": 1, "assignments": [{"task": "每日清运", "unit": "物业公司", "due": iso(now_ms() + 30 * 86_400_000)}]}}),
    );
    let not_adopted = secretary.query(
        "mutation($i: RecordResolutionInput!) { recordResolution(input: $i) { indexes } }",
        json!({"i": {"meeting": id, "motion": 2}}),
    );
    assert_eq!(not_adopted.code(), "VALIDATION", "{}", not_adopted.body);
    let resolution = recorded.data()["recordResolution"]["resolution"].clone();
    assert_eq!(resolution["issues"][0]["status"], "RESOLVED");
    let rid = resolution["id"].as_str().unwrap().to_owned();
    let on = |mutation: &str, input: Value| {
        secretary.query(
            &format!("mutation($i: {}!) {{ {mutation}(input: $i) {{ resolution {{ percent published {{ at }} resultPublished {{ at }} }} }} }}", match mutation {
                "publishResolution" | "publishImplementationResult" => "ResolutionNoteInput",
                "reportProgress" => "ReportProgressInput",
                _ => "MarkImplementedInput",
            }),
            json!({"i": input}),
        )
    };
    let early = on(
        "markResolutionImplemented",
        json!({"resolution": rid, "result": "已落实"}),
    );
    assert_eq!(early.code(), "VALIDATION");
    on(
        "publishResolution",
        json!({"resolution": rid, "note": "公示"}),
    )
    .data();
    let size = chair.log_size();
    let over = on(
        "reportProgress",
        json!({"resolution": rid, "percent": 101, "text": "超额"}),
    );
    assert_eq!(over.code(), "VALIDATION");
    let unknown_photo = on(
        "reportProgress",
        json!({"resolution": rid, "percent": 10, "text": "照片", "photos": ["0".repeat(64)]}),
    );
    assert_eq!(unknown_photo.code(), "VALIDATION");
    assert!(
        unknown_photo.message().contains("not uploaded"),
        "{}",
        unknown_photo.body
    );
    let bad_due = secretary.query(
        "mutation($i: RecordResolutionInput!) { recordResolution(input: $i) { indexes } }",
        json!({"i": {"meeting": id, "motion": 1, "idempotencyKey": "again", "assignments": [{"task": "x", "unit": "物业", "due": "soon"}]}}),
    );
    assert_eq!(bad_due.code(), "VALIDATION", "{}", bad_due.body);
    assert_eq!(chair.log_size(), size, "nothing was written");
    on(
        "reportProgress",
        json!({"resolution": rid, "percent": 50, "text": "已签合同"}),
    )
    .data();
    on(
        "markResolutionImplemented",
        json!({"resolution": rid, "result": "物业公司已改为每日清运。"}),
    )
    .data();
    on(
        "publishImplementationResult",
        json!({"resolution": rid, "note": "结果公示"}),
    )
    .data();
    let rated = wu.query(
        "mutation($i: RateIssueInput!) { rateIssue(input: $i) { issue { status linkedResolution } } }",
        json!({"i": {"issue": issue, "rating": "SATISFIED"}}),
    );
    assert_eq!(rated.data()["rateIssue"]["issue"]["status"], "CLOSED");
    assert_eq!(rated.data()["rateIssue"]["issue"]["linkedResolution"], rid);

    // The raiser heard of every step the council took on the issue, from the
    // meeting's and the resolution's streams too; then marks them read.
    let heard = wu.query(
        "{ notifications(first: 100) { index type read issue { id } } unreadNotificationCount }",
        json!({}),
    );
    let notes = heard.data()["notifications"].as_array().unwrap().clone();
    let kinds: Vec<&str> = notes.iter().map(|n| n["type"].as_str().unwrap()).collect();
    for kind in [
        "meeting.convened",
        "meeting.vote_closed",
        "issue.resolved",
        "resolution.published",
        "resolution.progress_reported",
        "resolution.implemented",
        "resolution.result_published",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert!(notes.iter().all(|n| n["issue"]["id"] == issue.as_str()));
    assert!(heard.data()["unreadNotificationCount"].as_u64().unwrap() >= 8);
    let newest = notes[0]["index"].as_u64().unwrap();
    wu.query(
        "mutation($n: Int!) { markNotificationsRead(upTo: $n) }",
        json!({"n": newest + 1}),
    )
    .data();
    assert_eq!(
        wu.query("{ unreadNotificationCount }", json!({})).data()["unreadNotificationCount"],
        0
    );

    // The auditor recounts every vote from the exported log.
    std::thread::sleep(Duration::from_millis(300));
    drop(server);
    let bundle = tempfile::tempdir().unwrap();
    let out = bundle.path().join("b");
    let exported = support::roundtable(&[
        "audit",
        "export",
        "--data",
        &support::data_arg(dir.path()),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(exported.status.success(), "{exported:?}");
    let verified = support::roundtable(&["audit", "verify", out.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{text}");
    assert!(text.contains("votes-recounted=6"), "{text}");

    // An operator who flips a tally and re-signs with the real key is caught.
    let entries = std::fs::read_to_string(out.join("entries.jsonl")).unwrap();
    let mut lines: Vec<String> = entries.lines().map(str::to_owned).collect();
    let at = lines
        .iter()
        .position(|l| l.contains("\"type\":\"meeting.vote_closed\"") && l.contains("\"no\":1"))
        .unwrap();
    let stream = format!("\"stream\":\"meeting/{id}\"");
    let mut old_hash = leaf_hash(lines[at].as_bytes()).to_base64();
    lines[at] = lines[at]
        .replace("\"no\":1", "\"no\":2")
        .replace("\"yes\":3", "\"yes\":2");
    let mut new_hash = leaf_hash(lines[at].as_bytes()).to_base64();
    // …and rewrites the stream's `prev` chain after it, so only the recount can tell.
    for line in lines
        .iter_mut()
        .skip(at + 1)
        .filter(|l| l.contains(&stream))
    {
        let before = leaf_hash(line.as_bytes()).to_base64();
        *line = line.replace(&old_hash, &new_hash);
        old_hash = before;
        new_hash = leaf_hash(line.as_bytes()).to_base64();
    }
    let mut tree = MemoryTree::new();
    for l in &lines {
        tree.push(leaf_hash(l.as_bytes()));
    }
    let origin = "roundtable.localhost/dev";
    let key = roundtable_store::keys::load_or_create(dir.path(), None, origin).unwrap();
    let note = Checkpoint {
        origin: origin.to_owned(),
        size: tree.size(),
        root: tree.root(),
    }
    .sign(&key)
    .unwrap()
    .note;
    std::fs::write(out.join("entries.jsonl"), lines.join("\n") + "\n").unwrap();
    std::fs::write(out.join("checkpoint"), note).unwrap();
    let tampered = support::roundtable(&["audit", "verify", out.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&tampered.stdout);
    assert!(!tampered.status.success(), "{text}");
    assert!(
        text.contains(&format!("leaf {at}: vote 1 of meeting/{id}")),
        "{text}"
    );
}

/// A token nobody issued is refused at `connection_init`.
fn connect_with_refused(server: &support::Server) -> Result<support::ws::Socket, String> {
    use tungstenite::client::IntoClientRequest;
    let url = format!("{}/graphql/ws", server.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tungstenite::connect(request).map_err(|e| e.to_string())?;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"token": "forged"}}),
    );
    match socket.read() {
        Ok(tungstenite::Message::Text(t)) if t.contains("connection_ack") => {
            panic!("a forged token was acknowledged")
        }
        _ => Ok(socket),
    }
}
