//! The one codec between leaves and typed events: [`draft`] turns an event into
//! what the store seals, [`decode`] reads a sealed leaf back. The command handler,
//! the read models and `audit verify`'s recount all go through here.

use std::borrow::Cow;

use roundtable_ledger::{EventDraft, Leaf, Timestamp};
use serde::Deserialize;
use serde::de::value::MapDeserializer;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::event::{
    CouncilEvent, EVENT_VERSION, Event, IssueEvent, JurisdictionEvent, MeetingEvent, MemberEvent,
    ResolutionEvent,
};

/// One event of the log, decoded.
#[derive(Clone, Debug)]
pub struct Decoded {
    pub id: String,
    pub kind: String,
    /// The stream the leaf names.
    pub stream: String,
    /// The acting member's pseudonymous id (`anonymous` when nobody was signed in).
    pub actor: String,
    pub time: Timestamp,
    /// `None` for a type this build does not know (a later feature's event, or the
    /// log's own `key.rotated`).
    pub event: Option<Event>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("undecodable leaf: {0}")]
pub struct DecodeError(pub String);

/// The envelope fields the domain needs; the body is read into the event itself.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    stream: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    time: Cow<'a, str>,
    #[serde(borrow)]
    body: &'a RawValue,
    v: u32,
    #[serde(default, borrow)]
    actor: Option<ActorHead<'a>>,
}

#[derive(Deserialize)]
struct ActorHead<'a> {
    #[serde(default, borrow)]
    id: Option<Cow<'a, str>>,
}

/// Reads a leaf straight from its bytes: the envelope, then the event (serde picks
/// the stream kind's enum by `type` and reads `body` into it), without building a
/// JSON value first; start-up decodes every leaf of the log this way.
pub fn decode(leaf: &Leaf) -> Result<Decoded, DecodeError> {
    decode_bytes(leaf.as_bytes())
}

/// [`decode`] for bytes that are already known to be a leaf of this log.
pub fn decode_bytes(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let bad = |e: serde_json::Error| DecodeError(e.to_string());
    let head: Head = serde_json::from_slice(bytes).map_err(bad)?;
    let time = head
        .time
        .parse::<Timestamp>()
        .map_err(|e| DecodeError(e.to_string()))?;
    let event = match Event::stream_kind_of(&head.kind) {
        None => None,
        Some(_) if head.v != EVENT_VERSION => {
            return Err(DecodeError(format!(
                "{} version {} is not known",
                head.kind, head.v
            )));
        }
        Some(stream_kind) => Some(
            event_of(stream_kind, &head.kind, head.body)
                .map_err(|e| DecodeError(format!("{}: {e}", head.kind)))?,
        ),
    };
    if let Some(event) = &event
        && head.stream.split_once('/').map(|(kind, _)| kind) != Some(event.stream_kind())
    {
        return Err(DecodeError(format!(
            "{} in stream {}: events of a kind live in streams of that kind",
            head.kind, head.stream
        )));
    }
    Ok(Decoded {
        id: head.id.into_owned(),
        kind: head.kind.into_owned(),
        stream: head.stream.into_owned(),
        actor: head
            .actor
            .and_then(|a| a.id)
            .map_or_else(|| "anonymous".to_owned(), Cow::into_owned),
        time,
        event,
    })
}

/// The event of type `kind` (of `stream_kind`) with this `body`. The enums are
/// read from a map of just those two keys, so they can refuse a body field they
/// do not know, as the event schemas do (`additionalProperties: false`).
fn event_of(stream_kind: &str, kind: &str, body: &RawValue) -> Result<Event, serde_json::Error> {
    let tag = serde_json::value::to_raw_value(kind)?;
    let pair = || {
        MapDeserializer::<_, serde_json::Error>::new(
            [("type", tag.as_ref()), ("body", body)].into_iter(),
        )
    };
    Ok(match stream_kind {
        "jurisdiction" => JurisdictionEvent::deserialize(pair())?.into(),
        "member" => MemberEvent::deserialize(pair())?.into(),
        "council" => CouncilEvent::deserialize(pair())?.into(),
        "issue" => IssueEvent::deserialize(pair())?.into(),
        "meeting" => MeetingEvent::deserialize(pair())?.into(),
        "resolution" => ResolutionEvent::deserialize(pair())?.into(),
        other => {
            return Err(serde::de::Error::custom(format!(
                "no events of stream kind {other}"
            )));
        }
    })
}

/// What the store seals for an event: its `type`, version and `body`, with the
/// envelope's id, actor and time given by the caller.
pub fn draft(event: &Event, id: String, actor: Value, time: Timestamp) -> EventDraft {
    EventDraft {
        id,
        kind: event.kind().to_owned(),
        version: EVENT_VERSION,
        actor,
        time,
        body: event.body(),
    }
}
