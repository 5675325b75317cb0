//! The work exactly one process does: signing checkpoints and running the deadline
//! scheduler. On the embedded store that is the only process; on KurrentDB it is
//! the holder of the signer lease, and the duties move when the lease does.

use std::sync::Arc;
use std::time::Duration;

use roundtable_app::App;
use roundtable_ledger::SignedCheckpoint;
use roundtable_store::Log;
use roundtable_store::keys::SigningKeys;
use roundtable_store::signer::{self, CheckpointSigner};
use tokio::sync::watch;

pub struct Duties {
    pub store: Arc<dyn Log>,
    pub app: Arc<App>,
    pub keys: SigningKeys,
    pub checkpoint_interval: Duration,
    pub deadline_interval: Duration,
    pub on_signed: Arc<dyn Fn(&SignedCheckpoint) + Send + Sync>,
}

impl Duties {
    /// Picks up signing from the last published checkpoint, records a key rotation
    /// under way, and signs the head now.
    async fn resume(&self) -> Result<CheckpointSigner, signer::SignerError> {
        let mut signer = CheckpointSigner::resume(self.store.as_ref(), self.keys.clone()).await?;
        signer
            .record_rotation(self.store.as_ref(), self.app.clock.now())
            .await?;
        if let Some(cp) = signer.sign_if_new(self.store.as_ref()).await? {
            (self.on_signed)(&cp);
        }
        Ok(signer)
    }

    /// Does the duties while `leading` is true, until `shutdown`: then signs a last
    /// checkpoint if still leading, and returns.
    pub async fn run(
        self,
        mut leading: watch::Receiver<bool>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            tokio::select! {
                led = leading.wait_for(|l| *l) => if led.is_err() { return },
                _ = shutdown.wait_for(|s| *s) => return,
            }
            tracing::info!("this process signs checkpoints and runs the deadline scheduler");
            let signer = match self.resume().await {
                Ok(signer) => signer,
                Err(e) => {
                    tracing::error!(error = %e, "cannot resume signing; not taking up the duties");
                    return;
                }
            };
            let (stop_signing, signing_stopped) = watch::channel(false);
            let on_signed = self.on_signed.clone();
            let signing = tokio::spawn(signer::run(
                self.store.clone(),
                signer,
                self.checkpoint_interval,
                signing_stopped,
                move |cp| on_signed(cp),
            ));
            let deadlines = tokio::spawn(roundtable_app::deadlines::run(
                self.app.clone(),
                self.deadline_interval,
            ));
            let photos = tokio::spawn(roundtable_app::photos::run_sweeper(
                self.app.clone(),
                Duration::from_secs(3600),
            ));
            // A closed `leading` (nobody can take the duties away) is no change.
            let lost = async {
                if leading.wait_for(|l| !*l).await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            let stopping = tokio::select! {
                () = lost => false,
                _ = shutdown.wait_for(|s| *s) => true,
            };
            deadlines.abort();
            photos.abort();
            if stopping {
                // Still the holder: sign the last head, then let go.
                let _ = stop_signing.send(true);
                match signing.await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::error!(error = %e, "checkpoint signer"),
                    Err(e) => tracing::error!(error = %e, "checkpoint signer task"),
                }
                return;
            }
            // The lease is gone: stop at once, another process signs now.
            signing.abort();
            tracing::warn!("lost the signer lease: no longer signing or running deadlines");
        }
    }
}
