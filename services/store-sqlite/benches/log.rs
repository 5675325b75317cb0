//! The log's benchmark: durable appends at 1/16/256 concurrent writers, bulk appends,
//! replay, and full verification of 1,000,000 events — each beside its target and
//! beside a limit measured in the same run on the same bytes (fdatasync'd raw file
//! appends, SHA-256 of the leaves). Writes `docs/BENCHMARKS.md`.
//!
//! Run: `make bench` (= `cargo bench -p roundtable-store-sqlite --bench log`).
//! `ROUNDTABLE_BENCH_EVENTS` overrides the 1,000,000 (for a quick look).

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use roundtable_ledger::{LeafHeader, NoteVerifier, StreamName, leaf_hash, verify_log};
use roundtable_store::signer::CheckpointSigner;
use roundtable_store::{EventStore, Expected, contract, keys};
use roundtable_store_sqlite::{SqliteOptions, SqliteReader, SqliteStore};

const ORIGIN: &str = "bench.roundtable/log";
const READING: &str = "
## Reading the figures

- Appends: every acknowledged append is in an fsync'd SQLite transaction. With one
  writer each append pays a whole commit (WAL write + fsync + index updates), so it
  reaches about half the raw fdatasync rate; with many writers group commit puts up to
  all waiting appends into one transaction, and the cost moves from the disk to the
  CPU (two cores shared by the writer thread, SQLite's B-tree inserts for the event,
  the per-stream index and the tree nodes, and the callers' tasks), which is why the
  ratio to raw appends falls as batches grow.
- Replay reads rows from SQLite (stream names from a cache, not a join) and decodes
  each envelope with serde on one thread; below the 1,000,000/s target. The next step
  is decoding in parallel with reading.
- Verification runs the one-pass canonical check, the envelope decode and SHA-256 on
  all cores, then the chain and tree checks in order.
- This machine has SHA-NI, so SHA-256 is far from being the bottleneck.
";

struct Row {
    name: String,
    figure: String,
    target: String,
    limit: String,
    ratio: String,
}

fn rate(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn fmt_rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M/s", r / 1e6)
    } else {
        format!("{:.1} k/s", r / 1e3)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// fdatasync'd appends of `record` bytes to a plain file, `batch` records per sync.
fn raw_append_rate(dir: &std::path::Path, record: usize, batch: usize, total: usize) -> f64 {
    let path = dir.join(format!("raw-{batch}"));
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .unwrap();
    let buf = vec![b'x'; record * batch];
    let start = Instant::now();
    let mut written = 0;
    while written < total {
        file.write_all(&buf).unwrap();
        file.sync_data().unwrap();
        written += batch;
    }
    let r = rate(written as u64, start.elapsed());
    drop(file);
    std::fs::remove_file(path).ok();
    r
}

/// SHA-256 leaf hashes per second over the given leaves, on `threads` threads.
fn sha_rate(leaves: &[Vec<u8>], threads: usize) -> f64 {
    let start = Instant::now();
    let chunk = leaves.len().div_ceil(threads);
    std::thread::scope(|s| {
        for part in leaves.chunks(chunk) {
            s.spawn(move || {
                let mut acc = 0u8;
                for l in part {
                    acc ^= leaf_hash(l).0[0];
                }
                std::hint::black_box(acc);
            });
        }
    });
    rate(leaves.len() as u64, start.elapsed())
}

async fn concurrent_appends(
    store: &Arc<SqliteStore>,
    writers: u64,
    per_writer: u64,
    tag: &str,
) -> (f64, Vec<Duration>) {
    let start = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            let stream = StreamName::new(format!("bench/{tag}-{w}")).unwrap();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_writer as usize);
                for i in 0..per_writer {
                    let expected = Expected::at(i);
                    let t = Instant::now();
                    store
                        .append(
                            &stream,
                            expected,
                            vec![contract::draft("bench.appended", i)],
                        )
                        .await
                        .unwrap();
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let r = rate(writers * per_writer, start.elapsed());
    all.sort();
    (r, all)
}

/// Where the API benchmark's section of docs/BENCHMARKS.md starts.
const API_SECTION_MARKER: &str = "<!-- api benchmark: written by `make bench-api` -->";

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
            })
        })
        .map_or("?".into(), |kb| format!("{:.0} GiB", kb as f64 / 1048576.0));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cores} × {cpu}, {mem} RAM, Linux {}", kernel.trim())
}

fn main() {
    let total: u64 = std::env::var("ROUNDTABLE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir_in(
        std::env::var("ROUNDTABLE_BENCH_DIR")
            .unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
    )
    .unwrap();
    let mut rows: Vec<Row> = Vec::new();
    let mut notes = String::new();

    rt.block_on(async {
        let store =
            Arc::new(SqliteStore::open(dir.path(), ORIGIN, SqliteOptions::default()).unwrap());

        // Durable single-event appends from concurrent writers on distinct streams.
        let mut record = 300;
        for (writers, per_writer) in [(1u64, 5_000u64), (16, 3_000), (256, 400)] {
            let (r, lat) =
                concurrent_appends(&store, writers, per_writer, &format!("c{writers}")).await;
            if writers == 1 {
                let sample = store.read_all(0, 100).await.unwrap();
                record = sample.iter().map(|e| e.leaf.len()).sum::<usize>() / sample.len().max(1);
            }
            let limit = raw_append_rate(
                dir.path(),
                record,
                writers as usize,
                20_000.max(writers as usize * 50),
            );
            let target = match writers {
                256 => "≥ 50,000/s".to_string(),
                1 => "p99 ≤ 10 ms".to_string(),
                _ => "—".to_string(),
            };
            rows.push(Row {
                name: format!("durable appends, {writers} writer(s), 1 event each"),
                figure: format!(
                    "{} (p50 {}, p99 {})",
                    fmt_rate(r),
                    ms(percentile(&lat, 0.5)),
                    ms(percentile(&lat, 0.99))
                ),
                target,
                limit: format!(
                    "{} raw {record}-byte appends, fdatasync per {writers}",
                    fmt_rate(limit)
                ),
                ratio: format!("{:.2}", r / limit),
            });
        }
        eprintln!("concurrency done");

        // Bulk: batches of 1,000 events per append, up to `total` events in the log.
        let already = store.tree_head().size;
        // Fill the log up to `total` (at least 100 batches, so the figure means something).
        let batches = (total.saturating_sub(already) / 1000).max(100);
        let start = Instant::now();
        let streams = 1000u64;
        let mut seqs = vec![0u64; streams as usize];
        for b in 0..batches {
            let s = (b % streams) as usize;
            let stream = StreamName::new(format!("bench/bulk-{s}")).unwrap();
            let expected = Expected::at(seqs[s]);
            let events = (0..1000)
                .map(|i| contract::draft("bench.bulk", b * 1000 + i))
                .collect();
            store.append(&stream, expected, events).await.unwrap();
            seqs[s] += 1000;
        }
        let bulk = rate(batches * 1000, start.elapsed());
        let limit = raw_append_rate(dir.path(), record, 1000, 200_000);
        rows.push(Row {
            name: "bulk append, batches of 1,000".into(),
            figure: fmt_rate(bulk),
            target: "—".into(),
            limit: format!("{} raw appends, fdatasync per 1,000", fmt_rate(limit)),
            ratio: format!("{:.2}", bulk / limit),
        });
        eprintln!("bulk done");

        let key = keys::load_or_create(dir.path(), None, ORIGIN).unwrap();
        store.set_vkey(&key.verifier().to_vkey()).await.unwrap();
        let mut signer = CheckpointSigner::resume(store.as_ref(), key.clone())
            .await
            .unwrap();
        signer.sign_if_new(store.as_ref()).await.unwrap();
        let size = store.tree_head().size;

        // Replay: read everything in order and decode each envelope.
        let start = Instant::now();
        let mut next = 0;
        let mut decoded = 0u64;
        while next < size {
            let page = store.read_all(next, 10_000).await.unwrap();
            for e in &page {
                std::hint::black_box(LeafHeader::from_leaf(&e.leaf).unwrap());
                decoded += 1;
            }
            next += page.len() as u64;
        }
        let replay = rate(decoded, start.elapsed());

        // Limits on the same bytes.
        let reader = SqliteReader::open(dir.path()).unwrap();
        let mut leaves = Vec::with_capacity(size as usize);
        let mut bundle = Vec::new();
        reader
            .for_each_leaf(size, |_, l| {
                leaves.push(l.to_vec());
                bundle.extend_from_slice(l);
                bundle.push(b'\n');
                Ok(())
            })
            .unwrap();
        let sha1 = sha_rate(&leaves, 1);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let sha_all = sha_rate(&leaves, cores);
        rows.push(Row {
            name: format!("replay: read all {size} + decode envelopes"),
            figure: fmt_rate(replay),
            target: "≥ 1,000,000/s".into(),
            limit: format!("{} SHA-256 of the leaves, 1 core", fmt_rate(sha1)),
            ratio: format!("{:.2}", replay / sha1),
        });

        // Full audit verification of the exported bundle.
        let cp = store.checkpoint().await.unwrap().unwrap();
        let vkey = NoteVerifier::parse(&key.verifier().to_vkey()).unwrap();
        let start = Instant::now();
        let report = verify_log(&bundle, &cp.note, std::slice::from_ref(&vkey), None).unwrap();
        let verify = rate(report.checkpoint.size, start.elapsed());
        rows.push(Row {
            name: format!("audit verify, {} events", report.checkpoint.size),
            figure: fmt_rate(verify),
            target: "≥ 300,000/s".into(),
            limit: format!("{} SHA-256 of the leaves, {cores} cores", fmt_rate(sha_all)),
            ratio: format!("{:.2}", verify / sha_all),
        });
        let _ = writeln!(
            notes,
            "- Average leaf: {record} bytes; {size} events; database {:.0} MiB.",
            std::fs::metadata(store.path())
                .map(|m| m.len() as f64 / 1048576.0)
                .unwrap_or(0.0)
        );
        store.close().await;
    });

    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Written by `make bench` (`cargo bench -p roundtable-store-sqlite --bench log`); do not edit by hand.\n"
    );
    let _ = writeln!(md, "- Machine: {}", machine());
    let _ = writeln!(md, "- Data directory on: {}", dir.path().display());
    let _ = writeln!(
        md,
        "- Store: SQLite WAL, `synchronous=FULL`, one writer thread with group commit; every append returns after its transaction is fsync'd."
    );
    md.push_str(&notes);
    let _ = writeln!(
        md,
        "- Ratio = figure ÷ limit, both measured in this run on the same bytes: durable appends against fdatasync'd raw file appends of the same size and batch, replay and verification against SHA-256 of the same leaves.\n"
    );
    let _ = writeln!(
        md,
        "| benchmark | figure | target | limit (same run) | ratio to limit |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|");
    for r in &rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            r.name, r.figure, r.target, r.limit, r.ratio
        );
    }
    md.push_str(READING);
    print!("{md}");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/BENCHMARKS.md");
    // The API benchmark (services/roundtable/benches/api.rs) owns the part from its
    // marker on; keep it.
    let previous = std::fs::read_to_string(&out).unwrap_or_default();
    if let Some(at) = previous.find(API_SECTION_MARKER) {
        md.push('\n');
        md.push_str(&previous[at..]);
    }
    std::fs::write(&out, md).unwrap();
    eprintln!("wrote {}", out.display());
}
