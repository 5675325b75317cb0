//! The store a process runs on, chosen at start by `--store`: the embedded SQLite
//! log in the data directory, or a KurrentDB cluster (with this process's copy of
//! the tree in the data directory).

use std::path::Path;
use std::sync::Arc;

use roundtable_ledger::{EventDraft, Hash, SignedCheckpoint, StreamName};

use roundtable_store::{
    Appended, EventStore, Expected, RecordedEvent, StoreError, StoreMetrics, Subscription, TreeHead,
};
use roundtable_store_kurrentdb::{KurrentDbConfig, KurrentDbStore};
use roundtable_store_sqlite::{SqliteOptions, SqliteStore};

/// Where the log is, as `--store` names it.
#[derive(Clone, Debug)]
pub enum StoreLocation {
    /// `sqlite:DIR`, or nothing: the data directory.
    Sqlite(Option<std::path::PathBuf>),
    KurrentDb(Box<KurrentDbConfig>),
}

impl StoreLocation {
    pub fn parse(url: &str) -> Result<StoreLocation, StoreError> {
        if let Some(dir) = url.strip_prefix("sqlite:") {
            let dir = dir.strip_prefix("//").unwrap_or(dir);
            return Ok(StoreLocation::Sqlite(
                (!dir.is_empty()).then(|| std::path::PathBuf::from(dir)),
            ));
        }
        if KurrentDbConfig::is_kurrentdb_url(url) {
            return Ok(StoreLocation::KurrentDb(Box::new(KurrentDbConfig::parse(
                url,
            )?)));
        }
        Err(StoreError::Storage(format!(
            "--store {url:?}: expected sqlite:DIR or kurrentdb://host:port?…"
        )))
    }
}

pub enum Backend {
    Sqlite(SqliteStore),
    KurrentDb(Box<KurrentDbStore>),
}

impl Backend {
    /// Opens the log: SQLite in `data` (or the directory the location names), or
    /// KurrentDB with this process's copy of the tree in `data`.
    pub async fn open(
        location: &StoreLocation,
        data: &Path,
        origin: &str,
    ) -> Result<Backend, StoreError> {
        match location {
            StoreLocation::Sqlite(dir) => Ok(Backend::Sqlite(SqliteStore::open(
                dir.as_deref().unwrap_or(data),
                origin,
                SqliteOptions::default(),
            )?)),
            StoreLocation::KurrentDb(config) => {
                let store = KurrentDbStore::open(config, data, origin).await?;
                store.caught_up().await.map_err(|e| match e {
                    StoreError::Storage(why) => {
                        StoreError::Storage(format!("{}: {why}", config.display))
                    }
                    other => other,
                })?;
                Ok(Backend::KurrentDb(Box::new(store)))
            }
        }
    }

    pub fn kurrentdb(&self) -> Option<&KurrentDbStore> {
        match self {
            Backend::KurrentDb(k) => Some(k),
            Backend::Sqlite(_) => None,
        }
    }

    pub fn metrics(&self) -> &Arc<StoreMetrics> {
        match self {
            Backend::Sqlite(s) => s.metrics(),
            Backend::KurrentDb(k) => k.metrics(),
        }
    }

    pub async fn set_vkey(&self, vkey: &str) -> Result<(), StoreError> {
        match self {
            Backend::Sqlite(s) => s.set_vkey(vkey).await,
            Backend::KurrentDb(k) => k.set_vkey(vkey).await,
        }
    }

    /// Waits until everything acknowledged is durable (KurrentDB acknowledges only
    /// what a quorum has on disk, so there is nothing to wait for).
    pub async fn flush(&self) -> Result<(), StoreError> {
        match self {
            Backend::Sqlite(s) => s.flush().await,
            Backend::KurrentDb(_) => Ok(()),
        }
    }

    pub async fn close(&self) {
        match self {
            Backend::Sqlite(s) => s.close().await,
            Backend::KurrentDb(k) => k.close().await,
        }
    }
}

/// Calls the same method on whichever backend this is.
macro_rules! delegate {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Backend::Sqlite($s) => $call,
            Backend::KurrentDb($s) => $call,
        }
    };
}

impl EventStore for Backend {
    fn origin(&self) -> &str {
        delegate!(self, s => s.origin())
    }

    async fn append(
        &self,
        stream: &StreamName,
        expected: Expected,
        events: Vec<EventDraft>,
    ) -> Result<Appended, StoreError> {
        delegate!(self, s => s.append(stream, expected, events).await)
    }

    async fn read_stream(
        &self,
        stream: &StreamName,
        from_seq: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        delegate!(self, s => s.read_stream(stream, from_seq).await)
    }

    async fn read_all(&self, from: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        delegate!(self, s => s.read_all(from, limit).await)
    }

    fn subscribe_all(&self, from: u64) -> Subscription {
        delegate!(self, s => s.subscribe_all(from))
    }

    fn tree_head(&self) -> TreeHead {
        delegate!(self, s => s.tree_head())
    }

    async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        delegate!(self, s => s.inclusion_proof(index, size).await)
    }

    async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        delegate!(self, s => s.consistency_proof(old, new).await)
    }

    async fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        delegate!(self, s => s.root_at(size).await)
    }

    async fn checkpoint(&self) -> Result<Option<SignedCheckpoint>, StoreError> {
        delegate!(self, s => s.checkpoint().await)
    }

    async fn checkpoint_at(&self, size: u64) -> Result<Option<SignedCheckpoint>, StoreError> {
        delegate!(self, s => s.checkpoint_at(size).await)
    }

    async fn store_checkpoint(&self, checkpoint: SignedCheckpoint) -> Result<(), StoreError> {
        delegate!(self, s => s.store_checkpoint(checkpoint).await)
    }
}
