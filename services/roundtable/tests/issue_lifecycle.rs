//! Residents' issues through the real binary, past raising: triage, clocks moved
//! with `--test-clock`, escalation, response, rating with a feedback code, reopen,
//! merge, referral, search, statistics, notifications, photos, receipts, rate
//! limits, restarts, and many residents co-signing at once.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::accounts::{
    AUDITOR, COUNCIL_MEMBER as CHEN, GRID_WORKER_GRID1 as ZHANG, PASSWORD,
    VERIFIED_RESIDENT as ZHOU,
};
use support::graphql::{Client, Reply};

const RAISE: &str = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { issue { id status } indexes similar { similarity issue { id current { title } } } } }";
const ISSUE: &str = "query($id: String!) { issue(id: $id) { id status referralCount escalationCount cosignerCount
    jurisdiction { name } responsibleCouncil { name }
    clock { stage due overdue overdueBySeconds remainingSeconds rulesHash council { name } }
    mergedInto { id } mergedFrom { id } rejection { reason explanation } withdrawalReason
    responses { round text by { displayName } } ratings { round rating comment visitBy { displayName } receiptUrl }
    timeline { index type actorName proofUrl time } feedbackCode photos { hash url } } }";

fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn serve(dir: &std::path::Path, extra: &[&str]) -> support::Server {
    let mut args = vec!["--test-clock", "--deadline-interval-ms", "50"];
    args.extend_from_slice(extra);
    support::start_with(dir, &args)
}

fn advance(base: &str, hours: i64) {
    ureq::post(format!("{base}/_test/clock?advanceHours={hours}"))
        .send_empty()
        .unwrap();
}

fn raise(client: &Client, input: Value) -> Reply {
    client.query(RAISE, json!({ "i": input }))
}

fn raised_id(reply: &Reply) -> String {
    reply.data()["raiseIssue"]["issue"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn issue(client: &Client, id: &str) -> Value {
    client.query(ISSUE, json!({ "id": id })).data()["issue"].clone()
}

/// Polls the issue until `done` holds (the scheduler runs every 50 ms).
fn wait_for(client: &Client, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let now = issue(client, id);
        if done(&now) {
            return now;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "gave up waiting; issue is {now:#}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn types(issue: &Value) -> Vec<String> {
    issue["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

fn count(issue: &Value, kind: &str) -> usize {
    types(issue).iter().filter(|t| *t == kind).count()
}

fn places(client: &Client) -> BTreeMap<String, String> {
    client.places()
}

fn mutate(client: &Client, name: &str, input: Value) -> Reply {
    let input_type = match name {
        "cosignIssue" | "withdrawCosignature" => "IssueRefInput".to_owned(),
        other => format!("{}Input", capitalise(other)),
    };
    let query = format!(
        "mutation($i: {input_type}!) {{ {name}(input: $i) {{ issue {{ id status }} indexes receipt {{ index url text }} }} }}"
    );
    client.query(&query, json!({ "i": input }))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[test]
fn an_issue_goes_overdue_escalates_is_answered_rated_unsatisfied_reopened_and_closed() {
    let dir = data_dir();
    let server = serve(dir.path(), &["--demo"]);
    let base = &server.base;
    let chen = Client::sign_in(base, CHEN, PASSWORD);
    let zhang = Client::sign_in(base, ZHANG, PASSWORD);

    // Raising returns similar open issues nearby: the demo's water problem.
    let reply = raise(
        &chen,
        json!({"title": "3号楼停水", "description": "3号楼又停水了，自来水管网老化", "category": "WATER"}),
    );
    let similar = &reply.data()["raiseIssue"]["similar"];
    assert_eq!(
        similar[0]["issue"]["current"]["title"], "银网小区3号楼常年停水",
        "{similar:#}"
    );
    let id = raised_id(&reply);
    let fresh = issue(&chen, &id);
    assert_eq!(fresh["status"], "OPEN");
    assert_eq!(fresh["clock"]["stage"], "TRIAGE");
    assert_eq!(fresh["clock"]["council"]["name"], "银网社区圆桌议事会");
    assert_eq!(fresh["clock"]["overdue"], false);
    let remaining = fresh["clock"]["remainingSeconds"].as_i64().unwrap();
    assert!((71 * 3600..=72 * 3600).contains(&remaining), "{remaining}");

    // Nobody triages within 72 hours: overdue, and up to the street's council.
    advance(base, 73);
    let escalated = wait_for(&chen, &id, |i| i["escalationCount"] == 1);
    assert_eq!(count(&escalated, "issue.overdue"), 1);
    assert_eq!(
        escalated["responsibleCouncil"]["name"],
        "红旗街道议事协商会"
    );
    assert_eq!(escalated["clock"]["council"]["name"], "红旗街道议事协商会");
    assert_eq!(escalated["clock"]["overdue"], false, "a fresh clock");
    let overdue = escalated["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "issue.overdue")
        .unwrap();
    assert_eq!(overdue["actorName"], "system");
    assert!(
        overdue["proofUrl"]
            .as_str()
            .unwrap()
            .starts_with("/log/receipt/")
    );
    assert_eq!(escalated["timeline"][0]["actorName"], "陈大爷");

    // The grid worker accepts (to the council it is with) and answers.
    let accepted = mutate(&zhang, "acceptIssue", json!({"issue": id}));
    assert_eq!(
        accepted.data()["acceptIssue"]["issue"]["status"],
        "ACCEPTED"
    );
    let respond = json!({"issue": id, "text": "已联系供水公司检修管网。"});
    mutate(&zhang, "respondToIssue", respond.clone()).data();

    // The raiser is told, and holds the one-time code for a feedback visit.
    let notes = chen.query(
        "{ notifications { type read issue { id } } unreadNotificationCount }",
        json!({}),
    );
    let kinds: Vec<&str> = notes.data()["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["issue"]["id"] == id.as_str())
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "issue.responded",
            "issue.accepted",
            "issue.escalated",
            "issue.overdue"
        ]
    );
    let code = issue(&chen, &id)["feedbackCode"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        issue(&zhang, &id)["feedbackCode"],
        Value::Null,
        "only the raiser sees it"
    );

    // On the visit: a wrong code is refused; the right one records his verdict.
    let rate = |code: &str, rating: &str| {
        mutate(
            &zhang,
            "rateIssue",
            json!({"issue": id, "rating": rating, "comment": "还是停水", "feedbackCode": code}),
        )
    };
    assert_eq!(rate("00000000", "UNSATISFIED").code(), "VALIDATION");
    let without = mutate(
        &zhang,
        "rateIssue",
        json!({"issue": id, "rating": "SATISFIED"}),
    );
    assert_eq!(without.code(), "FORBIDDEN");
    let rated = rate(&code, "UNSATISFIED");
    let receipt = rated.data()["rateIssue"]["receipt"].clone();
    assert_eq!(rated.data()["rateIssue"]["issue"]["status"], "ACCEPTED");
    let reopened = issue(&chen, &id);
    assert_eq!(reopened["clock"]["stage"], "RESPONSE");
    assert_eq!(reopened["ratings"][0]["visitBy"]["displayName"], "张丽");
    assert_eq!(count(&reopened, "issue.reopened"), 1);
    assert_eq!(
        rate(&code, "SATISFIED").code(),
        "VALIDATION",
        "the code was for the rated round only"
    );

    // The rating's receipt verifies offline once a checkpoint covers it.
    let index = receipt["index"].as_u64().unwrap();
    let receipt_text = {
        let start = Instant::now();
        loop {
            let mut response = ureq::get(format!("{base}/log/receipt/{index}"))
                .config()
                .http_status_as_error(false)
                .build()
                .call()
                .unwrap();
            if response.status() == 200 {
                break response.body_mut().read_to_string().unwrap();
            }
            assert!(start.elapsed() < Duration::from_secs(10));
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let parsed = roundtable_ledger::Receipt::parse(&receipt_text).unwrap();
    assert_eq!(parsed.index, index);
    assert_eq!(receipt["url"], format!("/log/receipt/{index}"));

    // A second answer, and this time he is satisfied: closed for good.
    mutate(&zhang, "respondToIssue", respond).data();
    let closed = mutate(
        &chen,
        "rateIssue",
        json!({"issue": id, "rating": "SATISFIED", "comment": "修好了"}),
    );
    assert_eq!(closed.data()["rateIssue"]["issue"]["status"], "CLOSED");
    let withdraw = mutate(&chen, "withdrawIssue", json!({"issue": id}));
    assert_eq!(withdraw.code(), "CONFLICT");
    let done = issue(&chen, &id);
    assert_eq!(done["responses"].as_array().unwrap().len(), 2);
    assert_eq!(done["clock"], Value::Null);

    // Marking notifications read moves the mark; the count drops to zero.
    let newest = chen
        .query("{ notifications(first: 1) { index } }", json!({}))
        .data()["notifications"][0]["index"]
        .as_u64()
        .unwrap();
    chen.query(
        "mutation($n: Int!) { markNotificationsRead(upTo: $n) }",
        json!({"n": newest + 1}),
    )
    .data();
    let unread = chen.query("{ unreadNotificationCount }", json!({}));
    assert_eq!(unread.data()["unreadNotificationCount"], 0);
}

#[test]
fn deadlines_survive_restarts_without_being_lost_or_repeated() {
    let dir = data_dir();
    let first = {
        let server = serve(dir.path(), &["--demo"]);
        let chen = Client::sign_in(&server.base, CHEN, PASSWORD);
        let first = raised_id(&raise(
            &chen,
            json!({"title": "电梯故障", "description": "7号楼电梯停运", "category": "SAFETY"}),
        ));
        advance(&server.base, 73);
        let marked = wait_for(&chen, &first, |i| i["escalationCount"] == 1);
        assert_eq!(count(&marked, "issue.overdue"), 1);
        first
    };
    // Each start sets the test clock back to real time. This issue is due in 72 h.
    let second = {
        let server = serve(dir.path(), &[]);
        let chen = Client::sign_in(&server.base, CHEN, PASSWORD);
        raised_id(&raise(
            &chen,
            json!({"title": "楼道堆物", "description": "楼道杂物堵塞消防通道", "category": "SAFETY"}),
        ))
    };
    // Up again 80 hours later: the missed deadline is caught up; the first issue's
    // passed deadline is not marked again (its escalated clock is not due yet).
    let server = serve(dir.path(), &[]);
    let chen = Client::sign_in(&server.base, CHEN, PASSWORD);
    advance(&server.base, 80);
    let caught_up = wait_for(&chen, &second, |i| i["escalationCount"] == 1);
    assert_eq!(count(&caught_up, "issue.overdue"), 1, "not lost");
    std::thread::sleep(Duration::from_millis(500));
    let again = issue(&chen, &first);
    assert_eq!(count(&again, "issue.overdue"), 1, "not repeated");
    assert_eq!(again["escalationCount"], 1);
}

#[test]
fn triage_rejects_merges_and_refers_and_the_record_shows_it() {
    let dir = data_dir();
    let server = serve(dir.path(), &["--demo"]);
    let base = &server.base;
    let chen = Client::sign_in(base, CHEN, PASSWORD);
    let zhou = Client::sign_in(base, ZHOU, PASSWORD);
    let zhang = Client::sign_in(base, ZHANG, PASSWORD);
    let grids = places(&chen);

    // Rejection: a coded reason and a public explanation anyone can read.
    let ad = raised_id(&raise(
        &chen,
        json!({"title": "出售二手家具", "description": "有意者联系", "category": "OTHER"}),
    ));
    let missing = mutate(
        &zhang,
        "rejectIssue",
        json!({"issue": ad, "reason": "NOT_ACTIONABLE", "explanation": ""}),
    );
    assert_eq!(missing.code(), "VALIDATION");
    let unknown = mutate(
        &zhang,
        "rejectIssue",
        json!({"issue": ad, "reason": "BORING", "explanation": "x"}),
    );
    assert_eq!(unknown.code(), "VALIDATION");
    let auditor = Client::sign_in(base, AUDITOR, PASSWORD);
    let by_auditor = mutate(
        &auditor,
        "rejectIssue",
        json!({"issue": ad, "reason": "NOT_ACTIONABLE", "explanation": "x"}),
    );
    assert_eq!(by_auditor.code(), "FORBIDDEN");
    let by_resident = mutate(&zhou, "acceptIssue", json!({"issue": ad}));
    assert_eq!(by_resident.code(), "FORBIDDEN");
    mutate(
        &zhang,
        "rejectIssue",
        json!({"issue": ad, "reason": "NOT_ACTIONABLE", "explanation": "个人买卖不属于社区议事范围。"}),
    )
    .data();
    let public = issue(&Client::anonymous(base), &ad);
    assert_eq!(public["status"], "REJECTED");
    assert_eq!(public["rejection"]["reason"], "NOT_ACTIONABLE");
    assert_eq!(
        public["rejection"]["explanation"],
        "个人买卖不属于社区议事范围。"
    );

    // Merge: the duplicate's supporter is told and may carry support over.
    let original = raised_id(&raise(
        &chen,
        json!({"title": "健身器材损坏", "description": "小广场健身器材螺丝松动", "category": "SAFETY"}),
    ));
    let duplicate = raised_id(&raise(
        &zhou,
        json!({"title": "广场健身器材坏了", "description": "器材松动有危险", "category": "SAFETY"}),
    ));
    mutate(&chen, "cosignIssue", json!({"issue": duplicate})).data();
    let into_self = mutate(
        &zhang,
        "mergeIssue",
        json!({"issue": duplicate, "into": duplicate}),
    );
    assert_eq!(into_self.code(), "VALIDATION");
    let merged = mutate(
        &zhang,
        "mergeIssue",
        json!({"issue": duplicate, "into": original}),
    );
    assert_eq!(merged.data()["mergeIssue"]["issue"]["status"], "MERGED");
    assert_eq!(
        issue(&chen, &duplicate)["mergedInto"]["id"],
        original.as_str()
    );
    assert_eq!(
        issue(&chen, &original)["mergedFrom"][0]["id"],
        duplicate.as_str()
    );
    let told = chen.query("{ notifications { type issue { id } } }", json!({}));
    assert!(
        told.data()["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "issue.merged" && n["issue"]["id"] == duplicate.as_str()),
        "{:#}",
        told.body
    );
    assert_eq!(
        mutate(
            &zhang,
            "mergeIssue",
            json!({"issue": original, "into": duplicate})
        )
        .code(),
        "CONFLICT",
        "nothing merges into a merged issue"
    );

    // Referral back and forth: the count shows the bouncing.
    let bounced = raised_id(&raise(
        &chen,
        json!({"title": "邻居装修噪音", "description": "夜间施工", "category": "NEIGHBOUR_DISPUTE"}),
    ));
    // 王强 serves the whole community, so both grids.
    let wang = Client::sign_in(base, "13900000004", PASSWORD);
    for to in ["银网社区第二网格", "银网社区第一网格"] {
        mutate(
            &wang,
            "referIssue",
            json!({"issue": bounced, "to": grids[to], "note": "不属本网格"}),
        )
        .data();
    }
    let referred = issue(&chen, &bounced);
    assert_eq!(referred["referralCount"], 2);
    assert_eq!(referred["jurisdiction"]["name"], "银网社区第一网格");
    assert_eq!(referred["clock"]["stage"], "TRIAGE");
    // The dashboard lists exactly the issues referred more than once.
    let bouncing = chen.query(
        "{ issues(filter: {referredMoreThanOnce: true}, first: 50) { nodes { id referralCount } } }",
        json!({}),
    );
    let bouncing = bouncing.data()["issues"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(bouncing.iter().any(|i| i["id"] == bounced.as_str()));
    assert!(
        bouncing
            .iter()
            .all(|i| i["referralCount"].as_u64() > Some(1))
    );

    // The raiser withdraws an issue of theirs; nobody else can.
    let mine = raised_id(&raise(
        &zhou,
        json!({"title": "宠物扰民", "description": "楼下狗叫", "category": "NEIGHBOUR_DISPUTE"}),
    ));
    assert_eq!(
        mutate(&chen, "withdrawIssue", json!({"issue": mine})).code(),
        "FORBIDDEN"
    );
    mutate(
        &zhou,
        "withdrawIssue",
        json!({"issue": mine, "reason": "已和邻居沟通"}),
    )
    .data();
    assert_eq!(issue(&zhou, &mine)["withdrawalReason"], "已和邻居沟通");

    // Search and filters: Chinese without spaces, English words, status, category, mine.
    let search = |client: &Client, filter: Value, order: &str| -> Vec<String> {
        client
            .query(
                "query($f: IssueFilterInput, $o: IssueOrder) { issues(filter: $f, order: $o, first: 100) { edges { node { id current { title } } } } }",
                json!({"f": filter, "o": order}),
            )
            .data()["issues"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["current"]["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        search(&chen, json!({"text": "健身器材"}), "NEWEST"),
        ["广场健身器材坏了", "健身器材损坏"]
    );
    assert_eq!(
        search(&chen, json!({"text": "停水"}), "MOST_SUPPORTED")[0],
        "银网小区3号楼常年停水"
    );
    assert_eq!(
        search(
            &chen,
            json!({"status": ["REJECTED"], "within": grids["银网社区"]}),
            "NEWEST"
        ),
        ["出售二手家具", "3号楼又停水了"]
    );
    assert_eq!(
        search(
            &chen,
            json!({"category": "NEIGHBOUR_DISPUTE", "raisedByMe": true}),
            "NEWEST"
        ),
        ["邻居装修噪音"]
    );
    assert_eq!(
        search(&chen, json!({"cosignedByMe": true}), "NEWEST"),
        ["广场健身器材坏了"]
    );
    assert_eq!(
        search(&chen, json!({"within": grids["兀术街社区"]}), "NEWEST"),
        Vec::<String>::new()
    );
    let overdue = search(&chen, json!({"overdue": true}), "MOST_OVERDUE");
    assert_eq!(
        overdue,
        ["5号楼下水道堵塞返味"],
        "the demo's escalated drain"
    );
    let english = raised_id(&raise(
        &chen,
        json!({"title": "Broken street light", "description": "The light at gate 2 is out", "category": "SAFETY"}),
    ));
    assert_eq!(
        search(&chen, json!({"text": "STREET light"}), "NEWEST"),
        ["Broken street light"]
    );
    let anonymous_mine = Client::anonymous(base).query(
        "{ issues(filter: {raisedByMe: true}) { edges { node { id } } } }",
        json!({}),
    );
    assert_eq!(anonymous_mine.code(), "UNAUTHENTICATED");
    let _ = english;

    // Statistics from the log: the demo's history plus this test's issues.
    let stats = chen.query(
        "query($id: String!) { jurisdictionStats(id: $id, from: \"2020-01-01T00:00:00.000Z\", to: \"2100-01-01T00:00:00.000Z\") {
            total { raised triaged respondedOnTime resolved rated satisfactionRate referredMoreThanOnce medianHoursToResponse }
            children { name raised } councils { name raised } } }",
        json!({"id": grids["银网社区"]}),
    );
    let s = &stats.data()["jurisdictionStats"];
    assert_eq!(s["total"]["resolved"], 1, "the demo's street light");
    assert_eq!(s["total"]["satisfactionRate"], 1.0);
    assert_eq!(s["total"]["referredMoreThanOnce"], 1);
    assert!(s["total"]["raised"].as_u64().unwrap() >= 10);
    let grid1 = s["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "银网社区第一网格")
        .unwrap();
    assert!(grid1["raised"].as_u64().unwrap() >= 8);
    assert!(
        s["councils"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "红旗街道议事协商会")
    );
    let bad = chen.query(
        "{ jurisdictionStats(id: \"j_x\", from: \"yesterday\", to: \"today\") { total { raised } } }",
        json!({}),
    );
    assert_eq!(bad.code(), "VALIDATION");

    // Suggestions before raising, and what bad arguments get.
    let like = chen.query(
        "{ similarIssues(title: \"健身器材坏了\", first: 500) { similarity issue { current { title } } } }",
        json!({}),
    );
    assert_eq!(
        like.data()["similarIssues"][0]["issue"]["current"]["title"],
        "健身器材损坏",
        "the merged duplicate is no longer suggested"
    );
    for (query, code) in [
        (
            "{ similarIssues(title: \"x\", jurisdiction: \"../x\") { similarity } }",
            "VALIDATION",
        ),
        ("{ notifications(first: 0) { index } }", "VALIDATION"),
        (
            "{ issues(after: \"m_1\") { edges { cursor } } }",
            "VALIDATION",
        ),
        ("{ issues(first: 101) { edges { cursor } } }", "VALIDATION"),
    ] {
        assert_eq!(chen.query(query, json!({})).code(), code, "{query}");
    }
    let anon = Client::anonymous(base);
    assert_eq!(
        anon.query("{ notifications { index } }", json!({})).code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        anon.query("mutation { markNotificationsRead(upTo: 5) }", json!({}))
            .code(),
        "UNAUTHENTICATED"
    );
}

#[test]
fn photos_are_checked_by_content_and_named_by_hash() {
    let dir = data_dir();
    let server = serve(dir.path(), &["--demo"]);
    let base = &server.base;
    let chen = Client::sign_in(base, CHEN, PASSWORD);
    let token = chen.bearer.clone().unwrap();
    let upload = |bytes: Vec<u8>, auth: bool| {
        let mut request = ureq::post(format!("{base}/photos"))
            .config()
            .http_status_as_error(false)
            .build();
        if auth {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let mut response = request.send(&bytes[..]).unwrap();
        let status = response.status().as_u16();
        let body: Value =
            serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
        (status, body)
    };
    // A real 1×1 PNG: uploads are decoded in full and encoded again.
    let png = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    )
    .unwrap();
    assert_eq!(upload(png.clone(), false).0, 401);
    let (status, body) = upload(png.clone(), true);
    assert_eq!(status, 200, "{body}");
    let hash = body["hash"].as_str().unwrap().to_owned();
    assert_eq!(body["type"], "image/png");
    let (status, body) = upload(b"GIF89a not accepted".to_vec(), true);
    assert_eq!((status, body["code"].as_str()), (400, Some("VALIDATION")));
    assert_eq!(
        (&body["reason"], &body["field"]),
        (&json!("PHOTO_NOT_IMAGE"), &json!("photo"))
    );
    let (status, body) = upload(vec![0xFF; 5 * 1024 * 1024 + 1], true);
    assert_eq!((status, body["code"].as_str()), (400, Some("VALIDATION")));
    assert_eq!(
        (&body["reason"], &body["params"]),
        (&json!("PHOTO_TOO_LARGE"), &json!({"mib": "5"}))
    );

    let mut served = ureq::get(format!("{base}/photos/{hash}")).call().unwrap();
    assert_eq!(
        served
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap(),
        "image/png"
    );
    let stored = served.body_mut().read_to_vec().unwrap();
    assert!(stored.starts_with(b"\x89PNG"), "stored as a PNG");
    assert_eq!(
        format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&stored)),
        hash,
        "named by the stored bytes' hash"
    );

    let with_photo = raise(
        &chen,
        json!({"title": "井盖缺失", "description": "路口井盖丢失", "category": "ROADS", "photos": [hash]}),
    );
    let id = raised_id(&with_photo);
    assert_eq!(issue(&chen, &id)["photos"][0]["hash"], hash.as_str());
    let six = raise(
        &chen,
        json!({"title": "t", "description": "d", "category": "ROADS", "photos": [hash, hash, hash, hash, hash, hash]}),
    );
    assert_eq!(six.code(), "VALIDATION");
    let never = raise(
        &chen,
        json!({"title": "t", "description": "d", "category": "ROADS", "photos": ["ab".repeat(32)]}),
    );
    assert_eq!(never.code(), "VALIDATION");

    // A grid worker takes down a paper form: its photo is required.
    let zhang = Client::sign_in(base, ZHANG, PASSWORD);
    let zhou_id = Client::sign_in(base, ZHOU, PASSWORD).me();
    let paper = |photos: Value| {
        raise(
            &zhang,
            json!({"title": "纸质意见表", "description": "居民手写反映排水问题", "category": "DRAINAGE",
                   "onBehalfOf": zhou_id, "channel": "PAPER", "photos": photos}),
        )
    };
    assert_eq!(paper(json!([])).code(), "VALIDATION");
    let taken = paper(json!([hash]));
    let paper_issue = issue(&zhang, &raised_id(&taken));
    assert_eq!(paper_issue["status"], "OPEN");
}

#[test]
fn each_member_raises_at_a_bounded_rate() {
    let dir = data_dir();
    let server = serve(dir.path(), &["--demo", "--raises-per-hour", "2"]);
    let chen = Client::sign_in(&server.base, CHEN, PASSWORD);
    let input =
        |n: u32| json!({"title": format!("问题{n}"), "description": "d", "category": "OTHER"});
    raise(&chen, input(1)).data();
    raise(&chen, input(2)).data();
    let size = chen.log_size();
    let third = raise(&chen, input(3));
    assert_eq!(third.code(), "RATE_LIMITED");
    assert!(
        third.body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(chen.log_size(), size, "nothing appended");
    let zhou = Client::sign_in(&server.base, ZHOU, PASSWORD);
    raise(&zhou, input(4)).data();
}

#[test]
fn the_test_clock_takes_whole_hours_and_exists_only_when_asked_for() {
    let status = |base: &str, query: &str| {
        ureq::post(format!("{base}/_test/clock{query}"))
            .config()
            .http_status_as_error(false)
            .build()
            .send_empty()
            .unwrap()
            .status()
            .as_u16()
    };
    let dir = data_dir();
    let server = serve(dir.path(), &[]);
    assert_eq!(status(&server.base, "?advanceHours=1"), 200);
    assert_eq!(status(&server.base, "?advanceHours=soon"), 400);
    assert_eq!(status(&server.base, ""), 400);
    drop(server);
    let plain = support::start_with(dir.path(), &[]);
    assert_eq!(status(&plain.base, "?advanceHours=1"), 404);
}

#[test]
fn two_hundred_residents_cosigning_at_once_all_land_exactly_once() {
    const RESIDENTS: usize = 200;
    let dir = data_dir();
    let server = serve(
        dir.path(),
        &["--demo", "--registrations-per-address-per-hour", "1000"],
    );
    let base = server.base.clone();
    let anon = Client::anonymous(&base);
    let grid1 = places(&anon)["银网社区第一网格"].clone();
    let zhang = Client::sign_in(&base, ZHANG, PASSWORD);

    // Register, verify and sign in 200 neighbours (8 at a time: Argon2 is slow on purpose).
    let phones: Vec<String> = (0..RESIDENTS).map(|n| format!("1370000{n:04}")).collect();
    let clients: Vec<Client> = std::thread::scope(|scope| {
        let chunks: Vec<_> = phones
            .chunks(RESIDENTS / 8)
            .map(|chunk| {
                let (base, grid1, zhang) = (&base, &grid1, &zhang);
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|phone| {
                            let anon = Client::anonymous(base);
                            let registered = anon.query(
                                "mutation($i: RegisterResidentInput!) { registerResident(input: $i) { member { id } } }",
                                json!({"i": {"displayName": format!("邻居{phone}"), "phone": phone, "password": "a long password", "homeGrid": grid1}}),
                            );
                            registered.data();
                            // Registration names nobody: the resident signs in to learn their id.
                            let resident = Client::sign_in(base, phone, "a long password");
                            zhang
                                .query(
                                    "mutation($m: String!) { verifyResident(input: {member: $m}) { indexes } }",
                                    json!({"m": resident.me()}),
                                )
                                .data();
                            resident
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let chen = Client::sign_in(&base, CHEN, PASSWORD);
    let id = raised_id(&raise(
        &chen,
        json!({"title": "加装电梯", "description": "老楼加装电梯", "category": "ELDERLY_CARE"}),
    ));
    let before = chen.log_size();

    let barrier = std::sync::Barrier::new(RESIDENTS);
    let receipts: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = clients
            .iter()
            .map(|client| {
                let (barrier, id) = (&barrier, &id);
                scope.spawn(move || {
                    barrier.wait();
                    let reply = mutate(
                        client,
                        "cosignIssue",
                        json!({"issue": id, "idempotencyKey": "cosign-once"}),
                    );
                    reply.data()["cosignIssue"]["receipt"]["index"]
                        .as_u64()
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let distinct: std::collections::BTreeSet<u64> = receipts.iter().copied().collect();
    assert_eq!(distinct.len(), RESIDENTS, "one event per co-signature");
    let after = issue(&chen, &id);
    assert_eq!(after["cosignerCount"], RESIDENTS);
    assert_eq!(count(&after, "issue.cosigned"), RESIDENTS);
    assert_eq!(count(&after, "issue.threshold_reached"), 1);
    // 200 co-signatures and one threshold event; nothing else.
    assert_eq!(chen.log_size(), before + RESIDENTS as u64 + 1);

    // A retry with the same key appends nothing; a second co-signature is refused.
    let retry = mutate(
        &clients[0],
        "cosignIssue",
        json!({"issue": id, "idempotencyKey": "cosign-once"}),
    );
    assert_eq!(retry.data()["cosignIssue"]["receipt"]["index"], receipts[0]);
    assert_eq!(
        mutate(&clients[0], "cosignIssue", json!({"issue": id})).code(),
        "CONFLICT"
    );
    assert_eq!(chen.log_size(), before + RESIDENTS as u64 + 1);
}
