//! The public API under hostile load, through the real binary with the demo:
//! `/healthz` and a signed-in `{ me }` measured alone, then again while 8 hostile
//! anonymous clients send the costliest documents the public limit accepts (and
//! the attacks it refuses). Target: p99 ≤ 50 ms under attack. Then the fuzz suite
//! at 100,000 documents is `make fuzz`. Rewrites its section of
//! `docs/BENCHMARKS.md`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use support::bench::{ms, percentile, write_section};
use support::graphql::Client;

const MARKER: &str = "<!-- abuse benchmark: written by `make bench-abuse` -->";
const HOSTILE: usize = 8;
const RUN: Duration = Duration::from_secs(15);
const TARGET_MS: f64 = 50.0;

/// Probes from one client, 5 ms apart, for `run`; the sorted latencies.
fn probe(run: Duration, call: impl Fn()) -> Vec<Duration> {
    let start = Instant::now();
    let mut lat = Vec::new();
    while start.elapsed() < run {
        let t = Instant::now();
        call();
        lat.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(5));
    }
    lat.sort();
    lat
}

/// The costliest documents a stranger may send (just under the public limit),
/// and the attacks of issue 16 (refused).
fn hostile_documents() -> Vec<String> {
    vec![
        // Accepted: ~7,969 of 8,000.
        "{ councils(first: 24) { nodes { seats { member { displayName } } } } }".to_owned(),
        // Accepted: every issue of a page with its timeline's names.
        "{ issues(first: 15) { nodes { id current { title description } timeline { actorName type time } } } }".to_owned(),
        // Accepted: the meetings with their roll calls.
        "{ meetings(first: 20) { nodes { id rollCall { name } statements { speakerName } } } }".to_owned(),
        // Refused.
        support::attacks::fragment_chain(),
        support::attacks::aliased_lists(),
    ]
}

struct Figures {
    healthz: Vec<Duration>,
    me: Vec<Duration>,
}

fn measure(base: &str, resident: &Client) -> Figures {
    let agent = support::graphql::agent();
    let url = format!("{base}/healthz");
    let (h, m) = std::thread::scope(|scope| {
        let h = scope.spawn(|| {
            probe(RUN, || {
                agent
                    .get(&url)
                    .call()
                    .unwrap()
                    .body_mut()
                    .read_to_string()
                    .unwrap();
            })
        });
        let m = scope.spawn(|| {
            probe(RUN, || {
                let me = resident.query("{ me { member { id displayName } } }", json!({}));
                assert!(
                    me.body["data"]["me"]["member"]["id"].is_string(),
                    "{}",
                    me.body
                );
            })
        });
        (h.join().unwrap(), m.join().unwrap())
    });
    Figures { healthz: h, me: m }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let base = server.base.clone();
    let resident = Client::sign_in(&base, "13900000012", "roundtable-demo");

    let quiet = measure(&base, &resident);

    let documents = Arc::new(hostile_documents());
    let stop = Arc::new(AtomicBool::new(false));
    let (accepted, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let hostile: Vec<_> = (0..HOSTILE)
        .map(|n| {
            let (documents, stop, base) = (documents.clone(), stop.clone(), base.clone());
            let (accepted, refused) = (accepted.clone(), refused.clone());
            std::thread::spawn(move || {
                let anon = Client::anonymous(&base);
                let mut k = n;
                while !stop.load(Ordering::Relaxed) {
                    let reply = anon.query(&documents[k % documents.len()], json!({}));
                    match reply.body["errors"].is_null() {
                        true => accepted.fetch_add(1, Ordering::Relaxed),
                        false => refused.fetch_add(1, Ordering::Relaxed),
                    };
                    k += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let attacked = measure(&base, &resident);
    stop.store(true, Ordering::Relaxed);
    for h in hostile {
        h.join().unwrap();
    }
    let window = RUN.as_secs_f64() + 1.0;
    let accepted_rate = accepted.load(Ordering::Relaxed) as f64 / window;
    let refused_rate = refused.load(Ordering::Relaxed) as f64 / window;

    let row = |what: &str, lat: &[Duration]| {
        let p99 = percentile(lat, 0.99);
        format!(
            "| {what} | {} | {} | {} | {:.2} |\n",
            lat.len(),
            ms(percentile(lat, 0.5)),
            ms(p99),
            p99.as_secs_f64() * 1000.0 / TARGET_MS
        )
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut md = String::new();
    writeln!(md, "{MARKER}").unwrap();
    writeln!(md, "## The public API under hostile load (issue 16)\n").unwrap();
    writeln!(
        md,
        "`make bench-abuse` (`cargo bench -p roundtable --bench abuse`): the release binary with `--demo` on this machine ({cores} cores). One client probes `/healthz` and one a signed-in `{{ me }}`, back to back with 5 ms between probes, for {} s: first alone, then while {HOSTILE} anonymous clients send, round robin, the costliest documents the public limit accepts (councils with their seats' names at cost 7,969 of 8,000; a page of issues with their timelines' names; meetings with their roll calls) and issue 16's attacks (a fragment chain of 2^26 fields, 150 aliased self-nesting lists), which are refused. Target: p99 ≤ {TARGET_MS} ms under attack; the last column is p99 / 50 ms.\n",
        RUN.as_secs()
    )
    .unwrap();
    writeln!(md, "| probe | requests | p50 | p99 | p99 / target |").unwrap();
    writeln!(md, "| --- | --- | --- | --- | --- |").unwrap();
    md.push_str(&row("`/healthz`, no hostile load", &quiet.healthz));
    md.push_str(&row("`{ me }` signed in, no hostile load", &quiet.me));
    md.push_str(&row(
        &format!("`/healthz`, {HOSTILE} hostile clients"),
        &attacked.healthz,
    ));
    md.push_str(&row(
        &format!("`{{ me }}` signed in, {HOSTILE} hostile clients"),
        &attacked.me,
    ));
    writeln!(
        md,
        "\nThe hostile clients got {accepted_rate:.0} accepted and {refused_rate:.0} refused answers a second.\n"
    )
    .unwrap();
    print!("{md}");
    write_section(MARKER, &md);
}
