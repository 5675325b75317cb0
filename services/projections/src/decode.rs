//! From stored leaf bytes back to a domain event, for projections and the command
//! handler alike.

use std::borrow::Cow;

use roundtable_domain::{EVENT_TYPES, EVENT_VERSION, Event};
use roundtable_ledger::{Leaf, Timestamp};
use serde::Deserialize;

/// One event of the log, decoded.
#[derive(Clone, Debug)]
pub struct Decoded {
    pub id: String,
    pub kind: String,
    /// The acting member's pseudonymous id (`anonymous` when nobody was signed in).
    pub actor: String,
    pub time: Timestamp,
    /// `None` for a type this build does not know (a later feature's event).
    pub event: Option<Event>,
}

#[derive(Debug, thiserror::Error)]
#[error("undecodable leaf: {0}")]
pub struct DecodeError(pub String);

/// The envelope fields a read model needs; the body is skipped here.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    time: Cow<'a, str>,
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
/// the variant by `type` and reads `body` into it), without building a JSON value
/// first; start-up decodes every leaf of the log this way.
pub fn decode(leaf: &Leaf) -> Result<Decoded, DecodeError> {
    let bytes = leaf.as_bytes();
    let head: Head = serde_json::from_slice(bytes).map_err(|e| DecodeError(e.to_string()))?;
    let time = head
        .time
        .parse::<Timestamp>()
        .map_err(|e| DecodeError(e.to_string()))?;
    let event = if EVENT_TYPES.contains(&head.kind.as_ref()) {
        if head.v != EVENT_VERSION {
            return Err(DecodeError(format!(
                "{} version {} is not known",
                head.kind, head.v
            )));
        }
        Some(
            serde_json::from_slice::<Event>(bytes)
                .map_err(|e| DecodeError(format!("{}: {e}", head.kind)))?,
        )
    } else {
        None
    };
    Ok(Decoded {
        id: head.id.into_owned(),
        kind: head.kind.into_owned(),
        actor: head
            .actor
            .and_then(|a| a.id)
            .map_or_else(|| "anonymous".to_owned(), Cow::into_owned),
        time,
        event,
    })
}
