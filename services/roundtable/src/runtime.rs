//! Opening a data directory: the log, the vault, the read models and the application.
//! Shared by `serve` and `admin`, so both see the same world.

use std::path::Path;
use std::sync::Arc;

use crate::backend::StoreLocation;
use anyhow::Context;
use roundtable_app::clock::Clock;
use roundtable_app::photos::PhotoStore;
use roundtable_app::{App, AppConfig};
use roundtable_projections::Projections;
use roundtable_store::Log;
use roundtable_store::keys::{self, SigningKeys};
use roundtable_store::signer::CheckpointSigner;
use roundtable_store_kurrentdb::KurrentDbStore;
use roundtable_vault::{PasswordHashing, Vault};

pub struct Runtime {
    pub store: Arc<dyn Log>,
    /// The same store, when it is KurrentDB (for the signer lease).
    pub kurrentdb: Option<Arc<KurrentDbStore>>,
    /// The log's key, and during a key rotation the next one too.
    pub keys: SigningKeys,
    pub app: Arc<App>,
    /// Follows the log into the read models until the store closes.
    pub projector: tokio::task::JoinHandle<Result<(), roundtable_projections::ProjectionError>>,
}

/// Where a process keeps what it keeps.
pub struct Place<'a> {
    /// This process's directory: the key (unless `key`), and the log (embedded) or
    /// its copy of the tree (KurrentDB).
    pub data: &'a Path,
    pub key: Option<&'a Path>,
    /// During a key rotation's overlap: the next key, which co-signs checkpoints.
    pub next_key: Option<&'a Path>,
    pub origin: &'a str,
    pub store: &'a StoreLocation,
    /// The vault and the photos, if not in `data`: processes on one machine that
    /// share a KurrentDB log share this directory.
    pub vault: Option<&'a Path>,
}

/// Opens (creating if needed) everything in `data`, with the read models caught up.
pub async fn open(
    place: Place<'_>,
    config: AppConfig,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Runtime> {
    let Place {
        data,
        key,
        next_key,
        origin,
        store,
        vault,
    } = place;
    if data.exists() && !data.is_dir() {
        anyhow::bail!("data directory {} is not a directory", data.display());
    }
    std::fs::create_dir_all(data)
        .with_context(|| format!("creating data directory {}", data.display()))?;
    let key = keys::load_or_create(data, key, origin)?;
    let keys = match next_key {
        Some(path) => SigningKeys::rotating(key, keys::read(path)?)?,
        None => SigningKeys::one(key),
    };
    let crate::backend::Opened {
        log: store,
        kurrentdb,
    } = crate::backend::open(store, data, keys.origin())
        .await
        .with_context(|| format!("opening the log for {}", data.display()))?;
    let shared = vault.unwrap_or(data);
    std::fs::create_dir_all(shared)
        .with_context(|| format!("creating the vault directory {}", shared.display()))?;
    // Before anything is recorded: keys that did not sign this log's checkpoints
    // (a wrong --key, a stranger's --next-key) change nothing and stop here.
    CheckpointSigner::resume(store.as_ref(), keys.clone())
        .await
        .context("this process's signing key (--key, or --next-key) must be the log's")?;
    store
        .set_vkey(keys.vkeys().trim_end())
        .await
        .context("recording the verifier key")?;
    let passwords = tokio::task::spawn_blocking(PasswordHashing::standard)
        .await
        .context("password hashing set-up")??;
    let vault = Arc::new(
        Vault::open(shared, passwords)
            .with_context(|| format!("opening the vault in {}", shared.display()))?,
    );
    let projections = Projections::new();
    projections
        .catch_up(store.as_ref())
        .await
        .context("building the read models from the log")?;
    let projector = tokio::spawn(projections.clone().run(store.clone()));
    let photos = PhotoStore::open(shared).context("opening the photo store")?;
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
    let finished = app.finish_erasures().await? + app.finish_dispute_erasures().await?;
    if finished > 0 {
        tracing::warn!(finished, "completed erasures that were interrupted");
    }
    Ok(Runtime {
        store,
        kurrentdb,
        keys,
        app,
        projector,
    })
}
