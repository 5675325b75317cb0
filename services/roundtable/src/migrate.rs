//! `roundtable admin migrate --from A --to B`: copies the log between the embedded
//! store and a KurrentDB namespace, in order, with every signed checkpoint, and
//! reports success only once the target's tree root and latest checkpoint are the
//! source's. Either way it resumes a copy that was interrupted.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::backend::StoreLocation;
use anyhow::{Context, bail};
use roundtable_ledger::Leaf;
use roundtable_store::EventStore;
use roundtable_store_kurrentdb::{KurrentDbConfig, KurrentDbStore};
use roundtable_store_sqlite::SqliteReader;

/// Leaves read from the source at a time.
const CHUNK: usize = 1_000;

pub async fn run(from: &str, to: &str) -> anyhow::Result<ExitCode> {
    let from = StoreLocation::parse(from)?;
    let to = StoreLocation::parse(to)?;
    match (from, to) {
        (StoreLocation::Sqlite(Some(dir)), StoreLocation::KurrentDb(config)) => {
            into_kurrentdb(&dir, &config).await
        }
        (StoreLocation::KurrentDb(config), StoreLocation::Sqlite(Some(dir))) => {
            into_sqlite(&config, &dir).await
        }
        _ => bail!("migrate copies from sqlite:DIR to kurrentdb://… or back"),
    }
}

/// A working directory for the KurrentDB side's local copy, removed afterwards.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("roundtable-migrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn into_kurrentdb(dir: &Path, config: &KurrentDbConfig) -> anyhow::Result<ExitCode> {
    let source = SqliteReader::open(dir).with_context(|| {
        format!(
            "opening the log in {} (is its server stopped?)",
            dir.display()
        )
    })?;
    let origin = source.origin()?;
    let size = source.size()?;
    let checkpoints = source.checkpoints()?;
    let Some(latest) = checkpoints.last().cloned() else {
        bail!(
            "{} has no signed checkpoint to check the copy against",
            dir.display()
        );
    };
    let scratch = Scratch::new()?;
    let target = KurrentDbStore::open(config, &scratch.0, &origin).await?;
    target.caught_up().await?;

    // Resume: what the namespace already holds must be the start of this log.
    let have = target.tree_head();
    if have.size > size || (have.size > 0 && source.root_at(have.size)? != have.root) {
        bail!(
            "{} namespace {:?} holds another log ({} events); choose an empty namespace",
            config.display,
            config.namespace.as_str(),
            have.size
        );
    }
    let published = target.checkpoint().await?.map(|c| c.checkpoint.size);
    let mut pending: Vec<_> = checkpoints
        .into_iter()
        .filter(|c| published.is_none_or(|p| c.checkpoint.size > p))
        .collect();
    pending.reverse(); // pop() gives the smallest
    if have.size > 0 {
        eprintln!("resuming after {} events already copied", have.size);
    }

    let mut next = have.size;
    loop {
        // Each checkpoint goes in once the leaves it covers are there.
        while pending.last().is_some_and(|c| c.checkpoint.size <= next) {
            if let Some(cp) = pending.pop() {
                target
                    .store_checkpoint(cp)
                    .await
                    .context("publishing a checkpoint")?;
            }
        }
        if next >= size {
            break;
        }
        let until = pending
            .last()
            .map_or(size, |c| c.checkpoint.size)
            .min(next + CHUNK as u64);
        let events = source.read_all(next, (until - next) as usize)?;
        let leaves: Vec<Leaf> = events.into_iter().map(|e| e.leaf).collect();
        target
            .import(&leaves)
            .await
            .context("appending to KurrentDB")?;
        next += leaves.len() as u64;
        if next % 10_000 < leaves.len() as u64 {
            eprintln!("{next} of {size} events copied");
        }
    }

    target.caught_up().await?;
    let head = target.tree_head();
    let root = source.root_at(size)?;
    let copied = target.checkpoint().await?;
    if head.size != size || head.root != root {
        bail!(
            "the copy's tree ({} events, root {}) is not the source's ({size}, {root})",
            head.size,
            head.root
        );
    }
    if copied.as_ref().map(|c| &c.note) != Some(&latest.note) {
        bail!("the copy's latest checkpoint is not the source's");
    }
    target.close().await;
    println!(
        "OK copied {size} events to {} namespace {}: root {root}, latest checkpoint at size {} matches",
        config.display,
        config.namespace.as_str(),
        latest.checkpoint.size
    );
    Ok(ExitCode::SUCCESS)
}

async fn into_sqlite(config: &KurrentDbConfig, dir: &Path) -> anyhow::Result<ExitCode> {
    // `KurrentDbStore::open` refuses a directory holding an embedded log, or a copy
    // of another namespace; a copy of this one resumes.
    let Some(origin) = KurrentDbStore::origin_of(config).await? else {
        bail!(
            "{} namespace {:?} has no signed checkpoint to check the copy against",
            config.display,
            config.namespace.as_str()
        );
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // The local copy a KurrentDB process keeps is an embedded log: fold into `dir`.
    let store = KurrentDbStore::open(config, dir, &origin).await?;
    store.caught_up().await?;
    let head = store.tree_head();
    let latest = store
        .checkpoint()
        .await?
        .context("the copy has no checkpoint")?;
    // A process's copy skips the fsync of each commit (KurrentDB holds the events);
    // this one is to become a log of its own, so sync it before saying it is.
    store.mirror().flush().await?;
    store.close().await;
    drop(store);

    // Read back what is on disk, as an embedded server would at start.
    let copy = SqliteReader::open(dir)?;
    let size = copy.size()?;
    let on_disk = copy.checkpoint(None)?.context("no checkpoint on disk")?;
    if size != head.size
        || copy.root_at(size)? != head.root
        || on_disk.note != latest.note
        || copy.root_at(on_disk.checkpoint.size)? != on_disk.checkpoint.root
    {
        bail!("the copy in {} does not match KurrentDB", dir.display());
    }
    println!(
        "OK copied {size} events to {}: root {}, latest checkpoint at size {} matches",
        dir.display(),
        head.root,
        on_disk.checkpoint.size
    );
    Ok(ExitCode::SUCCESS)
}
