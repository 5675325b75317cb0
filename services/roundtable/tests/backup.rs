//! `roundtable admin backup`: a copy of a running server's data directory that
//! audits clean and serves the same log; a non-empty target is refused.

mod support;

use support::{data_arg, roundtable};

#[test]
fn a_running_server_is_backed_up_and_the_copy_serves_the_same_log() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let out = tempfile::tempdir().unwrap();
    let copy = out.path().join("copy");
    let back_up = || {
        roundtable(&[
            "admin",
            "backup",
            "--data",
            &data_arg(dir.path()),
            "--out",
            &data_arg(&copy),
        ])
    };
    let backup = back_up();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&backup.stdout),
        String::from_utf8_lossy(&backup.stderr)
    );
    assert!(backup.status.success(), "{said}");
    assert!(said.contains("OK backed up"), "{said}");

    // Again into the same place: refused, nothing touched.
    let again = back_up();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));

    // The copy serves the log as it was, and people can still sign in.
    let get = |base: &str| {
        support::graphql::agent()
            .get(&format!("{base}/log/checkpoint"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap()
    };
    let original = get(&server.base);
    drop(server);
    let restored = support::start(&copy);
    let served = get(&restored.base);
    let size = |note: &str| note.lines().nth(1).unwrap().parse::<u64>().unwrap();
    assert!(
        size(&served) >= size(&original) - 1,
        "{served} vs {original}"
    );
    support::graphql::Client::sign_in(&restored.base, "13900000011", "roundtable-demo");
}

#[test]
fn the_ops_scripts_back_up_and_restore_an_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let root = tempfile::tempdir().unwrap();
    let script = |name: &str, args: &[&std::path::Path]| {
        let out = std::process::Command::new("sh")
            .arg(support::repo_root().join("ops/backup").join(name))
            .args(args)
            .env("ROUNDTABLE", support::binary())
            .env("KEEP", "1")
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{name}: {said}");
    };
    script("sqlite-backup.sh", &[dir.path(), root.path()]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    script("sqlite-backup.sh", &[dir.path(), root.path()]);
    let kept: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
    assert_eq!(kept.len(), 1, "KEEP=1 keeps the newest only");
    let backup = kept[0].as_ref().unwrap().path();
    drop(server);

    let restored = tempfile::tempdir().unwrap();
    let data = restored.path().join("data");
    script("sqlite-restore.sh", &[&backup, &data]);
    let again = support::start(&data);
    support::graphql::Client::sign_in(&again.base, "13900000006", "roundtable-demo");
}

#[test]
fn a_directory_without_a_log_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let refused = roundtable(&[
        "admin",
        "backup",
        "--data",
        &data_arg(empty.path()),
        "--out",
        &data_arg(&out.path().join("copy")),
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("holds no log"));
    assert!(!out.path().join("copy").exists());
}
