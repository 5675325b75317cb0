//! A WebSocket's budget: sockets per address, messages at most the HTTP body
//! limit, and a bounded number of live subscriptions per socket
//! (docs/SECURITY.md). A socket over its subscriptions is closed: a client that
//! opens more than a page ever needs is not one of ours.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use poem::web::websocket::Message;

#[derive(Clone, Copy, Debug)]
pub struct SocketLimits {
    pub per_address: usize,
    pub subscriptions_per_socket: usize,
}

impl Default for SocketLimits {
    fn default() -> SocketLimits {
        SocketLimits {
            per_address: 32,
            subscriptions_per_socket: 16,
        }
    }
}

/// An address already holds its most sockets.
#[derive(Debug)]
pub struct TooManySockets;

/// Open sockets per address.
#[derive(Default)]
pub struct OpenSockets(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One open socket; dropping it (the socket closed) frees its place.
pub struct SocketPlace {
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
    address: IpAddr,
}

impl Drop for SocketPlace {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = counts.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

impl OpenSockets {
    /// A place for one more socket from `address`, unless it has `max` open.
    pub fn take(
        &self,
        address: Option<IpAddr>,
        max: usize,
    ) -> Result<Option<SocketPlace>, TooManySockets> {
        let Some(address) = address else {
            return Ok(None);
        };
        let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(address).or_default();
        if *n >= max {
            return Err(TooManySockets);
        }
        *n += 1;
        Ok(Some(SocketPlace {
            counts: self.0.clone(),
            address,
        }))
    }
}

/// The `type` and `id` of a graphql-transport-ws message.
fn kind_and_id(text: &str) -> Option<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let kind = value.get("type")?.as_str()?.to_owned();
    let id = value.get("id")?.as_str()?.to_owned();
    Some((kind, id))
}

/// Wraps a socket's two halves so that it holds at most `max` live
/// subscriptions: a `subscribe` beyond them ends the incoming stream (which
/// closes the socket); a `complete` either way, or an `error`, frees one.
pub fn limit_subscriptions<S, K>(
    stream: S,
    sink: K,
    max: usize,
) -> (
    impl Stream<Item = Result<Message, std::io::Error>>,
    impl Sink<Message>,
)
where
    S: Stream<Item = Result<Message, std::io::Error>>,
    K: Sink<Message>,
{
    let live = Arc::new(Mutex::new(HashSet::<String>::new()));
    let incoming = live.clone();
    let stream = stream.take_while(move |message| {
        let keep = match message {
            Ok(Message::Text(text)) => match kind_and_id(text) {
                Some((kind, id)) if kind == "subscribe" || kind == "start" => {
                    let mut live = incoming.lock().unwrap_or_else(|p| p.into_inner());
                    live.insert(id);
                    live.len() <= max
                }
                Some((kind, id)) if kind == "complete" || kind == "stop" => {
                    incoming
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .remove(&id);
                    true
                }
                _ => true,
            },
            _ => true,
        };
        std::future::ready(keep)
    });
    let sink = sink.with(move |message: Message| {
        // Every event of a subscription passes here: its payload (a whole meeting,
        // say) is not parsed again. async-graphql writes the tag first.
        let event = |text: &str| {
            text.starts_with(r#"{"type":"next""#) || text.starts_with(r#"{"type":"data""#)
        };
        if let Message::Text(text) = &message
            && !event(text)
            && let Some((kind, id)) = kind_and_id(text)
            && (kind == "complete" || kind == "error")
        {
            live.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        }
        std::future::ready(Ok::<Message, K::Error>(message))
    });
    (stream, sink)
}
