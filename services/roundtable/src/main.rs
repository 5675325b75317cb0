//! `roundtable`: the server and the auditor's command line.

mod admin;
mod audit;
mod backend;
mod backup;
mod demo;
mod duties;
mod migrate;
mod runtime;
mod serve;
mod witness;
mod witnesses;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// Rebuilding the read models allocates millions of small objects on one thread
// and frees many on another; glibc's arenas spent half the start-up in locks and
// consolidation. mimalloc's per-thread free lists do not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "roundtable",
    version,
    about = "Civic deliberation on a verifiable record"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server on an embedded data directory.
    Serve(serve::ServeArgs),
    /// Create a log signing key; prints its verifier key.
    Keygen {
        /// Where to write the private key (mode 0600; never overwritten).
        #[arg(long)]
        out: PathBuf,
        /// The log's origin, which names the key.
        #[arg(long, default_value = serve::DEFAULT_ORIGIN)]
        origin: String,
    },
    /// Check the record without trusting the operator.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Operator tasks on a stopped server's data directory.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Run a witness (c2sp.org/tlog-witness) for the logs in its configuration.
    Witness(witness::WitnessArgs),
    /// Create a witness key (an Ed25519 cosignature key); prints its verifier key.
    WitnessKeygen {
        /// Where to write the private key (mode 0600; never overwritten).
        #[arg(long)]
        out: PathBuf,
        /// The witness's name, a schema-less URL (e.g. witness.example.org/jiwei).
        #[arg(long)]
        name: String,
    },
}

fn main() -> ExitCode {
    // Before anything can open a TLS connection (the KurrentDB client, see there).
    roundtable_store_kurrentdb::install_crypto_provider();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Keygen { out, origin } => keygen(&out, &origin),
        Command::Audit(cmd) => audit::run(cmd),
        Command::Admin(cmd) => admin::run(cmd),
        Command::Witness(args) => witness::run(args),
        Command::WitnessKeygen { out, name } => witness::keygen(&out, &name),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // One line, with its causes: never a backtrace.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn keygen(out: &std::path::Path, origin: &str) -> anyhow::Result<ExitCode> {
    let signer = roundtable_store::keys::generate(origin)?;
    roundtable_store::keys::write_new(out, &signer)?;
    println!("{}", signer.verifier().to_vkey());
    Ok(ExitCode::SUCCESS)
}
