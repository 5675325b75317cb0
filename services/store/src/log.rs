//! [`Log`]: the [`EventStore`] contract as an object. A process chooses its
//! backend once, at start, as an `Arc<dyn Log>`; everything after that (the
//! application, the read models, the signer, the `/log/*` routes) calls through it,
//! so there is one dispatch layer and nothing above the store is generic over it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use roundtable_ledger::{EventDraft, Hash, Receipt, SignedCheckpoint, StreamName};

use crate::{
    Appended, EventStore, Expected, RecordedEvent, StoreError, StoreMetrics, Subscription, TreeHead,
};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Every [`EventStore`] method, with boxed futures (see [`EventStore`] for what
/// each promises).
pub trait Log: Send + Sync + 'static {
    fn origin(&self) -> &str;
    fn metrics(&self) -> &Arc<StoreMetrics>;
    fn append<'a>(
        &'a self,
        stream: &'a StreamName,
        expected: Expected,
        events: Vec<EventDraft>,
    ) -> BoxFuture<'a, Result<Appended, StoreError>>;
    fn read_stream<'a>(
        &'a self,
        stream: &'a StreamName,
        from_seq: u64,
    ) -> BoxFuture<'a, Result<Vec<RecordedEvent>, StoreError>>;
    fn read_all(
        &self,
        from: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<RecordedEvent>, StoreError>>;
    fn subscribe_all(&self, from: u64) -> Subscription;
    fn tree_head(&self) -> TreeHead;
    fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> BoxFuture<'_, Result<Vec<Hash>, StoreError>>;
    fn consistency_proof(&self, old: u64, new: u64)
    -> BoxFuture<'_, Result<Vec<Hash>, StoreError>>;
    fn root_at(&self, size: u64) -> BoxFuture<'_, Result<Hash, StoreError>>;
    fn checkpoint(&self) -> BoxFuture<'_, Result<Option<SignedCheckpoint>, StoreError>>;
    fn checkpoint_at(
        &self,
        size: u64,
    ) -> BoxFuture<'_, Result<Option<SignedCheckpoint>, StoreError>>;
    fn store_checkpoint(
        &self,
        checkpoint: SignedCheckpoint,
    ) -> BoxFuture<'_, Result<(), StoreError>>;
    fn receipt(&self, index: u64) -> BoxFuture<'_, Result<Option<Receipt>, StoreError>>;
    fn set_vkey<'a>(&'a self, vkey: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
    fn flush(&self) -> BoxFuture<'_, Result<(), StoreError>>;
    fn close(&self) -> BoxFuture<'_, ()>;
}

impl<S: EventStore> Log for S {
    fn origin(&self) -> &str {
        EventStore::origin(self)
    }

    fn metrics(&self) -> &Arc<StoreMetrics> {
        EventStore::metrics(self)
    }

    fn append<'a>(
        &'a self,
        stream: &'a StreamName,
        expected: Expected,
        events: Vec<EventDraft>,
    ) -> BoxFuture<'a, Result<Appended, StoreError>> {
        Box::pin(EventStore::append(self, stream, expected, events))
    }

    fn read_stream<'a>(
        &'a self,
        stream: &'a StreamName,
        from_seq: u64,
    ) -> BoxFuture<'a, Result<Vec<RecordedEvent>, StoreError>> {
        Box::pin(EventStore::read_stream(self, stream, from_seq))
    }

    fn read_all(
        &self,
        from: u64,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<RecordedEvent>, StoreError>> {
        Box::pin(EventStore::read_all(self, from, limit))
    }

    fn subscribe_all(&self, from: u64) -> Subscription {
        EventStore::subscribe_all(self, from)
    }

    fn tree_head(&self) -> TreeHead {
        EventStore::tree_head(self)
    }

    fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> BoxFuture<'_, Result<Vec<Hash>, StoreError>> {
        Box::pin(EventStore::inclusion_proof(self, index, size))
    }

    fn consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> BoxFuture<'_, Result<Vec<Hash>, StoreError>> {
        Box::pin(EventStore::consistency_proof(self, old, new))
    }

    fn root_at(&self, size: u64) -> BoxFuture<'_, Result<Hash, StoreError>> {
        Box::pin(EventStore::root_at(self, size))
    }

    fn checkpoint(&self) -> BoxFuture<'_, Result<Option<SignedCheckpoint>, StoreError>> {
        Box::pin(EventStore::checkpoint(self))
    }

    fn checkpoint_at(
        &self,
        size: u64,
    ) -> BoxFuture<'_, Result<Option<SignedCheckpoint>, StoreError>> {
        Box::pin(EventStore::checkpoint_at(self, size))
    }

    fn store_checkpoint(
        &self,
        checkpoint: SignedCheckpoint,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(EventStore::store_checkpoint(self, checkpoint))
    }

    fn receipt(&self, index: u64) -> BoxFuture<'_, Result<Option<Receipt>, StoreError>> {
        Box::pin(EventStore::receipt(self, index))
    }

    fn set_vkey<'a>(&'a self, vkey: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(EventStore::set_vkey(self, vkey))
    }

    fn flush(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(EventStore::flush(self))
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(EventStore::close(self))
    }
}
