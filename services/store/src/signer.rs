//! The checkpoint signer: at most once per interval while the log grows, and once more
//! at shutdown, it signs the tree head — but only after proving that the new tree
//! extends the last one it signed. Two inconsistent checkpoints are never signed.

use std::sync::Arc;
use std::time::Duration;

use roundtable_ledger::{
    Checkpoint, CheckpointError, KeyRotation, SignedCheckpoint, Timestamp, verify_consistency,
};
use tokio::sync::watch;

use crate::keys::SigningKeys;
use crate::{Expected, Log, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error(
        "refusing to sign: size {new} with root {new_root} does not extend the signed checkpoint at size {old} ({why})"
    )]
    Inconsistent {
        old: u64,
        new: u64,
        new_root: roundtable_ledger::Hash,
        why: String,
    },
    #[error("the last stored checkpoint does not open with this process's keys: {0}")]
    ForeignCheckpoint(CheckpointError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct CheckpointSigner {
    keys: SigningKeys,
    last: Option<Checkpoint>,
}

impl CheckpointSigner {
    /// Resumes from the last checkpoint the store kept, which one of `keys` must
    /// have signed (during a rotation, either; after it, the new one had co-signed).
    pub async fn resume(
        store: &dyn Log,
        keys: impl Into<SigningKeys>,
    ) -> Result<CheckpointSigner, SignerError> {
        let keys = keys.into();
        let last = match store.checkpoint().await? {
            Some(cp) => Some(
                SignedCheckpoint::open_by_any(&cp.note, &keys.verifiers())
                    .map_err(SignerError::ForeignCheckpoint)?
                    .checkpoint,
            ),
            None => None,
        };
        Ok(CheckpointSigner { keys, last })
    }

    /// During a rotation, records it in the log (`key.rotated` in `log/keys`) unless
    /// it is there already; the next checkpoint, signed by both keys, covers it.
    /// Returns whether this call appended it.
    pub async fn record_rotation(
        &self,
        store: &dyn Log,
        now: Timestamp,
    ) -> Result<bool, SignerError> {
        let Some(rotation) = self.keys.rotation() else {
            return Ok(false);
        };
        // The event's id derives from the two keys: a second recording (another
        // process, a restart) is a replay and writes nothing.
        let appended = store
            .append(
                &KeyRotation::stream(),
                Expected::Any,
                vec![rotation.draft(now)],
            )
            .await?;
        if !appended.replayed {
            tracing::info!(
                old = %rotation.old.to_vkey(),
                new = %rotation.new.to_vkey(),
                index = appended.events.first().map(|e| e.index),
                "recorded the key rotation in the log"
            );
        }
        Ok(!appended.replayed)
    }

    pub fn last(&self) -> Option<&Checkpoint> {
        self.last.as_ref()
    }

    /// Signs the current tree head if it is new (the first call on an empty log signs
    /// size 0). Returns the new checkpoint, or `None` when nothing changed.
    pub async fn sign_if_new(
        &mut self,
        store: &dyn Log,
    ) -> Result<Option<SignedCheckpoint>, SignerError> {
        let head = store.tree_head();
        if let Some(last) = &self.last {
            let inconsistent = |why: String| SignerError::Inconsistent {
                old: last.size,
                new: head.size,
                new_root: head.root,
                why,
            };
            if head.size == last.size {
                if head.root != last.root {
                    return Err(inconsistent("same size, different root".into()));
                }
                return Ok(None);
            }
            if head.size < last.size {
                return Err(inconsistent("the tree shrank".into()));
            }
            let proof = store.consistency_proof(last.size, head.size).await?;
            verify_consistency(last.size, head.size, &last.root, &head.root, &proof)
                .map_err(|e| inconsistent(e.to_string()))?;
        }
        let checkpoint = Checkpoint {
            origin: store.origin().to_owned(),
            size: head.size,
            root: head.root,
        };
        let signed = checkpoint.sign_by_all(self.keys.signers())?;
        store.store_checkpoint(signed.clone()).await?;
        self.last = Some(checkpoint);
        Ok(Some(signed))
    }
}

/// Signs every `interval` while there are new events, and once more when `shutdown`
/// turns true; then returns. A refusal to sign is logged and signing stops: it means
/// the stored tree no longer extends what we published, which needs a human.
pub async fn run(
    store: Arc<dyn Log>,
    mut signer: CheckpointSigner,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
    on_signed: impl Fn(&SignedCheckpoint) + Send,
) -> Result<(), SignerError> {
    loop {
        let stopping = tokio::select! {
            _ = tokio::time::sleep(interval) => false,
            _ = shutdown.wait_for(|s| *s) => true,
        };
        match signer.sign_if_new(store.as_ref()).await {
            Ok(Some(cp)) => {
                tracing::debug!(size = cp.checkpoint.size, "signed checkpoint");
                on_signed(&cp);
            }
            Ok(None) => {}
            Err(e @ SignerError::Inconsistent { .. }) => {
                tracing::error!(error = %e, "checkpoint signer stopped");
                return Err(e);
            }
            Err(e) => tracing::warn!(error = %e, "signing a checkpoint failed; will retry"),
        }
        if stopping {
            return Ok(());
        }
    }
}
