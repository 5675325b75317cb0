//! `roundtable witness` through the real binary: it cosigns a log's checkpoints as
//! the log grows, answers a stale old size with the size it has (409), refuses a
//! fork (422), a log it does not know (404), a checkpoint the log did not sign
//! (403) and a burst over its rate (429); killed with SIGKILL again and again, it
//! never loses a cosigned size and never cosigns two inconsistent checkpoints.

mod support;

use roundtable_ledger::{
    AddCheckpoint, Checkpoint, CosignatureVerifier, MemoryTree, NoteSigner, leaf_hash, witnessed,
};

const ORIGIN: &str = "roundtable.test/log";

fn tree(prefix: &str, n: usize) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..n {
        let leaf = if i < 3 {
            format!("leaf {i}")
        } else {
            format!("{prefix} {i}")
        };
        t.push(leaf_hash(leaf.as_bytes()));
    }
    t
}

fn note(t: &MemoryTree, size: u64, log: &NoteSigner) -> String {
    Checkpoint {
        origin: ORIGIN.into(),
        size,
        root: t.root_at(size).unwrap(),
    }
    .sign(log)
    .unwrap()
    .note
}

fn body(t: &MemoryTree, old: u64, new: u64, log: &NoteSigner) -> String {
    AddCheckpoint {
        old,
        proof: if old == 0 || old == new {
            vec![]
        } else {
            t.consistency_proof(old, new).unwrap()
        },
        note: note(t, new, log),
    }
    .encode()
}

/// (status, body) of `POST /add-checkpoint`; `None` when no answer came.
fn try_post(base: &str, body: &str) -> Option<(u16, String)> {
    let mut r = support::graphql::agent()
        .post(format!("{base}/add-checkpoint"))
        .send(body)
        .ok()?;
    let status = r.status().as_u16();
    Some((status, r.body_mut().read_to_string().ok()?))
}

fn post(base: &str, body: &str) -> (u16, String) {
    try_post(base, body).expect("an answer")
}

struct Setup {
    dir: tempfile::TempDir,
    witness: CosignatureVerifier,
    log: NoteSigner,
}

fn setup(rate: u32) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("witness.key");
    let out = support::roundtable(&[
        "witness-keygen",
        "--out",
        key.to_str().unwrap(),
        "--name",
        "witness.test/jiwei",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let witness = CosignatureVerifier::parse(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    let log = NoteSigner::from_seed(ORIGIN, [11; 32]).unwrap();
    std::fs::write(
        dir.path().join("witness.conf"),
        format!(
            "# the logs this witness watches\nlog {}\nrate {rate}\n",
            log.verifier().to_vkey()
        ),
    )
    .unwrap();
    Setup { dir, witness, log }
}

fn start(s: &Setup) -> support::Server {
    let p = |f: &str| s.dir.path().join(f).to_str().unwrap().to_owned();
    support::spawn(&[
        "witness",
        "--data",
        &p("state"),
        "--listen",
        "127.0.0.1:0",
        "--key",
        &p("witness.key"),
        "--config",
        &p("witness.conf"),
    ])
}

#[test]
fn the_witness_cosigns_a_growing_log_and_refuses_what_it_must() {
    let s = setup(1000);
    let server = start(&s);
    let base = &server.base;
    let honest = tree("honest", 8);
    let (status, line) = post(base, &body(&honest, 0, 3, &s.log));
    assert_eq!(status, 200, "{line}");
    let cosigned = format!("{}{line}", note(&honest, 3, &s.log));
    let seen = witnessed(&cosigned, std::slice::from_ref(&s.witness)).unwrap();
    assert_eq!(seen.cosigned.len(), 1, "{cosigned}");
    assert_eq!(post(base, &body(&honest, 3, 8, &s.log)).0, 200);
    // A stale old size: the size it has, as text/x.tlog.size.
    let stale = support::graphql::agent()
        .post(format!("{base}/add-checkpoint"))
        .send(&body(&honest, 3, 8, &s.log))
        .unwrap();
    assert_eq!(stale.status().as_u16(), 409);
    assert_eq!(
        stale
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap(),
        "text/x.tlog.size"
    );
    assert_eq!(
        post(base, &body(&honest, 0, 8, &s.log)),
        (409, "8\n".into())
    );
    // A fork of the same size, and one that grows from a point before it.
    let fork = tree("fork", 9);
    assert_eq!(post(base, &body(&fork, 8, 8, &s.log)).0, 422);
    let from_fork = AddCheckpoint {
        old: 8,
        proof: fork.consistency_proof(8, 9).unwrap(),
        note: note(&fork, 9, &s.log),
    };
    assert_eq!(post(base, &from_fork.encode()).0, 422);
    // Signed by another key; another log; junk.
    let impostor = NoteSigner::from_seed(ORIGIN, [12; 32]).unwrap();
    assert_eq!(post(base, &body(&honest, 8, 8, &impostor)).0, 403);
    let stranger = NoteSigner::from_seed("other.test/log", [13; 32]).unwrap();
    let other = AddCheckpoint {
        old: 0,
        proof: vec![],
        note: Checkpoint {
            origin: "other.test/log".into(),
            size: 1,
            root: honest.root_at(1).unwrap(),
        }
        .sign(&stranger)
        .unwrap()
        .note,
    };
    assert_eq!(post(base, &other.encode()).0, 404);
    assert_eq!(post(base, "hello").0, 400);
    assert_eq!(post(base, &"x".repeat(70_000)).0, 413);
}

#[test]
fn a_burst_over_the_rate_is_refused_for_that_log() {
    let s = setup(3);
    let server = start(&s);
    let t = tree("honest", 4);
    let statuses: Vec<u16> = (0..5)
        .map(|_| post(&server.base, &body(&t, 0, 0, &s.log)).0)
        .collect();
    assert!(
        statuses[..3].iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!(statuses[3..], [429, 429]);
}

#[test]
fn killed_again_and_again_it_never_loses_a_cosigned_size_nor_cosigns_a_fork() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let s = Arc::new(setup(1_000_000));
    let honest = Arc::new(tree("honest", 400));
    let fork = Arc::new(tree("fork", 400));
    // The largest size the witness answered 200 (or 409) for: acknowledged.
    let acknowledged = Arc::new(AtomicU64::new(0));
    let mut server = start(&s);
    for round in 0..8u64 {
        let base = server.base.clone();
        let (s2, honest2, fork2, ack) = (
            s.clone(),
            honest.clone(),
            fork.clone(),
            acknowledged.clone(),
        );
        // A client growing the log and a forger, both as fast as they can, while
        // the witness is killed under them.
        let client = std::thread::spawn(move || {
            for _ in 0..400 {
                let old = ack.load(Ordering::SeqCst);
                let new = (old + 1).min(399);
                match try_post(&base, &body(&honest2, old, new, &s2.log)) {
                    Some((200, _)) => ack.fetch_max(new, Ordering::SeqCst),
                    Some((409, text)) => {
                        ack.fetch_max(text.trim().parse().unwrap(), Ordering::SeqCst)
                    }
                    Some((status, text)) => panic!("{status}: {text}"),
                    None => return,
                };
                if old >= 3 {
                    let forged = body(&fork2, old, old, &s2.log);
                    if let Some((status, _)) = try_post(&base, &forged) {
                        assert!(status == 422 || status == 409, "a fork got {status}");
                    }
                }
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(40 + 25 * round));
        // SIGKILL: no shutdown, nothing flushed beyond what the witness made durable.
        let _ = server.child.kill();
        let _ = server.child.wait();
        client.join().unwrap();
        server = start(&s);
        // Nothing acknowledged is lost, and what it holds is the honest tree's.
        let had = acknowledged.load(Ordering::SeqCst);
        let (status, text) = post(&server.base, &body(&honest, 0, 0, &s.log));
        let stored: u64 = if status == 409 {
            text.trim().parse().unwrap()
        } else {
            0
        };
        assert!(stored >= had, "stored {stored} < acknowledged {had}");
        assert_eq!(
            post(&server.base, &body(&honest, stored, stored, &s.log)).0,
            200
        );
        acknowledged.store(stored, Ordering::SeqCst);
    }
    assert!(acknowledged.load(Ordering::SeqCst) > 20);
}
