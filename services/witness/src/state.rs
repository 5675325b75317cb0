//! The witness's memory: per log (by origin), the latest checkpoint it cosigned.
//! The check against it and its update are one SQLite transaction, durable
//! (`synchronous=FULL`) before any cosignature leaves: a crash at any point leaves
//! either the old state, or the new one with the answer unsent — never two
//! inconsistent checkpoints cosigned (c2sp.org/tlog-witness's rollback race).

use std::path::Path;
use std::sync::Mutex;

use roundtable_ledger::{Checkpoint, Hash, Refused};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("the witness's database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the witness's database holds a bad root for {0}")]
    Corrupt(String),
}

pub struct State {
    conn: Mutex<Connection>,
}

impl State {
    pub fn open(path: &Path) -> Result<State, StateError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS cosigned (
                origin TEXT PRIMARY KEY,
                size INTEGER NOT NULL,
                root TEXT NOT NULL
            )",
        )?;
        Ok(State {
            conn: Mutex::new(conn),
        })
    }

    /// The latest checkpoint cosigned for `origin`.
    pub fn last(&self, origin: &str) -> Result<Option<(u64, Hash)>, StateError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        read(&conn, origin)
    }

    /// Judges and records in one transaction: `judge` sees the last checkpoint for
    /// `origin` and returns the one to record (or why not); it is committed before
    /// this returns.
    pub fn advance(
        &self,
        origin: &str,
        judge: impl FnOnce(Option<(u64, Hash)>) -> Result<Checkpoint, Refused>,
    ) -> Result<Result<Checkpoint, Refused>, StateError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last = read(&tx, origin)?;
        let verdict = judge(last);
        if let Ok(cp) = &verdict {
            if cp.origin != origin {
                return Err(StateError::Corrupt(origin.to_owned()));
            }
            let size =
                i64::try_from(cp.size).map_err(|_| StateError::Corrupt(origin.to_owned()))?;
            tx.execute(
                "INSERT INTO cosigned (origin, size, root) VALUES (?1, ?2, ?3)
                 ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root",
                params![origin, size, cp.root.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(verdict)
    }
}

fn read(conn: &Connection, origin: &str) -> Result<Option<(u64, Hash)>, StateError> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT size, root FROM cosigned WHERE origin = ?1",
            params![origin],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(size, root)| {
        let bad = || StateError::Corrupt(origin.to_owned());
        Ok((
            u64::try_from(size).map_err(|_| bad())?,
            root.parse().map_err(|_| bad())?,
        ))
    })
    .transpose()
}
