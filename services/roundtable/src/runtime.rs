//! Opening a data directory: the log, the vault, the read models and the API app.
//! Shared by `serve` and `admin`, so both see the same world.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use roundtable_api::clock::Clock;
use roundtable_api::photos::PhotoStore;
use roundtable_api::{ApiConfig, App};
use roundtable_ledger::NoteSigner;
use roundtable_projections::Projections;
use roundtable_store::{SqliteOptions, SqliteStore, keys};
use roundtable_vault::{PasswordHashing, Vault};

pub struct Runtime {
    pub store: Arc<SqliteStore>,
    pub key: NoteSigner,
    pub app: Arc<App>,
    /// Follows the log into the read models until the store closes.
    pub projector: tokio::task::JoinHandle<Result<(), roundtable_projections::ProjectionError>>,
}

/// Opens (creating if needed) everything in `data`, with the read models caught up.
pub async fn open(
    data: &Path,
    key: Option<&Path>,
    origin: &str,
    config: ApiConfig,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Runtime> {
    if data.exists() && !data.is_dir() {
        anyhow::bail!("data directory {} is not a directory", data.display());
    }
    std::fs::create_dir_all(data)
        .with_context(|| format!("creating data directory {}", data.display()))?;
    let key = keys::load_or_create(data, key, origin)?;
    let store = Arc::new(
        SqliteStore::open(data, key.name(), SqliteOptions::default())
            .with_context(|| format!("opening the log in {}", data.display()))?,
    );
    store
        .set_vkey(&key.verifier().to_vkey())
        .await
        .context("recording the verifier key")?;
    let passwords = tokio::task::spawn_blocking(PasswordHashing::standard)
        .await
        .context("password hashing set-up")??;
    let vault = Arc::new(
        Vault::open(data, passwords)
            .with_context(|| format!("opening the vault in {}", data.display()))?,
    );
    let projections = Projections::new();
    projections
        .catch_up(store.as_ref())
        .await
        .context("building the read models from the log")?;
    let projector = tokio::spawn(projections.clone().run(store.clone()));
    let photos = PhotoStore::open(data).context("opening the photo store")?;
    let app = Arc::new(App::new(
        store.clone(),
        projections,
        vault,
        photos,
        clock,
        config,
    ));
    // An erasure whose vault step did not finish (a crash between the two) is
    // completed now: the log is the record of what must be gone.
    let finished = app.finish_erasures().await?;
    if finished > 0 {
        tracing::warn!(finished, "completed erasures that were interrupted");
    }
    Ok(Runtime {
        store,
        key,
        app,
        projector,
    })
}
