//! The log's side of witnessing (`serve --witness "<url> <vkey>"`): each new
//! checkpoint goes to every witness with a consistency proof from the size that
//! witness last cosigned (learnt from its 409 answer on the first try), with
//! back-off while it is down; valid cosignatures are kept in the
//! [`WitnessBook`], which `/log/checkpoint` serves from. One task per witness: a
//! witness that is down delays nothing but its own cosignature.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use roundtable_api::witnessed::{WitnessBook, WitnessLabel};
use roundtable_ledger::{AddCheckpoint, CosignatureVerifier, SignedCheckpoint};
use roundtable_store::Log;
use tokio::sync::watch;

/// A witness as `--witness` names it: where to reach it and its key.
#[derive(Clone, Debug)]
pub struct WitnessTarget {
    pub url: String,
    pub key: CosignatureVerifier,
}

impl WitnessTarget {
    /// `"<url> <vkey>"`.
    pub fn parse(raw: &str) -> anyhow::Result<WitnessTarget> {
        let (url, vkey) = raw
            .trim()
            .split_once(' ')
            .context("--witness wants \"<url> <vkey>\"")?;
        let key = CosignatureVerifier::parse(vkey.trim())
            .with_context(|| format!("the witness key {vkey:?}"))?;
        Ok(WitnessTarget {
            url: url.trim_end_matches('/').to_owned(),
            key,
        })
    }
}

const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Runs one task per witness until `latest` closes.
pub fn spawn(
    store: Arc<dyn Log>,
    book: Arc<WitnessBook>,
    targets: Vec<WitnessTarget>,
    latest: watch::Receiver<Option<SignedCheckpoint>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    targets
        .into_iter()
        .map(|t| tokio::spawn(follow(store.clone(), book.clone(), t, latest.clone())))
        .collect()
}

enum Answer {
    Cosigned(String),
    /// The witness has this size: send a proof from it.
    Conflict(u64),
    Failed(String),
}

fn post(agent: &ureq::Agent, url: &str, body: String) -> Answer {
    let mut response = match agent.post(format!("{url}/add-checkpoint")).send(body) {
        Ok(r) => r,
        Err(e) => return Answer::Failed(e.to_string()),
    };
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    match status {
        200 => Answer::Cosigned(text),
        409 => text
            .trim()
            .parse()
            .map_or(Answer::Failed(format!("409 {text:?}")), Answer::Conflict),
        other => Answer::Failed(format!("{other}: {}", text.trim())),
    }
}

async fn follow(
    store: Arc<dyn Log>,
    book: Arc<WitnessBook>,
    target: WitnessTarget,
    mut latest: watch::Receiver<Option<SignedCheckpoint>>,
) {
    let label = WitnessLabel {
        witness: target.key.name().to_owned(),
    };
    // One agent per witness: its connection is kept alive between checkpoints.
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent();
    // What we believe the witness holds; its first 409 corrects it.
    let mut known: u64 = 0;
    let mut done: Option<u64> = None;
    let mut backoff = FIRST_BACKOFF;
    loop {
        let Some(cp) = latest.borrow_and_update().clone() else {
            if latest.changed().await.is_err() {
                return;
            }
            continue;
        };
        let size = cp.checkpoint.size;
        if done == Some(size) {
            if latest.changed().await.is_err() {
                return;
            }
            continue;
        }
        let proof = if known == 0 || known >= size {
            Ok(Vec::new())
        } else {
            store.consistency_proof(known, size).await
        };
        let answer = match proof {
            Ok(proof) => {
                let body = AddCheckpoint {
                    old: known.min(size),
                    proof,
                    note: cp.note.clone(),
                }
                .encode();
                let (url, agent) = (target.url.clone(), agent.clone());
                tokio::task::spawn_blocking(move || post(&agent, &url, body))
                    .await
                    .unwrap_or_else(|e| Answer::Failed(e.to_string()))
            }
            Err(e) => Answer::Failed(format!("the consistency proof: {e}")),
        };
        match answer {
            Answer::Cosigned(lines) if book.cosigned(size, &target.key, &lines) => {
                known = size;
                done = Some(size);
                backoff = FIRST_BACKOFF;
                tracing::debug!(witness = %target.key.name(), size, "cosigned");
                continue;
            }
            Answer::Cosigned(lines) => {
                tracing::warn!(witness = %target.key.name(), size, %lines, "not a valid cosignature");
            }
            Answer::Conflict(theirs) if theirs != known && theirs <= size => {
                known = theirs;
                continue;
            }
            Answer::Conflict(theirs) => {
                tracing::warn!(witness = %target.key.name(), theirs, size, "the witness holds a size we cannot prove from");
            }
            Answer::Failed(why) => {
                tracing::warn!(witness = %target.key.name(), size, %why, "witness request failed; retrying");
            }
        }
        book.failures.get_or_create(&label).inc();
        // Back off, but go at once for a newer checkpoint.
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            changed = latest.changed() => if changed.is_err() { return },
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VKEY: &str =
        "witness.example.net/w1+bcc0945e+BNCuRAv0mtrXBJiZ5mDweNPNXE/zZxl69FrdDX0Cj0nf";

    #[test]
    fn a_witness_flag_is_a_url_and_a_cosignature_key() {
        let t = WitnessTarget::parse(&format!("http://127.0.0.1:8091/ {VKEY}")).unwrap();
        assert_eq!(t.url, "http://127.0.0.1:8091");
        assert_eq!(t.key.to_vkey(), VKEY);
        for bad in [
            VKEY.to_owned(),
            "http://127.0.0.1:8091".to_owned(),
            format!("http://x {}", VKEY.replace("bcc0945e", "bcc0945f")),
            // A log's (note) key is not a witness's.
            "http://x log.example.org/deliberation+6dfbd5a8+AbUnbWU5bCBfVMj2pISUSrWUiLha02e6egbfdqeEy88B"
                .to_owned(),
        ] {
            assert!(WitnessTarget::parse(&bad).is_err(), "{bad}");
        }
    }
}
