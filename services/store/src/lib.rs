//! `roundtable-store`: where events become the record.
//!
//! [`EventStore`] is the one contract every backend meets: atomic,
//! optimistic appends per stream that return only once durable; the global order;
//! catch-up-then-live subscriptions; the Merkle tree's proofs; signed checkpoints.
//! [`SqliteStore`] is the embedded backend. [`signer`] signs checkpoints for any
//! backend, and [`contract`] is the test suite every backend must pass.

mod backend;
pub mod contract;
mod error;
pub mod keys;
pub mod kurrent;
mod metrics;
pub mod signer;
mod sqlite;
mod types;

pub use backend::{Backend, StoreLocation};
pub use error::StoreError;
pub use kurrent::{KurrentDbConfig, KurrentDbStore};
pub use metrics::StoreMetrics;
pub use sqlite::{DB_FILE, SqliteOptions, SqliteReader, SqliteStore};
pub use types::{
    Appended, AppendedEvent, EventStore, Expected, RecordedEvent, Subscription, TreeHead,
};
