//! Load generation and report writing shared by the benchmarks (`benches/*.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Runs `clients` threads calling `call(client)` for `run`; returns the sorted
/// latencies and the elapsed time.
pub fn load(
    clients: usize,
    run: Duration,
    call: impl Fn(usize) + Send + Sync + 'static,
) -> (Vec<Duration>, Duration) {
    let call = Arc::new(call);
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|n| {
            let (call, stop) = (call.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut lat = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    call(n);
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    std::thread::sleep(run);
    stop.store(true, Ordering::Relaxed);
    let mut all: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let elapsed = start.elapsed();
    all.sort();
    (all, elapsed)
}

/// `/healthz` at the same concurrency: the HTTP stack doing nothing, the limit the
/// API's figures are compared with.
pub fn healthz(base: &str, clients: usize, run: Duration) -> (Vec<Duration>, Duration) {
    let url = format!("{base}/healthz");
    let agent = ureq::Agent::config_builder().build().new_agent();
    load(clients, run, move |_| healthz_once(&agent, &url))
}

/// One `GET /healthz`, read to the end.
pub fn healthz_once(agent: &ureq::Agent, url: &str) {
    agent
        .get(url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
}

/// Replaces the section of `docs/BENCHMARKS.md` that starts at `marker` (up to the
/// next section marker, or the end) with `md`, keeping every other section.
pub fn write_section(marker: &str, md: &str) {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/BENCHMARKS.md");
    let previous = std::fs::read_to_string(&out).unwrap_or_default();
    let (head, tail) = match previous.find(marker) {
        Some(at) => {
            let after = &previous[at + marker.len()..];
            let tail = after.find("\n<!-- ").map_or("", |next| &after[next..]);
            (&previous[..at], tail)
        }
        None => (previous.as_str(), ""),
    };
    std::fs::write(
        &out,
        format!(
            "{}\n\n{}\n{}",
            head.trim_end(),
            md.trim_end(),
            tail.trim_start_matches('\n')
        )
        .trim_end()
        .to_owned()
            + "\n",
    )
    .unwrap();
    eprintln!("wrote {}", out.display());
}

/// The head of every benchmark's figures table in `docs/BENCHMARKS.md`.
pub const TABLE_HEAD: &str =
    "| benchmark | figure | target | limit (same run) | ratio to limit |\n|---|---|---|---|---|";

/// `make(n)` for every `n` below `count`, on `threads` threads, in order.
pub fn in_parallel<T: Send>(
    count: usize,
    threads: usize,
    make: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let make = &make;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t..count)
                        .step_by(threads)
                        .map(|n| (n, make(n)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(usize, T)> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        all.sort_by_key(|(n, _)| *n);
        all.into_iter().map(|(_, made)| made).collect()
    })
}

/// Registers a resident through the API and signs them in. Registration answers
/// the same whether the phone was new (issue 16): the member's id comes from
/// signing in.
pub fn registered(
    base: &str,
    name: &str,
    phone: &str,
    password: &str,
    grid: &str,
) -> super::graphql::Client {
    use super::graphql::Client;
    Client::anonymous(base)
        .query(
            "mutation($i: RegisterResidentInput!) { registerResident(input: $i) { indexes } }",
            serde_json::json!({"i": {"displayName": name, "phone": phone, "password": password, "homeGrid": grid}}),
        )
        .data();
    Client::sign_in(base, phone, password)
}
