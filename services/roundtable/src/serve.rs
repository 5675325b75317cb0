//! `roundtable serve`: the store, the checkpoint signer and the HTTP surface, with a
//! graceful shutdown that finishes in-flight appends and signs a final checkpoint.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::backend::StoreLocation;
use anyhow::Context;
use poem::EndpointExt;
use poem::listener::{Acceptor, Listener, TcpListener};
use roundtable_api::{Api, ApiConfig};
use roundtable_app::AppConfig;
use roundtable_app::clock::{Clock, ShiftedClock};
use roundtable_store::signer::{self, CheckpointSigner};
use roundtable_store_kurrentdb::lease::{self, LeaseOptions};
use tokio::sync::watch;

use crate::duties::Duties;

pub const DEFAULT_ORIGIN: &str = "roundtable.localhost/dev";

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Data directory (created on first start): the log, or with `--store
    /// kurrentdb://…` this process's copy of the tree. One process per directory.
    #[arg(long)]
    pub data: PathBuf,
    /// Where the log is: `sqlite:` (the data directory, the default) or a KurrentDB
    /// connection string, `kurrentdb://[user:password@]host:2113[,host…]?tls=…`
    /// (add `namespace=NAME` to keep several logs on one cluster).
    #[arg(long, default_value = "sqlite:")]
    pub store: String,
    /// The vault (people's data, credentials, sessions) and the photos, if not in
    /// the data directory. Processes on one machine that share a KurrentDB log
    /// share this directory.
    #[arg(long)]
    pub vault: Option<PathBuf>,
    /// How long the signer lease lasts on KurrentDB (milliseconds): a process that
    /// dies holding it is replaced after at most this long.
    #[arg(long, default_value_t = 10_000)]
    pub lease_ms: u64,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Signing key file (default: DATA/log.key, created on first start).
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Key rotation: the next signing key (same origin, from `roundtable keygen`).
    /// Both keys sign every checkpoint, `/log/vkey` serves both, and the signer
    /// records `key.rotated` in the log; later, restart with `--key` set to it.
    #[arg(long)]
    pub next_key: Option<PathBuf>,
    /// The log's origin, used when the key is created.
    #[arg(long, default_value = DEFAULT_ORIGIN)]
    pub origin: String,
    /// Sign a checkpoint at most this often while there are new events (milliseconds).
    #[arg(long, default_value_t = 1000)]
    pub checkpoint_interval_ms: u64,
    /// A witness to send each checkpoint to, as "<url> <vkey>" (repeat for each;
    /// `ops/witness/README.md`). `/log/checkpoint` then serves the newest checkpoint
    /// `--witness-quorum` of them cosigned, with their cosignatures.
    #[arg(long = "witness")]
    pub witnesses: Vec<String>,
    /// How many of the witnesses must cosign a checkpoint before it is served
    /// (default: all of them).
    #[arg(long)]
    pub witness_quorum: Option<usize>,
    /// Seed a fresh data directory with the Tieling demo (through the real command
    /// handlers) and print the demo accounts.
    #[arg(long)]
    pub demo: bool,
    /// Sessions expire this many hours after sign-in.
    #[arg(long, default_value_t = 7 * 24)]
    pub session_hours: u64,
    /// Mark cookies Secure even without TLS in sight (behind a TLS proxy that does
    /// not send X-Forwarded-Proto).
    #[arg(long)]
    pub secure_cookies: bool,
    /// How often the deadline scheduler looks for clocks that ran out (milliseconds).
    #[arg(long, default_value_t = 1000)]
    pub deadline_interval_ms: u64,
    /// Issues each member may raise per hour.
    #[arg(long, default_value_t = 10)]
    pub raises_per_hour: u32,
    /// Co-signatures each member may give per hour.
    #[arg(long, default_value_t = 120)]
    pub cosigns_per_hour: u32,
    /// Registrations one address may make per hour.
    #[arg(long, default_value_t = 5)]
    pub registrations_per_address_per_hour: u32,
    /// Registrations everyone together may make per hour (every one stays in the
    /// log for good).
    #[arg(long, default_value_t = 600)]
    pub registrations_per_hour: u32,
    /// Open WebSockets one address may hold (a hall's shared Wi-Fi may need more);
    /// at least 1.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..))]
    pub sockets_per_address: u32,
    /// A proxy in front (nginx) whose `X-Forwarded-For` names the caller, for
    /// every per-address limit; repeat for several. Without it, the TCP peer.
    #[arg(long = "trusted-proxy")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Photos one member may upload per hour.
    #[arg(long, default_value_t = 30)]
    pub uploads_per_hour: u32,
    /// TESTS ONLY: mount `POST /_test/clock?advanceHours=N`, which moves the
    /// server's clock forward so tests can let deadlines pass.
    #[arg(long)]
    pub test_clock: bool,
}

impl ServeArgs {
    fn app_config(&self) -> AppConfig {
        AppConfig {
            session_ttl: Duration::from_secs(self.session_hours.saturating_mul(3600)),
            actions: roundtable_app::ActionPolicy {
                raises_per_hour: self.raises_per_hour,
                cosigns_per_hour: self.cosigns_per_hour,
                registrations_per_address_per_hour: self.registrations_per_address_per_hour,
                registrations_per_hour: self.registrations_per_hour,
                uploads_per_hour: self.uploads_per_hour,
                ..roundtable_app::ActionPolicy::default()
            },
            ..AppConfig::default()
        }
    }

    fn api_config(&self) -> ApiConfig {
        ApiConfig {
            secure_cookies: self.secure_cookies,
            trusted_proxies: self.trusted_proxies.clone(),
            sockets: roundtable_api::SocketLimits {
                per_address: self.sockets_per_address as usize,
                ..roundtable_api::SocketLimits::default()
            },
            ..ApiConfig::default()
        }
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(serve(args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // The system clock, shifted only by the demo's history and by --test-clock.
    let clock = Arc::new(ShiftedClock::default());
    let location = StoreLocation::parse(&args.store)?;
    let runtime = crate::runtime::open(
        crate::runtime::Place {
            data: &args.data,
            key: args.key.as_deref(),
            next_key: args.next_key.as_deref(),
            origin: &args.origin,
            store: &location,
            vault: args.vault.as_deref(),
        },
        args.app_config(),
        clock.clone(),
    )
    .await?;
    let crate::runtime::Runtime {
        store,
        kurrentdb,
        keys,
        app,
        projector,
    } = runtime;
    let origin = keys.origin().to_owned();

    // Who signs and runs deadlines: this process on the embedded store; the holder
    // of the signer lease on KurrentDB.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (leading_tx, leading) = watch::channel(kurrentdb.is_none());
    let lease_task = kurrentdb.as_ref().map(|k| {
        let options = LeaseOptions {
            ttl: Duration::from_millis(args.lease_ms.max(300)),
            holder: format!("{}:{}", args.listen, std::process::id()),
        };
        tokio::spawn(lease::run(
            k.client().clone(),
            k.namespace().signer(),
            options,
            leading_tx,
            stop_rx.clone(),
        ))
    });

    if args.demo {
        if kurrentdb.is_some() {
            // Only the lease holder may seed (and sign while seeding).
            leading
                .clone()
                .wait_for(|l| *l)
                .await
                .context("the signer lease")?;
        }
        // Closing the demo's votes waits for signed checkpoints: sign while seeding.
        let seeding = CheckpointSigner::resume(store.as_ref(), keys.clone()).await?;
        let (stop_seeding, stopped) = watch::channel(false);
        let signing = tokio::spawn(signer::run(
            store.clone(),
            seeding,
            Duration::from_millis(20),
            stopped,
            |_| {},
        ));
        let seeded = crate::demo::seed(&app, &clock).await;
        let _ = stop_seeding.send(true);
        signing.await.context("the seeding signer")??;
        seeded.context("seeding the demo")?;
    }

    // (The keys were checked against the log's checkpoints when it opened.)
    if kurrentdb.is_none() {
        // A fresh log has a signed checkpoint before the server says it is listening.
        CheckpointSigner::resume(store.as_ref(), keys.clone())
            .await?
            .sign_if_new(store.as_ref())
            .await?;
    }

    // Bind before announcing anything, so a busy port is a clear error.
    let limits = roundtable_api::stack::StackLimits::default();
    let acceptor = roundtable_api::stack::HeaderDeadline {
        inner: TcpListener::bind(args.listen)
            .into_acceptor()
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?,
        limit: limits.header_read,
    };
    let local = acceptor
        .local_addr()
        .first()
        .map(|a| a.to_string())
        .unwrap_or_default();

    let targets = args
        .witnesses
        .iter()
        .map(|w| crate::witnesses::WitnessTarget::parse(w))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut state = roundtable_api::record::LogState::new(store.clone(), keys.vkeys());
    let (latest_tx, latest_rx) = watch::channel(store.checkpoint().await?);
    let book = (!targets.is_empty()).then(|| {
        let quorum = args.witness_quorum.unwrap_or(targets.len());
        Arc::new(roundtable_api::witnessed::WitnessBook::new(
            targets.iter().map(|t| t.key.clone()).collect(),
            quorum,
        ))
    });
    let mut witnessing = Vec::new();
    if let Some(book) = &book {
        if let Some(cp) = latest_rx.borrow().as_ref() {
            book.signed(cp.checkpoint.size, &cp.note);
        }
        state = state.with_witnesses(book.clone());
        witnessing = crate::witnesses::spawn(store.clone(), book.clone(), targets, latest_rx);
    }
    let state = Arc::new(state);
    let checkpoints = state.metrics.clone();
    let api_witnesses = book.clone();
    let duties = tokio::spawn(
        Duties {
            store: store.clone(),
            app: app.clone(),
            keys: keys.clone(),
            checkpoint_interval: Duration::from_millis(args.checkpoint_interval_ms),
            deadline_interval: Duration::from_millis(args.deadline_interval_ms.max(10)),
            on_signed: Arc::new(move |cp| {
                checkpoints.checkpoints.inc();
                if let Some(book) = &book {
                    book.signed(cp.checkpoint.size, &cp.note);
                }
                latest_tx.send_replace(Some(cp.clone()));
            }),
        }
        .run(leading.clone(), stop_rx),
    );

    // Everything is ready, and signals are watched, before we say we are listening.
    let mut routes = roundtable_api::mount(
        roundtable_api::record::routes(),
        Api::with_witnesses(app.clone(), args.api_config(), api_witnesses),
    );
    if args.test_clock {
        tracing::warn!("--test-clock: POST /_test/clock moves this server's clock; tests only");
        routes = routes.at(
            "/_test/clock",
            poem::post(advance_clock).data(clock.clone()),
        );
    }
    let routes = roundtable_api::stack::guarded(routes.data(state), limits);
    let shutdown = shutdown_signal();
    tracing::info!(
        origin,
        vkey = %keys.vkeys().trim_end().replace('\n', " "),
        data = %args.data.display(),
        "roundtable listening on {local}"
    );
    poem::Server::new_with_acceptor(acceptor)
        .idle_timeout(limits.idle)
        .run_with_graceful_shutdown(routes, shutdown, Some(Duration::from_secs(10)))
        .await
        .context("serving HTTP")?;

    // In-flight requests are done; let queued appends commit, then sign the last
    // head (if we hold the duties), then hand the lease back.
    tracing::info!("shutting down: flushing the log and signing a final checkpoint");
    store.flush().await.ok();
    let _ = stop_tx.send(true);
    if let Err(e) = duties.await {
        tracing::error!(error = %e, "the signing and deadline duties");
    }
    if let Some(task) = lease_task {
        task.await.ok();
    }
    for task in witnessing {
        task.abort();
    }
    store.close().await;
    projector.abort();
    let head = store.tree_head();
    tracing::info!(size = head.size, root = %head.root, "stopped");
    Ok(())
}

#[derive(serde::Deserialize)]
struct AdvanceQuery {
    #[serde(rename = "advanceHours")]
    advance_hours: i64,
}

/// `POST /_test/clock?advanceHours=N` (only with `--test-clock`).
#[poem::handler]
fn advance_clock(
    poem::web::Query(q): poem::web::Query<AdvanceQuery>,
    poem::web::Data(clock): poem::web::Data<&Arc<ShiftedClock>>,
) -> String {
    clock.advance(q.advance_hours.saturating_mul(3_600_000));
    format!("{}\n", clock.now())
}

/// Watches SIGTERM and Ctrl-C from the moment it is called (not from the first
/// poll), so a signal sent as soon as the server says it is listening still stops it
/// gracefully.
pub(crate) fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term = match term {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot watch SIGTERM; only Ctrl-C stops the server");
                    let _ = ctrl_c.await;
                    return;
                }
            };
            tokio::select! {
                _ = ctrl_c => {},
                _ = term.recv() => {},
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
    }
}
