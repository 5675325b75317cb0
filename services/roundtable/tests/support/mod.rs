//! Shared by the black-box tests: build a real log on disk, run the real binary.

#![allow(dead_code)]

pub mod accounts;
pub mod attacks;
pub mod bench;
pub mod graphql;
pub mod ws;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use roundtable_ledger::{SignedCheckpoint, StreamName};
use roundtable_store::signer::CheckpointSigner;
use roundtable_store::{EventStore, Expected, contract, keys};
use roundtable_store_sqlite::{SqliteOptions, SqliteStore};

pub const ORIGIN: &str = "roundtable.test/blackbox";

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_roundtable")
}

pub fn roundtable(args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .output()
        .expect("running roundtable")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A data directory with `events` events over `streams` streams, signed at each size
/// in `sign_at` (and at the end), made through the real store and signer.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub checkpoints: Vec<SignedCheckpoint>,
    pub vkey: String,
}

pub async fn build_log(events: u64, streams: u64, sign_at: &[u64]) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keys::load_or_create(dir.path(), None, ORIGIN).expect("key");
    let store =
        Arc::new(SqliteStore::open(dir.path(), ORIGIN, SqliteOptions::default()).expect("store"));
    store
        .set_vkey(&key.verifier().to_vkey())
        .await
        .expect("vkey");
    let mut signer = CheckpointSigner::resume(store.as_ref(), key.clone())
        .await
        .expect("signer");
    let mut checkpoints = Vec::new();
    let sign = async |signer: &mut CheckpointSigner, checkpoints: &mut Vec<SignedCheckpoint>| {
        if let Some(cp) = signer.sign_if_new(store.as_ref()).await.expect("sign") {
            checkpoints.push(cp);
        }
    };
    if sign_at.contains(&0) {
        sign(&mut signer, &mut checkpoints).await;
    }
    let mut seqs = vec![0u64; streams as usize];
    for i in 0..events {
        let s = (i * 7 + i / 3) % streams;
        let stream = StreamName::new(format!("issue/{s}")).expect("stream");
        let expected = Expected::at(seqs[s as usize]);
        store
            .append(&stream, expected, vec![contract::draft("issue.noted", i)])
            .await
            .expect("append");
        seqs[s as usize] += 1;
        if sign_at.contains(&(i + 1)) {
            sign(&mut signer, &mut checkpoints).await;
        }
    }
    sign(&mut signer, &mut checkpoints).await;
    store.close().await;
    Fixture {
        dir,
        checkpoints,
        vkey: key.verifier().to_vkey(),
    }
}

pub fn data_arg(dir: &Path) -> String {
    dir.display().to_string()
}

/// A running `roundtable serve`, killed when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `roundtable serve` on `data` on a free port, with extra arguments.
pub fn start_with(data: &Path, extra: &[&str]) -> Server {
    let data = data_arg(data);
    let mut args = vec!["serve", "--data", &data, "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    spawn(&args)
}

/// A port nothing listens on now, for a process that must come back on the same one.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port()
}

/// Starts `roundtable <args>` (a server that logs `listening on socket://ADDR`)
/// and waits until it listens.
pub fn spawn(args: &[&str]) -> Server {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(binary())
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .unwrap();
        if let Some(rest) = line.split("listening on socket://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap();
            break format!("http://{addr}");
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, base }
}

impl Server {
    /// SIGTERM, then waits: the server must stop cleanly (exit 0).
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        self.child.wait().expect("waiting for the server")
    }
}

/// `roundtable audit export` of `data` into `out`, which must succeed.
pub fn audit_export(data: &Path, out: &Path) {
    let o = roundtable(&[
        "audit",
        "export",
        "--data",
        &data_arg(data),
        "--out",
        &data_arg(out),
    ]);
    assert!(
        o.status.success(),
        "export: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Stops `server` once its last checkpoint is signed, exports `data` and runs
/// `audit verify` on it, which must pass; returns what it printed.
pub fn verified_after(server: Server, data: &Path) -> String {
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(server);
    let bundle = tempfile::tempdir().expect("tempdir");
    let out = bundle.path().join("b");
    audit_export(data, &out);
    let verified = roundtable(&["audit", "verify", &data_arg(&out)]);
    let text = String::from_utf8_lossy(&verified.stdout).into_owned();
    assert!(verified.status.success(), "{text}");
    text
}

/// `serve --demo` on a fresh directory (checkpoints every 100 ms), with extra
/// arguments; the directory lives as long as the returned guard.
pub fn demo(extra: &[&str]) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = vec!["--demo", "--checkpoint-interval-ms", "100"];
    args.extend_from_slice(extra);
    let server = start_with(dir.path(), &args);
    (dir, server)
}

pub fn start(data: &Path) -> Server {
    start_with(data, &[])
}

/// `roundtable admin init` on `data`: the first administrator, with `password`
/// typed on stdin.
pub fn admin_init(data: &Path, phone: &str, password: &str) {
    use std::io::Write;
    let mut init = Command::new(binary())
        .args(["admin", "init", "--data", &data_arg(data), "--phone", phone])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    init.stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    assert!(init.wait().unwrap().success(), "admin init");
}
