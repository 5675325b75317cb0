//! People, places and power, through the real binary and GraphQL over HTTP:
//! registration, verification, sign-in, roles, council rules, erasure, bad input,
//! and who may do what.

mod support;

use std::collections::BTreeMap;

use serde_json::{Value, json};
use support::accounts::{
    ADMIN, AUDITOR, CHAIR, GRID_WORKER_GRID1, GRID_WORKER_WUZHU, GRID_WORKER_YINWANG, PASSWORD,
    UNVERIFIED_RESIDENT, VERIFIED_RESIDENT,
};
use support::graphql::{Client, Reply};
use support::{data_arg, demo, roundtable, start_with};

fn places(client: &Client) -> BTreeMap<String, String> {
    client.places()
}

fn council_id(client: &Client, name: &str) -> String {
    client.councils()[name].clone()
}

const REGISTER: &str = "mutation($i: RegisterResidentInput!) { registerResident(input: $i) { member { id verified } indexes } }";

fn register(client: &Client, name: &str, phone: &str, grid: &str) -> Reply {
    client.query(
        REGISTER,
        json!({"i": {"displayName": name, "phone": phone, "password": "a long password", "homeGrid": grid}}),
    )
}

const VERIFY: &str = "mutation($m: String!) { verifyResident(input: {member: $m}) { member { verified verifiedBy { displayName } } indexes } }";

#[test]
fn a_resident_registers_signs_in_and_is_verified_by_a_grid_worker_in_scope() {
    let (_dir, server) = demo(&[]);
    let anon = Client::anonymous(&server.base);
    let grids = places(&anon);
    let size = anon.log_size();
    let reply = register(&anon, "林阿姨", "138 0000 0001", &grids["银网社区第二网格"]);
    // The answer names nobody: it is the same for a phone that has an account.
    assert_eq!(
        reply.data()["registerResident"],
        json!({"member": null, "indexes": []})
    );
    assert_eq!(anon.log_size(), size + 1, "one registration recorded");
    let again = register(
        &anon,
        "林阿姨二号",
        "13800000001",
        &grids["银网社区第一网格"],
    );
    assert_eq!(
        again.body, reply.body,
        "an existing phone gets the same answer"
    );
    assert_eq!(anon.log_size(), size + 1, "and nothing is recorded");

    // Read your own writes: the new resident signs in at once and sees themself.
    let resident = Client::sign_in(&server.base, "13800000001", "a long password");
    let member = resident.me();
    let me = resident.query(
        "{ me { member { id displayName phone verified homeGrid { name ancestors { name } } } } }",
        json!({}),
    );
    let me = &me.data()["me"]["member"];
    assert_eq!(me["id"], member.as_str());
    assert_eq!(me["displayName"], "林阿姨");
    assert_eq!(me["phone"], "13800000001");
    assert_eq!(me["homeGrid"]["name"], "银网社区第二网格");
    let ancestors: Vec<&str> = me["homeGrid"]["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(ancestors, ["铁岭市", "银州区", "红旗街道", "银网社区"]);

    // The grid worker of grid 1 does not serve grid 2, nor does 兀术街's.
    let size = anon.log_size();
    for outsider in [GRID_WORKER_GRID1, GRID_WORKER_WUZHU] {
        let c = Client::sign_in(&server.base, outsider, PASSWORD);
        assert_eq!(c.query(VERIFY, json!({"m": member})).code(), "FORBIDDEN");
    }
    assert_eq!(anon.log_size(), size, "a refused command changes nothing");
    let worker = Client::sign_in(&server.base, GRID_WORKER_YINWANG, PASSWORD);
    let reply = worker.query(VERIFY, json!({"m": member}));
    assert_eq!(reply.data()["verifyResident"]["member"]["verified"], true);
    assert_eq!(
        reply.data()["verifyResident"]["member"]["verifiedBy"]["displayName"],
        "王强"
    );
    assert_eq!(
        worker.query(VERIFY, json!({"m": member})).code(),
        "CONFLICT"
    );

    // The grid worker sees the phone of a resident they serve; the auditor does not.
    let q = "query($m: String!) { member(id: $m) { phone displayName } }";
    assert_eq!(
        worker.query(q, json!({"m": member})).data()["member"]["phone"],
        "13800000001"
    );
    let auditor = Client::sign_in(&server.base, AUDITOR, PASSWORD);
    let seen = auditor.query(q, json!({"m": member}));
    assert_eq!(seen.data()["member"]["phone"], Value::Null);
    assert_eq!(seen.data()["member"]["displayName"], "林阿姨");
}

#[test]
fn bad_input_gets_its_code_and_changes_nothing() {
    let (_dir, server) = demo(&[]);
    let anon = Client::anonymous(&server.base);
    let grids = places(&anon);
    let grid = &grids["银网社区第一网格"];
    let size = anon.log_size();
    let cases: Vec<(&str, Reply, &str, Option<&str>)> = vec![
        ("empty name", register(&anon, "  ", "13800000002", grid), "VALIDATION", Some("displayName")),
        ("oversized name", register(&anon, &"名".repeat(41), "13800000002", grid), "VALIDATION", Some("displayName")),
        ("malformed phone", register(&anon, "林", "138-abc", grid), "VALIDATION", Some("phone")),
        ("unknown jurisdiction", register(&anon, "林", "13800000002", "j_nowhere"), "NOT_FOUND", None),
        ("not a grid", register(&anon, "林", "13800000002", &grids["银网社区"]), "VALIDATION", Some("homeGrid")),
        ("malformed id", register(&anon, "林", "13800000002", "../etc"), "VALIDATION", Some("jurisdiction")),
        (
            "short password",
            anon.query(REGISTER, json!({"i": {"displayName": "林", "phone": "13800000002", "password": "short", "homeGrid": grid}})),
            "VALIDATION",
            Some("password"),
        ),
        (
            "over-deep query",
            anon.query(r#"{ jurisdiction(id: "j_x") { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } } }"#, json!({})),
            "VALIDATION",
            None,
        ),
        ("syntax error", anon.raw(r#"{"query": "{ me { "}"#), "VALIDATION", None),
        (
            "lists that lead back to themselves",
            anon.query("{ jurisdictionTree { children { children { children { children { name } } } } } }", json!({})),
            "QUERY_TOO_COSTLY",
            None,
        ),
        ("signed-out change", anon.query(VERIFY, json!({"m": "m_x"})), "UNAUTHENTICATED", None),
    ];
    for (what, reply, code, field) in &cases {
        assert_eq!(reply.code(), *code, "{what}: {}", reply.body);
        if let Some(field) = field {
            assert_eq!(
                reply.body["errors"][0]["extensions"]["field"], *field,
                "{what}"
            );
        }
        assert!(reply.status < 500, "{what}: status {}", reply.status);
    }
    assert_eq!(anon.log_size(), size, "no bad input appended anything");

    // Oversized body: refused before GraphQL sees it.
    let huge = json!({"query": "{ logSize }", "pad": "x".repeat(300 * 1024)}).to_string();
    match anon.status_of(&huge) {
        Ok(status) => assert_eq!(status, 413),
        Err(e) => assert!(e.contains("pipe") || e.contains("reset"), "{e}"),
    }

    // Query arguments: page sizes and ids are checked too.
    for (query, field) in [
        (
            "{ jurisdictions(first: 500) { edges { cursor } } }",
            "first",
        ),
        ("{ councils(first: 0) { edges { cursor } } }", "first"),
        ("{ jurisdiction(id: \"../x\") { name } }", "jurisdiction"),
        ("{ issue(id: \"m_1\") { id } }", "issue"),
        (
            "{ issues(filter: {within: \"nowhere\"}) { edges { cursor } } }",
            "jurisdiction",
        ),
    ] {
        let reply = anon.query(query, json!({}));
        assert_eq!(reply.code(), "VALIDATION", "{query}: {}", reply.body);
        assert_eq!(
            reply.body["errors"][0]["extensions"]["field"], field,
            "{query}"
        );
    }
    let bad_flag = roundtable(&["serve", "--data", "/nonexistent", "--session-hours", "soon"]);
    assert_eq!(
        bad_flag.status.code(),
        Some(2),
        "clap refuses a malformed flag"
    );

    // Unknown phone and wrong password: one indistinguishable answer.
    let sign_in = "mutation($p: String!, $w: String!) { signIn(input: {phone: $p, password: $w}) { csrfToken } }";
    let unknown = anon.query(sign_in, json!({"p": "13711111111", "w": PASSWORD}));
    let wrong = anon.query(sign_in, json!({"p": CHAIR, "w": "not the password"}));
    assert_eq!(unknown.code(), "UNAUTHENTICATED");
    assert_eq!(
        (unknown.code(), unknown.message()),
        (wrong.code(), wrong.message())
    );

    // A session token that names no session is refused for changes.
    let forged = Client {
        bearer: Some("forged".into()),
        ..Client::anonymous(&server.base)
    };
    assert_eq!(
        forged.query("{ me { csrfToken } }", json!({})).data()["me"],
        Value::Null
    );
    let r = forged.query(REGISTER, json!({"i": {"displayName": "林", "phone": "13800000003", "password": "a long password", "homeGrid": grid}}));
    assert_eq!(r.code(), "UNAUTHENTICATED");
    assert_eq!(anon.log_size(), size);
}

#[test]
fn sessions_expire() {
    let (_dir, server) = demo(&["--session-hours", "0"]);
    let client = Client::sign_in(&server.base, ADMIN, PASSWORD);
    assert_eq!(
        client.query("{ me { csrfToken } }", json!({})).data()["me"],
        Value::Null
    );
    let r = client.query(
        "mutation { createJurisdiction(input: {kind: CITY, name: \"开原市\"}) { indexes } }",
        json!({}),
    );
    assert_eq!(r.code(), "UNAUTHENTICATED");
    assert!(r.message().contains("expired"), "{}", r.message());
}

#[test]
fn browser_sessions_use_http_only_cookies_and_csrf_tokens() {
    let (_dir, server) = demo(&[]);
    let anon = Client::anonymous(&server.base);
    let reply = anon.query(
        "mutation($p: String!, $w: String!) { signIn(input: {phone: $p, password: $w}) { csrfToken token } }",
        json!({"p": ADMIN, "w": PASSWORD}),
    );
    assert_eq!(
        reply.data()["signIn"]["token"],
        Value::Null,
        "no token for browsers"
    );
    let csrf = reply.data()["signIn"]["csrfToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = reply
        .set_cookies
        .iter()
        .find(|c| c.starts_with("rt_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain HTTP: no Secure flag");
    let pairs: Vec<&str> = reply
        .set_cookies
        .iter()
        .map(|c| c.split(';').next().unwrap())
        .collect();
    let browser = Client {
        cookie: Some(pairs.join("; ")),
        ..Client::anonymous(&server.base)
    };
    assert_eq!(
        browser.query("{ me { csrfToken } }", json!({})).data()["me"]["csrfToken"],
        csrf.as_str()
    );

    let create = "mutation { createJurisdiction(input: {kind: CITY, name: \"开原市\"}) { jurisdiction { name } } }";
    let size = anon.log_size();
    assert_eq!(
        browser.query(create, json!({})).code(),
        "FORBIDDEN",
        "no CSRF header"
    );
    let wrong = Client {
        csrf: Some("guess".into()),
        cookie: browser.cookie.clone(),
        ..Client::anonymous(&server.base)
    };
    assert_eq!(wrong.query(create, json!({})).code(), "FORBIDDEN");
    assert_eq!(anon.log_size(), size);
    let right = Client {
        csrf: Some(csrf),
        cookie: browser.cookie.clone(),
        ..Client::anonymous(&server.base)
    };
    assert_eq!(
        right.query(create, json!({})).data()["createJurisdiction"]["jurisdiction"]["name"],
        "开原市"
    );

    let out = right.query("mutation { signOut { signedOut } }", json!({}));
    assert_eq!(out.data()["signOut"]["signedOut"], true);
    assert!(
        out.set_cookies
            .iter()
            .any(|c| c.starts_with("rt_session=;") && c.contains("Max-Age=0"))
    );
    assert_eq!(
        right.query("{ me { csrfToken } }", json!({})).data()["me"],
        Value::Null
    );

    // Behind a TLS proxy the cookie is Secure.
    let tls = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut r = tls
        .post(format!("{}/graphql", server.base))
        .header("content-type", "application/json")
        .header("x-forwarded-proto", "https")
        .send(json!({"query": format!("mutation {{ signIn(input: {{phone: \"{ADMIN}\", password: \"{PASSWORD}\"}}) {{ csrfToken }} }}")}).to_string())
        .unwrap();
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let _ = r.body_mut().read_to_string();
    assert!(
        cookies.iter().all(|c| c.contains("; Secure")),
        "{cookies:?}"
    );
}

#[test]
fn sign_in_is_throttled_per_account_with_back_off() {
    let (_dir, server) = demo(&[]);
    let anon = Client::anonymous(&server.base);
    let sign_in = "mutation($w: String!) { signIn(input: {phone: \"13900000012\", password: $w}) { csrfToken } }";
    for _ in 0..5 {
        assert_eq!(
            anon.query(sign_in, json!({"w": "wrong password"})).code(),
            "UNAUTHENTICATED"
        );
    }
    anon.query(sign_in, json!({"w": "wrong password"}));
    let limited = anon.query(sign_in, json!({"w": PASSWORD}));
    assert_eq!(
        limited.code(),
        "RATE_LIMITED",
        "even the right password waits"
    );
    assert!(
        limited.body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // Another account is not locked by this one's failures.
    Client::sign_in(&server.base, ADMIN, PASSWORD);
}

const GRANT: &str = "mutation($m: String!, $r: RoleInput!, $why: String!) { grantRole(input: {member: $m, role: $r, reason: $why}) { member { roles { kind jurisdiction { name } } } indexes } }";
const REVOKE: &str = "mutation($m: String!, $r: RoleInput!, $why: String!) { revokeRole(input: {member: $m, role: $r, reason: $why}) { member { roles { kind } } } }";
const RULES: &str = "mutation($c: String!, $t: Int!) { changeCouncilRules(input: {council: $c, reason: \"更大的小区\", rules: {quorumNumerator: 1, quorumDenominator: 2, defaultMajority: SIMPLE_MAJORITY, noticeHours: 48, cosignThreshold: $t, triageHours: 72, responseHours: 360, secondsRequired: true, proxiesPerMember: 1}}) { council { rules { hash cosignThreshold } rulesHistory { hash since } } indexes } }";

#[test]
fn roles_are_granted_and_revoked_and_rules_change_as_versioned_events() {
    let (_dir, server) = demo(&[]);
    let admin = Client::sign_in(&server.base, ADMIN, PASSWORD);
    let grids = places(&admin);

    // Invite a staff member, who signs in with the one-time password and changes it.
    let invited = admin.query(
        "mutation { inviteStaff(input: {displayName: \"高网格员\", phone: \"13700000001\", reason: \"新聘网格员\"}) { member { id kind roles { kind } } temporaryPassword } }",
        json!({}),
    );
    let staff = invited.data()["inviteStaff"]["member"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let temporary = invited.data()["inviteStaff"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let newcomer = Client::sign_in(&server.base, "13700000001", &temporary);
    let changed = newcomer.query(
        "mutation($c: String!) { changePassword(input: {currentPassword: $c, newPassword: \"my own password\"}) { changed } }",
        json!({"c": temporary}),
    );
    assert_eq!(changed.data()["changePassword"]["changed"], true);
    Client::sign_in(&server.base, "13700000001", "my own password");

    let role = json!({"kind": "GRID_WORKER", "jurisdiction": grids["银网社区第三网格"]});
    let granted = admin.query(GRANT, json!({"m": staff, "r": role, "why": "负责第三网格"}));
    assert_eq!(
        granted.data()["grantRole"]["member"]["roles"][0]["jurisdiction"]["name"],
        "银网社区第三网格"
    );
    assert_eq!(
        admin
            .query(GRANT, json!({"m": staff, "r": role, "why": "again"}))
            .code(),
        "CONFLICT"
    );
    let resident = Client::sign_in(&server.base, VERIFIED_RESIDENT, PASSWORD);
    assert_eq!(
        resident
            .query(
                GRANT,
                json!({"m": staff, "r": {"kind": "ADMINISTRATOR"}, "why": "me"})
            )
            .code(),
        "FORBIDDEN"
    );
    let revoked = admin.query(REVOKE, json!({"m": staff, "r": role, "why": "调岗"}));
    assert_eq!(revoked.data()["revokeRole"]["member"]["roles"], json!([]));

    // The chair changes the rules: a new version with a new hash; the old one is kept.
    let council = council_id(&admin, "银网社区圆桌议事会");
    let chair = Client::sign_in(&server.base, CHAIR, PASSWORD);
    let reply = chair.query(RULES, json!({"c": council, "t": 25}));
    let c = &reply.data()["changeCouncilRules"]["council"];
    assert_eq!(c["rules"]["cosignThreshold"], 25);
    let history = c["rulesHistory"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["hash"], c["rules"]["hash"]);
    assert_ne!(history[0]["hash"], history[1]["hash"]);
    assert_eq!(
        chair.query(RULES, json!({"c": council, "t": 25})).code(),
        "CONFLICT"
    );
    let other_council = council_id(&admin, "兀术街街道议事会");
    assert_eq!(
        chair
            .query(RULES, json!({"c": other_council, "t": 30}))
            .code(),
        "FORBIDDEN"
    );

    // A seat given afterwards cites the new rules' hash, in the leaf itself.
    let seat = chair.query(
        "mutation($c: String!, $m: String!) { seatCouncilMember(input: {council: $c, member: $m, seat: MEMBER, voting: true, reason: \"居民代表\"}) { indexes } }",
        json!({"c": council, "m": resident.me()}),
    );
    let index = seat.data()["seatCouncilMember"]["indexes"][0]
        .as_u64()
        .unwrap();
    let text = ureq::get(format!("{}/log/entries/{index}", server.base))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(
        text.contains(c["rules"]["hash"].as_str().unwrap()),
        "{text}"
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let verify = roundtable(&["audit", "verify", "--url", &server.base]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[test]
fn erasure_removes_personal_data_everywhere_and_the_log_still_verifies() {
    let (dir, server) = demo(&[]);
    let resident = Client::sign_in(&server.base, VERIFIED_RESIDENT, PASSWORD);
    let me = resident.me();
    let mine = resident.query("{ myData }", json!({}));
    let data = &mine.data()["myData"];
    assert_eq!(data["personalData"]["phone"], VERIFIED_RESIDENT);
    let kinds: Vec<&str> = data["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["leaf"]["type"].as_str().unwrap())
        .collect();
    // The demo's story: she raised two issues and co-signed the water problem, and
    // asked for mediation twice (the leak: a session she attended, the agreement she
    // confirmed; the parking quarrel), and asked for a 居住证明, which she rated.
    assert_eq!(
        kinds,
        [
            "member.registered",
            "member.verified",
            "issue.raised",
            "issue.cosigned",
            "issue.raised",
            "dispute.raised",
            "dispute.session_held",
            "dispute.agreement_confirmed",
            "dispute.raised",
            "service_request.opened",
            "service_request.rated"
        ]
    );
    let water_query = "{ issues(filter: {text: \"常年停水\"}) { edges { node { cosignerCount timeline { type actorName } } } } }";
    let water = |client: &Client| {
        client.query(water_query, json!({})).data()["issues"]["edges"][0]["node"].clone()
    };
    let before = water(&resident);

    // Someone else may not erase them; they may erase themself.
    let worker = Client::sign_in(&server.base, GRID_WORKER_GRID1, PASSWORD);
    let erase = "mutation($m: String!) { eraseMember(input: {member: $m, reason: \"本人申请注销\"}) { member { displayName erased phone } indexes } }";
    assert_eq!(worker.query(erase, json!({"m": me})).code(), "FORBIDDEN");
    let reply = resident.query(erase, json!({"m": me}));
    let erased = &reply.data()["eraseMember"]["member"];
    assert_eq!(erased["erased"], true);
    assert_eq!(erased["displayName"], "(erased)");

    let admin = Client::sign_in(&server.base, ADMIN, PASSWORD);
    let seen = admin.query(
        "query($m: String!) { member(id: $m) { displayName phone erased } }",
        json!({"m": me}),
    );
    assert_eq!(
        seen.data()["member"],
        json!({"displayName": "(erased)", "phone": null, "erased": true})
    );
    assert_eq!(admin.query(erase, json!({"m": me})).code(), "NOT_FOUND");
    // Her co-signature still counts, and shows as erased.
    let after = water(&admin);
    assert_eq!(after["cosignerCount"], before["cosignerCount"]);
    let names: Vec<&str> = after["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "issue.cosigned")
        .map(|e| e["actorName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"(erased)"), "{names:?}");
    let anon = Client::anonymous(&server.base);
    let sign_in = anon.query(
        "mutation($p: String!, $w: String!) { signIn(input: {phone: $p, password: $w}) { csrfToken } }",
        json!({"p": VERIFIED_RESIDENT, "w": PASSWORD}),
    );
    assert_eq!(
        sign_in.code(),
        "UNAUTHENTICATED",
        "the session and credentials are gone"
    );
    assert_eq!(
        resident.query("{ me { csrfToken } }", json!({})).data()["me"],
        Value::Null
    );

    // The record still verifies, and no file of the data directory holds the phone.
    let url = server.base.clone();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let verify = roundtable(&["audit", "verify", "--url", &url]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    drop(server);
    let mut files = vec![dir.path().to_owned()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let needle = VERIFIED_RESIDENT.as_bytes();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }
    // Restarting rebuilds the read models from the log: still erased.
    let server = start_with(dir.path(), &[]);
    let admin = Client::sign_in(&server.base, ADMIN, PASSWORD);
    let seen = admin.query(
        "query($m: String!) { member(id: $m) { displayName erased } }",
        json!({"m": me}),
    );
    assert_eq!(
        seen.data()["member"],
        json!({"displayName": "(erased)", "erased": true})
    );
}

#[test]
fn the_authorization_table_holds_over_http() {
    let (_dir, server) = demo(&["--registrations-per-address-per-hour", "1000"]);
    let admin = Client::sign_in(&server.base, ADMIN, PASSWORD);
    let grids = places(&admin);
    let council = council_id(&admin, "银网社区圆桌议事会");
    let actors: Vec<(&str, Option<&str>)> = vec![
        ("anonymous", None),
        ("resident_unverified", Some(UNVERIFIED_RESIDENT)),
        ("resident_verified", Some(VERIFIED_RESIDENT)),
        ("grid_worker_inside", Some(GRID_WORKER_YINWANG)),
        ("grid_worker_outside", Some(GRID_WORKER_WUZHU)),
        ("committee_this_council", Some(CHAIR)),
        ("committee_member_not_chair", Some("13900000008")),
        ("auditor", Some(AUDITOR)),
        ("administrator", Some(ADMIN)),
    ];
    let mut table = Vec::new();
    for (n, (who, phone)) in actors.iter().enumerate() {
        let client = match phone {
            Some(p) => Client::sign_in(&server.base, p, PASSWORD),
            None => Client::anonymous(&server.base),
        };
        // A fresh resident for each actor to try verifying.
        let phone = format!("1360000{n:04}");
        register(&admin, "新居民", &phone, &grids["银网社区第二网格"]).data();
        let target = Client::sign_in(&server.base, &phone, "a long password").me();
        let outcomes = [
            ("createJurisdiction", client.query(
                "mutation($n: String!, $p: String!) { createJurisdiction(input: {kind: GRID, name: $n, parent: $p}) { indexes } }",
                json!({"n": format!("新网格{n}"), "p": grids["银网社区"]}),
            )),
            ("verifyResident", client.query(VERIFY, json!({"m": target}))),
            ("grantRole", client.query(GRANT, json!({"m": target, "r": {"kind": "AUDITOR"}, "why": "x"}))),
            ("changeCouncilRules", client.query(RULES, json!({"c": council, "t": 100 + n}))),
        ];
        for (command, reply) in outcomes {
            let verdict = match reply.body.get("errors") {
                None | Some(Value::Null) => "OK".to_owned(),
                Some(_) => reply.code().to_owned(),
            };
            table.push(format!("{command} {who} {verdict}"));
        }
    }
    let expected = [
        "createJurisdiction anonymous UNAUTHENTICATED",
        "verifyResident anonymous UNAUTHENTICATED",
        "grantRole anonymous UNAUTHENTICATED",
        "changeCouncilRules anonymous UNAUTHENTICATED",
        "createJurisdiction resident_unverified FORBIDDEN",
        "verifyResident resident_unverified FORBIDDEN",
        "grantRole resident_unverified FORBIDDEN",
        "changeCouncilRules resident_unverified FORBIDDEN",
        "createJurisdiction resident_verified FORBIDDEN",
        "verifyResident resident_verified FORBIDDEN",
        "grantRole resident_verified FORBIDDEN",
        "changeCouncilRules resident_verified FORBIDDEN",
        "createJurisdiction grid_worker_inside FORBIDDEN",
        "verifyResident grid_worker_inside OK",
        "grantRole grid_worker_inside FORBIDDEN",
        "changeCouncilRules grid_worker_inside FORBIDDEN",
        "createJurisdiction grid_worker_outside FORBIDDEN",
        "verifyResident grid_worker_outside FORBIDDEN",
        "grantRole grid_worker_outside FORBIDDEN",
        "changeCouncilRules grid_worker_outside FORBIDDEN",
        "createJurisdiction committee_this_council FORBIDDEN",
        "verifyResident committee_this_council FORBIDDEN",
        "grantRole committee_this_council FORBIDDEN",
        "changeCouncilRules committee_this_council OK",
        "createJurisdiction committee_member_not_chair FORBIDDEN",
        "verifyResident committee_member_not_chair FORBIDDEN",
        "grantRole committee_member_not_chair FORBIDDEN",
        "changeCouncilRules committee_member_not_chair FORBIDDEN",
        "createJurisdiction auditor FORBIDDEN",
        "verifyResident auditor FORBIDDEN",
        "grantRole auditor FORBIDDEN",
        "changeCouncilRules auditor FORBIDDEN",
        "createJurisdiction administrator OK",
        "verifyResident administrator OK",
        "grantRole administrator OK",
        "changeCouncilRules administrator OK",
    ];
    assert_eq!(table, expected);
}

#[test]
fn admin_init_creates_the_first_administrator_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_arg(dir.path());
    let run = |stdin: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(support::binary())
            .args([
                "admin",
                "init",
                "--data",
                &data,
                "--phone",
                "13911112222",
                "--name",
                "首任管理员",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let bad_phone = std::process::Command::new(support::binary())
        .args(["admin", "init", "--data", &data, "--phone", "not-a-phone"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!bad_phone.status.success());
    assert!(String::from_utf8_lossy(&bad_phone.stderr).contains("phone"));
    assert_eq!(
        run("short\n").status.code(),
        Some(1),
        "a short password is refused"
    );
    let first = run("an admin password\n");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(!String::from_utf8_lossy(&first.stdout).contains("an admin password"));
    let second = run("");
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("administrator exists"));

    let server = start_with(dir.path(), &[]);
    // No GraphiQL (it would load scripts from a CDN on the app's origin).
    let mut page = support::graphql::agent()
        .get(format!("{}/graphql", server.base))
        .call()
        .unwrap();
    assert_eq!(page.status().as_u16(), 405);
    let body: Value = serde_json::from_str(&page.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["code"], "METHOD_NOT_ALLOWED");
    let admin = Client::sign_in(&server.base, "13911112222", "an admin password");
    let me = admin.query(
        "{ me { member { displayName roles { kind } } } }",
        json!({}),
    );
    assert_eq!(
        me.data()["me"]["member"],
        json!({"displayName": "首任管理员", "roles": [{"kind": "ADMINISTRATOR"}]})
    );
}
