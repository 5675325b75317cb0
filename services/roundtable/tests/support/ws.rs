//! A `graphql-transport-ws` client for the black-box tests.

use std::time::Duration;

use serde_json::{Value, json};
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, stream::MaybeTlsStream};

pub type Socket = tungstenite::WebSocket<MaybeTlsStream<std::net::TcpStream>>;

/// A connection acknowledged after `connection_init` with `payload` (a token, or
/// nothing for an anonymous subscriber).
pub fn connect_with(server: &super::Server, payload: Option<Value>) -> Socket {
    connect_to(&server.base, payload)
}

/// As [`connect_with`], to a server by its base URL.
pub fn connect_to(base: &str, payload: Option<Value>) -> Socket {
    connect_as_browser(base, &[], payload)
}

/// As [`connect_to`], with the upgrade request carrying `headers` (a browser's
/// `Cookie` and `Origin`).
pub fn connect_as_browser(base: &str, headers: &[(&str, &str)], payload: Option<Value>) -> Socket {
    let url = format!("{}/graphql/ws", base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    for (name, value) in headers {
        let name = tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap();
        request.headers_mut().insert(name, value.parse().unwrap());
    }
    let (mut socket, response) = tungstenite::connect(request).unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    if let MaybeTlsStream::Plain(tcp) = socket.get_mut() {
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    let init = match payload {
        Some(p) => json!({"type": "connection_init", "payload": p}),
        None => json!({"type": "connection_init"}),
    };
    send(&mut socket, init);
    assert_eq!(next(&mut socket)["type"], "connection_ack");
    socket
}

pub fn connect(server: &super::Server) -> Socket {
    connect_with(server, None)
}

pub fn next(socket: &mut Socket) -> Value {
    loop {
        match socket.read().unwrap() {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

pub fn send(socket: &mut Socket, v: Value) {
    socket.send(Message::text(v.to_string())).unwrap();
}
