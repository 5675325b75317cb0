//! `roundtable serve` as a black box: the `/log/*` routes serve what the store holds,
//! receipts verify offline, `audit verify --url` passes, and SIGTERM stops it cleanly
//! after signing a final checkpoint.

mod support;

use std::process::Command;

use roundtable_ledger::{
    Hash, NoteVerifier, Receipt, SignedCheckpoint, verify_consistency, verify_inclusion,
};
use support::{binary, start};

fn get(url: &str) -> (u16, String) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut r = agent.get(url).call().unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_routes_serve_the_record() {
    let fixture = support::build_log(60, 4, &[10, 33]).await;
    let server = start(fixture.dir.path());
    let b = &server.base;
    let key = NoteVerifier::parse(&get(&format!("{b}/log/vkey")).1).unwrap();
    assert_eq!(key.to_vkey(), fixture.vkey);

    let (status, note) = get(&format!("{b}/log/checkpoint"));
    assert_eq!(status, 200);
    let cp = SignedCheckpoint::open(&note, &key).unwrap().checkpoint;
    assert_eq!(cp.size, 60);
    let old = SignedCheckpoint::open(&get(&format!("{b}/log/checkpoints/33")).1, &key)
        .unwrap()
        .checkpoint;
    assert_eq!(old.size, 33);
    assert_eq!(get(&format!("{b}/log/checkpoints/34")).0, 404);

    let leaf = get(&format!("{b}/log/entries/17")).1;
    let leaf_hash = roundtable_ledger::leaf_hash(leaf.as_bytes());
    let inclusion: serde_json::Value =
        serde_json::from_str(&get(&format!("{b}/log/proof/inclusion?index=17&size=60")).1).unwrap();
    assert_eq!(inclusion["leaf_hash"], leaf_hash.to_base64());
    let path: Vec<Hash> = serde_json::from_value(inclusion["inclusion"].clone()).unwrap();
    verify_inclusion(17, 60, &leaf_hash, &path, &cp.root).unwrap();

    let consistency: serde_json::Value =
        serde_json::from_str(&get(&format!("{b}/log/proof/consistency?from=33&to=60")).1).unwrap();
    let proof: Vec<Hash> = serde_json::from_value(consistency["consistency"].clone()).unwrap();
    verify_consistency(33, 60, &old.root, &cp.root, &proof).unwrap();

    let receipt = Receipt::parse(&get(&format!("{b}/log/receipt/17")).1).unwrap();
    receipt.verify(leaf.as_bytes(), &key).unwrap();
    assert!(
        receipt
            .verify(get(&format!("{b}/log/entries/18")).1.as_bytes(), &key)
            .is_err()
    );

    let (status, body) = get(&format!("{b}/log/entries?start=58&end=60"));
    assert_eq!((status, body.lines().count()), (200, 2));
    for bad in [
        "/log/entries/60",
        "/log/entries/x",
        "/log/proof/inclusion?index=60&size=60",
        "/log/proof/inclusion?index=1&size=61",
        "/log/proof/consistency?from=61&to=60",
        "/log/entries?start=0&end=5000",
        "/log/receipt/60",
    ] {
        let (status, _) = get(&format!("{b}{bad}"));
        assert!((400..500).contains(&status), "{bad}: {status}");
    }
    let (status, metrics) = get(&format!("{b}/metrics"));
    assert_eq!(status, 200);
    assert!(metrics.contains("roundtable_log_tree_size 60"), "{metrics}");
    assert!(
        metrics.contains("roundtable_log_append_seconds_bucket"),
        "{metrics}"
    );
    assert_eq!(get(&format!("{b}/healthz")), (200, "ok\n".to_string()));

    let o = Command::new(binary())
        .args(["audit", "verify", "--url", b])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("OK "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_cleanly_and_restart_resumes() {
    let fixture = support::build_log(5, 1, &[]).await;
    let server = start(fixture.dir.path());
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    // The data directory is released and opens again with the same head.
    let server = start(fixture.dir.path());
    let (_, note) = get(&format!("{}/log/checkpoint", server.base));
    assert!(note.contains("\n5\n"), "{note}");
}
