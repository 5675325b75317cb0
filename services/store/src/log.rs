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

/// Writes [`Log`] and its implementation for every [`EventStore`] from one list of
/// the contract's async methods, so the object form cannot drift from the contract.
macro_rules! object_form {
    ($lt:lifetime; $($name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        /// Every [`EventStore`] method, with boxed futures (see [`EventStore`] for
        /// what each promises).
        pub trait Log: Send + Sync + 'static {
            fn origin(&self) -> &str;
            fn metrics(&self) -> &Arc<StoreMetrics>;
            fn subscribe_all(&self, from: u64) -> Subscription;
            fn tree_head(&self) -> TreeHead;
            $(fn $name<$lt>(&$lt self, $($arg: $ty),*) -> BoxFuture<$lt, $out>;)*
        }

        impl<S: EventStore> Log for S {
            fn origin(&self) -> &str {
                EventStore::origin(self)
            }

            fn metrics(&self) -> &Arc<StoreMetrics> {
                EventStore::metrics(self)
            }

            fn subscribe_all(&self, from: u64) -> Subscription {
                EventStore::subscribe_all(self, from)
            }

            fn tree_head(&self) -> TreeHead {
                EventStore::tree_head(self)
            }

            $(fn $name<$lt>(&$lt self, $($arg: $ty),*) -> BoxFuture<$lt, $out> {
                Box::pin(EventStore::$name(self, $($arg),*))
            })*
        }
    };
}

object_form! { 'a;
    append(stream: &'a StreamName, expected: Expected, events: Vec<EventDraft>) -> Result<Appended, StoreError>;
    read_stream(stream: &'a StreamName, from_seq: u64) -> Result<Vec<RecordedEvent>, StoreError>;
    read_all(from: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError>;
    inclusion_proof(index: u64, size: u64) -> Result<Vec<Hash>, StoreError>;
    consistency_proof(old: u64, new: u64) -> Result<Vec<Hash>, StoreError>;
    root_at(size: u64) -> Result<Hash, StoreError>;
    checkpoint() -> Result<Option<SignedCheckpoint>, StoreError>;
    checkpoint_at(size: u64) -> Result<Option<SignedCheckpoint>, StoreError>;
    store_checkpoint(checkpoint: SignedCheckpoint) -> Result<(), StoreError>;
    receipt(index: u64) -> Result<Option<Receipt>, StoreError>;
    set_vkey(vkey: &'a str) -> Result<(), StoreError>;
    flush() -> Result<(), StoreError>;
    close() -> ();
}
