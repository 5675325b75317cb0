//! The store a process runs on, chosen at start by `--store`: the embedded SQLite
//! log in the data directory, or a KurrentDB cluster (with this process's copy of
//! the tree in the data directory).

use std::path::Path;
use std::sync::Arc;

use roundtable_store::{Log, StoreError};
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

/// The log a process opened: the one `Arc<dyn Log>` everything above the store
/// calls through, and, on KurrentDB, the same store as itself for what only it
/// has (the signer lease).
pub struct Opened {
    pub log: Arc<dyn Log>,
    pub kurrentdb: Option<Arc<KurrentDbStore>>,
}

/// Opens the log: SQLite in `data` (or the directory the location names), or
/// KurrentDB with this process's copy of the tree in `data`. This is the one place
/// that knows both backends.
pub async fn open(
    location: &StoreLocation,
    data: &Path,
    origin: &str,
) -> Result<Opened, StoreError> {
    match location {
        StoreLocation::Sqlite(dir) => Ok(Opened {
            log: Arc::new(SqliteStore::open(
                dir.as_deref().unwrap_or(data),
                origin,
                SqliteOptions::default(),
            )?),
            kurrentdb: None,
        }),
        StoreLocation::KurrentDb(config) => {
            let store = KurrentDbStore::open(config, data, origin).await?;
            store.caught_up().await.map_err(|e| match e {
                StoreError::Storage(why) => {
                    StoreError::Storage(format!("{}: {why}", config.display))
                }
                other => other,
            })?;
            let store = Arc::new(store);
            Ok(Opened {
                log: store.clone(),
                kurrentdb: Some(store),
            })
        }
    }
}
