//! `roundtable admin`: operator tasks on a data directory (the server must be stopped:
//! the log's lock file says so otherwise).

use std::sync::Arc;

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use roundtable_app::{AppConfig, NewAccount, generate_password};
use roundtable_vault::PersonalData;

#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Create the first administrator. The password is read from stdin when it is
    /// not a terminal; otherwise one is generated and printed once.
    Init {
        #[arg(long)]
        data: PathBuf,
        /// The administrator's phone number (their sign-in name).
        #[arg(long)]
        phone: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// The log's origin, used if the data directory is new.
        #[arg(long, default_value = crate::serve::DEFAULT_ORIGIN)]
        origin: String,
        /// Where the log is (as for `serve --store`).
        #[arg(long, default_value = "sqlite:")]
        store: String,
        /// The vault directory, if not the data directory (as for `serve --vault`).
        #[arg(long)]
        vault: Option<PathBuf>,
    },
    /// Copy the log between backends, in order and with every signed checkpoint:
    /// `--from sqlite:DIR --to kurrentdb://…` or back. Succeeds only when the
    /// target's tree root and latest checkpoint are the source's; run it again to
    /// resume an interrupted copy. Servers on the source must be stopped.
    Migrate {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Copy a data directory while its server runs (SQLite online backup of the log
    /// and the vault, the keys, the photos) into an empty OUT, then audit the copy.
    Backup {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(command: AdminCommand) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async move {
        match command {
            AdminCommand::Init {
                data,
                phone,
                name,
                origin,
                store,
                vault,
            } => init(data, phone, name, origin, store, vault).await,
            AdminCommand::Migrate { from, to } => crate::migrate::run(&from, &to).await,
            AdminCommand::Backup { data, out } => crate::backup::run(&data, &out),
        }
    })
}

async fn init(
    data: PathBuf,
    phone: String,
    name: String,
    origin: String,
    store: String,
    vault: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let (password, generated) = if std::io::stdin().is_terminal() {
        (generate_password()?, true)
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the password from stdin")?;
        let text = text.trim_end_matches(['\r', '\n']).to_owned();
        if text.is_empty() {
            (generate_password()?, true)
        } else {
            (text, false)
        }
    };
    let personal = PersonalData::new(&name, &phone, None, None, None)?;
    let account = NewAccount::new(personal, &password)?;
    let location = crate::backend::StoreLocation::parse(&store)?;
    let runtime = crate::runtime::open(
        crate::runtime::Place {
            data: &data,
            key: None,
            next_key: None,
            origin: &origin,
            store: &location,
            vault: vault.as_deref(),
        },
        AppConfig::default(),
        Arc::new(roundtable_app::clock::SystemClock),
    )
    .await?;
    let result = runtime.app.bootstrap_administrator(account).await;
    runtime.store.flush().await.ok();
    runtime.store.close().await;
    runtime.projector.abort();
    let member = result?;
    println!("administrator {member} created; sign in with phone {phone}");
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(ExitCode::SUCCESS)
}
