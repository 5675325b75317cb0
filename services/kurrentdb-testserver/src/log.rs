//! The server's memory: every event in commit order (`$all`), each stream's
//! revisions, and the append rules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

/// Positions start here and grow by each record's size, like offsets in a
/// transaction file (a real server's first user event is never at 0 either).
const FIRST_POSITION: u64 = 4096;

/// One stored event.
#[derive(Debug)]
pub(crate) struct Record {
    pub stream: String,
    pub revision: u64,
    pub id: uuid::Uuid,
    pub event_type: String,
    pub content_type: String,
    /// .NET ticks (100 ns since 0001-01-01), as the server reports `created`.
    pub created: i64,
    pub custom_metadata: Vec<u8>,
    pub data: Vec<u8>,
    /// Commit and prepare position (equal: one event per commit here).
    pub position: u64,
}

/// An event proposed by a client.
pub(crate) struct Proposed {
    pub id: uuid::Uuid,
    pub event_type: String,
    pub content_type: String,
    pub custom_metadata: Vec<u8>,
    pub data: Vec<u8>,
}

/// The expected state of a stream, as the client sent it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    Revision(u64),
    NoStream,
    Any,
    StreamExists,
}

/// What an append did.
pub(crate) enum AppendOutcome {
    /// Written, or recognised as a retry of a write already made.
    Success { revision: u64, position: u64 },
    /// The stream is elsewhere; nothing was written. `current` is its last revision.
    WrongExpectedVersion { current: Option<u64> },
    /// An append of nothing to a stream that does not exist.
    NoStream,
}

#[derive(Default)]
struct Inner {
    records: Vec<Arc<Record>>,
    /// Indexes into `records`, per stream, in revision order.
    streams: HashMap<String, Vec<usize>>,
    next_position: u64,
    closed: bool,
}

/// Statistics for tests and benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogStats {
    pub events: usize,
    pub streams: usize,
}

pub(crate) struct Log {
    inner: Mutex<Inner>,
    /// The number of records, for subscriptions waiting on new ones.
    len: watch::Sender<usize>,
}

impl Default for Log {
    fn default() -> Log {
        Log {
            inner: Mutex::new(Inner {
                next_position: FIRST_POSITION,
                ..Inner::default()
            }),
            len: watch::Sender::new(0),
        }
    }
}

fn ticks_now() -> i64 {
    // .NET ticks: 100 ns since 0001-01-01T00:00:00Z.
    const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    UNIX_EPOCH_TICKS + (since_epoch.as_nanos() / 100) as i64
}

impl Log {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn stats(&self) -> LogStats {
        let inner = self.lock();
        LogStats {
            events: inner.records.len(),
            streams: inner.streams.len(),
        }
    }

    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.len.send_modify(|_| {});
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.lock().closed
    }

    pub(crate) fn watch_len(&self) -> watch::Receiver<usize> {
        self.len.subscribe()
    }

    /// Appends atomically, with KurrentDB's expected-revision and idempotency rules.
    pub(crate) fn append(
        &self,
        stream: &str,
        expect: Expect,
        events: Vec<Proposed>,
    ) -> AppendOutcome {
        let mut inner = self.lock();
        let existing: Vec<Arc<Record>> = inner
            .streams
            .get(stream)
            .map(|idx| idx.iter().map(|&i| inner.records[i].clone()).collect())
            .unwrap_or_default();
        let current = existing.last().map(|r| r.revision);

        // A retry: the same ids already follow the expected revision.
        let first_after = match expect {
            Expect::Revision(r) => Some(r + 1),
            Expect::NoStream => Some(0),
            Expect::Any => events
                .first()
                .and_then(|e| existing.iter().find(|r| r.id == e.id))
                .map(|r| r.revision),
            Expect::StreamExists => None,
        };
        if let Some(start) = first_after
            && !events.is_empty()
            && current.is_some_and(|c| c >= start)
        {
            let run = &existing[start as usize..];
            if run.len() >= events.len() && run.iter().zip(&events).all(|(r, e)| r.id == e.id) {
                let last = &run[events.len() - 1];
                return AppendOutcome::Success {
                    revision: last.revision,
                    position: last.position,
                };
            }
        }

        let matches = match expect {
            Expect::Revision(r) => current == Some(r),
            Expect::NoStream => current.is_none(),
            Expect::Any => true,
            Expect::StreamExists => current.is_some(),
        };
        if !matches {
            return AppendOutcome::WrongExpectedVersion { current };
        }
        if events.is_empty() {
            return match current {
                Some(revision) => AppendOutcome::Success {
                    revision,
                    position: existing.last().map_or(0, |r| r.position),
                },
                None => AppendOutcome::NoStream,
            };
        }

        let created = ticks_now();
        let mut revision = current.map_or(0, |c| c + 1);
        let mut position = 0;
        for e in events {
            position = inner.next_position;
            inner.next_position += 64 + (e.data.len() + e.custom_metadata.len()) as u64;
            let record = Arc::new(Record {
                stream: stream.to_owned(),
                revision,
                id: e.id,
                event_type: e.event_type,
                content_type: e.content_type,
                created,
                custom_metadata: e.custom_metadata,
                data: e.data,
                position,
            });
            let at = inner.records.len();
            inner.records.push(record);
            inner.streams.entry(stream.to_owned()).or_default().push(at);
            revision += 1;
        }
        let len = inner.records.len();
        drop(inner);
        self.len.send_replace(len);
        AppendOutcome::Success {
            revision: revision - 1,
            position,
        }
    }

    /// The stream's records, or `None` when it has none.
    pub(crate) fn stream(&self, stream: &str) -> Option<Vec<Arc<Record>>> {
        let inner = self.lock();
        inner
            .streams
            .get(stream)
            .map(|idx| idx.iter().map(|&i| inner.records[i].clone()).collect())
    }

    /// Records `from..` (indexes into `$all`), at most `limit`.
    pub(crate) fn slice(&self, from: usize, limit: usize) -> Vec<Arc<Record>> {
        let inner = self.lock();
        let end = inner.records.len().min(from.saturating_add(limit));
        inner.records.get(from..end).unwrap_or_default().to_vec()
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().records.len()
    }

    /// The index in `$all` of the first record at or after `position`.
    pub(crate) fn index_at(&self, position: u64) -> usize {
        self.lock()
            .records
            .partition_point(|r| r.position < position)
    }
}
