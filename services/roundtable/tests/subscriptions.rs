//! `graphql-transport-ws` at `/graphql/ws`: a subscriber sees each event once the
//! read models include it.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::graphql::Client;
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, stream::MaybeTlsStream};

#[test]
fn log_events_arrive_over_graphql_transport_ws() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let url = format!("{}/graphql/ws", server.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, response) = tungstenite::connect(request).unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    if let MaybeTlsStream::Plain(tcp) = socket.get_mut() {
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    let next = |socket: &mut tungstenite::WebSocket<_>| -> Value {
        loop {
            match socket.read().unwrap() {
                Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected {other:?}"),
            }
        }
    };
    let send = |socket: &mut tungstenite::WebSocket<_>, v: Value| {
        socket.send(Message::text(v.to_string())).unwrap();
    };
    send(&mut socket, json!({"type": "connection_init"}));
    assert_eq!(next(&mut socket)["type"], "connection_ack");
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
