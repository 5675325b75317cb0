//! "At most one trip" through the real binary: a resident finds a service by the
//! words she would use, asks for it the day before National Day, the counter lists
//! a missing document (a second trip) and then takes the rest; the clock counts
//! working days across the holiday and the worked Saturday; the request is done on
//! time and rated; the figures and `audit verify` agree; bad input and strangers
//! change nothing.

mod support;

use serde_json::{Value, json};
use support::accounts::{
    GRID_WORKER_YINWANG as WANG, PASSWORD, UNVERIFIED_RESIDENT as WU, VERIFIED_RESIDENT as ZHOU,
};
use support::graphql::{Client, Reply};

/// 郑女士, a verified resident of 兀术街社区 (outside 银网社区's catalogue).
const ZHENG: &str = "13900000014";

const REQUEST: &str = "id status trips dueDay overdue workingDaysLeft missing unlisted rating
    service { name } viewerCan { listMissing markComplete finish refuse withdraw rate }";

/// Moves the server's clock by whole hours; returns its time after.
fn advance(base: &str, hours: i64) -> i64 {
    let text = ureq::post(format!("{base}/_test/clock?advanceHours={hours}"))
        .send_empty()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    text.trim()
        .parse::<roundtable_ledger::Timestamp>()
        .unwrap()
        .unix_millis()
}

/// Moves the clock to within the hour of `iso` (UTC).
fn move_to(base: &str, iso: &str) {
    let now = advance(base, 0);
    let target = iso
        .parse::<roundtable_ledger::Timestamp>()
        .unwrap()
        .unix_millis();
    advance(base, (target - now).div_euclid(3_600_000) + 1);
}

fn act(client: &Client, name: &str, input_type: &str, input: Value) -> Reply {
    client.query(
        &format!("mutation($i: {input_type}!) {{ {name}(input: $i) {{ request {{ {REQUEST} }} indexes }} }}"),
        json!({ "i": input }),
    )
}

#[test]
fn a_request_across_national_day_is_clocked_in_working_days_and_counted_in_the_one_trip_share() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(
        dir.path(),
        &["--demo", "--test-clock", "--checkpoint-interval-ms", "100"],
    );
    let base = &server.base;
    let zhou = Client::sign_in(base, ZHOU, PASSWORD);

    // She finds it by the words she would use, and sees what to bring.
    let found = zhou
        .query(
            "{ services(search: \"开证明\") { id name documents counter hours limitWorkingDays viewerCan { request } } }",
            json!({}),
        )
        .data()["services"]
        .clone();
    assert_eq!(found[0]["name"], "居住证明", "{found:#}");
    assert_eq!(
        found[0]["documents"],
        json!(["身份证", "户口本", "房产证或租房合同"])
    );
    assert_eq!(found[0]["viewerCan"]["request"], true);
    let residence = found[0]["id"].as_str().unwrap().to_owned();
    let by_nickname = zhou
        .query("{ services(search: \"低保\") { name } }", json!({}))
        .data()["services"]
        .clone();
    assert_eq!(by_nickname[0]["name"], "最低生活保障申请");
    // Not offered where 郑女士 lives; an unverified resident is not offered it.
    let zheng = Client::sign_in(base, ZHENG, PASSWORD);
    let theirs = zheng
        .query("{ services(search: \"居住证明\") { name } }", json!({}))
        .data()["services"]
        .clone();
    assert_eq!(theirs, json!([]));
    let wu = Client::sign_in(base, WU, PASSWORD);
    let offered = |client: &Client| {
        client
            .query(
                "query($id: String!) { service(id: $id) { viewerCan { request } } }",
                json!({ "id": residence }),
            )
            .data()["service"]["viewerCan"]["request"]
            .clone()
    };
    assert_eq!(offered(&wu), false);
    assert_eq!(offered(&Client::anonymous(base)), false);

    // Bad input and strangers change nothing.
    let size = zhou.log_size();
    let elsewhere = act(
        &zheng,
        "openServiceRequest",
        "OpenServiceRequestInput",
        json!({"service": residence}),
    );
    assert_eq!(elsewhere.code(), "VALIDATION");
    assert_eq!(elsewhere.reason(), "SERVICE_NOT_OFFERED");
    let unverified = act(
        &wu,
        "openServiceRequest",
        "OpenServiceRequestInput",
        json!({"service": residence}),
    );
    assert_eq!(unverified.code(), "FORBIDDEN");
    let wang = Client::sign_in(base, WANG, PASSWORD);
    let zero = wang.query(
        "mutation($i: PublishServiceInput!) { publishService(input: $i) { indexes } }",
        json!({"i": {"jurisdiction": "j_nowhere", "spec": {"name": "x", "description": "x", "documents": ["身份证"],
               "point": "j_nowhere", "counter": "x", "hours": "x", "limitWorkingDays": 0, "responsible": "x"}}}),
    );
    assert_eq!(zero.code(), "NOT_FOUND");
    assert_eq!(zhou.log_size(), size);

    // Wednesday 30 September 2026, 10:xx in Beijing: she asks online.
    move_to(base, "2026-09-30T02:00:00.000Z");
    let zhou = Client::sign_in(base, ZHOU, PASSWORD);
    let wang = Client::sign_in(base, WANG, PASSWORD);
    let opened = act(
        &zhou,
        "openServiceRequest",
        "OpenServiceRequestInput",
        json!({"service": residence, "idempotencyKey": "residence-1"}),
    )
    .data()["openServiceRequest"]["request"]
        .clone();
    let id = opened["id"].as_str().unwrap().to_owned();
    assert_eq!(opened["status"], "AWAITING_DOCUMENTS");
    assert_eq!(opened["trips"], 1);
    assert_eq!(
        opened["dueDay"],
        Value::Null,
        "no clock before the documents are in"
    );
    // The counter sees it in its queue; the resident cannot handle it herself.
    let queue = wang.query("{ serviceQueue { id } }", json!({})).data()["serviceQueue"].clone();
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id.as_str())
    );
    assert_eq!(opened["viewerCan"]["markComplete"], false);
    let not_hers = act(
        &zhou,
        "markDocumentsComplete",
        "ServiceRequestInput",
        json!({"request": id}),
    );
    assert_eq!(not_hers.code(), "FORBIDDEN");
    assert_eq!(
        zheng
            .query(
                "query($id: String!) { serviceRequest(id: $id) { id } }",
                json!({ "id": id })
            )
            .data()["serviceRequest"],
        Value::Null
    );

    // The counter asks for the rental contract and a photo it never listed: a second trip.
    let missing = act(
        &wang,
        "listMissingDocuments",
        "MissingDocumentsInput",
        json!({"request": id, "missing": ["房产证或租房合同", "一寸照片"]}),
    )
    .data()["listMissingDocuments"]["request"]
        .clone();
    assert_eq!(missing["trips"], 2);
    assert_eq!(missing["unlisted"], json!(["一寸照片"]));
    // She comes back an hour later; the documents are complete and the clock
    // starts: 8, 9 and the worked Saturday 10 October.
    advance(base, 1);
    let complete = act(
        &wang,
        "markDocumentsComplete",
        "ServiceRequestInput",
        json!({"request": id}),
    )
    .data()["markDocumentsComplete"]["request"]
        .clone();
    assert_eq!(complete["status"], "IN_PROGRESS");
    assert_eq!(complete["dueDay"], "2026-10-10");
    assert_eq!(complete["workingDaysLeft"], 3);
    let size = wang.log_size();
    let twice = act(
        &wang,
        "markDocumentsComplete",
        "ServiceRequestInput",
        json!({"request": id}),
    );
    assert_eq!(twice.code(), "CONFLICT");
    assert_eq!(wang.log_size(), size);

    // A week of holiday later, on Friday 9 October, one working day is left.
    move_to(base, "2026-10-09T01:00:00.000Z");
    let wang = Client::sign_in(base, WANG, PASSWORD);
    let zhou = Client::sign_in(base, ZHOU, PASSWORD);
    let mine = zhou
        .query(
            &format!("{{ myServiceRequests {{ {REQUEST} }} }}"),
            json!({}),
        )
        .data()["myServiceRequests"]
        .clone();
    let this = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(this["workingDaysLeft"], 1);
    assert_eq!(this["overdue"], false);
    let done = act(
        &wang,
        "finishServiceRequest",
        "ServiceRequestInput",
        json!({"request": id}),
    )
    .data()["finishServiceRequest"]["request"]
        .clone();
    assert_eq!(done["status"], "DONE");
    assert_eq!(
        done["viewerCan"]["rate"], false,
        "the counter does not rate"
    );
    let rated = zhou.query(
        "mutation($i: RateServiceRequestInput!) { rateServiceRequest(input: $i) { request { rating viewerCan { rate } } } }",
        json!({"i": {"request": id, "rating": "SATISFIED"}}),
    );
    assert_eq!(
        rated.data()["rateServiceRequest"]["request"]["rating"],
        "SATISFIED"
    );
    let again = zhou.query(
        "mutation($i: RateServiceRequestInput!) { rateServiceRequest(input: $i) { indexes } }",
        json!({"i": {"request": id, "rating": "UNSATISFIED"}}),
    );
    assert_eq!(again.code(), "CONFLICT");

    // The public figures: the demo's requests and this one, done in two trips.
    let stats = Client::anonymous(base)
        .query(
            "{ serviceStats { rows { service { name } point { name } figures { requests done oneTrip onTimeShare flagged } } } }",
            json!({}),
        )
        .data()["serviceStats"]["rows"]
        .clone();
    let row = stats
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service"]["name"] == "居住证明")
        .unwrap()
        .clone();
    // The demo's 居住证明 was done in one trip, this one in two.
    assert_eq!(row["figures"]["done"], 2, "{row:#}");
    assert_eq!(row["figures"]["oneTrip"], 1, "{row:#}");
    assert_eq!(row["figures"]["onTimeShare"], 1.0, "{row:#}");
    assert_eq!(row["figures"]["flagged"], 1, "{row:#}");

    // The auditor recomputes every due time from the calendar events and the figures.
    let text = support::verified_after(server, dir.path());
    assert!(text.contains("service-requests=9"), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("service point=") && l.contains("requests=2 one-trip=1/2"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("on-time=2/2"), "{line}");
    assert!(line.contains("flagged=1"), "{line}");
}
