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

/// The note of the checkpoint at exactly `size`, if the log has signed one.
fn checkpoint_at(base: &str, size: u64) -> Option<String> {
    let mut r = support::graphql::agent()
        .get(format!("{base}/log/checkpoints/{size}"))
        .call()
        .ok()?;
    (r.status().as_u16() == 200).then(|| r.body_mut().read_to_string().unwrap_or_default())
}

/// For each write: (acknowledged → its checkpoint signed, signed → cosigned by both).
/// Writes go one at a time, so the checkpoint covering leaf `i` is at size `i + 1`
/// (a sample is skipped when another event slipped in).
fn measure(base: &str) -> (Vec<Duration>, Vec<Duration>) {
    let zhou = Client::sign_in(base, VERIFIED_RESIDENT, PASSWORD);
    let (mut to_signed, mut to_witnessed) = (Vec::new(), Vec::new());
    for n in 0..WRITES {
        // Off the signing tick, so each write waits a different part of it.
        std::thread::sleep(Duration::from_millis((n as u64 * 37) % 100));
        let reply = zhou.query(
            "mutation($t: String!) { raiseIssue(input: {title: $t, description: \"测量见证延迟\", category: OTHER}) { indexes } }",
            json!({"t": format!("见证延迟 {n}")}),
        );
        let index = reply.data()["raiseIssue"]["indexes"][0].as_u64().unwrap();
        let acked = Instant::now();
        let mut signed = None;
        while acked.elapsed() < Duration::from_secs(3) {
            if let Some(note) = checkpoint_at(base, index + 1) {
                let at = *signed.get_or_insert_with(Instant::now);
                if note.matches("\n— ").count() >= 3 {
                    to_signed.push(at - acked);
                    to_witnessed.push(at.elapsed());
                    break;
                }
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }
    to_signed.sort();
    to_witnessed.sort();
    (to_signed, to_witnessed)
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
        let port = support::free_port();
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
    let data = dir.path().join("data");
    let mut all: Vec<&str> = vec![
        "--demo",
        "--checkpoint-interval-ms",
        "100",
        "--raises-per-hour",
        "100000",
        "--key",
        key.to_str().unwrap(),
        "--origin",
        ORIGIN,
    ];
    all.extend(args.iter().map(String::as_str));
    let server = support::start_with(&data, &all);
    // Let the demo's checkpoints (and their cosignatures) settle.
    std::thread::sleep(Duration::from_secs(2));
    let (to_signed, to_witnessed) = measure(&server.base);
    drop(server);
    drop(witnesses);

    let p = |v: &[Duration], q: f64| ms(percentile(v, q));
    let machine = format!(
        "{} cores, {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::env::consts::ARCH
    );
    let md = format!(
        "{MARKER}\n## Witnessing: checkpoint signed → fully witnessed\n\n\
         `make bench-witness` (`cargo bench -p roundtable --bench witness`), {machine}: {} writes one after another, checkpoints signed every 100 ms, two local witness processes (2-of-2); the checkpoint covering each write is polled at `/log/checkpoints/<size>` every 0.5 ms.\n\n\
         | step | p50 | p99 |\n|---|---|---|\n\
         | write acknowledged → its checkpoint signed (the signing interval) | {} | {} |\n\
         | checkpoint signed → cosigned by both witnesses (added by witnessing) | {} | {} |\n\n\
         Witnessing adds one `add-checkpoint` round trip per witness, both at once: the consistency proof from the witness's size, its signature check and consistency check, one durable SQLite commit (`synchronous=FULL`) and an Ed25519 cosignature, then our check of the line.\n",
        to_witnessed.len(),
        p(&to_signed, 0.5),
        p(&to_signed, 0.99),
        p(&to_witnessed, 0.5),
        p(&to_witnessed, 0.99),
    );
    print!("{md}");
    write_section(MARKER, &md);
}
