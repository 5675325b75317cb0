//! The single writer: batches concurrent appends into one transaction (group commit),
//! assigns `seq`, `prev`, index and leaf hash, writes leaves and tree nodes together,
//! and answers each append only after the commit is durable.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use roundtable_ledger::{
    CompactRange, EventDraft, Hash, Leaf, LeafHeader, SignedCheckpoint, StreamName, tree,
};
use rusqlite::{Connection, Transaction, params};
use tokio::sync::{mpsc, oneshot, watch};

use super::schema::{self, Nodes, node_key};
use roundtable_store::check_drafts;
use roundtable_store::{Appended, AppendedEvent, Expected, StoreError, StoreMetrics, TreeHead};

/// Upper bound on events per transaction, so one huge batch cannot stall everyone.
const MAX_BATCH_EVENTS: usize = 16_384;

pub(crate) struct AppendRequest {
    pub stream: StreamName,
    pub expected: Expected,
    pub events: Vec<EventDraft>,
    pub reply: oneshot::Sender<Result<Appended, StoreError>>,
    pub received: Instant,
}

/// Leaves already sealed, copied in their order from another copy of the log (the
/// KurrentDB fold, a migration), with what the copier must remember in the same
/// transaction: where it is in its source, and a checkpoint signed over the result.
pub(crate) struct ImportRequest {
    pub leaves: Vec<Leaf>,
    pub checkpoint: Option<SignedCheckpoint>,
    pub meta: Vec<(String, String)>,
    pub reply: oneshot::Sender<Result<Vec<AppendedEvent>, StoreError>>,
}

pub(crate) enum Command {
    Append(AppendRequest),
    Checkpoint(SignedCheckpoint, oneshot::Sender<Result<(), StoreError>>),
    /// Leaves sealed elsewhere (a copy of another log), in order.
    Import(ImportRequest),
    /// Answered once everything queued before it is durable.
    Flush(oneshot::Sender<Result<(), StoreError>>),
    /// Records a value in the log's metadata (e.g. the verifier key).
    SetMeta(String, String, oneshot::Sender<Result<(), StoreError>>),
}

#[derive(Clone, Copy)]
struct Head {
    no: i64,
    seq: u64,
    hash: Hash,
}

/// One event staged in the current batch.
struct Staged {
    stream_no: i64,
    seq: u64,
    index: u64,
    leaf: Vec<u8>,
    hash: Hash,
}

pub(crate) struct Writer {
    conn: Connection,
    origin: String,
    heads: HashMap<StreamName, Head>,
    next_stream_no: i64,
    range: CompactRange,
    head_tx: watch::Sender<TreeHead>,
    metrics: Arc<StoreMetrics>,
    /// Commits are not fsync'd (`SqliteOptions::copy`), so a flush must sync.
    copy: bool,
}

impl Writer {
    pub(crate) fn open(
        conn: Connection,
        origin: String,
        head_tx: watch::Sender<TreeHead>,
        metrics: Arc<StoreMetrics>,
        copy: bool,
    ) -> Result<Writer, StoreError> {
        let mut writer = Writer {
            conn,
            origin,
            heads: HashMap::new(),
            next_stream_no: 1,
            range: CompactRange::new(),
            head_tx,
            metrics,
            copy,
        };
        writer.reload()?;
        Ok(writer)
    }

    /// Rebuilds the in-memory state (stream heads, the tree's right edge) from disk.
    fn reload(&mut self) -> Result<(), StoreError> {
        // `open` already checked (by a full count) that no index is missing.
        let size = schema::next_index(&self.conn)?;
        self.range = CompactRange::load(&Nodes(&self.conn), size)?;
        self.heads.clear();
        let mut stmt = self.conn.prepare(
            "SELECT s.name, s.no, e.seq, e.leaf_hash FROM streams s
             JOIN events e ON e.stream_no = s.no
             AND e.seq = (SELECT MAX(seq) FROM events WHERE stream_no = s.no)",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Vec<u8>>(3)?,
            ))
        })?;
        for row in rows {
            let (name, no, seq, hash) = row?;
            let stream = StreamName::new(name).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let hash = Hash::from_slice(&hash)
                .ok_or_else(|| StoreError::Corrupt("a leaf hash is not 32 bytes".into()))?;
            self.heads.insert(
                stream,
                Head {
                    no,
                    seq: seq as u64,
                    hash,
                },
            );
        }
        drop(stmt);
        self.next_stream_no =
            self.conn
                .query_row("SELECT COALESCE(MAX(no), 0) + 1 FROM streams", [], |r| {
                    r.get(0)
                })?;
        self.publish();
        Ok(())
    }

    fn publish(&self) {
        let head = TreeHead {
            size: self.range.size(),
            root: self.range.root(),
        };
        self.metrics.tree_size.set(head.size as i64);
        self.head_tx.send_replace(head);
    }

    /// Runs until every sender is gone, then returns (the queue is drained first).
    pub(crate) fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        while let Some(first) = rx.blocking_recv() {
            let mut batch = vec![first];
            let mut events = batch_events(&batch[0]);
            while events < MAX_BATCH_EVENTS {
                match rx.try_recv() {
                    Ok(cmd) => {
                        events += batch_events(&cmd);
                        batch.push(cmd);
                    }
                    Err(_) => break,
                }
            }
            self.process(batch);
        }
    }

    fn process(&mut self, batch: Vec<Command>) {
        let mut appends = Vec::new();
        let mut checkpoints = Vec::new();
        let mut flushes = Vec::new();
        for cmd in batch {
            match cmd {
                Command::Append(req) => appends.push(req),
                Command::Checkpoint(cp, reply) => checkpoints.push((cp, reply)),
                Command::Flush(reply) => flushes.push(reply),
                Command::Import(req) => {
                    // Appends queued before the import go first: order is the record.
                    if !appends.is_empty() {
                        self.append_batch(std::mem::take(&mut appends));
                    }
                    let result = self.import(req.leaves, req.checkpoint.as_ref(), &req.meta);
                    let _ = req.reply.send(result);
                }
                Command::SetMeta(key, value, reply) => {
                    let result = self
                        .conn
                        .execute(
                            "INSERT INTO meta (key, value) VALUES (?1, ?2)
                             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            params![key, value],
                        )
                        .map(|_| ())
                        .map_err(StoreError::from);
                    let _ = reply.send(result);
                }
            }
        }
        if !appends.is_empty() {
            self.append_batch(appends);
        }
        for (cp, reply) in checkpoints {
            let result = self
                .conn
                .execute(
                    "INSERT OR IGNORE INTO checkpoints (size, note) VALUES (?1, ?2)",
                    params![cp.checkpoint.size as i64, cp.note],
                )
                .map(|_| ())
                .map_err(StoreError::from);
            let _ = reply.send(result);
        }
        if !flushes.is_empty() {
            let result = self.sync();
            for reply in flushes {
                let _ = reply.send(result.clone());
            }
        }
    }

    /// Makes every commit so far durable. With `synchronous=FULL` each commit
    /// already is; a copy's commits are, once a full WAL checkpoint has run (SQLite
    /// syncs the WAL before it and the database file after it).
    fn sync(&self) -> Result<(), StoreError> {
        if self.copy {
            let (busy, _, _): (i64, i64, i64) =
                self.conn
                    .query_row("PRAGMA wal_checkpoint(FULL)", [], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })?;
            if busy != 0 {
                return Err(StoreError::Storage(
                    "readers kept the WAL checkpoint from completing".into(),
                ));
            }
        }
        Ok(())
    }

    /// A fresh staging area over the committed state.
    fn staging(&self) -> Staging {
        Staging {
            heads: HashMap::new(),
            new_streams: Vec::new(),
            next_no: self.next_stream_no,
            staged: Vec::new(),
            nodes: Vec::new(),
            range: self.range.clone(),
        }
    }

    /// Makes a committed staging area the writer's state and tells readers.
    fn adopt(&mut self, staging: Staging) {
        self.heads.extend(staging.heads);
        self.next_stream_no = staging.next_no;
        self.range = staging.range;
        self.publish();
        self.metrics.events.inc_by(staging.staged.len() as u64);
    }

    fn append_batch(&mut self, requests: Vec<AppendRequest>) {
        let mut staging = self.staging();
        // Each accepted request with the result it will get once the batch commits.
        let mut accepted: Vec<(AppendRequest, Appended)> = Vec::new();
        for req in requests {
            match self.stage(&req, &mut staging) {
                Ok(result) => accepted.push((req, result)),
                Err(e) => {
                    let _ = req.reply.send(Err(e));
                }
            }
        }
        if staging.staged.is_empty() {
            // Only conflicts, invalid requests and replays: nothing to write.
            for (req, result) in accepted {
                let _ = req.reply.send(Ok(result));
            }
            return;
        }

        let started = Instant::now();
        let events = staging.staged.len();
        match self.commit(&staging, |_| Ok(())) {
            Ok(()) => {
                self.adopt(staging);
                self.metrics.batches.inc();
                self.metrics.batch_events.observe(events as f64);
                self.metrics
                    .commit_seconds
                    .observe(started.elapsed().as_secs_f64());
                for (req, result) in accepted {
                    self.metrics
                        .append_seconds
                        .observe(req.received.elapsed().as_secs_f64());
                    let _ = req.reply.send(Ok(result));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, events, "append batch failed; nothing acknowledged");
                for (req, _) in accepted {
                    let _ = req.reply.send(Err(e.clone()));
                }
                self.recover();
            }
        }
    }

    /// The transaction rolled back; re-read the state to be sure we match disk.
    fn recover(&mut self) {
        if let Err(e) = self.reload() {
            tracing::error!(error = %e, "reloading the store after a failed commit");
        }
    }

    /// Copies sealed leaves in order. Each must continue its stream's chain (the
    /// next `seq`, `prev` = the head's hash) and belong to this log; a checkpoint
    /// must sign the resulting tree's root at its size. All or nothing.
    fn import(
        &mut self,
        leaves: Vec<Leaf>,
        checkpoint: Option<&SignedCheckpoint>,
        meta: &[(String, String)],
    ) -> Result<Vec<AppendedEvent>, StoreError> {
        let mut staging = self.staging();
        let mut out = Vec::with_capacity(leaves.len());
        for leaf in leaves {
            let header =
                LeafHeader::from_leaf(&leaf).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if header.log != self.origin {
                return Err(StoreError::Corrupt(format!(
                    "leaf {} belongs to log {:?}, not {:?}",
                    header.id, header.log, self.origin
                )));
            }
            let head = self.head_of(&staging, &header.stream);
            let current = head.map_or(0, |h| h.seq);
            if header.seq != current + 1 || header.prev != head.map(|h| h.hash) {
                return Err(StoreError::Corrupt(format!(
                    "leaf {} ({} seq {}) does not continue its stream, which is at seq {current}",
                    header.id, header.stream, header.seq
                )));
            }
            out.extend(staging.push(&header.stream, head, current, vec![leaf]));
        }
        let size = staging.range.size();
        let root = staging.range.root();
        self.commit(&staging, |tx| {
            if let Some(cp) = checkpoint {
                let at = &cp.checkpoint;
                let signed_root = if at.size == size {
                    root
                } else if at.size < size {
                    tree::root_at(&Nodes(tx), at.size)?
                } else {
                    return Err(StoreError::Corrupt(format!(
                        "a checkpoint of size {} arrived when the tree has {size} leaves",
                        at.size
                    )));
                };
                if signed_root != at.root {
                    return Err(StoreError::Corrupt(format!(
                        "the checkpoint at size {} signs root {}, the tree's is {signed_root}",
                        at.size, at.root
                    )));
                }
                tx.execute(
                    "INSERT OR IGNORE INTO checkpoints (size, note) VALUES (?1, ?2)",
                    params![at.size as i64, cp.note],
                )?;
            }
            for (key, value) in meta {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, value],
                )?;
            }
            Ok(())
        })
        .inspect_err(|_| self.recover())?;
        self.adopt(staging);
        Ok(out)
    }

    /// Where a stream is: as staged in this batch, else as committed.
    fn head_of(&self, staging: &Staging, stream: &StreamName) -> Option<Head> {
        staging
            .heads
            .get(stream)
            .or_else(|| self.heads.get(stream))
            .copied()
    }

    fn stage(&self, req: &AppendRequest, staging: &mut Staging) -> Result<Appended, StoreError> {
        check_drafts(&req.events)?;
        let head = self.head_of(staging, &req.stream);
        let current = head.map_or(0, |h| h.seq);
        let position = match req.expected {
            Expected::NoStream => 0,
            Expected::Exact(seq) => seq,
            Expected::Any => current,
        };
        if position != current || req.expected == Expected::Any {
            if let Some(original) = self.find_replay(req, head, position, &staging.staged)? {
                return Ok(original);
            }
            if position != current {
                return Err(StoreError::Conflict {
                    stream: req.stream.clone(),
                    expected: req.expected.to_string(),
                    actual: current,
                });
            }
        }

        // Seal every leaf before staging anything, so a bad event stages nothing.
        let mut prev = head.map(|h| h.hash);
        let mut leaves = Vec::with_capacity(req.events.len());
        for (i, draft) in req.events.iter().enumerate() {
            let seq = current + 1 + i as u64;
            let leaf = draft.seal(&self.origin, &req.stream, seq, prev.as_ref())?;
            prev = Some(leaf.hash());
            leaves.push(leaf);
        }
        Ok(Appended {
            events: staging.push(&req.stream, head, current, leaves),
            replayed: false,
        })
    }

    /// Looks for the request's event ids already in the stream, where a retry would
    /// find them: right after `position` (or anywhere, for `Expected::Any`).
    fn find_replay(
        &self,
        req: &AppendRequest,
        head: Option<Head>,
        position: u64,
        staged: &[Staged],
    ) -> Result<Option<Appended>, StoreError> {
        let Some(head) = head else {
            return Ok(None);
        };
        let existing = self.stream_ids(head.no, &req.stream, staged)?;
        let ids: Vec<&str> = req.events.iter().map(|e| e.id.as_str()).collect();
        Ok(Appended::replay_of(&existing, req.expected, position, &ids))
    }

    /// The id and position of each of a stream's events, durable and staged, in order.
    fn stream_ids(
        &self,
        no: i64,
        stream: &StreamName,
        staged: &[Staged],
    ) -> Result<Vec<(String, AppendedEvent)>, StoreError> {
        let id_of = |leaf: &[u8]| -> Result<String, StoreError> {
            LeafHeader::from_bytes(leaf)
                .map(|h| h.id)
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        };
        let durable = schema::read_stream_no(&self.conn, no, stream, 1)?;
        let mut out = Vec::with_capacity(durable.len());
        for e in durable {
            let position = AppendedEvent {
                index: e.index,
                seq: e.seq,
                leaf_hash: e.leaf_hash,
            };
            out.push((id_of(e.leaf.as_bytes())?, position));
        }
        for s in staged.iter().filter(|s| s.stream_no == no) {
            let position = AppendedEvent {
                index: s.index,
                seq: s.seq,
                leaf_hash: s.hash,
            };
            out.push((id_of(&s.leaf)?, position));
        }
        Ok(out)
    }

    /// Writes a staging area in one durable transaction, with `extra` writes.
    fn commit(
        &mut self,
        staging: &Staging,
        extra: impl FnOnce(&Transaction<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert_stream =
                tx.prepare_cached("INSERT INTO streams (no, name) VALUES (?1, ?2)")?;
            for (no, name) in &staging.new_streams {
                insert_stream.execute(params![no, name.as_str()])?;
            }
            let mut insert_event = tx.prepare_cached(
                "INSERT INTO events (idx, stream_no, seq, leaf, leaf_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for e in &staging.staged {
                insert_event.execute(params![
                    e.index as i64,
                    e.stream_no,
                    e.seq as i64,
                    e.leaf,
                    &e.hash.0[..]
                ])?;
            }
            let mut insert_node =
                tx.prepare_cached("INSERT INTO nodes (key, hash) VALUES (?1, ?2)")?;
            for (key, hash) in &staging.nodes {
                insert_node.execute(params![key, &hash.0[..]])?;
            }
        }
        extra(&tx)?;
        // synchronous=FULL in WAL mode: the commit returns after the WAL is fsync'd
        // (NORMAL for a copy, whose source holds the events durably).
        tx.commit()?;
        Ok(())
    }
}

/// Writes staged for one transaction, on top of the writer's committed state.
struct Staging {
    heads: HashMap<StreamName, Head>,
    new_streams: Vec<(i64, StreamName)>,
    next_no: i64,
    staged: Vec<Staged>,
    nodes: Vec<(i64, Hash)>,
    range: CompactRange,
}

impl Staging {
    /// Stages sealed leaves that continue `stream` from `head` (at seq `current`).
    fn push(
        &mut self,
        stream: &StreamName,
        head: Option<Head>,
        current: u64,
        leaves: Vec<Leaf>,
    ) -> Vec<AppendedEvent> {
        let no = match head {
            Some(h) => h.no,
            None => {
                let no = self.next_no;
                self.next_no += 1;
                self.new_streams.push((no, stream.clone()));
                no
            }
        };
        let mut result = Vec::with_capacity(leaves.len());
        let mut last = head.map(|h| h.hash).unwrap_or_default();
        for (i, leaf) in leaves.into_iter().enumerate() {
            let seq = current + 1 + i as u64;
            let hash = leaf.hash();
            let index = self.range.size();
            let nodes = &mut self.nodes;
            self.range.append(hash, |level, idx, h| {
                if level > 0 {
                    nodes.push((node_key(level, idx), h));
                }
            });
            self.staged.push(Staged {
                stream_no: no,
                seq,
                index,
                leaf: leaf.into_bytes(),
                hash,
            });
            result.push(AppendedEvent {
                index,
                seq,
                leaf_hash: hash,
            });
            last = hash;
        }
        let seq = result.last().map_or(current, |e| e.seq);
        self.heads.insert(
            stream.clone(),
            Head {
                no,
                seq,
                hash: last,
            },
        );
        result
    }
}

fn batch_events(cmd: &Command) -> usize {
    match cmd {
        Command::Append(req) => req.events.len(),
        _ => 0,
    }
}
