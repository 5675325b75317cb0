use roundtable_ledger::{EnvelopeError, StreamName};

/// Everything an [`crate::EventStore`] can refuse or fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The stream is not where the writer expected it; nothing was written.
    #[error("conflict on {stream}: expected {expected}, stream is at seq {actual}")]
    Conflict {
        stream: StreamName,
        expected: String,
        actual: u64,
    },
    /// The events cannot become leaves (bad id, too large, outside the profile...).
    #[error("invalid event: {0}")]
    InvalidEvent(#[from] EnvelopeError),
    #[error("an append needs at least one event")]
    EmptyAppend,
    /// An index or size beyond the log.
    #[error("{0}")]
    OutOfRange(String),
    /// The stored data contradicts itself or a signed checkpoint.
    #[error("the store is corrupt: {0}")]
    Corrupt(String),
    /// The database failed (disk full, I/O error...); nothing was acknowledged.
    #[error("storage failure: {0}")]
    Storage(String),
    /// Another process did it first (e.g. published a checkpoint); nothing was written.
    #[error("superseded: {0}")]
    Superseded(String),
    /// The store is shutting down.
    #[error("the store is closed")]
    Closed,
}

#[cfg(feature = "sqlite-errors")]
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Storage(e.to_string())
    }
}

impl From<roundtable_ledger::TreeError<StoreError>> for StoreError {
    fn from(e: roundtable_ledger::TreeError<StoreError>) -> Self {
        match e {
            roundtable_ledger::TreeError::Source(e) => e,
            other => StoreError::OutOfRange(other.to_string()),
        }
    }
}
