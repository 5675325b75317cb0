//! The one codec between leaves and typed events: [`draft`] turns an event into
//! what the store seals, [`decode`] reads a sealed leaf back. The command handler,
//! the read models and `audit verify`'s recount all go through here.

use std::borrow::Cow;

use roundtable_ledger::{EventDraft, Leaf, Timestamp};
use serde::Deserialize;
use serde::de::value::MapDeserializer;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::event::{EVENT_VERSION, Event};

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
    /// Kept raw: it is the tag the event's enum is read with.
    #[serde(rename = "type", borrow)]
    kind: &'a RawValue,
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
    let kind: Cow<str> = serde_json::from_str(head.kind.get()).map_err(bad)?;
    let time = head
        .time
        .parse::<Timestamp>()
        .map_err(|e| DecodeError(e.to_string()))?;
    if head.v != EVENT_VERSION && Event::stream_kind_of(&kind).is_some() {
        return Err(DecodeError(format!(
            "{kind} version {} is not known",
            head.v
        )));
    }
    // The enums are read from a map of just `type` and `body`, so they can refuse a
    // body field they do not know, as the event schemas do.
    let tagged = MapDeserializer::<_, serde_json::Error>::new(
        [("type", head.kind), ("body", head.body)].into_iter(),
    );
    let event = Event::read(&kind, tagged).map_err(|e| DecodeError(format!("{kind}: {e}")))?;
    if let Some(event) = &event
        && head.stream.split_once('/').map(|(stream, _)| stream) != Some(event.stream_kind())
    {
        return Err(DecodeError(format!(
            "{kind} in stream {}: events of a kind live in streams of that kind",
            head.stream
        )));
    }
    Ok(Decoded {
        id: head.id.into_owned(),
        kind: kind.into_owned(),
        stream: head.stream.into_owned(),
        actor: head
            .actor
            .and_then(|a| a.id)
            .map_or_else(|| "anonymous".to_owned(), Cow::into_owned),
        time,
        event,
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

#[cfg(test)]
mod tests {
    use roundtable_ledger::StreamName;
    use serde_json::json;

    use super::*;
    use crate::{JurisdictionId, MemberEvent, Reason, Role};

    fn sealed(event: &Event, stream: &str, kind: Option<&str>, v: u32) -> Vec<u8> {
        let mut draft = draft(
            event,
            "00000000-0000-4000-8000-000000000001".into(),
            json!({"id": "m_1"}),
            Timestamp::from_unix_millis(1_000),
        );
        draft.version = v;
        if let Some(kind) = kind {
            draft.kind = kind.into();
        }
        let stream = StreamName::new(stream).unwrap();
        draft
            .seal("roundtable.test/log", &stream, 1, None)
            .unwrap()
            .as_bytes()
            .to_vec()
    }

    #[test]
    fn events_round_trip_and_other_versions_and_types_do_not_read_as_them() {
        let event = Event::Member(MemberEvent::RoleGranted {
            role: Role::GridWorker {
                jurisdiction: JurisdictionId::parse("j_1").unwrap(),
            },
            reason: Reason::parse("assigned to grid 1").unwrap(),
        });
        let read = |kind, v| decode_bytes(&sealed(&event, "member/m_1", kind, v));
        assert_eq!(read(None, 1).unwrap().event, Some(event.clone()));
        assert!(read(None, 2).is_err());
        assert_eq!(read(Some("member.unknown"), 1).unwrap().event, None);
        assert_eq!(read(Some("issue.role_granted"), 1).unwrap().event, None);
    }
}
