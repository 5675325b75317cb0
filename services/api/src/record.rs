//! The HTTP surface of the log (docs/ARCHITECTURE.md, "The record"), `/healthz`
//! and `/metrics`: what an auditor reads, served from the one `dyn Log`.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Json, Path, Query};
use poem::{IntoResponse, Response, Route, get, handler};
use prometheus_client::registry::Registry;
use roundtable_audit::wire::{
    ConsistencyProof, InclusionProof, MAX_ENTRIES_PER_REQUEST, RotationAt,
};
use roundtable_ledger::KeyRotation;
use roundtable_store::{Log, StoreError, StoreMetrics};
use serde::Deserialize;

pub struct LogState {
    pub store: Arc<dyn Log>,
    /// The verifier keys that sign now, one per line, the log's key first (two
    /// during a key rotation's overlap).
    pub vkeys: String,
    pub metrics: Arc<StoreMetrics>,
    registry: Registry,
}

impl LogState {
    pub fn new(store: Arc<dyn Log>, vkeys: String) -> LogState {
        let metrics = store.metrics().clone();
        let mut registry = Registry::default();
        metrics.register(&mut registry);
        LogState {
            store,
            vkeys,
            metrics,
            registry,
        }
    }
}

type State<'a> = Data<&'a Arc<LogState>>;

/// The log's routes; the caller attaches the [`LogState`] with `.data(state)`.
pub fn routes() -> Route {
    Route::new()
        .at("/healthz", get(healthz))
        .at("/metrics", get(prometheus))
        .at("/log/checkpoint", get(checkpoint))
        .at("/log/checkpoints/:size", get(checkpoint_at))
        .at("/log/entries", get(entries))
        .at("/log/entries/:index", get(entry))
        .at("/log/proof/inclusion", get(inclusion))
        .at("/log/proof/consistency", get(consistency))
        .at("/log/receipt/:index", get(receipt))
        .at("/log/vkey", get(verifier_key))
        .at("/log/rotations", get(rotations))
}

fn text(body: String) -> Response {
    body.with_content_type("text/plain; charset=utf-8")
        .into_response()
}

fn error(status: StatusCode, message: impl Into<String>) -> poem::Error {
    poem::Error::from_string(message.into(), status)
}

fn store_error(e: StoreError) -> poem::Error {
    match e {
        StoreError::OutOfRange(m) => error(StatusCode::NOT_FOUND, m),
        StoreError::Closed => error(StatusCode::SERVICE_UNAVAILABLE, "shutting down"),
        other => {
            tracing::error!(error = %other, "log request failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

#[handler]
fn healthz() -> &'static str {
    "ok\n"
}

#[handler]
fn prometheus(state: State<'_>) -> poem::Result<Response> {
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &state.registry)
        .map_err(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "encoding metrics"))?;
    Ok(out
        .with_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .into_response())
}

#[handler]
async fn checkpoint(state: State<'_>) -> poem::Result<Response> {
    let cp = state.store.checkpoint().await.map_err(store_error)?;
    let cp = cp.ok_or_else(|| error(StatusCode::NOT_FOUND, "no checkpoint signed yet"))?;
    Ok(text(cp.note))
}

#[handler]
async fn checkpoint_at(state: State<'_>, Path(size): Path<u64>) -> poem::Result<Response> {
    let cp = state.store.checkpoint_at(size).await.map_err(store_error)?;
    let cp = cp.ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            format!("no checkpoint was signed at size {size}"),
        )
    })?;
    Ok(text(cp.note))
}

#[handler]
async fn entry(state: State<'_>, Path(index): Path<u64>) -> poem::Result<Response> {
    let events = state.store.read_all(index, 1).await.map_err(store_error)?;
    let event = events
        .into_iter()
        .next()
        .ok_or_else(|| error(StatusCode::NOT_FOUND, format!("no leaf at index {index}")))?;
    Ok(event
        .leaf
        .into_bytes()
        .with_content_type("application/json")
        .into_response())
}

/// `/log/rotations` ([`RotationAt`]).
#[handler]
async fn rotations(state: State<'_>) -> poem::Result<Json<Vec<RotationAt>>> {
    let origin = state.store.origin().to_owned();
    let recorded = state
        .store
        .read_stream(&KeyRotation::stream(), 1)
        .await
        .map_err(store_error)?;
    let mut out = Vec::new();
    for event in recorded {
        // The store checked every leaf on the way in; one it cannot read as a
        // rotation is left out (an auditor's `audit verify` names it).
        if let Ok(Some(rotation)) = KeyRotation::from_leaf(&origin, event.leaf.as_bytes()) {
            out.push(RotationAt {
                index: event.index,
                old: rotation.old.to_vkey(),
                new: rotation.new.to_vkey(),
            });
        }
    }
    Ok(Json(out))
}

#[derive(Deserialize)]
struct Range {
    start: u64,
    end: u64,
}

/// Leaves `[start, end)` as JSON lines (line i is leaf start+i, byte for byte): how
/// `audit verify --url` downloads the log.
#[handler]
async fn entries(state: State<'_>, Query(range): Query<Range>) -> poem::Result<Response> {
    if range.end < range.start || range.end - range.start > MAX_ENTRIES_PER_REQUEST {
        return Err(error(
            StatusCode::BAD_REQUEST,
            format!("want start <= end and at most {MAX_ENTRIES_PER_REQUEST} leaves"),
        ));
    }
    let count = (range.end - range.start) as usize;
    let events = state
        .store
        .read_all(range.start, count)
        .await
        .map_err(store_error)?;
    if events.len() != count {
        return Err(error(
            StatusCode::NOT_FOUND,
            format!(
                "the log has no leaf at index {}",
                range.start + events.len() as u64
            ),
        ));
    }
    let mut body = Vec::with_capacity(events.iter().map(|e| e.leaf.len() + 1).sum());
    for e in events {
        body.extend_from_slice(e.leaf.as_bytes());
        body.push(b'\n');
    }
    Ok(body.with_content_type("application/jsonl").into_response())
}

#[derive(Deserialize)]
struct InclusionQuery {
    index: u64,
    size: Option<u64>,
}

/// The size a proof refers to: the one asked for, else the latest signed checkpoint's.
async fn size_or_signed(state: &LogState, size: Option<u64>) -> poem::Result<u64> {
    if let Some(size) = size {
        return Ok(size);
    }
    let cp = state.store.checkpoint().await.map_err(store_error)?;
    cp.map(|c| c.checkpoint.size)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "no checkpoint signed yet"))
}

#[handler]
async fn inclusion(
    state: State<'_>,
    Query(q): Query<InclusionQuery>,
) -> poem::Result<Json<InclusionProof>> {
    let size = size_or_signed(&state, q.size).await?;
    let proof = state
        .store
        .inclusion_proof(q.index, size)
        .await
        .map_err(store_error)?;
    let leaf = state
        .store
        .read_all(q.index, 1)
        .await
        .map_err(store_error)?;
    let leaf = leaf
        .first()
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "no such leaf"))?;
    Ok(Json(InclusionProof {
        index: q.index,
        tree_size: size,
        leaf_hash: leaf.leaf_hash,
        inclusion: proof,
    }))
}

#[derive(Deserialize)]
struct ConsistencyQuery {
    from: u64,
    to: Option<u64>,
}

#[handler]
async fn consistency(
    state: State<'_>,
    Query(q): Query<ConsistencyQuery>,
) -> poem::Result<Json<ConsistencyProof>> {
    let to = size_or_signed(&state, q.to).await?;
    if q.from > to {
        return Err(error(
            StatusCode::BAD_REQUEST,
            format!("from {} is larger than to {to}", q.from),
        ));
    }
    let proof = state
        .store
        .consistency_proof(q.from, to)
        .await
        .map_err(store_error)?;
    Ok(Json(ConsistencyProof {
        old_size: q.from,
        tree_size: to,
        consistency: proof,
    }))
}

/// A `tlog-proof@v1` receipt for a leaf, against the latest signed checkpoint.
#[handler]
async fn receipt(state: State<'_>, Path(index): Path<u64>) -> poem::Result<Response> {
    match state.store.receipt(index).await.map_err(store_error)? {
        Some(receipt) => Ok(text(receipt.to_text())),
        None => Err(error(
            StatusCode::NOT_FOUND,
            format!("leaf {index} is not yet covered by a signed checkpoint; retry in a second"),
        )),
    }
}

#[handler]
fn verifier_key(state: State<'_>) -> Response {
    text(state.vkeys.clone())
}
