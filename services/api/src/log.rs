//! The part of the store the API uses, behind an object-safe trait so the API is
//! not generic over the backend (SQLite today, KurrentDB later).

use std::future::Future;
use std::pin::Pin;

use roundtable_ledger::{EventDraft, Receipt, SignedCheckpoint, StreamName};
use roundtable_store::{Appended, EventStore, Expected, RecordedEvent, StoreError};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Log: Send + Sync + 'static {
    fn append<'a>(
        &'a self,
        stream: &'a StreamName,
        expected: Expected,
        events: Vec<EventDraft>,
    ) -> BoxFuture<'a, Result<Appended, StoreError>>;

    fn read_stream<'a>(
        &'a self,
        stream: &'a StreamName,
    ) -> BoxFuture<'a, Result<Vec<RecordedEvent>, StoreError>>;

    fn read_event(&self, index: u64) -> BoxFuture<'_, Result<Option<RecordedEvent>, StoreError>>;

    /// The receipt of a leaf, once a signed checkpoint covers it.
    fn receipt(&self, index: u64) -> BoxFuture<'_, Result<Option<Receipt>, StoreError>>;

    /// The latest signed checkpoint.
    fn checkpoint(&self) -> BoxFuture<'_, Result<Option<SignedCheckpoint>, StoreError>>;
}

impl<S: EventStore> Log for S {
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
    ) -> BoxFuture<'a, Result<Vec<RecordedEvent>, StoreError>> {
        Box::pin(EventStore::read_stream(self, stream, 1))
    }

    fn read_event(&self, index: u64) -> BoxFuture<'_, Result<Option<RecordedEvent>, StoreError>> {
        Box::pin(async move { Ok(self.read_all(index, 1).await?.into_iter().next()) })
    }

    fn receipt(&self, index: u64) -> BoxFuture<'_, Result<Option<Receipt>, StoreError>> {
        Box::pin(EventStore::receipt(self, index))
    }

    fn checkpoint(&self) -> BoxFuture<'_, Result<Option<SignedCheckpoint>, StoreError>> {
        Box::pin(EventStore::checkpoint(self))
    }
}
