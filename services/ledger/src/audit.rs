//! Full verification of a log against a signed checkpoint, as `roundtable audit
//! verify` runs it: signature, every leaf canonical and within limits, every leaf of
//! this log, every stream's `seq`/`prev` chain, every event id used once in the
//! whole log, the recomputed root, and consistency with an older checkpoint the
//! auditor pinned.

use std::collections::HashMap;
use std::fmt;

use crate::checkpoint::{Checkpoint, CheckpointError, SignedCheckpoint};
use crate::envelope::{EnvelopeError, LeafHeader, StreamName};
use crate::hash::Hash;
use crate::note::{NoteError, NoteVerifier};
use crate::rotation::{KEY_ROTATED, KEYS_STREAM, KeyRotation};
use crate::tree::CompactRange;

/// Why verification failed, and where: the first failing leaf index, or the
/// checkpoint itself when `index` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFailure {
    pub index: Option<u64>,
    pub reason: String,
}

impl fmt::Display for AuditFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "leaf {i}: {}", self.reason),
            None => write!(f, "checkpoint: {}", self.reason),
        }
    }
}

impl std::error::Error for AuditFailure {}

fn at(index: u64, reason: impl Into<String>) -> AuditFailure {
    AuditFailure {
        index: Some(index),
        reason: reason.into(),
    }
}

fn checkpoint_failure(reason: impl Into<String>) -> AuditFailure {
    AuditFailure {
        index: None,
        reason: reason.into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub checkpoint: Checkpoint,
    pub streams: usize,
    /// The pinned checkpoint's size, when one was given and found consistent.
    pub pinned: Option<u64>,
    /// Every `key.rotated` leaf, by index.
    pub rotations: Vec<(u64, KeyRotation)>,
}

struct StreamHead {
    seq: u64,
    hash: Hash,
    index: u64,
}

/// Leaves are checked in windows: parsed in parallel, then chained in order.
const WINDOW: usize = 1 << 15;

/// Verifies `entries` (line i is leaf i, each line ending in `\n`) against the signed
/// checkpoint, optionally also against an older `pin`ned checkpoint.
///
/// The checkpoint must be signed by one of `log_keys`, or by a key that a
/// `key.rotated` leaf introduced from a trusted key, where a checkpoint signed by a
/// trusted key (the pin) covers that leaf: an auditor who pinned the old key and a
/// checkpoint from the overlap follows the rotation without trusting the operator.
pub fn verify_log(
    entries: &[u8],
    checkpoint_note: &str,
    log_keys: &[NoteVerifier],
    pin: Option<&str>,
) -> Result<AuditReport, AuditFailure> {
    let pinned = pin
        .map(|note| SignedCheckpoint::open_by_any(note, log_keys))
        .transpose()
        .map_err(|e| checkpoint_failure(format!("pinned checkpoint: {e}")))?
        .map(|s| s.checkpoint);
    let mut rotations = Vec::new();
    match SignedCheckpoint::open_by_any(checkpoint_note, log_keys) {
        Ok(signed) => verify_leaves(entries, signed.checkpoint, pinned, &mut rotations),
        Err(CheckpointError::Note(NoteError::Unverified)) => {
            // Perhaps a key the log rotated to: read the leaves, then decide whose
            // failure to report (the signature's comes first).
            let body = SignedCheckpoint::from_kept_note(checkpoint_note.to_owned())
                .map_err(|e| checkpoint_failure(e.to_string()))?;
            let leaves = verify_leaves(entries, body.checkpoint, pinned.clone(), &mut rotations);
            let learned = learned_keys(log_keys, &rotations, pinned.as_ref());
            match SignedCheckpoint::open_by_any(checkpoint_note, &learned) {
                Ok(_) => leaves,
                Err(_) => Err(checkpoint_failure(rotation_hint(log_keys, &rotations))),
            }
        }
        Err(e) => Err(checkpoint_failure(e.to_string())),
    }
}

/// The trusted keys plus every key a rotation from a trusted key introduced, where
/// the pinned checkpoint (signed by a trusted key) covers the rotation.
fn learned_keys(
    trusted: &[NoteVerifier],
    rotations: &[(u64, KeyRotation)],
    pinned: Option<&Checkpoint>,
) -> Vec<NoteVerifier> {
    let mut keys = trusted.to_vec();
    let covered = pinned.map_or(0, |p| p.size);
    for (index, rotation) in rotations {
        if *index < covered && keys.contains(&rotation.old) && !keys.contains(&rotation.new) {
            keys.push(rotation.new.clone());
        }
    }
    keys
}

fn rotation_hint(trusted: &[NoteVerifier], rotations: &[(u64, KeyRotation)]) -> String {
    let from_trusted = rotations.iter().find(|(_, r)| trusted.contains(&r.old));
    match from_trusted {
        Some((index, rotation)) => format!(
            "{}; the log rotates this key to {} at leaf {index}: pin a checkpoint signed by your key that covers that leaf (--pin), or trust the new key",
            NoteError::Unverified,
            rotation.new.to_vkey()
        ),
        None => NoteError::Unverified.to_string(),
    }
}

/// Everything after the signature: the leaves, the chains, the root and the pin.
fn verify_leaves(
    entries: &[u8],
    cp: Checkpoint,
    pinned: Option<Checkpoint>,
    rotations: &mut Vec<(u64, KeyRotation)>,
) -> Result<AuditReport, AuditFailure> {
    if let Some(p) = &pinned
        && p.size > cp.size
    {
        return Err(checkpoint_failure(format!(
            "size {} is smaller than the pinned checkpoint's {} (rollback)",
            cp.size, p.size
        )));
    }

    if !entries.is_empty() && !entries.ends_with(b"\n") {
        return Err(checkpoint_failure(
            "the entries file does not end with a newline (truncated?)",
        ));
    }
    let lines: Vec<&[u8]> = if entries.is_empty() {
        Vec::new()
    } else {
        entries[..entries.len() - 1]
            .split(|&b| b == b'\n')
            .collect()
    };

    let mut range = CompactRange::new();
    let mut heads: HashMap<StreamName, StreamHead> = HashMap::new();
    // Event ids are unique across the log: a retry written twice, or a replayed
    // co-signature, would otherwise pass as two events.
    let mut ids = EventIds::default();
    if pinned.as_ref().is_some_and(|p| p.size == 0) {
        check_pin(&pinned, &range)?;
    }
    for (w, window) in lines.chunks(WINDOW).enumerate() {
        let base = (w * WINDOW) as u64;
        for (offset, parsed) in parse_window(window).into_iter().enumerate() {
            let index = base + offset as u64;
            if index >= cp.size {
                return Err(at(
                    index,
                    format!("leaf is beyond the checkpoint's size {}", cp.size),
                ));
            }
            let (hash, header) = parsed.map_err(|e| at(index, e.to_string()))?;
            if header.log != cp.origin {
                return Err(at(
                    index,
                    format!("leaf names log {:?}, not {:?}", header.log, cp.origin),
                ));
            }
            if header.kind == KEY_ROTATED {
                rotations.push((
                    index,
                    rotation_at(index, &cp.origin, window[offset], &header)?,
                ));
            }
            if let Some(first) = ids.insert(&header.id, index, &lines) {
                return Err(at(
                    index,
                    format!(
                        "event id {} was already used by leaf {first}; an event was recorded twice",
                        header.id
                    ),
                ));
            }
            check_chain(&mut heads, index, hash, header)?;
            range.append(hash, |_, _, _| {});
            if pinned.as_ref().is_some_and(|p| p.size == range.size()) {
                check_pin(&pinned, &range)?;
            }
        }
    }
    if range.size() < cp.size {
        return Err(at(
            range.size(),
            format!(
                "missing: the log has {} leaves but the checkpoint covers {}",
                range.size(),
                cp.size
            ),
        ));
    }
    if range.root() != cp.root {
        return Err(checkpoint_failure(format!(
            "the root of the {} leaves is {}, the checkpoint says {}",
            cp.size,
            range.root(),
            cp.root
        )));
    }
    Ok(AuditReport {
        streams: heads.len(),
        pinned: pinned.map(|p| p.size),
        checkpoint: cp,
        rotations: rotations.clone(),
    })
}

fn rotation_at(
    index: u64,
    origin: &str,
    leaf: &[u8],
    header: &LeafHeader,
) -> Result<KeyRotation, AuditFailure> {
    if header.stream.as_str() != KEYS_STREAM {
        return Err(at(index, format!("{KEY_ROTATED} outside {KEYS_STREAM}")));
    }
    match KeyRotation::from_leaf(origin, leaf) {
        Ok(Some(rotation)) => Ok(rotation),
        Ok(None) => Err(at(index, format!("not a {KEY_ROTATED}"))),
        Err(e) => Err(at(index, e.to_string())),
    }
}

fn check_pin(pinned: &Option<Checkpoint>, range: &CompactRange) -> Result<(), AuditFailure> {
    match pinned {
        Some(p) if range.root() != p.root => Err(checkpoint_failure(format!(
            "not consistent with the pinned checkpoint: the first {} leaves hash to {}, the pinned checkpoint says {}",
            p.size,
            range.root(),
            p.root
        ))),
        _ => Ok(()),
    }
}

fn check_chain(
    heads: &mut HashMap<StreamName, StreamHead>,
    index: u64,
    hash: Hash,
    header: LeafHeader,
) -> Result<(), AuditFailure> {
    let stream = header.stream;
    match heads.get(&stream) {
        None => {
            if header.seq != 1 {
                return Err(at(
                    index,
                    format!("stream {stream} starts at seq {}, not 1", header.seq),
                ));
            }
            if header.prev.is_some() {
                return Err(at(index, format!("stream {stream} seq 1 has a prev")));
            }
        }
        Some(head) => {
            if header.seq != head.seq + 1 {
                return Err(at(
                    index,
                    format!(
                        "stream {stream}: seq {} follows seq {} (leaf {}); events are missing or out of order",
                        header.seq, head.seq, head.index
                    ),
                ));
            }
            if header.prev != Some(head.hash) {
                return Err(at(
                    index,
                    format!(
                        "stream {stream} seq {}: prev.leaf_hash is not the hash of leaf {} (seq {}); one of them was altered",
                        header.seq, head.index, head.seq
                    ),
                ));
            }
        }
    }
    heads.insert(
        stream,
        StreamHead {
            seq: header.seq,
            hash,
            index,
        },
    );
    Ok(())
}

/// The event ids seen so far, held as 64-bit fingerprints (8 bytes a leaf, not a
/// string: a log of ten million events is audited in memory). A fingerprint seen
/// before is confirmed against the earlier leaf's own id, so a collision is never
/// reported as a duplicate; colliding ids are kept whole.
#[derive(Default)]
struct EventIds {
    fingerprints: HashMap<u64, u64>,
    collided: HashMap<String, u64>,
}

impl EventIds {
    /// Records `id` at `index`; the index that used it before, if one did.
    fn insert(&mut self, id: &str, index: u64, lines: &[&[u8]]) -> Option<u64> {
        use std::hash::{Hash as _, Hasher as _};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut hasher);
        let fingerprint = hasher.finish();
        let Some(&first) = self.fingerprints.get(&fingerprint) else {
            self.fingerprints.insert(fingerprint, index);
            return None;
        };
        let first_id = usize::try_from(first)
            .ok()
            .and_then(|i| lines.get(i))
            .and_then(|line| LeafHeader::from_bytes(line).ok())
            .map(|h| h.id);
        if first_id.as_deref() == Some(id) {
            return Some(first);
        }
        self.collided.insert(id.to_owned(), index)
    }
}

type Parsed = Result<(Hash, LeafHeader), EnvelopeError>;

fn parse_one(line: &[u8]) -> Parsed {
    crate::leaf::check_canonical(line)?;
    let header = LeafHeader::from_bytes(line)?;
    Ok((crate::hash::leaf_hash(line), header))
}

/// Parses and hashes a window of leaves on every available core.
fn parse_window(window: &[&[u8]]) -> Vec<Parsed> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || window.len() < 1024 {
        return window.iter().map(|l| parse_one(l)).collect();
    }
    let chunk = window.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = window
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|l| parse_one(l)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(parsed) => parsed,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}
