//! `roundtable-store`: the contract where events become the record.
//!
//! [`EventStore`] is the one contract every backend meets: atomic, optimistic
//! appends per stream that return only once durable; the global order;
//! catch-up-then-live subscriptions; the Merkle tree's proofs; signed checkpoints.
//! The backends are their own crates (`roundtable-store-sqlite`,
//! `roundtable-store-kurrentdb`); [`Log`] is the same contract as an object, which
//! is how everything above the store holds the backend chosen at start. [`signer`] signs checkpoints for any backend,
//! [`keys`] reads and writes the log's key files, and [`contract`] (feature
//! `contract`) is the test suite every backend must pass.

#[cfg(feature = "contract")]
pub mod contract;
mod error;
pub mod keys;
mod log;
mod metrics;
pub mod signer;
mod types;

pub use error::StoreError;
pub use log::{BoxFuture, Log};
pub use metrics::StoreMetrics;
pub use types::{
    Appended, AppendedEvent, EventStore, Expected, RecordedEvent, Subscription, TreeHead,
    check_drafts,
};
