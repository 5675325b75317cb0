use std::future::Future;

use roundtable_ledger::{EventDraft, Hash, Leaf, SignedCheckpoint, StreamName};
use tokio::sync::mpsc;

use crate::StoreError;

/// Where the writer believes the stream is (optimistic concurrency).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last event must have this `seq`.
    Exact(u64),
    /// Append wherever the stream is.
    Any,
}

impl Expected {
    /// The expectation for a writer that has seen `seq` events of the stream (0: none).
    pub fn at(seq: u64) -> Expected {
        match seq {
            0 => Expected::NoStream,
            n => Expected::Exact(n),
        }
    }
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::NoStream => f.write_str("no stream"),
            Expected::Exact(seq) => write!(f, "seq {seq}"),
            Expected::Any => f.write_str("any"),
        }
    }
}

/// Where one appended event landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendedEvent {
    pub index: u64,
    pub seq: u64,
    pub leaf_hash: Hash,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    pub events: Vec<AppendedEvent>,
    /// True when these event ids were already appended: this is the original result
    /// and nothing was written.
    pub replayed: bool,
}

impl Appended {
    /// KurrentDB's idempotency rule, for every backend: a request whose event `ids`
    /// are already in the stream right after the expected position (or anywhere,
    /// for `Expected::Any`) gets the original result. `existing` is the stream's
    /// events with their ids, in order.
    pub fn replay_of(
        existing: &[(String, AppendedEvent)],
        expected: Expected,
        position: u64,
        ids: &[&str],
    ) -> Option<Appended> {
        let start = match expected {
            Expected::Any => existing
                .iter()
                .position(|(id, _)| Some(&id.as_str()) == ids.first()),
            _ => existing.iter().position(|(_, e)| e.seq == position + 1),
        }?;
        let run = &existing[start..];
        if run.len() < ids.len() || run.iter().zip(ids).any(|((id, _), want)| id != want) {
            return None;
        }
        Some(Appended {
            events: run[..ids.len()].iter().map(|(_, e)| e.clone()).collect(),
            replayed: true,
        })
    }
}

/// What every backend refuses before it touches anything: an empty append, or an
/// event whose envelope fields are invalid.
pub fn check_drafts(events: &[EventDraft]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Err(StoreError::EmptyAppend);
    }
    events
        .iter()
        .try_for_each(|e| e.validate().map_err(StoreError::from))
}

/// One event as stored: its leaf bytes and where it sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedEvent {
    pub index: u64,
    pub stream: StreamName,
    pub seq: u64,
    pub leaf: Leaf,
    pub leaf_hash: Hash,
}

/// The tree over every durable event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

/// Every event from a starting index, in order, with no gap and no duplicate:
/// first those already on disk, then each new one as it becomes durable.
pub struct Subscription {
    rx: mpsc::Receiver<Result<RecordedEvent, StoreError>>,
}

impl Subscription {
    /// A subscription fed by a backend's task through `rx`.
    pub fn new(rx: mpsc::Receiver<Result<RecordedEvent, StoreError>>) -> Subscription {
        Subscription { rx }
    }

    /// The next event; `None` once the store has closed.
    pub async fn next(&mut self) -> Option<Result<RecordedEvent, StoreError>> {
        self.rx.recv().await
    }
}

/// The store contract. Every backend passes `contract` (feature `contract`).
pub trait EventStore: Send + Sync + 'static {
    /// The log's origin, written into every leaf and checkpoint.
    fn origin(&self) -> &str;

    /// The backend's counters, for `/metrics`.
    fn metrics(&self) -> &std::sync::Arc<crate::StoreMetrics>;

    /// Records the log's verifier key, so an export can include it. (Auditors should
    /// still pin the key they got out of band: `audit verify --vkey`.)
    fn set_vkey(&self, vkey: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Waits until everything acknowledged is durable. Backends whose
    /// acknowledgement already means durable have nothing to wait for.
    fn flush(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
        async { Ok(()) }
    }

    /// Stops accepting appends, lets queued work finish, and waits.
    fn close(&self) -> impl Future<Output = ()> + Send;

    /// Appends atomically to one stream. Returns once the events are durable; a
    /// mismatch with `expected` is [`StoreError::Conflict`] and writes nothing;
    /// re-appending the same event ids returns the original result.
    fn append(
        &self,
        stream: &StreamName,
        expected: Expected,
        events: Vec<EventDraft>,
    ) -> impl Future<Output = Result<Appended, StoreError>> + Send;

    /// The stream's events with `seq >= from_seq`, in order.
    fn read_stream(
        &self,
        stream: &StreamName,
        from_seq: u64,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>, StoreError>> + Send;

    /// Up to `limit` events from global index `from`, in order.
    fn read_all(
        &self,
        from: u64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>, StoreError>> + Send;

    /// Catch up from `from`, then follow live.
    fn subscribe_all(&self, from: u64) -> Subscription;

    /// Size and root over every durable event.
    fn tree_head(&self) -> TreeHead;

    /// Audit path for `index` in the tree of `size` leaves.
    fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> impl Future<Output = Result<Vec<Hash>, StoreError>> + Send;

    /// Consistency proof between two sizes.
    fn consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> impl Future<Output = Result<Vec<Hash>, StoreError>> + Send;

    /// Root of the tree at an earlier size.
    fn root_at(&self, size: u64) -> impl Future<Output = Result<Hash, StoreError>> + Send;

    /// The latest signed checkpoint.
    fn checkpoint(
        &self,
    ) -> impl Future<Output = Result<Option<SignedCheckpoint>, StoreError>> + Send;

    /// The signed checkpoint for exactly this size, if one was signed.
    fn checkpoint_at(
        &self,
        size: u64,
    ) -> impl Future<Output = Result<Option<SignedCheckpoint>, StoreError>> + Send;

    /// Keeps a signed checkpoint (they are never deleted).
    fn store_checkpoint(
        &self,
        checkpoint: SignedCheckpoint,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A `tlog-proof` receipt for leaf `index` against the latest signed checkpoint;
    /// `None` until a signed checkpoint covers the leaf.
    fn receipt(
        &self,
        index: u64,
    ) -> impl Future<Output = Result<Option<roundtable_ledger::Receipt>, StoreError>> + Send
    where
        Self: Sync,
    {
        async move {
            let Some(cp) = self.checkpoint().await? else {
                return Ok(None);
            };
            if index >= cp.checkpoint.size {
                return Ok(None);
            }
            let proof = self.inclusion_proof(index, cp.checkpoint.size).await?;
            Ok(Some(roundtable_ledger::Receipt {
                extra: None,
                index,
                proof,
                checkpoint: cp.note,
            }))
        }
    }
}
