//! `roundtable-ledger`: the format of Roundtable's record, and nothing else.
//!
//! Leaves (one canonical-JSON event each), RFC 6962 hashes, the Merkle tree and its
//! proofs, C2SP checkpoints and signed notes, and `tlog-proof` receipts. Pure and
//! synchronous: no I/O, no clocks, no randomness (keys come in as seeds), so every
//! verifier — ours, an auditor's, a test's — runs the same code on the same bytes.

pub mod audit;
pub mod checkpoint;
pub mod cosignature;
pub mod envelope;
pub mod hash;
pub mod leaf;
pub mod note;
pub mod policy;
pub mod proof;
pub mod receipt;
pub mod rotation;
pub mod tree;
pub mod witness;

pub use audit::{AuditFailure, AuditReport, verify_log};
pub use checkpoint::{Checkpoint, CheckpointError, SignedCheckpoint};
pub use cosignature::{
    CosignatureSigner, CosignatureVerifier, Witnessed, cosigned_message, witnessed,
};
pub use envelope::{CivilTime, Date, EnvelopeError, EventDraft, LeafHeader, StreamName, Timestamp};
pub use hash::{Hash, empty_root, leaf_hash, node_hash};
pub use leaf::{Leaf, LeafError};
pub use note::{NoteError, NoteSigner, NoteVerifier, OpenedNote, open_note, sign_note};
pub use policy::{Policy, PolicyError};
pub use proof::{ProofError, verify_consistency, verify_inclusion};
pub use receipt::{Receipt, ReceiptError};
pub use rotation::{KEY_ROTATED, KeyRotation, LOG_EVENT_TYPES, RotationError};
pub use tree::{CompactRange, MemoryTree, NodeSource, TreeError};
pub use witness::{AddCheckpoint, Refused, judge};
