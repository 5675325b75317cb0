//! Several `roundtable serve` processes on one KurrentDB (issue 7): each folds the
//! log into its own tree, a write is read back at once where it was made and
//! elsewhere once that process has caught up, every process serves the same
//! checkpoints, and when the signer dies another takes over signing. Runs against
//! the in-process KurrentDB test server, or a real KurrentDB when `KURRENTDB_URL`
//! is set.

mod support;

use std::time::{Duration, Instant};

use roundtable_kurrentdb_testserver::TestTarget;
use roundtable_ledger::{Checkpoint, Hash, SignedCheckpoint, verify_consistency};
use serde_json::{Value, json};
use support::accounts::PASSWORD;
use support::graphql::Client;

const RAISE: &str =
    "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { issue { id } indexes } }";
const ISSUE: &str = "query($id: String!) { issue(id: $id) { id current { title } cosignerCount } }";

fn get(base: &str, path: &str) -> (u16, String) {
    match support::graphql::agent()
        .get(&format!("{base}{path}"))
        .call()
    {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(ureq::Error::StatusCode(code)) => (code, String::new()),
        Err(e) => panic!("GET {path}: {e}"),
    }
}

/// The latest signed checkpoint a process serves.
fn checkpoint(base: &str) -> Option<Checkpoint> {
    let (status, note) = get(base, "/log/checkpoint");
    if status != 200 {
        return None;
    }
    SignedCheckpoint::from_kept_note(note)
        .ok()
        .map(|kept| kept.checkpoint)
}

/// Polls `f` until it returns `Some`, for at most `limit`.
fn eventually<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn serve(
    data: &std::path::Path,
    target: &TestTarget,
    vault: &std::path::Path,
    extra: &[&str],
) -> support::Server {
    let vault = vault.display().to_string();
    let mut args = vec![
        "--store",
        target.url(),
        "--vault",
        &vault,
        "--lease-ms",
        "1500",
        "--checkpoint-interval-ms",
        "200",
    ];
    args.extend_from_slice(extra);
    support::start_with(data, &args)
}

#[test]
fn two_processes_share_one_log_and_hand_over_signing() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let target = runtime.block_on(TestTarget::new());
    eprintln!("KurrentDB processes: ran against {}", target.describe());
    let (a_dir, b_dir, vault) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );

    // A seeds the demo (it takes the signer lease first); B starts on the same log
    // with the same signing key (every process that may sign holds the log's key).
    let a = serve(a_dir.path(), &target, vault.path(), &["--demo"]);
    let key = a_dir.path().join("log.key").display().to_string();
    let b = serve(b_dir.path(), &target, vault.path(), &["--key", &key]);

    // A write through A is read back through A at once.
    let chen = Client::sign_in(&a.base, "13900000011", PASSWORD);
    let raised = chen.query(
        RAISE,
        json!({"i": {"title": "二号楼电梯停运", "description": "电梯停了一周", "category": "OTHER"}}),
    );
    let id = raised.data()["raiseIssue"]["issue"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let at_a = chen.query(ISSUE, json!({"id": id}));
    assert_eq!(at_a.data()["issue"]["current"]["title"], "二号楼电梯停运");

    // Through B once B's projection has caught up: people signed up through A can
    // sign in at B (the vault is shared), and B's write is seen at A.
    let zhou = Client::sign_in(&b.base, "13900000012", PASSWORD);
    eventually(Duration::from_secs(20), "the issue at B", || {
        let r = zhou.query(ISSUE, json!({"id": id}));
        (r.data()["issue"]["id"] == Value::String(id.clone())).then_some(())
    });
    let cosigned = zhou.query(
        "mutation($id: String!) { cosignIssue(input: {issue: $id}) { issue { cosignerCount } } }",
        json!({"id": id}),
    );
    assert_eq!(cosigned.data()["cosignIssue"]["issue"]["cosignerCount"], 1);
    eventually(Duration::from_secs(20), "B's co-signature at A", || {
        let r = chen.query(ISSUE, json!({"id": id}));
        (r.data()["issue"]["cosignerCount"] == 1).then_some(())
    });

    // Both serve the same tree: the same checkpoint once both have its size.
    let size = chen.log_size();
    let signed = eventually(
        Duration::from_secs(20),
        "a checkpoint covering the co-signature",
        || {
            let (ca, cb) = (checkpoint(&a.base)?, checkpoint(&b.base)?);
            (ca == cb && ca.size >= size).then_some(ca)
        },
    );

    // The signer (A, which seeded) dies without handing the lease back; B takes
    // over signing once the lease runs out, and its checkpoints extend A's.
    drop(a);
    let more = zhou.query(
        RAISE,
        json!({"i": {"title": "路灯不亮", "description": "小区东门路灯坏了", "category": "SAFETY"}}),
    );
    let new_size = more.data()["raiseIssue"]["indexes"][0].as_u64().unwrap() + 1;
    let later = eventually(Duration::from_secs(30), "B signing after A died", || {
        checkpoint(&b.base).filter(|cp| cp.size >= new_size)
    });
    let (status, proof) = get(
        &b.base,
        &format!(
            "/log/proof/consistency?from={}&to={}",
            signed.size, later.size
        ),
    );
    assert_eq!(status, 200, "{proof}");
    let proof: Value = serde_json::from_str(&proof).unwrap();
    let hashes: Vec<Hash> = proof["consistency"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().parse::<Hash>().unwrap())
        .collect();
    verify_consistency(signed.size, later.size, &signed.root, &later.root, &hashes).unwrap();

    // A third process, started late, folds the same log and serves the same tree;
    // an auditor verifies the whole log it serves.
    let c_dir = tempfile::tempdir().unwrap();
    let c = serve(c_dir.path(), &target, vault.path(), &["--key", &key]);
    eventually(Duration::from_secs(20), "C serving B's checkpoint", || {
        (checkpoint(&c.base)? == checkpoint(&b.base)?).then_some(())
    });
    let audit = support::roundtable(&["audit", "verify", "--url", &c.base]);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    drop(runtime);
}

#[test]
fn a_store_that_is_not_a_store_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let unreachable = "kurrentdb://127.0.0.1:1?tls=false&maxDiscoverAttempts=2";
    for (store, says) in [
        (
            "postgres://db/roundtable",
            vec!["expected sqlite:DIR or kurrentdb://"],
        ),
        (
            "kurrentdb://node1:2113?namespace=Bad-Name",
            vec!["namespace"],
        ),
        // Nothing listens on port 1: the URL and what to check, beside the client's
        // own words.
        (
            unreachable,
            vec![
                &format!("{unreachable}: KurrentDB: ") as &str,
                "(no node could be reached: check the URL's hosts and that they run",
            ],
        ),
    ] {
        let out = support::roundtable(&[
            "serve",
            "--data",
            &support::data_arg(dir.path()),
            "--store",
            store,
            "--listen",
            "127.0.0.1:0",
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{store}");
        for said in says {
            assert!(err.contains(said), "{store}: {err}");
        }
        assert!(!err.contains("panicked"), "{err}");
    }
}
