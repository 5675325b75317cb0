//! `roundtable witness`: runs a C2SP tlog-witness (the `roundtable-witness`
//! crate) on its own data directory, and `roundtable witness-keygen` makes its key.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use roundtable_ledger::CosignatureSigner;
use roundtable_witness::{State, Witness, WitnessConfig};

#[derive(clap::Args)]
pub struct WitnessArgs {
    /// Where the witness keeps its state (`witness.db`).
    #[arg(long)]
    pub data: PathBuf,
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: std::net::SocketAddr,
    /// The witness's private key (`roundtable witness-keygen`).
    #[arg(long)]
    pub key: PathBuf,
    /// The logs it witnesses: `log <vkey>` lines, optionally `rate <n>` per minute.
    #[arg(long)]
    pub config: PathBuf,
}

pub fn keygen(out: &std::path::Path, name: &str) -> anyhow::Result<ExitCode> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let signer = CosignatureSigner::from_seed(name, seed).context("the witness's name")?;
    roundtable_store::keys::write_new_secret(out, &signer.to_skey())?;
    println!("{}", signer.verifier().to_vkey());
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: WitnessArgs) -> anyhow::Result<ExitCode> {
    let secret = roundtable_store::keys::read_secret(&args.key)?;
    let signer = CosignatureSigner::parse(&secret)
        .with_context(|| format!("{} is not a witness key", args.key.display()))?;
    let text = std::fs::read_to_string(&args.config)
        .with_context(|| format!("reading {}", args.config.display()))?;
    let config =
        WitnessConfig::parse(&text).with_context(|| format!("in {}", args.config.display()))?;
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("creating {}", args.data.display()))?;
    let state = State::open(&args.data.join("witness.db"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let local = listener.local_addr()?;
        let vkey = signer.verifier().to_vkey();
        let logs: Vec<String> = config.logs.iter().map(|l| l.name().to_owned()).collect();
        tracing::info!(%vkey, logs = ?logs, "witness listening on socket://{local}");
        let witness = Arc::new(Witness::new(config, state, signer));
        let std_listener = listener.into_std()?;
        let acceptor = poem::listener::TcpAcceptor::from_std(std_listener)?;
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                roundtable_witness::routes(witness),
                crate::serve::shutdown_signal(),
                Some(std::time::Duration::from_secs(5)),
            )
            .await
            .context("serving")?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
