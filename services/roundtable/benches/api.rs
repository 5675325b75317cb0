//! The people API under load, through the real binary over HTTP: Argon2id cost,
//! sign-in throughput against the hashing limit, and `me` latency at 64 concurrent
//! clients against `/healthz` at the same concurrency. Rewrites its section of
//! `docs/BENCHMARKS.md`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use support::bench::{TABLE_HEAD, healthz, load, ms, percentile, write_section};
use support::graphql::Client;

const MARKER: &str = "<!-- api benchmark: written by `make bench-api` -->";
const CLIENTS: usize = 64;
const RUN: Duration = Duration::from_secs(10);

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    // 1. The cost of one Argon2id hash, in process.
    let hashing = roundtable_vault::PasswordHashing::standard().unwrap();
    let rounds = 20;
    let t = Instant::now();
    for _ in 0..rounds {
        hashing.hash("a password of ordinary length").unwrap();
    }
    let per_hash = t.elapsed() / rounds;
    let hash_limit = cores as f64 / per_hash.as_secs_f64();

    // 2. The real server with the demo data.
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let base = server.base.clone();

    // Sign-in throughput: 2 × cores clients signing in as different accounts.
    let phones = ["13900000001", "13900000002", "13900000003", "13900000004"];
    let signins = Arc::new(AtomicU64::new(0));
    let counter = signins.clone();
    let login_base = base.clone();
    let (login_lat, login_time) = load(2 * cores, RUN, move |n| {
        let anon = Client::anonymous(&login_base);
        let reply = anon.query(
            "mutation($p: String!) { signIn(input: {phone: $p, password: \"roundtable-demo\"}) { csrfToken } }",
            json!({"p": phones[n % phones.len()]}),
        );
        if reply.body["data"]["signIn"]["csrfToken"].is_string() {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let login_rate = signins.load(Ordering::Relaxed) as f64 / login_time.as_secs_f64();

    // `me` at 64 concurrent clients, each with its own session.
    let clients: Arc<Vec<Client>> = Arc::new(
        (0..CLIENTS)
            .map(|n| Client::sign_in(&base, phones[n % phones.len()], "roundtable-demo"))
            .collect(),
    );
    let me_clients = clients.clone();
    let (me_lat, me_time) = load(CLIENTS, RUN, move |n| {
        let reply = me_clients[n].query(
            "{ me { member { id displayName roles { kind } } } }",
            json!({}),
        );
        assert!(
            reply.body["data"]["me"]["member"]["id"].is_string(),
            "{}",
            reply.body
        );
    });
    let (health_lat, health_time) = healthz(&base, CLIENTS, RUN);
    drop(server);

    let me_rate = me_lat.len() as f64 / me_time.as_secs_f64();
    let health_rate = health_lat.len() as f64 / health_time.as_secs_f64();
    let mut md = String::new();
    let _ = writeln!(md, "{MARKER}\n\n## People API (issue 3)\n");
    let _ = writeln!(
        md,
        "Written by `make bench-api` (`cargo bench -p roundtable --bench api`): the release binary with `--demo`, driven over HTTP from the same {cores}-core machine as above (client threads compete with the server for the cores). Each run lasts {} s.\n",
        RUN.as_secs()
    );
    let _ = writeln!(md, "{TABLE_HEAD}");
    let _ = writeln!(
        md,
        "| Argon2id hash ({}) | {} per hash | ≈ 50 ms | — | — |",
        hashing.describe(),
        ms(per_hash)
    );
    let _ = writeln!(
        md,
        "| sign-in, {} concurrent clients | {:.1} /s (p50 {}, p99 {}) | — | {:.1} /s = {cores} cores ÷ one hash | {:.2} |",
        2 * cores,
        login_rate,
        ms(percentile(&login_lat, 0.5)),
        ms(percentile(&login_lat, 0.99)),
        hash_limit,
        login_rate / hash_limit
    );
    let _ = writeln!(
        md,
        "| `me` query, {CLIENTS} concurrent clients | {:.0} /s, p50 {}, p99 {} | — | `/healthz` at {CLIENTS} clients: {:.0} /s, p50 {}, p99 {} | {:.2} (throughput) |",
        me_rate,
        ms(percentile(&me_lat, 0.5)),
        ms(percentile(&me_lat, 0.99)),
        health_rate,
        ms(percentile(&health_lat, 0.5)),
        ms(percentile(&health_lat, 0.99)),
        me_rate / health_rate
    );
    md.push_str(
        "\n- Sign-in is bound by Argon2id by design: one verification per attempt, on a blocking thread, so the server signs in at most about cores ÷ hash time per second; the limit column is that bound.\n\
         - `me` reads the session (one SQLite point read of a hashed token), the read model, and decrypts the display name from the vault (XChaCha20-Poly1305); `/healthz` is the same HTTP stack with no work, so the ratio is the cost of the GraphQL request itself.\n",
    );
    print!("{md}");
    write_section(MARKER, &md);
}
