//! `KurrentDbStore` against the in-process KurrentDB test server (the adapter's own
//! overhead: the server is memory and does no replication), or against the real
//! KurrentDB at `KURRENTDB_URL`: appends one at a time and from 16 writers, appends
//! of 100 events, and the fold (the `$all` subscription into a process's tree) of
//! every event a fresh process catches up on. Beside each, the limit measured in
//! the same run: the official client alone doing the same round trips with the
//! same bytes. Rewrites its section of `docs/BENCHMARKS.md`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kurrentdb::{
    AppendToStreamOptions, EventData, StreamPosition, SubscribeToAllOptions, SubscriptionEvent,
    SubscriptionFilter,
};
use roundtable_kurrentdb_testserver::TestTarget;
use roundtable_ledger::StreamName;
use roundtable_store::{EventStore, Expected, contract};
use roundtable_store_kurrentdb::{KurrentDbConfig, KurrentDbStore};
use support::bench::{ms, percentile, write_section};

const MARKER: &str = "<!-- kurrentdb benchmark: written by `make bench-kurrentdb` -->";
const ORIGIN: &str = "bench.roundtable/kurrentdb";
const SINGLE: usize = 200;
const WRITERS: usize = 16;
const PER_WRITER: usize = 40;
const BATCHES: usize = 200;
const BATCH: usize = 100;

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn stream(name: String) -> StreamName {
    StreamName::new(name).unwrap()
}

/// A leaf-sized JSON event for the client-alone figures.
fn raw_event(i: usize) -> EventData {
    let draft = contract::draft("bench.raw", i as u64);
    EventData::json("bench.raw", &draft.body).unwrap()
}

async fn open(url: &str, dir: &std::path::Path) -> KurrentDbStore {
    let config = KurrentDbConfig::parse(url).unwrap();
    let store = KurrentDbStore::open(&config, dir, ORIGIN).await.unwrap();
    store.caught_up().await.unwrap();
    store
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let md = runtime.block_on(measure());
    print!("{md}");
    write_section(MARKER, &md);
}

async fn measure() -> String {
    roundtable_store_kurrentdb::install_crypto_provider();
    let target = TestTarget::new().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(target.url(), dir.path()).await);
    let client = store.client().clone();
    let mut rows: Vec<[String; 4]> = Vec::new();

    // One writer, one event per append: each waits for KurrentDB and for the fold.
    let s = stream("bench/single".into());
    let mut lat = Vec::with_capacity(SINGLE);
    let start = Instant::now();
    for i in 0..SINGLE {
        let t = Instant::now();
        contract::append_one(store.as_ref(), &s, i as u64, "bench.single", i as u64).await;
        lat.push(t.elapsed());
    }
    let ours = rate(SINGLE, start.elapsed());
    lat.sort();
    let start = Instant::now();
    for i in 0..SINGLE {
        let state = match i {
            0 => kurrentdb::StreamState::NoStream,
            n => kurrentdb::StreamState::StreamRevision(n as u64 - 1),
        };
        client
            .append_to_stream(
                "raw-single",
                &AppendToStreamOptions::default().stream_state(state),
                raw_event(i),
            )
            .await
            .unwrap();
    }
    let raw = rate(SINGLE, start.elapsed());
    rows.push([
        format!("append, 1 writer, 1 event each ({SINGLE})"),
        format!(
            "{ours:.1}/s (p50 {}, p99 {})",
            ms(percentile(&lat, 0.5)),
            ms(percentile(&lat, 0.99))
        ),
        format!("{raw:.1}/s"),
        format!("{:.2}", ours / raw),
    ]);

    // 16 writers on streams of their own.
    let start = Instant::now();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let s = stream(format!("bench/w{w}"));
                for i in 0..PER_WRITER {
                    contract::append_one(store.as_ref(), &s, i as u64, "bench.many", i as u64)
                        .await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let ours = rate(WRITERS * PER_WRITER, start.elapsed());
    let start = Instant::now();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let client = client.clone();
            tokio::spawn(async move {
                for i in 0..PER_WRITER {
                    client
                        .append_to_stream(format!("raw-w{w}"), &Default::default(), raw_event(i))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let raw = rate(WRITERS * PER_WRITER, start.elapsed());
    rows.push([
        format!(
            "append, {WRITERS} writers, 1 event each ({})",
            WRITERS * PER_WRITER
        ),
        format!("{ours:.1} events/s"),
        format!("{raw:.1} events/s"),
        format!("{:.2}", ours / raw),
    ]);

    // Appends of 100 events (what a chunked electorate or a migration sends), with
    // the exact expected revision as the command handler gives (`Any` would also
    // scan the stream's ids for a replay).
    let start = Instant::now();
    for b in 0..BATCHES {
        let s = stream(format!("bench/batch{}", b % 20));
        let drafts = (0..BATCH)
            .map(|i| contract::draft("bench.batch", (b * BATCH + i) as u64))
            .collect();
        let seen = (b / 20 * BATCH) as u64;
        store.append(&s, Expected::at(seen), drafts).await.unwrap();
    }
    let ours = rate(BATCHES * BATCH, start.elapsed());
    let start = Instant::now();
    for b in 0..BATCHES {
        let events: Vec<EventData> = (0..BATCH).map(|i| raw_event(b * BATCH + i)).collect();
        client
            .append_to_stream(format!("raw-batch{}", b % 20), &Default::default(), events)
            .await
            .unwrap();
    }
    let raw = rate(BATCHES * BATCH, start.elapsed());
    rows.push([
        format!(
            "append, 1 writer, {BATCH} events each ({})",
            BATCHES * BATCH
        ),
        format!("{ours:.0} events/s"),
        format!("{raw:.0} events/s"),
        format!("{:.2}", ours / raw),
    ]);

    // The fold: a fresh process catching up on everything above.
    let total = store.tree_head().size as usize;
    // Both sides start a new client, as a fresh process does. A new kurrentdb
    // client waits its `discoveryInterval` (500 ms by default) before its first
    // connection; that wait is measured once, then set to 0 so the rows show the fold.
    let url = target.url();
    let no_wait = format!(
        "{url}{}discoveryInterval=0",
        if url.contains('?') { '&' } else { '?' }
    );
    let catch_up = async |url: &str| {
        let fresh = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let late = open(url, fresh.path()).await;
        let took = start.elapsed();
        assert_eq!(late.tree_head(), store.tree_head());
        late.close().await;
        took
    };
    let with_wait = catch_up(url).await;
    let ours = rate(total, catch_up(&no_wait).await);
    let config = KurrentDbConfig::parse(&no_wait).unwrap();
    let filter = SubscriptionFilter::on_stream_name()
        .add_prefix(config.namespace.stream_prefix())
        .add_prefix(config.namespace.checkpoints());
    let options = SubscribeToAllOptions::default()
        .position(StreamPosition::Start)
        .filter(filter);
    let start = Instant::now();
    let new_client = kurrentdb::Client::new(config.settings).unwrap();
    let mut sub = new_client.subscribe_to_all(&options).await;
    let mut seen = 0;
    while seen < total {
        if let SubscriptionEvent::EventAppeared(_) = sub.next_subscription_event().await.unwrap() {
            seen += 1;
        }
    }
    let raw = rate(total, start.elapsed());
    rows.push([
        format!("fold: a fresh process catches up ({total} events)"),
        format!("{ours:.0} events/s"),
        format!("{raw:.0} events/s (a new client's subscription alone)"),
        format!("{:.2}", ours / raw),
    ]);
    rows.push([
        "the same with the default `discoveryInterval` (500 ms before a new client's first connection)".into(),
        format!("{} ms", with_wait.as_millis()),
        "—".into(),
        "—".into(),
    ]);
    store.close().await;

    let against = if target.server().is_some() {
        "the in-process KurrentDB test server (`roundtable-kurrentdb-testserver`: one node, in memory, no replication). These figures show **the adapter's own overhead**, not KurrentDB's: a real cluster adds its fsync and a quorum round trip to every append"
    } else {
        "the real KurrentDB at `KURRENTDB_URL`"
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut md = format!(
        "{MARKER}
## KurrentDB backend (issue 7)

`make bench-kurrentdb` (= `cargo bench -p roundtable --bench kurrentdb`), on this machine ({cores} cores) against
{against}. Set `KURRENTDB_URL` to measure a real server.

Each figure is beside the limit measured in the same run: the official client alone
(`kurrentdb` 1.2.0) doing the same round trips with the same bytes, with none of our
work (sealing leaves, the expected revision, waiting for the fold, the local copy's
SQLite transaction).

| benchmark | KurrentDbStore | the client alone (same run) | ratio |
|---|---|---|---|
",
    );
    for [name, figure, limit, ratio] in rows {
        md.push_str(&format!("| {name} | {figure} | {limit} | {ratio} |\n"));
    }
    md.push_str(
        "
- A single append costs one round trip (the local copy's head is tried first; the
  expected revision catches a stale one), plus the wait for the fold to bring the
  event back through the `$all` subscription and its SQLite commit.
- The client is `kurrentdb` 1.2.0 with upstream's `TCP_NODELAY` fix (PR #233, not
  yet released; `vendor/kurrentdb/PATCHED.md`). Without it every round trip waited
  ~44 ms for a delayed ACK, for the client alone as much as for us: one writer made
  22.7 appends/s, 16 writers 341/s, batches of 100 2,057 events/s.
- The local copy commits without an fsync (`SqliteOptions::copy`): KurrentDB holds
  the events, and the copy's `$all` position is in the same transaction, so a
  commit lost to a power cut is folded again.
- A new kurrentdb 1.2.0 client sleeps its `discoveryInterval` before its very first
  connection (even to a single node), so every process start pays it once (500 ms
  by default; `discoveryInterval=` in the URL sets it, and it is also the pause
  between reconnection attempts). The fold rows set it to 0 on both sides.
- The fold imports up to 2,048 leaves per SQLite transaction and writes its `$all`
  position in the same transaction. Its cost is ours, not the subscription's: every
  leaf is checked (canonical bytes, envelope, chain, event id) and written with its
  tree nodes, on one task. That is where a faster catch-up would come from (checking
  leaves on more cores while the previous batch commits).
",
    );
    md
}
