//! A split view caught: an operator signs two histories with the log's one key.
//! The witness cosigns the first and refuses the second branch (422); an auditor
//! holding the witnessed checkpoint refuses the other branch's bundle, and one
//! enforcing a witness policy refuses its unwitnessed checkpoint.

mod support;

use roundtable_ledger::{CosignatureVerifier, Hash, witnessed};
use support::{data_arg, roundtable};

fn consistency(data: &std::path::Path, m: u64, n: u64) -> Vec<Hash> {
    let out = roundtable(&[
        "audit",
        "prove",
        "--data",
        &data_arg(data),
        "--consistency",
        &m.to_string(),
        &n.to_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    serde_json::from_value(json["consistency"].clone()).unwrap()
}

fn post(base: &str, body: &str) -> (u16, String) {
    let mut r = support::graphql::agent()
        .post(format!("{base}/add-checkpoint"))
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_signed_with_the_logs_key_is_refused_by_the_witness_and_the_auditor() {
    let honest = support::build_log(30, 2, &[20, 30]).await;
    let other = support::build_log(30, 3, &[20, 30]).await;
    let key =
        roundtable_store::keys::read(&honest.dir.path().join(roundtable_store::keys::KEY_FILE))
            .unwrap();
    // The second history, signed with the log's own key.
    let forked: Vec<String> = other
        .checkpoints
        .iter()
        .map(|c| c.checkpoint.sign(&key).unwrap().note)
        .collect();

    let work = tempfile::tempdir().unwrap();
    let wkey = work.path().join("w.key");
    let out = roundtable(&[
        "witness-keygen",
        "--out",
        &data_arg(&wkey),
        "--name",
        "witness.test/jiwei",
    ]);
    assert!(out.status.success());
    let wvkey = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let witness_key = CosignatureVerifier::parse(&wvkey).unwrap();
    let conf = work.path().join("w.conf");
    std::fs::write(&conf, format!("log {}\n", key.verifier().to_vkey())).unwrap();
    let witness = support::spawn(&[
        "witness",
        "--data",
        &data_arg(&work.path().join("state")),
        "--listen",
        "127.0.0.1:0",
        "--key",
        &data_arg(&wkey),
        "--config",
        &data_arg(&conf),
    ]);
    let body = |old: u64, proof: Vec<Hash>, note: &str| {
        roundtable_ledger::AddCheckpoint {
            old,
            proof,
            note: note.to_owned(),
        }
        .encode()
    };

    // The witness sees the honest history at 20 first and cosigns it.
    let (status, line) = post(&witness.base, &body(0, vec![], &honest.checkpoints[0].note));
    assert_eq!(status, 200, "{line}");
    let witnessed_20 = format!("{}{line}", honest.checkpoints[0].note);
    assert!(
        witnessed(&witnessed_20, std::slice::from_ref(&witness_key))
            .unwrap()
            .missing
            .is_empty()
    );
    // The other branch, at the same size or grown from it, is refused.
    assert_eq!(post(&witness.base, &body(20, vec![], &forked[0])).0, 422);
    let proof = consistency(other.dir.path(), 20, 30);
    assert_eq!(post(&witness.base, &body(20, proof, &forked[1])).0, 422);
    // The honest history goes on being cosigned.
    let proof = consistency(honest.dir.path(), 20, 30);
    assert_eq!(
        post(&witness.base, &body(20, proof, &honest.checkpoints[1].note)).0,
        200
    );

    // An auditor holding the witnessed checkpoint refuses the other branch's log.
    let bundle = work.path().join("fork-bundle");
    support::audit_export(other.dir.path(), &bundle);
    std::fs::write(bundle.join("checkpoint"), &forked[1]).unwrap();
    let vkey = work.path().join("log.vkey");
    std::fs::write(&vkey, format!("{}\n", key.verifier().to_vkey())).unwrap();
    let pin = work.path().join("witnessed-20");
    std::fs::write(&pin, &witnessed_20).unwrap();
    let o = roundtable(&[
        "audit",
        "verify",
        &data_arg(&bundle),
        "--vkey",
        &data_arg(&vkey),
        "--pin",
        &data_arg(&pin),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        !o.status.success() && text.contains("not consistent with the pinned checkpoint"),
        "{text}"
    );
    // Without a pin, its signature alone passes; a witness policy refuses it.
    let policy = work.path().join("policy");
    std::fs::write(&policy, format!("witness J {wvkey}\nquorum J\n")).unwrap();
    let o = roundtable(&[
        "audit",
        "verify",
        &data_arg(&bundle),
        "--vkey",
        &data_arg(&vkey),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let o = roundtable(&[
        "audit",
        "verify",
        &data_arg(&bundle),
        "--vkey",
        &data_arg(&vkey),
        "--witness-policy",
        &data_arg(&policy),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        !o.status.success() && text.contains("witness.test/jiwei"),
        "{text}"
    );
    drop(witness);
}
