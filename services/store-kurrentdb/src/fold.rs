//! The tree as a projection: folds this log's events, in `$all` commit order, into
//! a local copy (a [`SqliteStore`] written only by import), remembering the `$all`
//! position in the same transaction. Every process folds the same order with the
//! same code, so every copy has the same leaves, indexes and roots.

use std::sync::Arc;
use std::time::Duration;

use kurrentdb::{
    Client, Position, RetryOptions, StreamPosition, SubscribeToAllOptions, SubscriptionEvent,
    SubscriptionFilter,
};
use roundtable_ledger::{Leaf, LeafHeader, SignedCheckpoint};
use tokio::sync::{mpsc, watch};

use super::config::Namespace;
use roundtable_store::StoreError;
use roundtable_store_sqlite::SqliteStore;

/// The meta key holding the `$all` position of the last folded event.
pub(crate) const POSITION_KEY: &str = "kurrentdb.position";
/// Leaves imported per transaction at most.
const BATCH: usize = 2048;

/// How far the fold has got, for appends and reads that wait for it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Folded {
    /// Commit position of the last event folded (`None`: nothing yet).
    pub position: Option<u64>,
    /// Why folding stopped for good (the source contradicts the record).
    pub failed: Option<StoreError>,
}

/// One of our events from `$all`, checked and ready to import.
enum Item {
    Leaf(Leaf, Position),
    Checkpoint(SignedCheckpoint, Position),
}

pub(crate) fn position_text(p: Position) -> String {
    format!("{}/{}", p.commit, p.prepare)
}

pub(crate) fn parse_position(text: &str) -> Option<Position> {
    let (commit, prepare) = text.split_once('/')?;
    Some(Position {
        commit: commit.parse().ok()?,
        prepare: prepare.parse().ok()?,
    })
}

/// The checkpoint carried by an event of the checkpoints stream.
pub(crate) fn checkpoint_of(data: &[u8]) -> Result<SignedCheckpoint, StoreError> {
    let bad = |why: String| StoreError::Corrupt(format!("a checkpoint event is malformed: {why}"));
    let value: serde_json::Value = serde_json::from_slice(data).map_err(|e| bad(e.to_string()))?;
    let note = value["note"]
        .as_str()
        .ok_or_else(|| bad("no note".into()))?
        .to_owned();
    SignedCheckpoint::from_kept_note(note).map_err(|e| bad(e.to_string()))
}

/// Checks one recorded event against where it was stored.
fn item_of(
    event: &kurrentdb::RecordedEvent,
    namespace: &Namespace,
    origin: &str,
) -> Result<Item, StoreError> {
    let stream = event.stream_id();
    if stream == namespace.checkpoints() {
        let signed = checkpoint_of(&event.data)?;
        if signed.checkpoint.origin != origin {
            return Err(StoreError::Corrupt(format!(
                "{stream} revision {}: a checkpoint for log {:?}",
                event.revision, signed.checkpoint.origin
            )));
        }
        return Ok(Item::Checkpoint(signed, event.position));
    }
    let leaf = Leaf::parse(event.data.to_vec()).map_err(|e| {
        StoreError::Corrupt(format!(
            "{stream} revision {}: not a canonical leaf ({e})",
            event.revision
        ))
    })?;
    let header = LeafHeader::from_leaf(&leaf).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if namespace.stream(&header.stream) != stream || header.seq != event.revision + 1 {
        return Err(StoreError::Corrupt(format!(
            "{stream} revision {} holds the leaf of {} seq {}",
            event.revision, header.stream, header.seq
        )));
    }
    if header.id != event.id.to_string() {
        return Err(StoreError::Corrupt(format!(
            "{stream} revision {}: event id {} differs from the leaf's {}",
            event.revision, event.id, header.id
        )));
    }
    Ok(Item::Leaf(leaf, event.position))
}

/// Reads `$all` from `from` into `tx` until `tx` closes; resubscribes after errors.
async fn read(
    client: Client,
    namespace: Namespace,
    origin: String,
    mut from: Option<Position>,
    tx: mpsc::Sender<Result<Item, StoreError>>,
) {
    let filter = SubscriptionFilter::on_stream_name()
        .add_prefix(namespace.stream_prefix())
        .add_prefix(namespace.checkpoints());
    loop {
        let options = SubscribeToAllOptions::default()
            .position(from.map_or(StreamPosition::Start, StreamPosition::Position))
            .filter(filter.clone())
            .retry_options(RetryOptions::default().retry_forever());
        let mut subscription = client.subscribe_to_all(&options).await;
        loop {
            match subscription.next_subscription_event().await {
                Ok(SubscriptionEvent::EventAppeared(resolved)) => {
                    let event = resolved.get_original_event();
                    let item = item_of(event, &namespace, &origin);
                    let stop = item.is_err();
                    from = Some(event.position);
                    if tx.send(item).await.is_err() || stop {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the $all subscription failed; resubscribing");
                    break;
                }
            }
        }
        if tx.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Folds until the mirror closes or the source contradicts the record.
pub(crate) async fn run(
    client: Client,
    namespace: Namespace,
    mirror: Arc<SqliteStore>,
    state: watch::Sender<Folded>,
) {
    let from = match mirror.meta(POSITION_KEY).await {
        Ok(text) => text.as_deref().and_then(parse_position),
        Err(e) => {
            state.send_modify(|s| s.failed = Some(e));
            return;
        }
    };
    state.send_modify(|s| s.position = from.map(|p| p.commit));
    let (tx, mut rx) = mpsc::channel(4 * BATCH);
    let reader = tokio::spawn(read(
        client,
        namespace,
        roundtable_store::EventStore::origin(mirror.as_ref()).to_owned(),
        from,
        tx,
    ));
    let mut pending: Option<Result<Item, StoreError>> = None;
    loop {
        let first = match pending.take() {
            Some(item) => item,
            None => match rx.recv().await {
                Some(item) => item,
                None => break,
            },
        };
        // Leaves up to the next checkpoint go in one transaction; a checkpoint
        // closes its batch, so it is checked against the tree that includes them.
        let mut leaves = Vec::new();
        let mut checkpoint = None;
        let mut last = None;
        let mut next = Some(first);
        while let Some(item) = next.take() {
            match item {
                Ok(Item::Leaf(leaf, position)) => {
                    leaves.push(leaf);
                    last = Some(position);
                }
                Ok(Item::Checkpoint(cp, position)) => {
                    checkpoint = Some(cp);
                    last = Some(position);
                    break;
                }
                Err(e) => {
                    pending = Some(Err(e));
                    break;
                }
            }
            if leaves.len() >= BATCH {
                break;
            }
            next = rx.try_recv().ok();
        }
        if let Some(position) = last {
            let meta = vec![(POSITION_KEY.to_owned(), position_text(position))];
            if let Err(e) = mirror.import(leaves, checkpoint, meta).await {
                fail(&state, e);
                break;
            }
            state.send_modify(|s| s.position = Some(position.commit));
        }
        if let Some(Err(e)) = pending.take() {
            fail(&state, e);
            break;
        }
    }
    reader.abort();
}

fn fail(state: &watch::Sender<Folded>, e: StoreError) {
    if matches!(e, StoreError::Closed) {
        return;
    }
    tracing::error!(error = %e, "the local copy of the log stopped following KurrentDB");
    state.send_modify(|s| s.failed = Some(e));
}
