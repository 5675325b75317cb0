//! Crash safety: a writer process under load is killed with SIGKILL at random moments,
//! 20 times. After each kill, every acknowledged append is present, nothing is half
//! written, the tree matches its leaves, and the last checkpoint still verifies and is
//! extended by the next one.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use roundtable_ledger::{Hash, Leaf, LeafHeader, MemoryTree, SignedCheckpoint, StreamName};
use roundtable_store::signer::{self, CheckpointSigner};
use roundtable_store::{EventStore, Expected, contract, keys};
use roundtable_store_sqlite::{SqliteOptions, SqliteStore};

const ORIGIN: &str = "crash.test/log";
const CHILD_ENV: &str = "ROUNDTABLE_CRASH_CHILD_DIR";
const WRITERS: u64 = 8;

/// The child: appends forever from several tasks, printing each acknowledgement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return; // only meaningful when started by the parent below
    };
    let dir = std::path::PathBuf::from(dir);
    let key = keys::load_or_create(&dir, None, ORIGIN).unwrap();
    let store = Arc::new(SqliteStore::open(&dir, ORIGIN, SqliteOptions::default()).unwrap());
    let signer = CheckpointSigner::resume(store.as_ref(), key).await.unwrap();
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(signer::run(
        store.clone(),
        signer,
        Duration::from_millis(20),
        stop_rx,
        |_| {},
    ));
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let stream = StreamName::new(format!("crash/w{w}")).unwrap();
            let mut seq = store.read_stream(&stream, 1).await.unwrap().len() as u64;
            for n in 0.. {
                let expected = Expected::at(seq);
                // Every third append carries two events: they must land together or not at all.
                let count = if n % 3 == 0 { 2 } else { 1 };
                let batch = uuid::Uuid::new_v4().to_string();
                let events = (0..count)
                    .map(|k| {
                        let mut d = contract::draft("crash.step", n);
                        d.body = serde_json::json!({"batch": batch, "of": count, "k": k});
                        d
                    })
                    .collect();
                let appended = store.append(&stream, expected, events).await.unwrap();
                seq += count;
                let mut out = std::io::stdout().lock();
                for e in appended.events {
                    writeln!(out, "ACK {} {}", e.index, e.leaf_hash).unwrap();
                }
                out.flush().unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

fn next_random(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 33
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut acked: HashMap<u64, Hash> = HashMap::new();
    let mut last_checkpoint: Option<SignedCheckpoint> = None;
    let mut rng = 0x5eed_u64 ^ std::process::id() as u64;
    for cycle in 0..20 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_child",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            let mut r = BufReader::new(stdout);
            let mut line = Vec::new();
            // Only complete lines: a line cut by the kill was never fully acknowledged.
            while r.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
                if line.ends_with(b"\n") {
                    let text = String::from_utf8_lossy(&line);
                    let mut parts = text.split_whitespace();
                    if parts.next() == Some("ACK") {
                        let index: u64 = parts.next().unwrap().parse().unwrap();
                        let hash: Hash = parts.next().unwrap().parse().unwrap();
                        acks.push((index, hash));
                    }
                }
                line.clear();
            }
            acks
        });
        let delay = 60 + next_random(&mut rng) % 400;
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let acks = reader.join().unwrap();
        assert!(
            !acks.is_empty() || cycle > 0,
            "the child acknowledged nothing in {delay} ms"
        );
        for (index, hash) in acks {
            assert!(acked.insert(index, hash).is_none_or(|h| h == hash));
        }
        last_checkpoint = check_after_crash(dir.path(), &acked, last_checkpoint.take()).await;
    }
    assert!(
        acked.len() > 100,
        "only {} acknowledged appends",
        acked.len()
    );
}

/// Reopens the log and checks everything; returns the new checkpoint it signed.
async fn check_after_crash(
    dir: &std::path::Path,
    acked: &HashMap<u64, Hash>,
    previous: Option<SignedCheckpoint>,
) -> Option<SignedCheckpoint> {
    let key = keys::read(&dir.join(keys::KEY_FILE)).unwrap();
    let store = Arc::new(SqliteStore::open(dir, ORIGIN, SqliteOptions::default()).unwrap());
    let all = store.read_all(0, usize::MAX).await.unwrap();
    let mut tree = MemoryTree::new();
    let mut batches: HashMap<String, (u64, u64)> = HashMap::new();
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e.index, i as u64);
        let leaf = Leaf::parse(e.leaf.as_bytes().to_vec()).unwrap();
        assert_eq!(leaf.hash(), e.leaf_hash);
        LeafHeader::from_leaf(&leaf).unwrap();
        let value = leaf.value().unwrap();
        let batch = value["body"]["batch"].as_str().unwrap().to_owned();
        let of = value["body"]["of"].as_u64().unwrap();
        batches.entry(batch).or_insert((of, 0)).1 += 1;
        tree.push(e.leaf_hash);
    }
    for (index, hash) in acked {
        assert_eq!(
            all.get(*index as usize).map(|e| e.leaf_hash),
            Some(*hash),
            "acknowledged leaf {index} lost"
        );
    }
    for (batch, (of, present)) in batches {
        assert_eq!(of, present, "append {batch} is half present");
    }
    let head = store.tree_head();
    assert_eq!(
        (head.size, head.root),
        (tree.size(), tree.root()),
        "tree disagrees with its leaves"
    );

    let latest = store.checkpoint().await.unwrap();
    if let Some(cp) = &latest {
        let opened = SignedCheckpoint::open(&cp.note, &key.verifier())
            .unwrap()
            .checkpoint;
        assert_eq!(tree.root_at(opened.size).unwrap(), opened.root);
    }
    if let (Some(prev), Some(cp)) = (&previous, &latest) {
        assert!(cp.checkpoint.size >= prev.checkpoint.size);
        assert_eq!(
            tree.root_at(prev.checkpoint.size).unwrap(),
            prev.checkpoint.root
        );
    }
    // Signing resumes from the last checkpoint and checks the new tree extends it.
    let mut signer = CheckpointSigner::resume(store.as_ref(), key).await.unwrap();
    let signed = signer.sign_if_new(store.as_ref()).await.unwrap().or(latest);
    store.close().await;
    signed
}
