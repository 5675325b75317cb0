//! `roundtable audit` end to end: export and verify a real log, catch every kind of
//! tampering with the stored record, accept the shared good bundle and reject the bad
//! ones, print proofs that verify; and bad input gets one clear line, never a panic.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use roundtable_ledger::{Hash, SignedCheckpoint, verify_consistency, verify_inclusion};
use support::{ORIGIN, data_arg, roundtable};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn verify(bundle: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["audit", "verify"];
    let b = data_arg(bundle);
    args.push(&b);
    args.extend_from_slice(extra);
    roundtable(&args)
}

/// Applies SQL to a copy of the log, exports it, and returns `audit verify`'s output.
fn tampered(original: &Path, work: &Path, name: &str, sql: &str) -> Output {
    let data = work.join(name);
    copy_dir(original, &data);
    let conn = rusqlite::Connection::open(data.join(roundtable_store_sqlite::DB_FILE)).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    let out = work.join(format!("{name}-bundle"));
    support::audit_export(&data, &out);
    verify(&out, &[])
}

fn assert_fails(o: &Output, name: &str, must_name: &str) {
    let text = stdout(o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{name} must fail: {text}{}",
        stderr(o)
    );
    assert!(text.starts_with("FAIL "), "{name}: {text}");
    assert!(
        text.contains(must_name),
        "{name} should name {must_name:?}: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_catches_every_tampering_with_the_store() {
    let fixture = support::build_log(120, 5, &[]).await;
    let work = tempfile::tempdir().unwrap();
    let good = work.path().join("good");
    support::audit_export(fixture.dir.path(), &good);
    let ok = verify(&good, &[]);
    assert!(ok.status.success(), "{}{}", stdout(&ok), stderr(&ok));
    assert!(
        stdout(&ok).starts_with(&format!("OK {ORIGIN} size=120 ")),
        "{}",
        stdout(&ok)
    );

    // One byte of a stored leaf (still valid JSON): its successor's prev no longer matches.
    let flipped = tampered(
        fixture.dir.path(),
        work.path(),
        "byte",
        "UPDATE events SET leaf = CAST(replace(CAST(leaf AS TEXT), '\"n\":40', '\"n\":41') AS BLOB) WHERE idx = 40;",
    );
    assert_fails(&flipped, "byte flipped", "leaf 40 ");
    let deleted = tampered(
        fixture.dir.path(),
        work.path(),
        "delete",
        "DELETE FROM events WHERE idx = 50;",
    );
    assert_fails(&deleted, "row deleted", "FAIL leaf ");
    let swapped = tampered(
        fixture.dir.path(),
        work.path(),
        "swap",
        "UPDATE events SET idx = -1 WHERE idx = 60; UPDATE events SET idx = 60 WHERE idx = 61; UPDATE events SET idx = 61 WHERE idx = -1;",
    );
    assert_fails(&swapped, "rows swapped", "FAIL ");
    let truncated = tampered(
        fixture.dir.path(),
        work.path(),
        "truncate",
        "DELETE FROM events WHERE idx >= 100;",
    );
    assert_fails(&truncated, "truncated", "leaf 100: missing");

    // The checkpoint replaced by one signed with another key of the same name.
    let other = roundtable_store::keys::generate(ORIGIN).unwrap();
    let cp = fixture.checkpoints.last().unwrap();
    let forged = other.sign(&cp.checkpoint.body()).unwrap();
    let resigned = tampered(
        fixture.dir.path(),
        work.path(),
        "resign",
        &format!("UPDATE checkpoints SET note = '{forged}' WHERE size = 120;"),
    );
    assert_fails(
        &resigned,
        "foreign checkpoint",
        "FAIL checkpoint: no signature by a known key",
    );
    // Even when the bundle's own vkey is swapped too, the auditor's pinned key catches it.
    let vkey_file = work.path().join("pinned.vkey");
    std::fs::write(&vkey_file, &fixture.vkey).unwrap();
    let swapped_key = work.path().join("swapped-key");
    copy_dir(&good, &swapped_key);
    std::fs::write(swapped_key.join("checkpoint"), &forged).unwrap();
    std::fs::write(swapped_key.join("vkey"), other.verifier().to_vkey()).unwrap();
    assert!(
        verify(&swapped_key, &[]).status.success(),
        "self-consistent with its own key"
    );
    assert_fails(
        &verify(&swapped_key, &["--vkey", &data_arg(&vkey_file)]),
        "pinned key",
        "FAIL checkpoint",
    );

    // A store with a row deleted no longer even opens for serving.
    let broken = work.path().join("delete");
    let o = roundtable(&[
        "serve",
        "--data",
        &data_arg(&broken),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("corrupt"), "{}", stderr(&o));
}

fn vectors() -> PathBuf {
    support::repo_root().join("../shared/vectors/log-bundles")
}

#[test]
fn shared_bundles_good_accepted_bad_rejected() {
    let good = verify(&vectors().join("good"), &[]);
    assert!(good.status.success(), "{}", stdout(&good));
    let mut bad = 0;
    for entry in std::fs::read_dir(vectors()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("bad-") {
            let o = verify(&path, &[]);
            assert_fails(&o, &name, "FAIL ");
            bad += 1;
        }
    }
    assert_eq!(bad, 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pinned_checkpoint_must_be_extended() {
    let fixture = support::build_log(40, 3, &[25]).await;
    let work = tempfile::tempdir().unwrap();
    let bundle = work.path().join("bundle");
    support::audit_export(fixture.dir.path(), &bundle);
    let old = fixture
        .checkpoints
        .iter()
        .find(|c| c.checkpoint.size == 25)
        .unwrap();
    let pin = work.path().join("pin");
    std::fs::write(&pin, &old.note).unwrap();
    let o = verify(&bundle, &["--pin", &data_arg(&pin)]);
    assert!(
        stdout(&o).contains("consistent-with-pinned-size=25"),
        "{}",
        stdout(&o)
    );

    // A checkpoint of another history at size 25 (same key) is caught.
    let fork = support::build_log(30, 2, &[25]).await;
    let forked = fork
        .checkpoints
        .iter()
        .find(|c| c.checkpoint.size == 25)
        .unwrap();
    // Signed with the real key, so only the history differs.
    let real_key =
        roundtable_store::keys::read(&fixture.dir.path().join(roundtable_store::keys::KEY_FILE))
            .unwrap();
    let fork_pin = work.path().join("fork-pin");
    std::fs::write(&fork_pin, forked.checkpoint.sign(&real_key).unwrap().note).unwrap();
    let o = verify(&bundle, &["--pin", &data_arg(&fork_pin)]);
    assert_fails(
        &o,
        "forked pin",
        "not consistent with the pinned checkpoint",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prove_prints_proofs_that_verify() {
    let fixture = support::build_log(50, 4, &[20]).await;
    let data = data_arg(fixture.dir.path());
    let cp = &fixture.checkpoints.last().unwrap().checkpoint;
    let o = roundtable(&["audit", "prove", "--data", &data, "--index", "17"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let proof: Vec<Hash> = serde_json::from_value(json["inclusion"].clone()).unwrap();
    let leaf: Hash = serde_json::from_value(json["leaf_hash"].clone()).unwrap();
    assert_eq!(json["tree_size"], 50);
    verify_inclusion(17, 50, &leaf, &proof, &cp.root).unwrap();

    let o = roundtable(&[
        "audit",
        "prove",
        "--data",
        &data,
        "--consistency",
        "20",
        "50",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let proof: Vec<Hash> = serde_json::from_value(json["consistency"].clone()).unwrap();
    let old = &fixture
        .checkpoints
        .iter()
        .find(|c| c.checkpoint.size == 20)
        .unwrap()
        .checkpoint;
    verify_consistency(20, 50, &old.root, &cp.root, &proof).unwrap();

    let o = roundtable(&["audit", "prove", "--data", &data, "--index", "50"]);
    assert!(!o.status.success());
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_one_line_and_a_non_zero_exit() {
    let work = tempfile::tempdir().unwrap();
    let w = data_arg(work.path());
    let garbage = work.path().join("garbage");
    std::fs::create_dir(&garbage).unwrap();
    std::fs::write(
        garbage.join(roundtable_store_sqlite::DB_FILE),
        b"this is not a database, not at all",
    )
    .unwrap();
    let loose_key = work.path().join("loose.key");
    let o = roundtable(&["keygen", "--out", &data_arg(&loose_key)]);
    assert!(o.status.success());
    assert!(
        SignedCheckpoint::open(
            "x",
            &roundtable_ledger::NoteVerifier::parse(stdout(&o).trim()).unwrap()
        )
        .is_err()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&loose_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    // A bundle to point bad --vkey and --pin files at.
    let fixture = support::build_log(3, 1, &[]).await;
    let bundle = work.path().join("bundle");
    support::audit_export(fixture.dir.path(), &bundle);
    let junk = work.path().join("junk");
    std::fs::write(&junk, "not a key, not a note\n").unwrap();
    let pinned_junk = verify(&bundle, &["--pin", &data_arg(&junk)]);
    assert_fails(
        &pinned_junk,
        "junk pin",
        "FAIL checkpoint: pinned checkpoint",
    );
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "audit".into(),
                "verify".into(),
                data_arg(&bundle),
                "--vkey".into(),
                data_arg(&junk),
            ],
            "the verifier key",
        ),
        (
            vec![
                "audit".into(),
                "verify".into(),
                data_arg(&bundle),
                "--pin".into(),
                format!("{w}/no-such-pin"),
            ],
            "no-such-pin",
        ),
        (
            vec![
                "keygen".into(),
                "--out".into(),
                format!("{w}/k2"),
                "--origin".into(),
                "has space".into(),
            ],
            "key name",
        ),
        (
            vec!["audit".into(), "verify".into()],
            "give a bundle directory or --url",
        ),
        (
            vec![
                "audit".into(),
                "export".into(),
                "--data".into(),
                format!("{w}/missing"),
                "--out".into(),
                format!("{w}/o"),
            ],
            "does not exist",
        ),
        (
            vec![
                "serve".into(),
                "--data".into(),
                data_arg(&garbage),
                "--listen".into(),
                "127.0.0.1:0".into(),
            ],
            "not a database",
        ),
        (
            vec![
                "serve".into(),
                "--data".into(),
                format!("{w}/fresh"),
                "--key".into(),
                data_arg(&loose_key),
                "--listen".into(),
                "127.0.0.1:0".into(),
            ],
            "chmod 600",
        ),
        (
            vec!["keygen".into(), "--out".into(), data_arg(&loose_key)],
            "exists",
        ),
        (
            vec![
                "serve".into(),
                "--data".into(),
                format!("{w}/x"),
                "--listen".into(),
                "nonsense".into(),
            ],
            "invalid value",
        ),
        (
            vec![
                "audit".into(),
                "verify".into(),
                "--url".into(),
                "http://127.0.0.1:9/".into(),
            ],
            "GET http://127.0.0.1:9/log/vkey",
        ),
    ];
    for (args, expect) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = roundtable(&args);
        let err = stderr(&o);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{args:?}: {err}"
        );
    }
}
