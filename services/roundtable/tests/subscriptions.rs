//! `graphql-transport-ws` at `/graphql/ws`: a subscriber sees each event once the
//! read models include it.

mod support;

use serde_json::json;
use support::graphql::Client;

use support::ws::{connect, next, send};

#[test]
fn log_events_arrive_over_graphql_transport_ws() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let mut socket = connect(&server);
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { logEvents { index stream type lagged } }"}}),
    );

    let admin = Client::sign_in(&server.base, "13900000001", "roundtable-demo");
    let created = admin.query(
        "mutation { createJurisdiction(input: {kind: CITY, name: \"开原市\"}) { indexes jurisdiction { id } } }",
        json!({}),
    );
    let index = created.data()["createJurisdiction"]["indexes"][0].clone();
    let id = created.data()["createJurisdiction"]["jurisdiction"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = next(&mut socket);
    assert_eq!(message["type"], "next");
    assert_eq!(message["id"], "1");
    let event = &message["payload"]["data"]["logEvents"];
    assert_eq!(event["index"], index);
    assert_eq!(event["type"], "jurisdiction.created");
    assert_eq!(event["stream"], format!("jurisdiction/{id}"));
    assert_eq!(event["lagged"], false);
}

#[test]
fn issue_changed_sends_the_issue_now_and_after_each_of_its_events() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let chen = Client::sign_in(&server.base, "13900000011", "roundtable-demo");
    let raised = chen.query(
        "mutation { raiseIssue(input: {title: \"单元门禁坏了\", description: \"3单元门禁无法刷卡\", category: SAFETY}) { issue { id } } }",
        json!({}),
    );
    let id = raised.data()["raiseIssue"]["issue"]["id"].clone();
    let mut socket = connect(&server);
    send(
        &mut socket,
        json!({"id": "7", "type": "subscribe", "payload": {
            "query": "subscription($id: String!) { issueChanged(id: $id) { id status cosignerCount } }",
            "variables": {"id": id}}}),
    );
    let first = next(&mut socket);
    assert_eq!(first["payload"]["data"]["issueChanged"]["status"], "OPEN");
    // Another issue's event is not sent; this issue's next one is.
    chen.query(
        "mutation { raiseIssue(input: {title: \"别的问题\", description: \"无关\", category: OTHER}) { indexes } }",
        json!({}),
    )
    .data();
    let zhang = Client::sign_in(&server.base, "13900000003", "roundtable-demo");
    zhang
        .query(
            "mutation($id: String!) { acceptIssue(input: {issue: $id}) { indexes } }",
            json!({"id": id}),
        )
        .data();
    let changed = next(&mut socket);
    assert_eq!(changed["id"], "7");
    assert_eq!(
        changed["payload"]["data"]["issueChanged"],
        json!({"id": id, "status": "ACCEPTED", "cosignerCount": 0})
    );
    send(
        &mut socket,
        json!({"id": "8", "type": "subscribe", "payload": {
        "query": "subscription { issueChanged(id: \"../x\") { id } }"}}),
    );
    let refused = next(&mut socket);
    assert_eq!(refused["id"], "8");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "VALIDATION",
        "{refused}"
    );
}
