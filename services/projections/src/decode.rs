//! From stored leaf bytes back to a domain event, for projections and the command
//! handler alike.

use roundtable_domain::{EVENT_TYPES, Event};
use roundtable_ledger::{Leaf, Timestamp};
use serde_json::Value;

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

pub fn decode(leaf: &Leaf) -> Result<Decoded, DecodeError> {
    let value = leaf.value().map_err(|e| DecodeError(e.to_string()))?;
    let text = |field: &str| -> Result<&str, DecodeError> {
        value
            .get(field)
            .and_then(Value::as_str)
            .ok_or_else(|| DecodeError(format!("`{field}` missing")))
    };
    let kind = text("type")?.to_owned();
    let time = text("time")?
        .parse::<Timestamp>()
        .map_err(|e| DecodeError(e.to_string()))?;
    let version = value
        .get("v")
        .and_then(Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| DecodeError("`v` missing".into()))?;
    let actor = value
        .pointer("/actor/id")
        .and_then(Value::as_str)
        .unwrap_or("anonymous")
        .to_owned();
    let body = value.get("body").unwrap_or(&Value::Null);
    let event = if EVENT_TYPES.contains(&kind.as_str()) {
        Some(Event::from_parts(&kind, version, body).map_err(|e| DecodeError(e.to_string()))?)
    } else {
        None
    };
    Ok(Decoded {
        id: text("id")?.to_owned(),
        kind,
        actor,
        time,
        event,
    })
}
