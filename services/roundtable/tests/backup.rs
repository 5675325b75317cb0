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
