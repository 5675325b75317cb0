//! A log with two real witness processes: its checkpoints are served with both
//! cosignatures; kill one and the served checkpoint waits for it (the log goes on
//! signing); bring it back and the newest checkpoint is served, cosigned by both.

mod support;

use std::time::{Duration, Instant};

use roundtable_ledger::{CosignatureVerifier, SignedCheckpoint, witnessed};
use serde_json::json;
use support::accounts::{PASSWORD, VERIFIED_RESIDENT};
use support::graphql::Client;

const ORIGIN: &str = "roundtable.test/town";

fn text(url: &str) -> String {
    let mut r = support::graphql::agent().get(url).call().unwrap();
    r.body_mut().read_to_string().unwrap()
}

struct Witness {
    key: String,
    conf: String,
    data: String,
    port: u16,
    vkey: CosignatureVerifier,
}

fn witness(dir: &std::path::Path, name: &str, log_vkey: &str) -> Witness {
    let path = |f: &str| dir.join(format!("{name}-{f}")).to_str().unwrap().to_owned();
    let key = path("key");
    let out = support::roundtable(&[
        "witness-keygen",
        "--out",
        &key,
        "--name",
        &format!("witness.test/{name}"),
    ]);
    assert!(out.status.success());
    let vkey = CosignatureVerifier::parse(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    let conf = path("conf");
    std::fs::write(&conf, format!("log {log_vkey}\n")).unwrap();
    Witness {
        key,
        conf,
        data: path("state"),
        port: support::free_port(),
        vkey,
    }
}

fn run(w: &Witness) -> support::Server {
    let listen = format!("127.0.0.1:{}", w.port);
    support::spawn(&[
        "witness", "--data", &w.data, "--listen", &listen, "--key", &w.key, "--config", &w.conf,
    ])
}

/// Waits until `check` holds of the served checkpoint note.
fn until(base: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let note = text(&format!("{base}/log/checkpoint"));
        if check(&note) {
            return note;
        }
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "{what}; last served:\n{note}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn size_of(note: &str) -> u64 {
    SignedCheckpoint::from_kept_note(note.to_owned())
        .unwrap()
        .checkpoint
        .size
}

#[test]
fn checkpoints_are_served_cosigned_by_both_and_wait_for_a_witness_that_is_down() {
    let dir = tempfile::tempdir().unwrap();
    let log_key = dir.path().join("log.key");
    let out = support::roundtable(&[
        "keygen",
        "--out",
        log_key.to_str().unwrap(),
        "--origin",
        ORIGIN,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log_vkey = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let a = witness(dir.path(), "jiwei", &log_vkey);
    let b = witness(dir.path(), "ribao", &log_vkey);
    let _wa = run(&a);
    let mut wb = run(&b);
    let data = dir.path().join("data");
    let server = support::start_with(
        &data,
        &[
            "--demo",
            "--checkpoint-interval-ms",
            "100",
            "--key",
            log_key.to_str().unwrap(),
            "--origin",
            ORIGIN,
            "--witness",
            &format!("http://127.0.0.1:{} {}", a.port, a.vkey.to_vkey()),
            "--witness",
            &format!("http://127.0.0.1:{} {}", b.port, b.vkey.to_vkey()),
        ],
    );
    let base = server.base.clone();
    let both = [a.vkey.clone(), b.vkey.clone()];
    let cosigned_by_both = |note: &str| witnessed(note, &both).is_ok_and(|w| w.missing.is_empty());
    let first = until(&base, "both witnesses cosign", cosigned_by_both);
    // Go's note.Open-style reading: the log's signature verifies, the witness lines are unknown signers.
    let log = roundtable_ledger::NoteVerifier::parse(&log_vkey).unwrap();
    let opened = roundtable_ledger::open_note(&first, &[log]).unwrap();
    assert_eq!(opened.unknown_signatures, 2);
    let metrics = text(&format!("{base}/metrics"));
    assert!(
        metrics.contains("roundtable_witness_cosigned_size"),
        "{metrics}"
    );

    // The auditor enforces a policy: both witnesses pass; one more that never
    // cosigned is named as missing.
    let vkey_file = dir.path().join("log.vkey");
    std::fs::write(&vkey_file, format!("{log_vkey}\n")).unwrap();
    let c = witness(dir.path(), "daxue", &log_vkey);
    let policy = |extra: &str, quorum: &str| {
        let path = dir.path().join(format!("policy-{quorum}"));
        let text = format!(
            "witness A {}\nwitness B {}\n{extra}quorum {quorum}\n",
            a.vkey.to_vkey(),
            b.vkey.to_vkey()
        );
        std::fs::write(&path, text).unwrap();
        path
    };
    let vkey_arg = vkey_file.to_str().unwrap().to_owned();
    let audit = |args: &[&str]| {
        let mut all = vec!["audit"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--vkey", &vkey_arg]);
        let out = support::roundtable(&all);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    // The log suggests its own policy (verifiers check the keys with each witness).
    let suggested = text(&format!("{base}/log/witnesses"));
    assert!(
        suggested.contains(&a.vkey.to_vkey()) && suggested.contains("group witnesses 2 w1 w2"),
        "{suggested}"
    );
    let log_key = roundtable_ledger::NoteVerifier::parse(&log_vkey).unwrap();
    assert!(
        roundtable_ledger::Policy::parse(&suggested)
            .unwrap()
            .check(&first, &[log_key])
            .is_ok()
    );
    let ab = policy("group AB all A B\n", "AB");
    let ab_arg = ab.to_str().unwrap().to_owned();
    let (ok, out) = audit(&["verify", "--url", &base, "--witness-policy", &ab_arg]);
    assert!(ok && out.contains("witnessed-by=2"), "{out}");
    let abc = policy(
        &format!("witness C {}\ngroup ABC all A B C\n", c.vkey.to_vkey()),
        "ABC",
    );
    let (ok, out) = audit(&[
        "verify",
        "--url",
        &base,
        "--witness-policy",
        abc.to_str().unwrap(),
    ]);
    assert!(!ok && out.contains("witness.test/daxue"), "{out}");

    // A receipt stands alone: the leaf itself and the cosigned checkpoint, checked
    // with no server; an edited one is refused.
    let kept = text(&format!("{base}/log/receipt/5"));
    let receipt = roundtable_ledger::Receipt::parse(&kept).unwrap();
    assert!(receipt.extra.is_some(), "{kept}");
    assert!(cosigned_by_both(&receipt.checkpoint), "{kept}");
    let file = dir.path().join("kept.tlog-proof");
    std::fs::write(&file, &kept).unwrap();
    let (ok, out) = audit(&[
        "receipt",
        file.to_str().unwrap(),
        "--witness-policy",
        &ab_arg,
    ]);
    assert!(
        ok && out.contains("index=5") && out.contains("witnessed-by=2"),
        "{out}"
    );
    let edited = dir.path().join("edited.tlog-proof");
    std::fs::write(&edited, kept.replace("index 5\n", "index 6\n")).unwrap();
    let (ok, out) = audit(&["receipt", edited.to_str().unwrap()]);
    assert!(!ok && out.starts_with("FAIL"), "{out}");

    // One witness goes down; the log grows and signs, but the served checkpoint waits.
    let _ = wb.child.kill();
    let _ = wb.child.wait();
    let before = size_of(&until(
        &base,
        "a stable cosigned checkpoint",
        cosigned_by_both,
    ));
    let zhou = Client::sign_in(&base, VERIFIED_RESIDENT, PASSWORD);
    zhou.query(
        "mutation { raiseIssue(input: {title: \"路灯不亮\", description: \"3号楼门口路灯不亮\", category: OTHER}) { indexes } }",
        json!({}),
    )
    .data();
    let grown = zhou.log_size();
    assert!(grown > before);
    std::thread::sleep(Duration::from_millis(1500));
    let waiting = text(&format!("{base}/log/checkpoint"));
    assert!(
        size_of(&waiting) < grown,
        "served {} of {grown} without the second witness",
        size_of(&waiting)
    );
    assert!(cosigned_by_both(&waiting));

    // It comes back: the newest checkpoint is served, cosigned by both.
    wb = run(&b);
    let caught_up = until(&base, "the returning witness cosigns the newest", |note| {
        cosigned_by_both(note) && size_of(note) >= grown
    });
    assert!(size_of(&caught_up) >= grown);
    drop(wb);
}
