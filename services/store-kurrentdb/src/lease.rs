//! The signer's lease: which one process signs checkpoints and runs the deadline
//! scheduler. The lease is the last event of `NS.signer`; taking or renewing it is
//! an append with the exact expected revision, so two processes cannot both take
//! it from the same state. A holder that fails to renew stops acting before its
//! lease runs out; a holder that dies is replaced once its lease has run out.
//!
//! Time-based leases assume the processes' clocks agree to well within the
//! margin (NTP). Even if they did not, checkpoints could not diverge: each is
//! appended with the expected revision of the checkpoint it extends.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kurrentdb::{AppendToStreamOptions, Client, EventData, StreamState};
use serde_json::json;
use tokio::sync::watch;

use super::read_tail;

#[derive(Clone, Debug)]
pub struct LeaseOptions {
    /// How long a taken lease lasts.
    pub ttl: Duration,
    /// Who we are (in the lease events and logs).
    pub holder: String,
}

impl Default for LeaseOptions {
    fn default() -> LeaseOptions {
        LeaseOptions {
            ttl: Duration::from_secs(10),
            holder: uuid::Uuid::new_v4().to_string(),
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The lease as the stream's last event states it.
struct Held {
    holder: String,
    until_ms: i64,
}

fn parse(data: &[u8]) -> Option<Held> {
    let v: serde_json::Value = serde_json::from_slice(data).ok()?;
    Some(Held {
        holder: v["holder"].as_str()?.to_owned(),
        until_ms: v["until_ms"].as_i64()?,
    })
}

/// Tries to take or renew the lease once; true if we hold it until `until_ms`.
async fn try_take(client: &Client, stream: &str, options: &LeaseOptions, until_ms: i64) -> bool {
    let tail = match read_tail(client, stream).await {
        Ok(tail) => tail,
        Err(e) => {
            tracing::warn!(error = %e, "reading the signer lease");
            return false;
        }
    };
    let state = match &tail {
        None => StreamState::NoStream,
        Some(event) => {
            let held = parse(&event.data);
            let free = held
                .as_ref()
                .is_none_or(|h| h.holder == options.holder || h.until_ms < now_ms());
            if !free {
                return false;
            }
            StreamState::StreamRevision(event.revision)
        }
    };
    let event = EventData::json(
        "signer.lease",
        &json!({"holder": options.holder, "until_ms": until_ms}),
    );
    let Ok(event) = event else {
        return false;
    };
    let appended = client
        .append_to_stream(
            stream,
            &AppendToStreamOptions::default().stream_state(state),
            event,
        )
        .await;
    match appended {
        Ok(_) => true,
        Err(kurrentdb::Error::WrongExpectedVersion { .. }) => false,
        Err(e) => {
            tracing::warn!(error = %e, "renewing the signer lease");
            false
        }
    }
}

/// Keeps trying to take and renew the lease, and says in `leading` whether we hold
/// it. On `shutdown` a holder hands the lease back, so another takes over at once.
pub async fn run(
    client: Client,
    stream: String,
    options: LeaseOptions,
    leading: watch::Sender<bool>,
    mut shutdown: watch::Receiver<bool>,
) {
    let renew_every = options.ttl / 3;
    // We stop acting this long before our lease runs out, to leave room for skew.
    let margin = options.ttl / 4;
    let mut held_until: Option<i64> = None;
    loop {
        let until = now_ms() + options.ttl.as_millis() as i64;
        if try_take(&client, &stream, &options, until).await {
            if held_until.is_none() {
                tracing::info!(holder = %options.holder, "took the signer lease");
            }
            held_until = Some(until);
        } else if held_until.is_some_and(|h| now_ms() >= h - margin.as_millis() as i64) {
            // A renewal that failed leaves us acting until the margin, not after.
            tracing::warn!(holder = %options.holder, "lost the signer lease");
            held_until = None;
        }
        leading.send_if_modified(|l| {
            let now = held_until.is_some();
            std::mem::replace(l, now) != now
        });
        tokio::select! {
            _ = tokio::time::sleep(renew_every) => {}
            _ = shutdown.wait_for(|s| *s) => break,
        }
    }
    leading.send_replace(false);
    if held_until.is_some() {
        // Hand the lease back: an expired lease of ours.
        if try_take(&client, &stream, &options, 0).await {
            tracing::info!(holder = %options.holder, "handed the signer lease back");
        }
    }
}
