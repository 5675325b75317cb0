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
    /// Witnesses' cosignatures of recent checkpoints, when the log has witnesses.
    pub witnesses: Option<Arc<crate::witnessed::WitnessBook>>,
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
            witnesses: None,
            vkeys,
            metrics,
            registry,
        }
    }

    /// Serves checkpoints with the witnesses' cosignatures (and their metrics).
    pub fn with_witnesses(mut self, book: Arc<crate::witnessed::WitnessBook>) -> LogState {
        book.register(&mut self.registry);
        self.witnesses = Some(book);
        self
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
        .at("/log/witnesses", get(witness_policy))
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
    if let Some(note) = state.witnesses.as_ref().and_then(|b| b.served()) {
        return Ok(text(note));
    }
    let cp = state.store.checkpoint().await.map_err(store_error)?;
    let cp = cp.ok_or_else(|| error(StatusCode::NOT_FOUND, "no checkpoint signed yet"))?;
    Ok(text(cp.note))
}

#[handler]
async fn checkpoint_at(state: State<'_>, Path(size): Path<u64>) -> poem::Result<Response> {
    if let Some(note) = state.witnesses.as_ref().and_then(|b| b.note_at(size)) {
        return Ok(text(note));
    }
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
/// A receipt that stands alone: the leaf itself (as `extra`), its inclusion proof
/// and the checkpoint as served — with the witnesses' cosignatures when the log has
/// witnesses — so a resident can check it years later with no server at all.
/// `None` until a served checkpoint covers the leaf.
pub async fn standalone_receipt(
    store: &dyn Log,
    witnesses: Option<&crate::witnessed::WitnessBook>,
    index: u64,
) -> Result<Option<roundtable_ledger::Receipt>, StoreError> {
    let note = match witnesses.and_then(|b| b.served()) {
        Some(note) => Some(note),
        None => store.checkpoint().await?.map(|cp| cp.note),
    };
    let Some(note) = note else {
        return Ok(None);
    };
    let size = roundtable_ledger::SignedCheckpoint::from_kept_note(note.clone())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .checkpoint
        .size;
    if index >= size {
        return Ok(None);
    }
    let proof = store.inclusion_proof(index, size).await?;
    let leaf = store.read_all(index, 1).await?.into_iter().next();
    Ok(Some(roundtable_ledger::Receipt {
        extra: leaf.map(|e| e.leaf.as_bytes().to_vec()),
        index,
        proof,
        checkpoint: note,
    }))
}

#[handler]
async fn receipt(state: State<'_>, Path(index): Path<u64>) -> poem::Result<Response> {
    let found = standalone_receipt(state.store.as_ref(), state.witnesses.as_deref(), index).await;
    match found.map_err(store_error)? {
        Some(receipt) => Ok(text(receipt.to_text())),
        None => Err(error(
            StatusCode::NOT_FOUND,
            format!("leaf {index} is not yet covered by a signed checkpoint; retry in a second"),
        )),
    }
}

/// The witness policy this log asks for (`tlog-policy`), when it has witnesses.
#[handler]
fn witness_policy(state: State<'_>) -> poem::Result<Response> {
    let book = state
        .witnesses
        .as_ref()
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "this log has no witnesses"))?;
    Ok(text(book.policy()))
}

#[handler]
fn verifier_key(state: State<'_>) -> Response {
    text(state.vkeys.clone())
}

#[cfg(test)]
mod tests {
    use poem::{Endpoint, EndpointExt, Request};
    use roundtable_ledger::{NoteSigner, StreamName, verify_consistency, verify_inclusion};
    use roundtable_store::contract::append_one;
    use roundtable_store::signer::CheckpointSigner;
    use roundtable_store_sqlite::{SqliteOptions, SqliteStore};

    use super::*;

    const ORIGIN: &str = "roundtable.test/record";

    /// A log of `leaves` events in one stream, signed at its size, behind the routes.
    async fn served(dir: &std::path::Path, leaves: u64) -> (Arc<dyn Log>, impl Endpoint) {
        let sqlite = SqliteStore::open(dir, ORIGIN, SqliteOptions::default()).unwrap();
        let stream = StreamName::new("issue/i_record").unwrap();
        for n in 0..leaves {
            append_one(&sqlite, &stream, n, "test.happened", n).await;
        }
        let store: Arc<dyn Log> = Arc::new(sqlite);
        let key = NoteSigner::from_seed(ORIGIN, [7; 32]).unwrap();
        let vkey = key.verifier().to_vkey();
        if leaves > 0 {
            let mut signer = CheckpointSigner::resume(store.as_ref(), key).await.unwrap();
            signer.sign_if_new(store.as_ref()).await.unwrap();
        }
        let state = Arc::new(LogState::new(store.clone(), format!("{vkey}\n")));
        (store, routes().data(state))
    }

    async fn get(routes: &impl Endpoint, uri: &str) -> (StatusCode, Vec<u8>) {
        let response = routes
            .call(Request::builder().uri(uri.parse().unwrap()).finish())
            .await
            .map_or_else(|e| e.into_response(), |r| r.into_response());
        let status = response.status();
        (status, response.into_body().into_vec().await.unwrap())
    }

    #[tokio::test]
    async fn entries_are_the_leaves_byte_for_byte_and_bad_ranges_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (store, routes) = served(dir.path(), 3).await;
        let (status, body) = get(&routes, "/log/entries?start=0&end=3").await;
        assert_eq!(status, StatusCode::OK);
        let mut expected = Vec::new();
        for e in store.read_all(0, 3).await.unwrap() {
            expected.extend_from_slice(e.leaf.as_bytes());
            expected.push(b'\n');
        }
        assert_eq!(body, expected);
        let (status, body) = get(&routes, "/log/entries/1").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, store.read_all(1, 1).await.unwrap()[0].leaf.as_bytes());

        let too_many = format!("/log/entries?start=0&end={}", MAX_ENTRIES_PER_REQUEST + 1);
        for (uri, want) in [
            ("/log/entries?start=2&end=1", StatusCode::BAD_REQUEST),
            (too_many.as_str(), StatusCode::BAD_REQUEST),
            ("/log/entries?start=0&end=4", StatusCode::NOT_FOUND),
            ("/log/entries?start=x&end=1", StatusCode::BAD_REQUEST),
            ("/log/entries/3", StatusCode::NOT_FOUND),
            ("/log/checkpoints/2", StatusCode::NOT_FOUND),
            (
                "/log/proof/consistency?from=3&to=2",
                StatusCode::BAD_REQUEST,
            ),
        ] {
            assert_eq!(get(&routes, uri).await.0, want, "{uri}");
        }
    }

    #[tokio::test]
    async fn the_proofs_verify_against_the_signed_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let (store, routes) = served(dir.path(), 5).await;
        let (status, note) = get(&routes, "/log/checkpoint").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(get(&routes, "/log/checkpoints/5").await.1, note);
        let head = store.tree_head();

        let (_, body) = get(&routes, "/log/proof/inclusion?index=3").await;
        let proof: InclusionProof = serde_json::from_slice(&body).unwrap();
        assert_eq!(proof.tree_size, 5);
        verify_inclusion(3, 5, &proof.leaf_hash, &proof.inclusion, &head.root).unwrap();

        let (_, body) = get(&routes, "/log/proof/consistency?from=2").await;
        let proof: ConsistencyProof = serde_json::from_slice(&body).unwrap();
        let old = store.root_at(2).await.unwrap();
        verify_consistency(2, 5, &old, &head.root, &proof.consistency).unwrap();

        let (status, text) = get(&routes, "/log/receipt/4").await;
        assert_eq!(status, StatusCode::OK);
        assert!(String::from_utf8(text).unwrap().contains(ORIGIN));
        assert_eq!(
            get(&routes, "/log/receipt/5").await.0,
            StatusCode::NOT_FOUND
        );
    }

    #[tokio::test]
    async fn an_empty_log_answers_not_found_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (_, routes) = served(dir.path(), 0).await;
        for uri in [
            "/log/checkpoint",
            "/log/proof/inclusion?index=0",
            "/log/receipt/0",
        ] {
            assert_eq!(get(&routes, uri).await.0, StatusCode::NOT_FOUND, "{uri}");
        }
        assert_eq!(get(&routes, "/log/rotations").await.1, b"[]");
        assert_eq!(get(&routes, "/healthz").await.1, b"ok\n");
        let (status, metrics) = get(&routes, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(String::from_utf8(metrics).unwrap().ends_with("# EOF\n"));
    }
}
