//! The embedded backend: one SQLite file in WAL mode with `synchronous=FULL`, one
//! writer thread (group commit), a small pool of read connections.

mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use roundtable_ledger::{CompactRange, EventDraft, Hash, Leaf, SignedCheckpoint, StreamName, tree};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use tokio::sync::{mpsc, oneshot, watch};

use roundtable_store::{
    Appended, AppendedEvent, EventStore, Expected, RecordedEvent, StoreError, StoreMetrics,
    Subscription, TreeHead,
};
use schema::Nodes;
use writer::{AppendRequest, Command, ImportRequest, Writer};

/// The database file inside the data directory.
pub const DB_FILE: &str = "log.sqlite";

/// A consistent copy of a SQLite database file (the log's, or the vault's) while
/// its writer keeps going: SQLite's online backup, page by page under its own read
/// transactions, so the copy is a state the database was in. `admin backup` copies
/// through this rather than opening the files itself.
pub fn online_copy(from: &Path, to: &Path) -> Result<(), StoreError> {
    let failed = |what: &str, path: &Path, e: rusqlite::Error| {
        StoreError::Storage(format!("{what} {}: {e}", path.display()))
    };
    let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| failed("opening", from, e))?;
    source.busy_timeout(std::time::Duration::from_secs(10))?;
    let mut target = Connection::open(to).map_err(|e| failed("creating", to, e))?;
    let backup = rusqlite::backup::Backup::new(&source, &mut target)?;
    backup
        .run_to_completion(1024, std::time::Duration::from_millis(5), None)
        .map_err(|e| failed("backing up", from, e))
}

#[derive(Clone, Debug)]
pub struct SqliteOptions {
    /// Page cache per connection, in MiB.
    pub cache_mib: u32,
    /// Appends that may wait for the writer before callers are slowed down.
    pub queue: usize,
    /// The file is a copy of a log kept durably elsewhere (a KurrentDB process's
    /// local copy): commits skip the fsync (`synchronous=NORMAL`). A power loss may
    /// then undo the last commits, never half of one; the copy's source position is
    /// written in the same transaction, so those events are simply folded again.
    pub copy: bool,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            cache_mib: 128,
            queue: 4096,
            copy: false,
        }
    }
}

pub struct SqliteStore {
    origin: String,
    path: PathBuf,
    commands: Mutex<Option<mpsc::Sender<Command>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    head: watch::Receiver<TreeHead>,
    readers: Arc<ReaderPool>,
    metrics: Arc<StoreMetrics>,
    /// Held for the store's life: one writing process per data directory.
    _lock: std::fs::File,
}

/// The lock file that keeps a second writer out of a data directory.
pub const LOCK_FILE: &str = "lock";

fn lock_dir(dir: &Path) -> Result<std::fs::File, StoreError> {
    let path = dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::Storage(format!("{}: {e}", path.display())))?;
    file.try_lock().map_err(|_| {
        StoreError::Storage(format!(
            "{} is in use by another roundtable process",
            dir.display()
        ))
    })?;
    Ok(file)
}

struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    cache_mib: u32,
    names: schema::StreamNames,
}

impl ReaderPool {
    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "cache_size", -(i64::from(self.cache_mib) * 1024))?;
        Ok(conn)
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.idle.lock().map_err(|_| StoreError::Closed)?.pop();
        let conn = match conn {
            Some(c) => c,
            None => self.open()?,
        };
        let result = f(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < 8
        {
            idle.push(conn);
        }
        result
    }
}

fn open_writer_connection(path: &Path, options: &SqliteOptions) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Storage(format!(
            "could not enable WAL (journal_mode={mode})"
        )));
    }
    let synchronous = if options.copy { "NORMAL" } else { "FULL" };
    conn.pragma_update(None, "synchronous", synchronous)?;
    conn.pragma_update(None, "cache_size", -(i64::from(options.cache_mib) * 1024))?;
    // Copy the WAL back into the database every 64 MiB rather than every 4 MiB: each
    // copy is an fsync'd pause in the writer's path, so fewer, larger ones.
    conn.pragma_update(None, "wal_autocheckpoint", 16_384)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the log in `dir` for `origin`. Refuses a log made
    /// for another origin, and one whose tree disagrees with its last checkpoint.
    pub fn open(
        dir: &Path,
        origin: &str,
        options: SqliteOptions,
    ) -> Result<SqliteStore, StoreError> {
        let lock = lock_dir(dir)?;
        let path = dir.join(DB_FILE);
        let conn = open_writer_connection(&path, &options)?;
        conn.execute_batch(schema::SCHEMA)?;
        check_meta(&conn, origin)?;
        verify_against_checkpoint(&conn)?;

        let metrics = Arc::new(StoreMetrics::default());
        let (head_tx, head_rx) = watch::channel(TreeHead {
            size: 0,
            root: roundtable_ledger::empty_root(),
        });
        let writer = Writer::open(
            conn,
            origin.to_owned(),
            head_tx,
            metrics.clone(),
            options.copy,
        )?;
        let (tx, rx) = mpsc::channel(options.queue);
        let handle = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| StoreError::Storage(format!("starting the writer thread: {e}")))?;
        Ok(SqliteStore {
            origin: origin.to_owned(),
            path: path.clone(),
            commands: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(handle)),
            head: head_rx,
            readers: Arc::new(ReaderPool {
                path,
                idle: Mutex::new(Vec::new()),
                cache_mib: options.cache_mib,
                names: schema::StreamNames::default(),
            }),
            metrics,
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sender(&self) -> Result<mpsc::Sender<Command>, StoreError> {
        self.commands
            .lock()
            .map_err(|_| StoreError::Closed)?
            .clone()
            .ok_or(StoreError::Closed)
    }

    /// Records a value in the log's metadata.
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        self.sender()?
            .send(Command::SetMeta(key.to_owned(), value.to_owned(), tx))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Copies leaves sealed by another copy of this log, in order, after the ones
    /// already here: each must continue its stream's chain. `checkpoint`, if given,
    /// must sign the resulting tree; `meta` (e.g. where the copier is in its source)
    /// is written in the same transaction, so the copy resumes exactly where it
    /// stopped after a crash.
    pub async fn import(
        &self,
        leaves: Vec<Leaf>,
        checkpoint: Option<SignedCheckpoint>,
        meta: Vec<(String, String)>,
    ) -> Result<Vec<AppendedEvent>, StoreError> {
        let (reply, rx) = oneshot::channel();
        let request = ImportRequest {
            leaves,
            checkpoint,
            meta,
            reply,
        };
        self.sender()?
            .send(Command::Import(request))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// The seq and leaf hash of a stream's last durable event.
    pub async fn stream_head(
        &self,
        stream: &StreamName,
    ) -> Result<Option<(u64, Hash)>, StoreError> {
        let stream = stream.clone();
        self.read(move |c| schema::stream_head(c, &stream)).await
    }

    /// A value from the log's metadata (what `import` and `set_vkey` recorded).
    pub async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let key = key.to_owned();
        self.read(move |c| {
            Ok(c.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
                .query_row([key], |r| r.get(0))
                .optional()?)
        })
        .await
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .map_err(|e| StoreError::Storage(format!("reader task failed: {e}")))?
    }

    fn check_size(&self, size: u64) -> Result<(), StoreError> {
        let available = self.head.borrow().size;
        if size > available {
            return Err(StoreError::OutOfRange(format!(
                "size {size} is beyond the log's {available} events"
            )));
        }
        Ok(())
    }
}

fn check_meta(conn: &Connection, origin: &str) -> Result<(), StoreError> {
    let stored: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'origin'", [], |r| {
            r.get(0)
        })
        .optional()?;
    match stored {
        None => {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('origin', ?1), ('schema', ?2)",
                params![origin, schema::SCHEMA_VERSION],
            )?;
        }
        Some(s) if s == origin => {}
        Some(s) => {
            return Err(StoreError::Corrupt(format!(
                "this log belongs to origin {s:?}, not {origin:?}"
            )));
        }
    }
    Ok(())
}

/// The stored tree must reproduce the last signed root: a cheap check at every start
/// that the nodes and the checkpoints were not altered apart.
fn verify_against_checkpoint(conn: &Connection) -> Result<(), StoreError> {
    let size = schema::log_size(conn)?;
    if let Some(cp) = schema::read_checkpoint(conn, None)? {
        let cp = cp.checkpoint;
        if cp.size > size {
            return Err(StoreError::Corrupt(format!(
                "the last checkpoint covers {} events but the log has {size}",
                cp.size
            )));
        }
        let root = tree::root_at(&Nodes(conn), cp.size)?;
        if root != cp.root {
            return Err(StoreError::Corrupt(format!(
                "the stored tree's root at size {} is {root}, the signed checkpoint says {}",
                cp.size, cp.root
            )));
        }
    }
    // And the tree's right edge must be readable (nodes present for the current size).
    CompactRange::load(&Nodes(conn), size)?;
    Ok(())
}

impl EventStore for SqliteStore {
    fn origin(&self) -> &str {
        &self.origin
    }

    fn metrics(&self) -> &Arc<StoreMetrics> {
        &self.metrics
    }

    async fn set_vkey(&self, vkey: &str) -> Result<(), StoreError> {
        self.set_meta("vkey", vkey).await
    }

    /// Waits until everything queued so far is durable.
    async fn flush(&self) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        self.sender()?
            .send(Command::Flush(tx))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Stops accepting appends, lets the writer finish what is queued, and waits.
    async fn close(&self) {
        let sender = self.commands.lock().ok().and_then(|mut s| s.take());
        drop(sender);
        let handle = self.writer.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle {
            let _ = tokio::task::spawn_blocking(move || handle.join()).await;
        }
    }

    async fn append(
        &self,
        stream: &StreamName,
        expected: Expected,
        events: Vec<EventDraft>,
    ) -> Result<Appended, StoreError> {
        let (reply, rx) = oneshot::channel();
        let request = AppendRequest {
            stream: stream.clone(),
            expected,
            events,
            reply,
            received: Instant::now(),
        };
        self.sender()?
            .send(Command::Append(request))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    async fn read_stream(
        &self,
        stream: &StreamName,
        from_seq: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let stream = stream.clone();
        self.read(move |c| schema::read_stream(c, &stream, from_seq))
            .await
    }

    async fn read_all(&self, from: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        // Only what is durable and published: a reader never sees past the head.
        let size = self.head.borrow().size;
        let limit = limit.min(size.saturating_sub(from) as usize);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let pool = self.readers.clone();
        self.read(move |c| schema::read_all(c, &pool.names, from, limit))
            .await
    }

    fn subscribe_all(&self, from: u64) -> Subscription {
        let (tx, rx) = mpsc::channel(1024);
        let mut head = self.head.clone();
        let readers = self.readers.clone();
        tokio::spawn(async move {
            let mut next = from;
            loop {
                // Wait until there is something at `next`; ends when the store closes.
                let size = match head.wait_for(|h| h.size > next).await {
                    Ok(h) => h.size,
                    Err(_) => return,
                };
                let limit = (size - next).min(1024) as usize;
                let pool = readers.clone();
                let batch = tokio::task::spawn_blocking(move || {
                    pool.with(|c| schema::read_all(c, &pool.names, next, limit))
                })
                .await;
                let batch = match batch {
                    Ok(Ok(b)) => b,
                    Ok(Err(e)) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(StoreError::Storage(e.to_string()))).await;
                        return;
                    }
                };
                for event in batch {
                    if event.index != next {
                        let _ = tx
                            .send(Err(StoreError::Corrupt(format!(
                                "expected index {next}, read {}",
                                event.index
                            ))))
                            .await;
                        return;
                    }
                    next += 1;
                    if tx.send(Ok(event)).await.is_err() {
                        return; // the subscriber went away
                    }
                }
            }
        });
        Subscription::new(rx)
    }

    fn tree_head(&self) -> TreeHead {
        *self.head.borrow()
    }

    async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        self.check_size(size)?;
        self.read(move |c| tree::inclusion_proof(&Nodes(c), index, size).map_err(StoreError::from))
            .await
    }

    async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        self.check_size(new)?;
        self.read(move |c| tree::consistency_proof(&Nodes(c), old, new).map_err(StoreError::from))
            .await
    }

    async fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        self.check_size(size)?;
        self.read(move |c| tree::root_at(&Nodes(c), size)).await
    }

    async fn checkpoint(&self) -> Result<Option<SignedCheckpoint>, StoreError> {
        self.read(|c| schema::read_checkpoint(c, None)).await
    }

    async fn checkpoint_at(&self, size: u64) -> Result<Option<SignedCheckpoint>, StoreError> {
        self.read(move |c| schema::read_checkpoint(c, Some(size)))
            .await
    }

    async fn store_checkpoint(&self, checkpoint: SignedCheckpoint) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        self.sender()?
            .send(Command::Checkpoint(checkpoint, reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

/// Read-only access to a data directory for `audit export` and `audit prove`, without
/// starting a writer (a running server may hold it).
pub struct SqliteReader {
    conn: Connection,
    names: schema::StreamNames,
}

impl SqliteReader {
    pub fn open(dir: &Path) -> Result<SqliteReader, StoreError> {
        let path = dir.join(DB_FILE);
        if !path.is_file() {
            return Err(StoreError::Storage(format!("no log at {}", path.display())));
        }
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.query_row("SELECT value FROM meta WHERE key = 'origin'", [], |r| {
            r.get::<_, String>(0)
        })
        .map_err(|e| {
            StoreError::Corrupt(format!("{}: not a Roundtable log ({e})", path.display()))
        })?;
        Ok(SqliteReader {
            conn,
            names: schema::StreamNames::default(),
        })
    }

    pub fn size(&self) -> Result<u64, StoreError> {
        schema::log_size(&self.conn)
    }

    /// The log's origin.
    pub fn origin(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'origin'", [], |r| {
                r.get(0)
            })?)
    }

    /// Every signed checkpoint, by size.
    pub fn checkpoints(&self) -> Result<Vec<SignedCheckpoint>, StoreError> {
        let sizes: Vec<i64> = self
            .conn
            .prepare("SELECT size FROM checkpoints ORDER BY size")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        sizes
            .into_iter()
            .filter_map(|size| schema::read_checkpoint(&self.conn, Some(size as u64)).transpose())
            .collect()
    }

    /// The verifier key recorded by the server, if it recorded one.
    pub fn vkey(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'vkey'", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn checkpoint(&self, size: Option<u64>) -> Result<Option<SignedCheckpoint>, StoreError> {
        schema::read_checkpoint(&self.conn, size)
    }

    pub fn read_all(&self, from: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        schema::read_all(&self.conn, &self.names, from, limit)
    }

    /// Streams every leaf below `size` to `out`, in index order, in chunks.
    pub fn for_each_leaf(
        &self,
        size: u64,
        mut out: impl FnMut(u64, &[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT idx, leaf FROM events WHERE idx < ?1 ORDER BY idx")?;
        let mut rows = stmt.query([size as i64])?;
        while let Some(row) = rows.next()? {
            let idx: i64 = row.get(0)?;
            let leaf = row
                .get_ref(1)?
                .as_blob()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            out(idx as u64, leaf)?;
        }
        Ok(())
    }

    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        self.within(size)?;
        tree::inclusion_proof(&Nodes(&self.conn), index, size).map_err(StoreError::from)
    }

    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        self.within(new)?;
        tree::consistency_proof(&Nodes(&self.conn), old, new).map_err(StoreError::from)
    }

    pub fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        self.within(size)?;
        tree::root_at(&Nodes(&self.conn), size)
    }

    fn within(&self, size: u64) -> Result<(), StoreError> {
        let available = schema::next_index(&self.conn)?;
        if size > available {
            return Err(StoreError::OutOfRange(format!(
                "size {size} is beyond the log's {available} events"
            )));
        }
        Ok(())
    }
}
