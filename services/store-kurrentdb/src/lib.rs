//! The KurrentDB backend (docs/ARCHITECTURE.md, "KurrentDB"): one KurrentDB stream per aggregate, appends
//! with the exact expected revision, the leaf bytes as the event data and the
//! leaf's id as the event id. KurrentDB acknowledges a write once a quorum of
//! nodes has it on disk, so an append that returns is durable.
//!
//! The tree is this process's own projection ([`fold`]) of `$all`: reads, proofs
//! and checkpoints come from that local copy, and an append returns only once the
//! copy includes it (read your own writes).

pub mod config;
mod fold;
pub mod lease;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kurrentdb::{
    AppendToStreamOptions, Client, EventData, ReadStreamOptions, StreamPosition, StreamState,
};
use roundtable_ledger::{
    EventDraft, Hash, Leaf, LeafHeader, SignedCheckpoint, StreamName, verify_consistency,
};
use tokio::sync::watch;

pub use config::{KurrentDbConfig, Namespace};
use fold::Folded;
use roundtable_store::{
    Appended, AppendedEvent, EventStore, Expected, RecordedEvent, StoreError, StoreMetrics,
    Subscription, TreeHead, check_drafts,
};
use roundtable_store_sqlite::{SqliteOptions, SqliteStore};

/// Tries of an `Expected::Any` append that keeps losing races before `Conflict`.
const ANY_ATTEMPTS: usize = 32;

/// How long an append or read waits for the local copy to include what KurrentDB
/// already has, before it reports the copy as behind.
const FOLD_WAIT: Duration = Duration::from_secs(30);

/// The last event of a KurrentDB stream, if it has any.
pub(crate) async fn read_tail(
    client: &Client,
    stream: &str,
) -> Result<Option<kurrentdb::RecordedEvent>, StoreError> {
    let options = ReadStreamOptions::default()
        .position(StreamPosition::End)
        .backwards()
        .max_count(1);
    let mut read = match client.read_stream(stream, &options).await {
        Ok(read) => read,
        Err(kurrentdb::Error::ResourceNotFound) => return Ok(None),
        Err(e) => return Err(failure(e)),
    };
    match read.next().await {
        Ok(Some(event)) => Ok(event.link.or(event.event)),
        Ok(None) | Err(kurrentdb::Error::ResourceNotFound) => Ok(None),
        Err(e) => Err(failure(e)),
    }
}

fn failure(e: kurrentdb::Error) -> StoreError {
    // The client says only "Connection is closed" or "Max discovery attempt count
    // reached" for a node that is down, a wrong host, and a TLS mismatch alike.
    let hint = match e {
        kurrentdb::Error::ConnectionClosed | kurrentdb::Error::GrpcConnectionError(_) => {
            " (no node could be reached: check the URL's hosts and that they run; with \
             tls=true, that tlsCAFile is the CA that signed the nodes' certificates; with \
             tls=false, that the nodes do not require TLS)"
        }
        _ => "",
    };
    StoreError::Storage(format!("KurrentDB: {e}{hint}"))
}

pub struct KurrentDbStore {
    client: Client,
    namespace: Namespace,
    origin: String,
    /// The local copy of the log (tree, leaves, checkpoints), written only by the fold.
    mirror: Arc<SqliteStore>,
    folded: watch::Receiver<Folded>,
    fold: tokio::task::JoinHandle<()>,
}

impl KurrentDbStore {
    /// Connects and starts folding `$all` into the local copy kept in `dir` (one
    /// directory per process). Returns before the copy has caught up; see
    /// [`KurrentDbStore::caught_up`].
    pub async fn open(
        config: &KurrentDbConfig,
        dir: &Path,
        origin: &str,
    ) -> Result<KurrentDbStore, StoreError> {
        install_crypto_provider();
        let client = Client::new(config.settings.clone())
            .map_err(|e| StoreError::Storage(format!("KurrentDB client: {e}")))?;
        let options = SqliteOptions {
            copy: true,
            ..SqliteOptions::default()
        };
        let mirror = Arc::new(SqliteStore::open(dir, origin, options)?);
        let key = "kurrentdb.namespace";
        match mirror.meta(key).await? {
            Some(ns) if ns != config.namespace.as_str() => {
                return Err(StoreError::Corrupt(format!(
                    "{} is a copy of namespace {ns:?}, not {:?}",
                    dir.display(),
                    config.namespace.as_str()
                )));
            }
            Some(_) => {}
            None if mirror.tree_head().size > 0 => {
                return Err(StoreError::Corrupt(format!(
                    "{} holds an embedded log; a KurrentDB process needs a data directory of its own \
                     (to move the log there: roundtable admin migrate)",
                    dir.display()
                )));
            }
            None => mirror.set_meta(key, config.namespace.as_str()).await?,
        }
        let (state, folded) = watch::channel(Folded::default());
        let fold = tokio::spawn(fold::run(
            client.clone(),
            config.namespace.clone(),
            mirror.clone(),
            state,
        ));
        Ok(KurrentDbStore {
            client,
            namespace: config.namespace.clone(),
            origin: origin.to_owned(),
            mirror,
            folded,
            fold,
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn namespace(&self) -> &Namespace {
        &self.namespace
    }

    /// The local copy (for `audit export` and `admin migrate`).
    pub fn mirror(&self) -> &Arc<SqliteStore> {
        &self.mirror
    }

    /// Waits until the local copy includes everything KurrentDB had when called.
    pub async fn caught_up(&self) -> Result<(), StoreError> {
        let options = kurrentdb::ReadAllOptions::default()
            .position(StreamPosition::End)
            .backwards()
            .filter(
                kurrentdb::SubscriptionFilter::on_stream_name()
                    .add_prefix(self.namespace.stream_prefix())
                    .add_prefix(self.namespace.checkpoints()),
            )
            .max_count(1);
        let mut read = self.client.read_all(&options).await.map_err(failure)?;
        if let Some(last) = read.next().await.map_err(failure)? {
            self.wait_folded(last.get_original_event().position.commit)
                .await?;
        }
        Ok(())
    }

    /// Waits until the fold has passed commit position `commit`.
    async fn wait_folded(&self, commit: u64) -> Result<(), StoreError> {
        let mut folded = self.folded.clone();
        let reached = tokio::time::timeout(
            FOLD_WAIT,
            folded.wait_for(|f| f.failed.is_some() || f.position.is_some_and(|p| p >= commit)),
        )
        .await;
        match reached {
            Err(_) => Err(StoreError::Storage(format!(
                "the local copy of the log is more than {}s behind KurrentDB",
                FOLD_WAIT.as_secs()
            ))),
            Ok(Err(_)) => Err(StoreError::Closed),
            Ok(Ok(f)) => match &f.failed {
                Some(e) => Err(e.clone()),
                None => Ok(()),
            },
        }
    }

    /// The stream's head in KurrentDB, waited for in the local copy.
    async fn head(&self, stream: &StreamName) -> Result<Option<(u64, Hash)>, StoreError> {
        let Some(tail) = read_tail(&self.client, &self.namespace.stream(stream)).await? else {
            return Ok(None);
        };
        self.wait_folded(tail.position.commit).await?;
        let leaf = Leaf::parse(tail.data.to_vec())
            .map_err(|e| StoreError::Corrupt(format!("{stream}: {e}")))?;
        Ok(Some((tail.revision + 1, leaf.hash())))
    }

    /// The request's ids already in the stream where a retry would find them:
    /// right after `position`, or anywhere for `Expected::Any`.
    async fn find_replay(
        &self,
        stream: &StreamName,
        expected: Expected,
        position: u64,
        ids: &[&str],
    ) -> Result<Option<Appended>, StoreError> {
        let mut existing = Vec::new();
        for e in self.mirror.read_stream(stream, 1).await? {
            let id = LeafHeader::from_leaf(&e.leaf)
                .map_err(|err| StoreError::Corrupt(err.to_string()))?
                .id;
            existing.push((id, appended_event(&e)));
        }
        Ok(Appended::replay_of(&existing, expected, position, ids))
    }

    /// Appends leaves sealed elsewhere (a migration), in their order: each run of
    /// one stream in one append with the exact expected revision (`seq - 1`), so the
    /// `$all` order, and with it every index and root, is the source's. Returns once
    /// the local copy has folded them (the fold checks every chain).
    pub async fn import(&self, leaves: &[Leaf]) -> Result<(), StoreError> {
        let mut last = None;
        let mut rest = leaves;
        while let Some(first) = rest.first() {
            let header = LeafHeader::from_leaf(first).map_err(StoreError::InvalidEvent)?;
            let mut run = Vec::new();
            let mut taken = 0;
            for leaf in rest {
                let h = LeafHeader::from_leaf(leaf).map_err(StoreError::InvalidEvent)?;
                if h.stream != header.stream {
                    break;
                }
                run.push(event_data(&h.kind, &h.id, leaf.clone())?);
                taken += 1;
            }
            rest = &rest[taken..];
            let state = match header.seq {
                1 => StreamState::NoStream,
                seq => StreamState::StreamRevision(seq - 2),
            };
            let options = AppendToStreamOptions::default().stream_state(state);
            let target = self.namespace.stream(&header.stream);
            match self
                .client
                .append_to_stream(target.as_str(), &options, run)
                .await
            {
                Ok(written) => last = Some(written.position.commit),
                Err(kurrentdb::Error::WrongExpectedVersion { current, .. }) => {
                    return Err(StoreError::Corrupt(format!(
                        "{target} is at {current} in KurrentDB, not before seq {}",
                        header.seq
                    )));
                }
                Err(e) => return Err(failure(e)),
            }
        }
        match last {
            Some(commit) => self.wait_folded(commit).await,
            None => Ok(()),
        }
    }

    /// The origin of the log a namespace holds, from its latest checkpoint.
    pub async fn origin_of(config: &KurrentDbConfig) -> Result<Option<String>, StoreError> {
        install_crypto_provider();
        let client = Client::new(config.settings.clone())
            .map_err(|e| StoreError::Storage(format!("KurrentDB client: {e}")))?;
        let Some(tail) = read_tail(&client, &config.namespace.checkpoints()).await? else {
            return Ok(None);
        };
        let kept = fold::checkpoint_of(&tail.data)?;
        Ok(Some(kept.checkpoint.origin))
    }
}

impl Drop for KurrentDbStore {
    fn drop(&mut self) {
        self.fold.abort();
    }
}

fn appended_event(e: &RecordedEvent) -> AppendedEvent {
    AppendedEvent {
        index: e.index,
        seq: e.seq,
        leaf_hash: e.leaf_hash,
    }
}

/// Installs aws-lc-rs as the process's rustls provider, once, before any TLS
/// connection: the client's dependencies enable two providers, and rustls then
/// cannot choose one by itself.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}

impl EventStore for KurrentDbStore {
    fn origin(&self) -> &str {
        &self.origin
    }

    fn metrics(&self) -> &Arc<StoreMetrics> {
        self.mirror.metrics()
    }

    /// Records a value in the local copy's metadata.
    async fn set_vkey(&self, vkey: &str) -> Result<(), StoreError> {
        self.mirror.set_vkey(vkey).await
    }

    /// Stops folding and closes the local copy.
    async fn close(&self) {
        self.fold.abort();
        self.mirror.close().await;
    }

    async fn append(
        &self,
        stream: &StreamName,
        expected: Expected,
        events: Vec<EventDraft>,
    ) -> Result<Appended, StoreError> {
        check_drafts(&events)?;
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        let target = self.namespace.stream(stream);
        // The local copy's head is tried first (one round trip when it is current);
        // the expected revision makes KurrentDB refuse a stale guess, and only then
        // is the head read from KurrentDB.
        let mut confirmed = false;
        for _ in 0..ANY_ATTEMPTS {
            let head = if confirmed {
                self.head(stream).await?
            } else {
                self.mirror.stream_head(stream).await?
            };
            let current = head.map_or(0, |(seq, _)| seq);
            let position = match expected {
                Expected::NoStream => 0,
                Expected::Exact(seq) => seq,
                Expected::Any => current,
            };
            if position != current || expected == Expected::Any {
                if let Some(original) = self.find_replay(stream, expected, position, &ids).await? {
                    return Ok(original);
                }
                if position != current {
                    if !confirmed {
                        confirmed = true;
                        continue;
                    }
                    return Err(StoreError::Conflict {
                        stream: stream.clone(),
                        expected: expected.to_string(),
                        actual: current,
                    });
                }
            }
            let mut prev = head.map(|(_, hash)| hash);
            let mut proposed = Vec::with_capacity(events.len());
            let mut hashes = Vec::with_capacity(events.len());
            for (i, draft) in events.iter().enumerate() {
                let leaf =
                    draft.seal(&self.origin, stream, current + 1 + i as u64, prev.as_ref())?;
                prev = Some(leaf.hash());
                hashes.push(leaf.hash());
                proposed.push(event_data(&draft.kind, &draft.id, leaf)?);
            }
            let state = match current {
                0 => StreamState::NoStream,
                seq => StreamState::StreamRevision(seq - 1),
            };
            let options = AppendToStreamOptions::default().stream_state(state);
            match self
                .client
                .append_to_stream(target.as_str(), &options, proposed)
                .await
            {
                Ok(written) => {
                    self.wait_folded(written.position.commit).await?;
                    let stored = self.mirror.read_stream(stream, current + 1).await?;
                    let stored: Vec<AppendedEvent> = stored
                        .iter()
                        .take(events.len())
                        .map(appended_event)
                        .collect();
                    if stored.len() != events.len() {
                        return Err(StoreError::Corrupt(format!(
                            "{stream}: KurrentDB acknowledged seq {}.. but the copy lacks them",
                            current + 1
                        )));
                    }
                    // KurrentDB acknowledges a retry of ids it already has without
                    // writing: then the stored leaves are the original ones.
                    let replayed = stored.iter().zip(&hashes).any(|(s, h)| s.leaf_hash != *h);
                    return Ok(Appended {
                        events: stored,
                        replayed,
                    });
                }
                // The stream moved on: look again at KurrentDB's head (a retry of
                // ours, a conflict, or for `Any` another try).
                Err(kurrentdb::Error::WrongExpectedVersion { .. }) => {
                    confirmed = true;
                    continue;
                }
                Err(e) => return Err(failure(e)),
            }
        }
        let current = self.head(stream).await?.map_or(0, |(seq, _)| seq);
        Err(StoreError::Conflict {
            stream: stream.clone(),
            expected: expected.to_string(),
            actual: current,
        })
    }

    async fn read_stream(
        &self,
        stream: &StreamName,
        from_seq: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        // From the local copy: this process's own writes are in it (appends wait for
        // the fold); other processes' writes arrive as the fold catches up, and a
        // decision on a stale stream is refused by the expected revision.
        self.mirror.read_stream(stream, from_seq).await
    }

    async fn read_all(&self, from: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.mirror.read_all(from, limit).await
    }

    fn subscribe_all(&self, from: u64) -> Subscription {
        self.mirror.subscribe_all(from)
    }

    fn tree_head(&self) -> TreeHead {
        self.mirror.tree_head()
    }

    async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        self.mirror.inclusion_proof(index, size).await
    }

    async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        self.mirror.consistency_proof(old, new).await
    }

    async fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        self.mirror.root_at(size).await
    }

    async fn checkpoint(&self) -> Result<Option<SignedCheckpoint>, StoreError> {
        self.mirror.checkpoint().await
    }

    async fn checkpoint_at(&self, size: u64) -> Result<Option<SignedCheckpoint>, StoreError> {
        self.mirror.checkpoint_at(size).await
    }

    /// Appends a checkpoint to `NS.checkpoints` with the expected revision of the
    /// last one there, after proving the new one extends it: two signers racing
    /// cannot both append, and no append contradicts what was published.
    async fn store_checkpoint(&self, checkpoint: SignedCheckpoint) -> Result<(), StoreError> {
        let stream = self.namespace.checkpoints();
        let new = &checkpoint.checkpoint;
        if new.origin != self.origin {
            return Err(StoreError::Corrupt(format!(
                "a checkpoint for log {:?}",
                new.origin
            )));
        }
        let tail = read_tail(&self.client, &stream).await?;
        let state = match &tail {
            None => StreamState::NoStream,
            Some(event) => {
                self.wait_folded(event.position.commit).await?;
                let last = fold::checkpoint_of(&event.data)?.checkpoint;
                if new.size == last.size && new.root == last.root {
                    return Ok(());
                }
                let proof = if new.size >= last.size {
                    self.mirror.consistency_proof(last.size, new.size).await?
                } else {
                    Vec::new()
                };
                verify_consistency(last.size, new.size, &last.root, &new.root, &proof).map_err(
                    |e| {
                        StoreError::Corrupt(format!(
                            "checkpoint {} does not extend the published {}: {e}",
                            new.size, last.size
                        ))
                    },
                )?;
                StreamState::StreamRevision(event.revision)
            }
        };
        let data = serde_json::json!({"size": new.size, "note": checkpoint.note});
        let event = EventData::json("checkpoint.signed", &data)
            .map_err(|e| StoreError::Storage(e.to_string()))?;
        let options = AppendToStreamOptions::default().stream_state(state);
        match self
            .client
            .append_to_stream(stream.as_str(), &options, event)
            .await
        {
            Ok(written) => self.wait_folded(written.position.commit).await,
            Err(kurrentdb::Error::WrongExpectedVersion { .. }) => Err(StoreError::Superseded(
                format!("another signer appended to {stream} first"),
            )),
            Err(e) => Err(failure(e)),
        }
    }
}

/// The KurrentDB event of one leaf: its exact bytes as JSON data, its id, its type.
fn event_data(kind: &str, id: &str, leaf: Leaf) -> Result<EventData, StoreError> {
    let id = uuid::Uuid::parse_str(id).map_err(|_| {
        StoreError::InvalidEvent(roundtable_ledger::EnvelopeError::BadId(id.into()))
    })?;
    let text = String::from_utf8(leaf.into_bytes())
        .map_err(|e| StoreError::Corrupt(format!("a leaf is not UTF-8: {e}")))?;
    // A RawValue serialises as exactly its text: the data is the leaf, byte for byte.
    let raw = serde_json::value::RawValue::from_string(text)
        .map_err(|e| StoreError::Corrupt(format!("a leaf is not JSON: {e}")))?;
    Ok(EventData::json(kind, &raw)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .id(id))
}
