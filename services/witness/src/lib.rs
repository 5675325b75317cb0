//! `roundtable witness`: a C2SP tlog-witness (c2sp.org/tlog-witness) for any number
//! of logs named in its configuration by their verifier keys. `POST
//! /add-checkpoint` judges a checkpoint against the last one it cosigned for that
//! log (`roundtable_ledger::judge`), records the new one durably, and answers
//! with a `cosignature/v1` line; it refuses a checkpoint inconsistent with what it
//! cosigned (422), a stale old size (409, with the size it has), an unknown log
//! (404), one not signed by the log (403) or a malformed body (400), and limits
//! each log's requests (429).

mod config;
mod state;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use poem::http::StatusCode;
use poem::web::Data;
use poem::{EndpointExt, Response, Route, handler, post};
use roundtable_ledger::{AddCheckpoint, CosignatureSigner, Refused, judge};

pub use config::{ConfigError, WitnessConfig};
pub use state::{State, StateError};

/// The largest request body the witness reads (a checkpoint with its signatures and
/// 63 proof lines is far smaller).
pub const MAX_BODY: usize = 64 * 1024;

/// What a running witness holds.
pub struct Witness {
    pub config: WitnessConfig,
    pub state: State,
    pub signer: CosignatureSigner,
    /// Requests per log in the current minute.
    window: Mutex<HashMap<String, (u64, u32)>>,
}

impl Witness {
    pub fn new(config: WitnessConfig, state: State, signer: CosignatureSigner) -> Witness {
        Witness {
            config,
            state,
            signer,
            window: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `origin` may send one more request this minute.
    fn admit(&self, origin: &str, now: u64) -> bool {
        let minute = now / 60;
        let mut window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        let entry = window.entry(origin.to_owned()).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        entry.1 <= self.config.per_minute
    }
}

/// The witness's routes: `POST /add-checkpoint` and `GET /healthz`.
pub fn routes(witness: Arc<Witness>) -> impl poem::Endpoint {
    Route::new()
        .at("/add-checkpoint", post(add_checkpoint))
        .at("/healthz", poem::get(healthz))
        .data(witness)
}

#[handler]
fn healthz() -> &'static str {
    "ok\n"
}

fn text(status: StatusCode, content_type: &str, body: String) -> Response {
    Response::builder()
        .status(status)
        .content_type(content_type)
        .body(body)
}

fn refusal(r: &Refused) -> Response {
    let status = StatusCode::from_u16(r.status()).unwrap_or(StatusCode::BAD_REQUEST);
    match r {
        Refused::Conflict(size) => text(status, "text/x.tlog.size", format!("{size}\n")),
        other => text(status, "text/plain; charset=utf-8", format!("{other}\n")),
    }
}

#[handler]
async fn add_checkpoint(body: poem::Body, Data(witness): Data<&Arc<Witness>>) -> Response {
    let bytes = match body.into_bytes_limit(MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "text/plain",
                "too large\n".into(),
            );
        }
    };
    let Ok(body) = String::from_utf8(bytes.to_vec()) else {
        return refusal(&Refused::BadRequest("the body is not UTF-8"));
    };
    let request = match AddCheckpoint::parse(&body) {
        Ok(r) => r,
        Err(r) => return refusal(&r),
    };
    let origin = request
        .note
        .split('\n')
        .next()
        .unwrap_or_default()
        .to_owned();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_secs().max(1));
    if witness.config.logs.iter().any(|k| k.name() == origin) && !witness.admit(&origin, now) {
        return Response::builder()
            .status(StatusCode::TOO_MANY_REQUESTS)
            .header("retry-after", "60")
            .body("too many checkpoints for this log this minute\n");
    }
    let w = witness.clone();
    let judged = tokio::task::spawn_blocking(move || {
        w.state
            .advance(&origin, |last| judge(&request, &w.config.logs, |_| last))
            .map(|verdict| verdict.map(|cp| (cp, request.note)))
    })
    .await;
    match judged {
        Ok(Ok(Ok((checkpoint, note)))) => {
            let body_text = &note[..note.find("\n\n").map_or(note.len(), |i| i + 1)];
            match witness.signer.cosign(body_text, now) {
                Ok(line) => {
                    tracing::info!(origin = %checkpoint.origin, size = checkpoint.size, "cosigned");
                    text(StatusCode::OK, "text/plain; charset=utf-8", line)
                }
                Err(e) => {
                    tracing::error!(error = %e, "cosigning");
                    text(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "text/plain",
                        "cannot cosign\n".into(),
                    )
                }
            }
        }
        Ok(Ok(Err(refused))) => {
            tracing::warn!(%refused, "checkpoint refused");
            refusal(&refused)
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "witness state");
            text(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                "state unavailable\n".into(),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "witness task");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain",
                "failed\n".into(),
            )
        }
    }
}
