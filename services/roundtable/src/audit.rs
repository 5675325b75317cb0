//! `roundtable audit`: export an offline bundle, verify a bundle or a live server,
//! and print proofs — everything an auditor needs without trusting the operator.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use roundtable_ledger::{SignedCheckpoint, verify_log};
use roundtable_store::keys::parse_vkeys;
use roundtable_store_sqlite::SqliteReader;

use roundtable_audit::wire::{ConsistencyProof, InclusionProof, MAX_ENTRIES_PER_REQUEST};

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Write OUT/entries.jsonl, OUT/checkpoint and OUT/vkey from a data directory.
    Export {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a bundle directory, or a running server with --url.
    Verify {
        /// The bundle directory (omit with --url).
        bundle: Option<PathBuf>,
        /// Verify a live server instead, e.g. http://127.0.0.1:8080.
        #[arg(long, conflicts_with = "bundle")]
        url: Option<String>,
        /// The log's verifier keys, one per line, obtained out of band (default: the
        /// bundle's or the server's own — which only proves self-consistency).
        #[arg(long)]
        vkey: Option<PathBuf>,
        /// An older signed checkpoint the new one must extend. Signed by a pinned
        /// key and covering a `key.rotated` leaf, it also lets the new key in.
        #[arg(long)]
        pin: Option<PathBuf>,
        /// A witness policy (c2sp.org/tlog-policy: `witness`, `group`, `quorum`
        /// lines): the checkpoint must carry its quorum's cosignatures.
        #[arg(long)]
        witness_policy: Option<PathBuf>,
    },
    /// Check a kept receipt (`tlog-proof@v1` carrying its leaf) with no server:
    /// the leaf is in the log the key signed, and (with a policy) witnessed.
    Receipt {
        file: PathBuf,
        /// The log's verifier keys, one per line, obtained out of band.
        #[arg(long)]
        vkey: PathBuf,
        #[arg(long)]
        witness_policy: Option<PathBuf>,
    },
    /// Print an inclusion proof (--index) or a consistency proof (--consistency M N).
    Prove {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, required_unless_present = "consistency")]
        index: Option<u64>,
        /// Tree size for the inclusion proof (default: the latest checkpoint's).
        #[arg(long, requires = "index")]
        size: Option<u64>,
        #[arg(long, num_args = 2, value_names = ["M", "N"], conflicts_with = "index")]
        consistency: Option<Vec<u64>>,
    },
}

pub fn run(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Export { data, out } => export(&data, &out),
        AuditCommand::Verify {
            bundle,
            url,
            vkey,
            pin,
            witness_policy,
        } => verify(bundle, url, vkey, pin, witness_policy),
        AuditCommand::Prove {
            data,
            index,
            size,
            consistency,
        } => prove(&data, index, size, consistency),
        AuditCommand::Receipt {
            file,
            vkey,
            witness_policy,
        } => receipt(&file, &vkey, witness_policy.as_deref()),
    }
}

fn open_reader(data: &Path) -> anyhow::Result<SqliteReader> {
    if !data.is_dir() {
        bail!("data directory {} does not exist", data.display());
    }
    SqliteReader::open(data).with_context(|| format!("opening the log in {}", data.display()))
}

pub(crate) fn export(data: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    let reader = open_reader(data)?;
    let cp = reader
        .checkpoint(None)?
        .context("the log has no signed checkpoint yet: start `roundtable serve` once")?;
    let vkey = reader
        .vkey()?
        .context("the log has no recorded verifier key: start `roundtable serve` once")?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let path = out.join("entries.jsonl");
    let file =
        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    reader
        .for_each_leaf(cp.checkpoint.size, |_, leaf| {
            writer
                .write_all(leaf)
                .and_then(|()| writer.write_all(b"\n"))
                .map_err(|e| {
                    roundtable_store::StoreError::Storage(format!("{}: {e}", path.display()))
                })
        })
        .context("writing the entries")?;
    writer
        .flush()
        .with_context(|| format!("writing {}", path.display()))?;
    std::fs::write(out.join("checkpoint"), &cp.note).context("writing the checkpoint")?;
    std::fs::write(out.join("vkey"), format!("{vkey}\n")).context("writing the vkey")?;
    println!(
        "exported {} leaves and the checkpoint at size {} to {}",
        cp.checkpoint.size,
        cp.checkpoint.size,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

pub(crate) fn verify(
    bundle: Option<PathBuf>,
    url: Option<String>,
    vkey: Option<PathBuf>,
    pin: Option<PathBuf>,
    witness_policy: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let pinned_key = vkey.map(|p| read_text(&p)).transpose()?;
    let policy = witness_policy
        .map(|p| {
            roundtable_ledger::Policy::parse(&read_text(&p)?)
                .with_context(|| format!("the witness policy {}", p.display()))
        })
        .transpose()?;
    let (entries, checkpoint, served_key) = match (bundle, url) {
        (Some(dir), None) => {
            if !dir.is_dir() {
                bail!("bundle directory {} does not exist", dir.display());
            }
            let entries = std::fs::read(dir.join("entries.jsonl"))
                .with_context(|| format!("reading {}", dir.join("entries.jsonl").display()))?;
            (
                entries,
                read_text(&dir.join("checkpoint"))?,
                read_text(&dir.join("vkey")).ok(),
            )
        }
        (None, Some(url)) => fetch(&url)?,
        _ => bail!("give a bundle directory or --url"),
    };
    let key_text = pinned_key
        .or(served_key)
        .context("no verifier key: pass --vkey FILE")?;
    let keys = parse_vkeys(&key_text).context("the verifier key")?;
    let pin = pin.map(|p| read_text(&p)).transpose()?;
    let mut witnessed_by = 0;
    if let Some(policy) = &policy {
        match policy.check(&checkpoint, &keys) {
            Ok(_) => {
                witnessed_by = roundtable_ledger::witnessed(&checkpoint, &policy.witnesses())
                    .map_or(0, |w| w.cosigned.len());
            }
            Err(e) => {
                println!("FAIL {e}");
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    match verify_log(&entries, &checkpoint, &keys, pin.as_deref()) {
        Ok(report) => {
            let lines: Vec<&[u8]> = match entries.split_last() {
                Some((_, body)) => body.split(|&b| b == b'\n').collect(),
                None => Vec::new(),
            };
            let votes = match roundtable_audit::recount_votes(&lines) {
                Ok(votes) => votes,
                Err(failure) => {
                    println!("FAIL {failure}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let mediation = match roundtable_audit::recount_mediation(&lines) {
                Ok(tally) => tally,
                Err(failure) => {
                    println!("FAIL {failure}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let services = match roundtable_audit::recount_services(&lines) {
                Ok(tally) => tally,
                Err(failure) => {
                    println!("FAIL {failure}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let cp = &report.checkpoint;
            print!(
                "OK {} size={} root={} streams={} votes-recounted={votes} mediation-cases={} service-requests={}",
                cp.origin,
                cp.size,
                cp.root,
                report.streams,
                mediation.cases().count(),
                services.requests().count()
            );
            if !report.rotations.is_empty() {
                print!(" key-rotations={}", report.rotations.len());
            }
            if policy.is_some() {
                print!(" witnessed-by={witnessed_by}");
            }
            match report.pinned {
                Some(size) => println!(" consistent-with-pinned-size={size}"),
                None => println!(),
            }
            print_mediation(&mediation);
            print_services(&services);
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            println!("FAIL {failure}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn get(agent: &ureq::Agent, url: &str) -> anyhow::Result<Vec<u8>> {
    let mut response = agent
        .get(url)
        .call()
        .with_context(|| format!("GET {url}"))?;
    response
        .body_mut()
        .with_config()
        .limit(256 << 20)
        .read_to_vec()
        .with_context(|| format!("reading {url}"))
}

/// Downloads the latest checkpoint and every leaf it covers.
fn fetch(base: &str) -> anyhow::Result<(Vec<u8>, String, Option<String>)> {
    let base = base.trim_end_matches('/');
    let agent = ureq::Agent::new_with_defaults();
    let served_key = String::from_utf8(get(&agent, &format!("{base}/log/vkey"))?)
        .context("the vkey is not text")?;
    let checkpoint = String::from_utf8(get(&agent, &format!("{base}/log/checkpoint"))?)
        .context("the checkpoint is not text")?;
    // Read its size first, to learn how many leaves to fetch; verify_log checks
    // the signatures (which may need the leaves, to follow a key rotation).
    let size = match SignedCheckpoint::from_kept_note(checkpoint.clone()) {
        Ok(cp) => cp.checkpoint.size,
        // Let verify_log report it like any other failure.
        Err(_) => return Ok((Vec::new(), checkpoint, Some(served_key))),
    };
    let mut entries = Vec::new();
    let mut start = 0;
    while start < size {
        let end = (start + MAX_ENTRIES_PER_REQUEST).min(size);
        entries.extend(get(
            &agent,
            &format!("{base}/log/entries?start={start}&end={end}"),
        )?);
        start = end;
    }
    Ok((entries, checkpoint, Some(served_key)))
}

fn prove(
    data: &Path,
    index: Option<u64>,
    size: Option<u64>,
    consistency: Option<Vec<u64>>,
) -> anyhow::Result<ExitCode> {
    let reader = open_reader(data)?;
    let json = match (index, consistency.as_deref()) {
        (Some(index), None) => {
            let size = match size {
                Some(s) => s,
                None => {
                    reader
                        .checkpoint(None)?
                        .context("no signed checkpoint yet")?
                        .checkpoint
                        .size
                }
            };
            let inclusion = reader.inclusion_proof(index, size)?;
            let leaf = reader.read_all(index, 1)?;
            let leaf = leaf.first().context("no such leaf")?;
            serde_json::to_string(&InclusionProof {
                index,
                tree_size: size,
                leaf_hash: leaf.leaf_hash,
                inclusion,
            })?
        }
        (None, Some([old, new])) => serde_json::to_string(&ConsistencyProof {
            old_size: *old,
            tree_size: *new,
            consistency: reader.consistency_proof(*old, *new)?,
        })?,
        _ => bail!("give --index I [--size N] or --consistency M N"),
    };
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}

/// One line per committee and per mediator, recomputed from the log: what the
/// dashboard shows, so anyone can check it.
fn print_mediation(tally: &roundtable_domain::MediationTally) {
    use roundtable_domain::MediationFigures as F;
    let line = |who: &str, f: &F| {
        let pct = |r: Option<f64>| r.map_or("-".to_owned(), |r| format!("{:.1}%", r * 100.0));
        println!(
            "mediation {who} cases={} consent={}/{} ({}) agreed={}/{} ({}) median-days={} on-time={}/{} ({}) performed={}/{} ({})",
            f.cases,
            f.consented,
            f.consent_settled,
            pct(F::rate(f.consented, f.consent_settled)),
            f.agreed,
            f.mediations_ended,
            pct(F::rate(f.agreed, f.mediations_ended)),
            f.median_days_to_agreement()
                .map_or("-".to_owned(), |d| format!("{d:.1}")),
            f.on_time,
            f.mediations_ended,
            pct(F::rate(f.on_time, f.mediations_ended)),
            f.performed,
            f.followed_up,
            pct(F::rate(f.performed, f.followed_up)),
        );
    };
    for (committee, f) in tally.by_committee() {
        line(&format!("committee={committee}"), &f);
    }
    for (mediator, f) in tally.by_mediator() {
        line(&format!("mediator={mediator}"), &f);
    }
}

/// One line per service point and service: the figure the pilot is judged by.
fn print_services(tally: &roundtable_domain::ServiceTally) {
    let pct = |r: Option<f64>| r.map_or("-".to_owned(), |r| format!("{:.1}%", r * 100.0));
    for ((point, service), f) in tally.by_point_and_service() {
        println!(
            "service point={point} service={service} requests={} one-trip={}/{} ({}) on-time={}/{} ({}) median-working-days={} satisfied={}/{} ({}) refused={} flagged={}",
            f.requests,
            f.one_trip,
            f.done,
            pct(f.one_trip_share()),
            f.on_time,
            f.done,
            pct(f.on_time_share()),
            f.median_working_days()
                .map_or("-".to_owned(), |d| format!("{d:.1}")),
            f.satisfied,
            f.rated,
            pct(f.satisfaction()),
            f.refused,
            f.flagged,
        );
    }
}

/// `audit receipt`: a kept receipt, checked offline.
fn receipt(file: &Path, vkey: &Path, policy: Option<&Path>) -> anyhow::Result<ExitCode> {
    let text = read_text(file)?;
    let keys = parse_vkeys(&read_text(vkey)?).context("the verifier key")?;
    let fail = |why: String| {
        println!("FAIL {why}");
        Ok(ExitCode::FAILURE)
    };
    let receipt = match roundtable_ledger::Receipt::parse(&text) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    let Some(leaf) = receipt.extra.clone() else {
        return fail("the receipt does not carry its leaf (extra line)".into());
    };
    let verified = keys.iter().find_map(|k| receipt.verify(&leaf, k).ok());
    let Some(signed) = verified else {
        return fail(
            "the leaf is not in the log those keys signed, or the receipt was altered".into(),
        );
    };
    let mut witnessed_by = None;
    if let Some(path) = policy {
        let policy = roundtable_ledger::Policy::parse(&read_text(path)?)
            .with_context(|| format!("the witness policy {}", path.display()))?;
        if let Err(e) = policy.check(&receipt.checkpoint, &keys) {
            return fail(e.to_string());
        }
        witnessed_by = roundtable_ledger::witnessed(&receipt.checkpoint, &policy.witnesses())
            .ok()
            .map(|w| w.cosigned.len());
    }
    let kind = serde_json::from_slice::<serde_json::Value>(&leaf)
        .ok()
        .and_then(|v| v["type"].as_str().map(str::to_owned))
        .unwrap_or_default();
    print!(
        "OK index={} size={} type={kind}",
        receipt.index, signed.checkpoint.size
    );
    match witnessed_by {
        Some(n) => println!(" witnessed-by={n}"),
        None => println!(),
    }
    Ok(ExitCode::SUCCESS)
}
