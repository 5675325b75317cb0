//! `key.rotated`: the log's own record that its signing key changed. The process
//! that holds both keys appends it when it starts signing with both; from the
//! checkpoint that covers it on, checkpoints carry both signatures until the old
//! key is retired. An auditor who trusts the old key learns the new one from this
//! leaf, once a checkpoint signed by the old key covers it.

use serde_json::{Value, json};

use crate::envelope::{EventDraft, StreamName, Timestamp};
use crate::note::NoteVerifier;

/// The event type.
pub const KEY_ROTATED: &str = "key.rotated";
/// Event types the log itself writes (the domain's are in its own catalogue).
pub const LOG_EVENT_TYPES: &[&str] = &[KEY_ROTATED];
/// The stream every rotation is appended to.
pub const KEYS_STREAM: &str = "log/keys";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    #[error("key.rotated: {0}")]
    Malformed(String),
}

/// One rotation: checkpoints from the one covering this event are signed by `new`
/// as well as `old`, until `old` is retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRotation {
    pub old: NoteVerifier,
    pub new: NoteVerifier,
}

impl KeyRotation {
    /// Both keys must be the log's (named after its origin) and differ.
    pub fn new(
        origin: &str,
        old: NoteVerifier,
        new: NoteVerifier,
    ) -> Result<KeyRotation, RotationError> {
        if old.name() != origin || new.name() != origin {
            return Err(RotationError::Malformed(format!(
                "both keys must be named {origin:?}, not {:?} and {:?}",
                old.name(),
                new.name()
            )));
        }
        if old == new {
            return Err(RotationError::Malformed(
                "the old and the new key are the same".into(),
            ));
        }
        Ok(KeyRotation { old, new })
    }

    pub fn stream() -> StreamName {
        StreamName::new(KEYS_STREAM).expect("a valid constant stream name")
    }

    /// The event, with an id derived from the two keys so that every process (and
    /// every restart) that records this rotation makes the same event.
    pub fn draft(&self, time: Timestamp) -> EventDraft {
        let name = format!(
            "{KEY_ROTATED}|{}|{}",
            self.old.to_vkey(),
            self.new.to_vkey()
        );
        EventDraft {
            id: uuid_v5(&name),
            kind: KEY_ROTATED.to_owned(),
            version: 1,
            actor: json!({"id": "system", "role": "log_signer"}),
            time,
            body: json!({"old": self.old.to_vkey(), "new": self.new.to_vkey()}),
        }
    }

    /// Reads a rotation from a leaf of the keys stream; `None` for any other leaf.
    pub fn from_leaf(origin: &str, leaf: &[u8]) -> Result<Option<KeyRotation>, RotationError> {
        let bad = |why: String| RotationError::Malformed(why);
        let value: Value = serde_json::from_slice(leaf).map_err(|e| bad(e.to_string()))?;
        if value["type"] != KEY_ROTATED {
            return Ok(None);
        }
        let key = |field: &str| {
            let text = value["body"][field]
                .as_str()
                .ok_or_else(|| bad(format!("body.{field} is not a verifier key")))?;
            NoteVerifier::parse(text).map_err(|e| bad(format!("body.{field}: {e}")))
        };
        KeyRotation::new(origin, key("old")?, key("new")?).map(Some)
    }
}

fn uuid_v5(name: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
}
