//! Rotating the log's signing key, as the runbook (`ops/runbooks/key-rotation.md`)
//! does it with the real binary: `keygen` the next key, `serve --next-key` (both keys
//! sign, `/log/vkey` serves both, `key.rotated` lands in the log), then `serve --key`
//! the new key alone; auditors who pinned either key follow, and wrong keys are
//! refused with one clear line.

mod support;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use roundtable_ledger::StreamName;
use roundtable_store::{EventStore, Expected, contract};
use roundtable_store_sqlite::{SqliteOptions, SqliteStore};
use support::{ORIGIN, data_arg, roundtable};

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn get(url: &str) -> String {
    support::graphql::agent()
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .body_mut()
        .read_to_string()
        .unwrap()
}

fn keygen(path: &Path, origin: &str) -> String {
    let o = roundtable(&["keygen", "--out", &data_arg(path), "--origin", origin]);
    assert!(o.status.success(), "{}", said(&o));
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn size_of(note: &str) -> u64 {
    note.lines().nth(1).unwrap().parse().unwrap()
}

fn signatures(note: &str) -> usize {
    note.lines().filter(|l| l.starts_with("— ")).count()
}

/// `audit verify --url` with the verifier keys in `vkeys` pinned (and a pin).
fn verify(base: &str, dir: &Path, vkeys: &str, pin: Option<&Path>) -> Output {
    let file = dir.join(format!(
        "pinned-{}.vkey",
        vkeys.len() + pin.map_or(0, |_| 1)
    ));
    std::fs::write(&file, vkeys).unwrap();
    let file = data_arg(&file);
    let mut args = vec!["audit", "verify", "--url", base, "--vkey", &file];
    let pin = pin.map(data_arg);
    if let Some(pin) = &pin {
        args.extend(["--pin", pin]);
    }
    roundtable(&args)
}

fn stop(server: support::Server) {
    assert!(server.terminate().success());
}

/// `serve` that must refuse to start: its output.
fn refused(data: &Path, extra: &[&str]) -> String {
    let data = data_arg(data);
    let mut args = vec!["serve", "--data", &data, "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let o = roundtable(&args);
    assert!(!o.status.success(), "started: {}", said(&o));
    said(&o)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_rotates_through_an_overlap_and_auditors_follow_it() {
    let fixture = support::build_log(5, 1, &[]).await;
    let data = fixture.dir.path();
    let work = tempfile::tempdir().unwrap();
    let old_vkey = fixture.vkey.clone();
    let next = work.path().join("next.key");
    let new_vkey = keygen(&next, ORIGIN);
    let next_arg = data_arg(&next);

    // A key of another log, or the log's own key again, is no next key.
    let foreign = work.path().join("foreign.key");
    keygen(&foreign, "other.test/log");
    let out = refused(data, &["--next-key", &data_arg(&foreign)]);
    assert!(out.contains("--next-key"), "{out}");
    assert_eq!(
        out.trim()
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1,
        "{out}"
    );
    let own = data_arg(&data.join("log.key"));
    assert!(refused(data, &["--next-key", &own]).contains("the same"));

    // The overlap: both keys sign, both are served, the rotation is in the log.
    let server = support::start_with(
        data,
        &["--next-key", &next_arg, "--checkpoint-interval-ms", "50"],
    );
    let base = server.base.clone();
    assert_eq!(
        get(&format!("{base}/log/vkey")),
        format!("{old_vkey}\n{new_vkey}\n")
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let overlap = loop {
        let note = get(&format!("{base}/log/checkpoint"));
        if size_of(&note) == 6 {
            break note;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint covers the rotation: {note}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(signatures(&overlap), 2, "{overlap}");
    let leaf = get(&format!("{base}/log/entries/5"));
    assert!(leaf.contains("\"type\":\"key.rotated\""), "{leaf}");
    assert!(
        leaf.contains(&new_vkey) && leaf.contains(&old_vkey),
        "{leaf}"
    );
    // Where the browser finds the rotation to prove it (web/src/verify/keys.ts).
    let listed: serde_json::Value =
        serde_json::from_str(&get(&format!("{base}/log/rotations"))).unwrap();
    assert_eq!(
        listed,
        serde_json::json!([{"index": 5, "old": old_vkey, "new": new_vkey}])
    );
    let pin = work.path().join("overlap.checkpoint");
    std::fs::write(&pin, &overlap).unwrap();
    for vkey in [&old_vkey, &new_vkey] {
        let o = verify(&base, work.path(), vkey, None);
        assert!(o.status.success(), "{}", said(&o));
        assert!(
            said(&o).contains(" size=6 ") && said(&o).contains("key-rotations=1"),
            "{}",
            said(&o)
        );
    }
    stop(server);

    // Another event while it is stopped, so the next checkpoint is new.
    let store = Arc::new(SqliteStore::open(data, ORIGIN, SqliteOptions::default()).unwrap());
    let stream = StreamName::new("issue/after").unwrap();
    store
        .append(
            &stream,
            Expected::Any,
            vec![contract::draft("issue.noted", 99)],
        )
        .await
        .unwrap();
    store.close().await;
    drop(store);

    // Retired: the new key alone signs and is served; restarting with both again
    // records nothing twice.
    let server = support::start_with(data, &["--key", &next_arg]);
    let base = server.base.clone();
    assert_eq!(get(&format!("{base}/log/vkey")), format!("{new_vkey}\n"));
    let after = get(&format!("{base}/log/checkpoint"));
    assert_eq!((size_of(&after), signatures(&after)), (7, 1), "{after}");

    // The auditor who pinned the old key: refused with the way forward, then
    // through the pinned overlap checkpoint; the one who pinned the new key at once.
    let o = verify(&base, work.path(), &old_vkey, None);
    assert!(!o.status.success());
    assert!(
        said(&o).contains("rotates this key to") && said(&o).contains("--pin"),
        "{}",
        said(&o)
    );
    let o = verify(&base, work.path(), &old_vkey, Some(&pin));
    assert!(o.status.success(), "{}", said(&o));
    assert!(
        said(&o).contains("size=7") && said(&o).contains("consistent-with-pinned-size=6"),
        "{}",
        said(&o)
    );
    let o = verify(
        &base,
        work.path(),
        &format!("{old_vkey}\n{new_vkey}\n"),
        None,
    );
    assert!(o.status.success(), "{}", said(&o));
    stop(server);

    // A key that never signed this log's checkpoints is refused.
    let stranger = work.path().join("stranger.key");
    keygen(&stranger, ORIGIN);
    let out = refused(data, &["--key", &data_arg(&stranger)]);
    assert!(out.contains("must be the log's"), "{out}");
    // ...and changed nothing: an export still names the new key.
    let bundle = work.path().join("bundle");
    support::audit_export(data, &bundle);
    assert_eq!(
        std::fs::read_to_string(bundle.join("vkey")).unwrap(),
        format!("{new_vkey}\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_key_files_get_one_clear_line() {
    let fixture = support::build_log(2, 1, &[]).await;
    let data = fixture.dir.path();
    let work = tempfile::tempdir().unwrap();
    let one_error = |out: &str| out.lines().filter(|l| l.starts_with("error:")).count() == 1;

    let missing = work.path().join("missing.key");
    let out = refused(data, &["--next-key", &data_arg(&missing)]);
    assert!(out.contains("missing.key") && one_error(&out), "{out}");

    // A --vkey file with the log's key and a line that is not a key.
    let bundle = work.path().join("bundle");
    support::audit_export(data, &bundle);
    let vkeys = work.path().join("pinned.vkey");
    std::fs::write(&vkeys, format!("{}\nnot a key\n", fixture.vkey)).unwrap();
    let o = roundtable(&[
        "audit",
        "verify",
        &data_arg(&bundle),
        "--vkey",
        &data_arg(&vkeys),
    ]);
    assert!(!o.status.success());
    let out = said(&o);
    assert!(out.contains("verifier key") && one_error(&out), "{out}");
}
