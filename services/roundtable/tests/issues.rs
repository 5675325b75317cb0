//! Residents' issues through the real binary (issue 4, first part): raise, edit as
//! versions, co-sign within the area, withdraw, and the docket threshold.

mod support;

use serde_json::json;
use support::accounts::PASSWORD;
use support::graphql::Client;

const RAISE: &str = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { issue { id jurisdiction { name } raiser { displayName } current { number hash } } indexes } }";
const COSIGN: &str = "mutation($id: String!) { cosignIssue(input: {issue: $id}) { issue { cosignerCount cosignedByMe docket { name } versions { number supports } } indexes } }";

#[test]
fn residents_raise_edit_and_cosign_until_the_council_docket_is_reached() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let base = &server.base;
    // Lower the 银网 council's threshold to 2 (as its chair) so two neighbours suffice.
    let chair = Client::sign_in(base, "13900000006", PASSWORD);
    let council = chair.councils()["银网社区圆桌议事会"].clone();
    chair.query(
        "mutation($c: String!) { changeCouncilRules(input: {council: $c, reason: \"试点\", rules: {quorumNumerator: 2, quorumDenominator: 3, defaultMajority: MAJORITY_OF_MEMBERS, noticeHours: 72, cosignThreshold: 2, triageHours: 72, responseHours: 360, secondsRequired: true, proxiesPerMember: 1}}) { indexes } }",
        json!({"c": council}),
    ).data();

    // 陈大爷 (grid 1) raises; the issue lives in his grid.
    let chen = Client::sign_in(base, "13900000011", PASSWORD);
    let raised = chen.query(
        RAISE,
        json!({"i": {"title": "三号楼停水", "description": "三号楼自来水常年断供", "place": "银网小区3号楼", "category": "WATER"}}),
    );
    let issue = &raised.data()["raiseIssue"]["issue"];
    let id = issue["id"].as_str().unwrap().to_owned();
    assert_eq!(issue["jurisdiction"]["name"], "银网社区第一网格");
    assert_eq!(issue["raiser"]["displayName"], "陈大爷");
    assert_eq!(issue["current"]["number"], 1);

    // Bad input: empty title, a neighbouring grid (out of reach), unknown category.
    let bad = chen.query(
        RAISE,
        json!({"i": {"title": " ", "description": "x", "category": "WATER"}}),
    );
    assert_eq!(bad.code(), "VALIDATION");
    assert_eq!(bad.body["errors"][0]["extensions"]["field"], "title");
    let grid2 = chen.places()["银网社区第二网格"].clone();
    let far = chen.query(RAISE, json!({"i": {"title": "t", "description": "d", "category": "ROADS", "jurisdiction": grid2}}));
    assert_eq!(far.code(), "VALIDATION");
    let unknown = chen.query(
        RAISE,
        json!({"i": {"title": "t", "description": "d", "category": "WEATHER"}}),
    );
    assert_eq!(unknown.code(), "VALIDATION");

    // 周阿姨 (grid 1, verified) co-signs version 1; an unverified resident of grid 2 cannot.
    let zhou = Client::sign_in(base, "13900000012", PASSWORD);
    let first = zhou.query(COSIGN, json!({"id": id}));
    let after = &first.data()["cosignIssue"]["issue"];
    assert_eq!(after["cosignerCount"], 1);
    assert_eq!(after["cosignedByMe"], true);
    assert_eq!(after["docket"], serde_json::Value::Null);
    assert_eq!(zhou.query(COSIGN, json!({"id": id})).code(), "CONFLICT");
    let wu = Client::sign_in(base, "13900000013", PASSWORD);
    assert_eq!(wu.query(COSIGN, json!({"id": id})).code(), "FORBIDDEN");

    // The raiser edits: version 2; supports are shown per version.
    let edited = chen.query(
        "mutation($id: String!) { editIssue(input: {issue: $id, title: \"三号楼停水三年\", description: \"三号楼自来水常年断供\"}) { issue { current { number } versions { number supports } } } }",
        json!({"id": id}),
    );
    assert_eq!(edited.data()["editIssue"]["issue"]["current"]["number"], 2);
    assert_eq!(zhou.query("mutation($id: String!) { editIssue(input: {issue: $id, title: \"x\", description: \"y\"}) { indexes } }", json!({"id": id})).code(), "FORBIDDEN");

    // The raiser co-signs version 2: the second distinct co-signer reaches the threshold.
    let second = chen.query(COSIGN, json!({"id": id}));
    let now = &second.data()["cosignIssue"]["issue"];
    assert_eq!(now["cosignerCount"], 2);
    assert_eq!(now["docket"]["name"], "银网社区圆桌议事会");
    assert_eq!(
        now["versions"],
        json!([{"number": 1, "supports": 1}, {"number": 2, "supports": 1}])
    );
    assert_eq!(
        second.data()["cosignIssue"]["indexes"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "co-signature and threshold"
    );

    // Withdrawing does not take the issue off the docket.
    let withdrawn = zhou.query(
        "mutation($id: String!) { withdrawCosignature(input: {issue: $id}) { issue { cosignerCount docket { name } } } }",
        json!({"id": id}),
    );
    assert_eq!(
        withdrawn.data()["withdrawCosignature"]["issue"]["cosignerCount"],
        1
    );
    assert_eq!(
        withdrawn.data()["withdrawCosignature"]["issue"]["docket"]["name"],
        "银网社区圆桌议事会"
    );

    // An auditor can change nothing.
    let auditor = Client::sign_in(base, "13900000002", PASSWORD);
    assert_eq!(auditor.query(COSIGN, json!({"id": id})).code(), "FORBIDDEN");
    let listed = auditor.query("{ issues { edges { node { id } } } }", json!({}));
    assert_eq!(
        listed.data()["issues"]["edges"][0]["node"]["id"],
        id.as_str()
    );
}

/// `Issue.viewerCan` is the domain's own decision for the caller, run as a dry run:
/// each answer matches what the mutation then does, and asking changes nothing.
#[test]
fn viewer_can_is_what_the_domain_would_decide_for_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let base = &server.base;
    const CAN: &str = "query($id: String!) { issue(id: $id) { status viewerCan { cosign withdrawCosignature edit withdraw rate accept reject merge refer respond } } }";
    let zhou = Client::sign_in(base, "13900000012", PASSWORD);
    let raised = zhou.query(
        RAISE,
        json!({"i": {"title": "路灯不亮", "description": "一号楼前路灯坏了", "category": "SAFETY"}}),
    );
    let id = raised.data()["raiseIssue"]["issue"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let can = |client: &Client| {
        let reply = client.query(CAN, json!({"id": id}));
        reply.data()["issue"]["viewerCan"].clone()
    };
    let size =
        |client: &Client| client.query("{ logSize }", json!({})).body["data"]["logSize"].clone();
    let before = size(&zhou);

    // The raiser may edit, withdraw and co-sign once; not triage.
    let mine = can(&zhou);
    assert_eq!(
        (
            &mine["edit"],
            &mine["withdraw"],
            &mine["cosign"],
            &mine["accept"],
            &mine["rate"]
        ),
        (
            &json!(true),
            &json!(true),
            &json!(true),
            &json!(false),
            &json!(false)
        )
    );
    // A verified neighbour in the grid may co-sign (陈大爷 also sits on the council,
    // so he may triage too); a resident of another community may not co-sign.
    let chen = Client::sign_in(base, "13900000011", PASSWORD);
    let neighbour = can(&chen);
    assert_eq!(
        (&neighbour["cosign"], &neighbour["withdrawCosignature"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(
        (&neighbour["accept"], &neighbour["withdraw"]),
        (&json!(true), &json!(false))
    );
    let zheng = Client::sign_in(base, "13900000014", PASSWORD);
    assert_eq!(can(&zheng)["cosign"], false);
    assert_eq!(zheng.query(COSIGN, json!({"id": id})).code(), "FORBIDDEN");
    // The grid worker of grid 1 may triage and respond, not co-sign; a stranger nothing.
    let zhang = Client::sign_in(base, "13900000003", PASSWORD);
    let staff = can(&zhang);
    for action in ["accept", "reject", "merge", "refer", "respond"] {
        assert_eq!(staff[action], true, "{action}");
    }
    assert_eq!(staff["cosign"], false);
    let stranger = can(&Client::anonymous(base));
    assert!(
        stranger.as_object().unwrap().values().all(|v| v == false),
        "{stranger}"
    );
    // Asking wrote nothing.
    assert_eq!(size(&zhou), before);

    // After the co-signature, withdrawing it is offered instead, as the domain allows.
    chen.query(COSIGN, json!({"id": id})).data();
    let after = can(&chen);
    assert_eq!(
        (&after["cosign"], &after["withdrawCosignature"]),
        (&json!(false), &json!(true))
    );
    // Once the issue is withdrawn nothing is offered to anyone.
    zhou.query(
        "mutation($id: String!) { withdrawIssue(input: {issue: $id}) { indexes } }",
        json!({"id": id}),
    )
    .data();
    for client in [&chen, &zhou, &zhang] {
        let now = can(client);
        assert!(
            now.as_object().unwrap().values().all(|v| v == false),
            "{now}"
        );
    }
}

/// Every refusal names its reason (a key of schema/refusals.json) and the values
/// its message needs, so the app can say it in the user's language; the dry run
/// behind `viewerCan` gives the same reason the mutation then gives.
#[test]
fn refusals_carry_their_reason_and_residents_see_why_not_and_what_is_near() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let base = &server.base;
    let reason =
        |reply: &support::graphql::Reply| reply.body["errors"][0]["extensions"]["reason"].clone();

    let wrong = Client::anonymous(base).query(
        "mutation { signIn(input: {phone: \"13900000012\", password: \"not-the-password\"}) { member { id } } }",
        json!({}),
    );
    assert_eq!(
        (wrong.code(), reason(&wrong)),
        ("UNAUTHENTICATED", json!("BAD_CREDENTIALS"))
    );

    let zhou = Client::sign_in(base, "13900000012", PASSWORD);
    let missing = zhou.query(COSIGN, json!({"id": "i_nosuchissue"}));
    assert_eq!(
        (missing.code(), reason(&missing)),
        ("NOT_FOUND", json!("ISSUE_NOT_FOUND"))
    );
    assert_eq!(
        missing.body["errors"][0]["extensions"]["params"],
        json!({"issue": "i_nosuchissue"})
    );
    let too_long = zhou.query(
        RAISE,
        json!({"i": {"title": "长".repeat(201), "description": "d", "category": "WATER"}}),
    );
    let ext = &too_long.body["errors"][0]["extensions"];
    assert_eq!(
        (&ext["field"], &ext["reason"]),
        (&json!("title"), &json!("TEXT_TOO_LONG"))
    );
    assert_eq!(ext["params"]["got"], "201");

    // 周阿姨 raises in grid 1; a resident elsewhere is told why they cannot co-sign.
    let raised = zhou.query(
        RAISE,
        json!({"i": {"title": "一号楼电梯停运", "description": "电梯坏了一周", "category": "SAFETY"}}),
    );
    let id = raised.data()["raiseIssue"]["issue"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const WHY: &str = "query($id: String!) { issue(id: $id) { viewerCan { cosign cosignWhyNot { reason params } } } }";
    let why =
        |client: &Client| client.query(WHY, json!({"id": id})).data()["issue"]["viewerCan"].clone();
    for (phone, expected) in [
        ("13900000013", "VERIFY_FIRST"),
        ("13900000014", "COSIGN_OUTSIDE_AREA"),
    ] {
        let resident = Client::sign_in(base, phone, PASSWORD);
        let can = why(&resident);
        assert_eq!(
            (&can["cosign"], &can["cosignWhyNot"]["reason"]),
            (&json!(false), &json!(expected)),
            "{phone}"
        );
        let refused = resident.query(COSIGN, json!({"id": id}));
        assert_eq!(
            (refused.code(), reason(&refused)),
            ("FORBIDDEN", json!(expected)),
            "{phone}"
        );
    }
    let chen = Client::sign_in(base, "13900000011", PASSWORD);
    assert_eq!(why(&chen), json!({"cosign": true, "cosignWhyNot": null}));
    zhou.query(COSIGN, json!({"id": id})).data();
    assert_eq!(why(&zhou)["cosignWhyNot"]["reason"], "ALREADY_COSIGNED");

    // "Near me": only issues of the resident's grid and the places above it, the
    // grid's own first; a community-wide issue comes after them.
    let community = chen.places()["银网社区"].clone();
    chen.query(
        RAISE,
        json!({"i": {"title": "社区广场积水", "description": "下雨后广场积水", "category": "DRAINAGE", "jurisdiction": community}}),
    )
    .data();
    const NEAR: &str = "{ issues(filter: {nearMe: true}, order: MOST_SUPPORTED, first: 100) { nodes { id jurisdiction { name } viewerCan { cosign cosignWhyNot { reason } } } } }";
    let near = zhou.query(NEAR, json!({}));
    let nodes = near.data()["issues"]["nodes"].as_array().unwrap().clone();
    let places: Vec<&str> = nodes
        .iter()
        .map(|n| n["jurisdiction"]["name"].as_str().unwrap())
        .collect();
    assert!(
        places.contains(&"银网社区第一网格") && places.contains(&"银网社区"),
        "{places:?}"
    );
    let first_community = places
        .iter()
        .position(|p| *p != "银网社区第一网格")
        .unwrap();
    assert!(
        places[first_community..]
            .iter()
            .all(|p| *p != "银网社区第一网格"),
        "grid first: {places:?}"
    );
    assert!(
        places.iter().all(|p| [
            "银网社区第一网格",
            "银网社区",
            "红旗街道",
            "银州区",
            "铁岭市"
        ]
        .contains(p)),
        "{places:?}"
    );
    // Each one is co-signable, or already co-signed, or closed: never refused for the place.
    for node in &nodes {
        assert_ne!(
            node["viewerCan"]["cosignWhyNot"]["reason"], "COSIGN_OUTSIDE_AREA",
            "{node}"
        );
    }
    let anonymous = Client::anonymous(base).query(NEAR, json!({}));
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
}
