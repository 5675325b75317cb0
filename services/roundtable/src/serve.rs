//! `roundtable serve`: the store, the checkpoint signer and the HTTP surface, with a
//! graceful shutdown that finishes in-flight appends and signs a final checkpoint.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::EndpointExt;
use poem::listener::{Acceptor, Listener, TcpListener};
use roundtable_api::ApiConfig;
use roundtable_api::clock::{Clock, ShiftedClock};
use roundtable_store::EventStore;
use roundtable_store::signer::{self, CheckpointSigner};
use tokio::sync::watch;

pub const DEFAULT_ORIGIN: &str = "roundtable.localhost/dev";

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Data directory (created on first start).
    #[arg(long)]
    pub data: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Signing key file (default: DATA/log.key, created on first start).
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// The log's origin, used when the key is created.
    #[arg(long, default_value = DEFAULT_ORIGIN)]
    pub origin: String,
    /// Sign a checkpoint at most this often while there are new events (milliseconds).
    #[arg(long, default_value_t = 1000)]
    pub checkpoint_interval_ms: u64,
    /// Seed a fresh data directory with the Tieling demo (through the real command
    /// handlers) and print the demo accounts. Implies --graphiql.
    #[arg(long)]
    pub demo: bool,
    /// Serve GraphiQL at GET /graphql (development).
    #[arg(long)]
    pub graphiql: bool,
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
    /// TESTS ONLY: mount `POST /_test/clock?advanceHours=N`, which moves the
    /// server's clock forward so tests can let deadlines pass.
    #[arg(long)]
    pub test_clock: bool,
}

impl ServeArgs {
    fn api_config(&self) -> ApiConfig {
        ApiConfig {
            graphiql: self.graphiql || self.demo,
            session_ttl: Duration::from_secs(self.session_hours.saturating_mul(3600)),
            secure_cookies: self.secure_cookies,
            actions: roundtable_api::ActionPolicy {
                raises_per_hour: self.raises_per_hour,
                cosigns_per_hour: self.cosigns_per_hour,
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
    let runtime = crate::runtime::open(
        &args.data,
        args.key.as_deref(),
        &args.origin,
        args.api_config(),
        clock.clone(),
    )
    .await?;
    let (store, key, app, projector) = (runtime.store, runtime.key, runtime.app, runtime.projector);
    let origin = key.name().to_owned();
    if args.demo {
        // Closing the demo's votes waits for signed checkpoints: sign while seeding.
        let seeding = CheckpointSigner::resume(store.as_ref(), key.clone()).await?;
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
    let deadlines = tokio::spawn(roundtable_api::deadlines::run(
        app.clone(),
        Duration::from_millis(args.deadline_interval_ms.max(10)),
    ));

    let mut signer = CheckpointSigner::resume(store.as_ref(), key.clone()).await?;
    signer.sign_if_new(store.as_ref()).await?;

    // Bind before announcing anything, so a busy port is a clear error.
    let acceptor = TcpListener::bind(args.listen)
        .into_acceptor()
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let local = acceptor
        .local_addr()
        .first()
        .map(|a| a.to_string())
        .unwrap_or_default();

    let state = Arc::new(crate::http::LogState::new(store.clone(), key.verifier()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let checkpoints = state.metrics.clone();
    let signer_task = tokio::spawn(signer::run(
        store.clone(),
        signer,
        Duration::from_millis(args.checkpoint_interval_ms),
        stop_rx,
        move |_| {
            checkpoints.checkpoints.inc();
        },
    ));

    // Everything is ready, and signals are watched, before we say we are listening.
    let mut routes = roundtable_api::mount(crate::http::routes(), app.clone());
    if args.test_clock {
        tracing::warn!("--test-clock: POST /_test/clock moves this server's clock; tests only");
        routes = routes.at(
            "/_test/clock",
            poem::post(advance_clock).data(clock.clone()),
        );
    }
    let routes = routes.data(state);
    let shutdown = shutdown_signal();
    tracing::info!(
        origin,
        vkey = %key.verifier().to_vkey(),
        data = %args.data.display(),
        "roundtable listening on {local}"
    );
    poem::Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(routes, shutdown, Some(Duration::from_secs(10)))
        .await
        .context("serving HTTP")?;

    // In-flight requests are done; let queued appends commit, then sign the last head.
    tracing::info!("shutting down: flushing the log and signing a final checkpoint");
    store.flush().await.ok();
    let _ = stop_tx.send(true);
    match signer_task.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "checkpoint signer"),
        Err(e) => tracing::error!(error = %e, "checkpoint signer task"),
    }
    deadlines.abort();
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
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
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
