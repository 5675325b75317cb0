//! Tables of the embedded log and the reads every part shares.

use roundtable_ledger::{Hash, Leaf, NodeSource, SignedCheckpoint, StreamName};
use std::collections::HashMap;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use roundtable_store::{RecordedEvent, StoreError};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS streams (no INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- idx is the leaf's global index, its position in the Merkle tree.
CREATE TABLE IF NOT EXISTS events (
    idx INTEGER PRIMARY KEY,
    stream_no INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    leaf BLOB NOT NULL,
    leaf_hash BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_stream ON events (stream_no, seq);
-- Complete subtrees above the leaves, key = level << 52 | index (see node_key).
CREATE TABLE IF NOT EXISTS nodes (key INTEGER PRIMARY KEY, hash BLOB NOT NULL);
-- Every signed checkpoint, verbatim.
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL);
";

pub(crate) const SCHEMA_VERSION: &str = "1";

pub(crate) fn node_key(level: u32, index: u64) -> i64 {
    ((level as i64) << 52) | index as i64
}

fn hash_of(bytes: Vec<u8>, what: &str) -> Result<Hash, StoreError> {
    Hash::from_slice(&bytes).ok_or_else(|| StoreError::Corrupt(format!("{what} is not 32 bytes")))
}

/// Stored subtree hashes, read through one connection.
pub(crate) struct Nodes<'c>(pub &'c Connection);

impl NodeSource for Nodes<'_> {
    type Error = StoreError;
    fn node(&self, level: u32, index: u64) -> Result<Hash, StoreError> {
        let bytes: Option<Vec<u8>> = if level == 0 {
            self.0
                .prepare_cached("SELECT leaf_hash FROM events WHERE idx = ?1")?
                .query_row([index as i64], |r| r.get(0))
                .optional()?
        } else {
            self.0
                .prepare_cached("SELECT hash FROM nodes WHERE key = ?1")?
                .query_row([node_key(level, index)], |r| r.get(0))
                .optional()?
        };
        let bytes = bytes.ok_or_else(|| {
            StoreError::Corrupt(format!("tree node ({level}, {index}) is missing"))
        })?;
        hash_of(bytes, "a tree node")
    }
}

/// One past the highest index: the log's size if no row is missing. O(1).
pub(crate) fn next_index(conn: &Connection) -> Result<u64, StoreError> {
    let next: i64 = conn.query_row("SELECT COALESCE(MAX(idx) + 1, 0) FROM events", [], |r| {
        r.get(0)
    })?;
    Ok(next as u64)
}

/// Number of leaves: one past the highest index, checked against the row count so a
/// deleted row is noticed. Scans the table: for start-up, not for every request.
pub(crate) fn log_size(conn: &Connection) -> Result<u64, StoreError> {
    let (next, count): (i64, i64) = conn.query_row(
        "SELECT COALESCE(MAX(idx) + 1, 0), COUNT(*) FROM events",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if next != count {
        return Err(StoreError::Corrupt(format!(
            "the log has {count} events but its highest index is {}",
            next - 1
        )));
    }
    Ok(next as u64)
}

/// Columns every event query selects, in this order, so one decoder reads them all.
const EVENT_COLUMNS: &str = "idx, stream_no, seq, leaf, leaf_hash";

fn event_from_row(
    row: &rusqlite::Row<'_>,
    stream: StreamName,
) -> Result<RecordedEvent, StoreError> {
    let blob = |i: usize| {
        row.get_ref(i)
            .and_then(|v| v.as_blob().map_err(rusqlite::Error::from))
    };
    Ok(RecordedEvent {
        index: row.get::<_, i64>(0)? as u64,
        stream,
        seq: row.get::<_, i64>(2)? as u64,
        leaf: Leaf::from_trusted_bytes(blob(3)?.to_vec()),
        leaf_hash: Hash::from_slice(blob(4)?)
            .ok_or_else(|| StoreError::Corrupt("a leaf hash is not 32 bytes".into()))?,
    })
}

/// Stream names by number. A number names one stream forever, so readers cache them
/// instead of joining `streams` on every row.
#[derive(Default)]
pub(crate) struct StreamNames(Mutex<HashMap<i64, StreamName>>);

impl StreamNames {
    fn get(&self, conn: &Connection, no: i64) -> Result<StreamName, StoreError> {
        if let Some(name) = self.0.lock().map_err(|_| StoreError::Closed)?.get(&no) {
            return Ok(name.clone());
        }
        let name: String = conn
            .prepare_cached("SELECT name FROM streams WHERE no = ?1")?
            .query_row([no], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::Corrupt(format!("stream number {no} has no name")))?;
        let name = StreamName::new(name).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.0
            .lock()
            .map_err(|_| StoreError::Closed)?
            .insert(no, name.clone());
        Ok(name)
    }
}

pub(crate) fn read_all(
    conn: &Connection,
    names: &StreamNames,
    from: u64,
    limit: usize,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE idx >= ?1 ORDER BY idx LIMIT ?2"
    ))?;
    let mut rows = stmt.query(params![from as i64, limit as i64])?;
    let mut out = Vec::with_capacity(limit.min(1 << 16));
    while let Some(row) = rows.next()? {
        out.push(event_from_row(row, names.get(conn, row.get(1)?)?)?);
    }
    Ok(out)
}

pub(crate) fn read_stream(
    conn: &Connection,
    stream: &StreamName,
    from_seq: u64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let no: Option<i64> = conn
        .prepare_cached("SELECT no FROM streams WHERE name = ?1")?
        .query_row([stream.as_str()], |r| r.get(0))
        .optional()?;
    match no {
        Some(no) => read_stream_no(conn, no, stream, from_seq),
        None => Ok(Vec::new()),
    }
}

/// The seq and leaf hash of the stream's last event, if it has any.
pub(crate) fn stream_head(
    conn: &Connection,
    stream: &StreamName,
) -> Result<Option<(u64, Hash)>, StoreError> {
    let head: Option<(i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT e.seq, e.leaf_hash FROM streams s JOIN events e ON e.stream_no = s.no
             WHERE s.name = ?1 ORDER BY e.seq DESC LIMIT 1",
        )?
        .query_row([stream.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match head {
        Some((seq, hash)) => Ok(Some((seq as u64, hash_of(hash, "a leaf hash")?))),
        None => Ok(None),
    }
}

/// The events of stream number `no` (named `stream`) with `seq >= from_seq`.
pub(crate) fn read_stream_no(
    conn: &Connection,
    no: i64,
    stream: &StreamName,
    from_seq: u64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE stream_no = ?1 AND seq >= ?2 ORDER BY seq"
    ))?;
    let mut rows = stmt.query(params![no, from_seq as i64])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(event_from_row(row, stream.clone())?);
    }
    Ok(out)
}

pub(crate) fn read_checkpoint(
    conn: &Connection,
    size: Option<u64>,
) -> Result<Option<SignedCheckpoint>, StoreError> {
    let note: Option<String> = match size {
        None => conn
            .prepare_cached("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")?
            .query_row([], |r| r.get(0))
            .optional()?,
        Some(size) => conn
            .prepare_cached("SELECT note FROM checkpoints WHERE size = ?1")?
            .query_row([size as i64], |r| r.get(0))
            .optional()?,
    };
    let Some(note) = note else {
        return Ok(None);
    };
    SignedCheckpoint::from_kept_note(note)
        .map(Some)
        .map_err(|e| StoreError::Corrupt(format!("a stored checkpoint: {e}")))
}
