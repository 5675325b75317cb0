//! What witnessing adds: the time from a write's acknowledgment until a checkpoint
//! covering it is served at `/log/checkpoint`, on a log with two local witness
//! processes (2-of-2) and on the same log without witnesses, measured in one run on
//! this machine. Rewrites its section of `docs/BENCHMARKS.md`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::accounts::{PASSWORD, VERIFIED_RESIDENT};
use support::bench::{ms, percentile, write_section};
use support::graphql::Client;

const MARKER: &str = "<!-- witness benchmark: written by `make bench-witness` -->";
const WRITES: usize = 40;
const ORIGIN: &str = "roundtable.bench/witnessed";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn served_size(base: &str) -> u64 {
    let mut r = support::graphql::agent()
        .get(format!("{base}/log/checkpoint"))
        .call()
        .unwrap();
    let note = r.body_mut().read_to_string().unwrap();
    note.lines()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Latencies from each write's acknowledgment to a served checkpoint covering it.
fn measure(base: &str) -> Vec<Duration> {
    let zhou = Client::sign_in(base, VERIFIED_RESIDENT, PASSWORD);
    let mut out = Vec::new();
    for n in 0..WRITES {
        let reply = zhou.query(
            "mutation($t: String!) { raiseIssue(input: {title: $t, description: \"测量见证延迟\", category: OTHER}) { indexes } }",
            json!({"t": format!("见证延迟 {n}")}),
        );
        let index = reply.data()["raiseIssue"]["indexes"][0].as_u64().unwrap();
        let acked = Instant::now();
        while served_size(base) <= index {
            assert!(acked.elapsed() < Duration::from_secs(30), "never served");
            std::thread::sleep(Duration::from_millis(2));
        }
        out.push(acked.elapsed());
    }
    out.sort();
    out
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("log.key");
    let out = support::roundtable(&["keygen", "--out", key.to_str().unwrap(), "--origin", ORIGIN]);
    let log_vkey = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let mut witnesses = Vec::new();
    let mut args: Vec<String> = Vec::new();
    for name in ["jiwei", "ribao"] {
        let p = |f: &str| {
            dir.path()
                .join(format!("{name}-{f}"))
                .to_str()
                .unwrap()
                .to_owned()
        };
        let o = support::roundtable(&[
            "witness-keygen",
            "--out",
            &p("key"),
            "--name",
            &format!("witness.bench/{name}"),
        ]);
        let vkey = String::from_utf8_lossy(&o.stdout).trim().to_owned();
        std::fs::write(p("conf"), format!("log {log_vkey}\nrate 1000000\n")).unwrap();
        let port = free_port();
        witnesses.push(support::spawn(&[
            "witness",
            "--data",
            &p("state"),
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--key",
            &p("key"),
            "--config",
            &p("conf"),
        ]));
        args.push("--witness".into());
        args.push(format!("http://127.0.0.1:{port} {vkey}"));
    }
    let common = [
        "--demo",
        "--checkpoint-interval-ms",
        "100",
        "--raises-per-hour",
        "100000",
    ];
    let run = |data: &std::path::Path, extra: &[String]| {
        let mut all: Vec<&str> = common.to_vec();
        all.extend_from_slice(&["--key", key.to_str().unwrap(), "--origin", ORIGIN]);
        all.extend(extra.iter().map(String::as_str));
        let server = support::start_with(data, &all);
        // Let the first checkpoints (and their cosignatures) settle.
        std::thread::sleep(Duration::from_secs(2));
        let lat = measure(&server.base);
        drop(server);
        lat
    };
    let plain = run(&dir.path().join("plain"), &[]);
    // A second log of the same key for the witnesses: a fresh data directory.
    let witnessed = run(&dir.path().join("witnessed"), &args);
    drop(witnesses);

    let p50 = |v: &[Duration]| percentile(v, 0.5);
    let p99 = |v: &[Duration]| percentile(v, 0.99);
    let added = p50(&witnessed).saturating_sub(p50(&plain));
    let machine = format!(
        "{} cores, {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::env::consts::ARCH
    );
    let md = format!(
        "{MARKER}\n## Witnessing: write acknowledged → covering checkpoint served\n\n\
         `make bench-witness` (`cargo bench -p roundtable --bench witness`), {machine}: {WRITES} writes one after another, checkpoints signed every 100 ms, two local witness processes (2-of-2), the same binary and demo with and without them in one run.\n\n\
         | log | p50 | p99 |\n|---|---|---|\n\
         | without witnesses (signed checkpoint served) | {} | {} |\n\
         | with 2 witnesses (fully witnessed checkpoint served) | {} | {} |\n\
         | added by witnessing (p50) | {} | |\n\n\
         The wait is dominated by the signing interval (100 ms here, 1 s by default); witnessing adds one `add-checkpoint` round trip per witness, in parallel, each a consistency proof, a signature check, one durable SQLite commit and an Ed25519 signature.\n",
        ms(p50(&plain)),
        ms(p99(&plain)),
        ms(p50(&witnessed)),
        ms(p99(&witnessed)),
        ms(added),
    );
    print!("{md}");
    write_section(MARKER, &md);
}
