//! `ops/prune-build-cache.sh`, which `make test` runs before building: it removes
//! superseded test binaries first and goes further only while the cache is still
//! over its limit; a limit that is not a number is refused and nothing is removed.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

const MIB: usize = 1024 * 1024;

fn binary(path: &Path, mib: usize) {
    std::fs::write(path, vec![7u8; mib * MIB]).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A cache holding two builds of one test (the older first), one other test, a
/// library and incremental state.
fn fake_cache(dir: &Path) {
    let deps = dir.join("debug/deps");
    std::fs::create_dir_all(&deps).unwrap();
    std::fs::create_dir_all(dir.join("debug/incremental/roundtable-1")).unwrap();
    binary(&deps.join("issues-00000000000000aa"), 2);
    // Distinct modification times: the newer build is the one kept.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(deps.join("issues-00000000000000aa"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    binary(&deps.join("issues-00000000000000bb"), 2);
    binary(&deps.join("meetings-00000000000000cc"), 1);
    std::fs::write(
        deps.join("libroundtable_store-00000000000000dd.rlib"),
        b"lib",
    )
    .unwrap();
}

fn prune(dir: &Path, limit_mib: &str) -> Output {
    std::process::Command::new(support::repo_root().join("ops/prune-build-cache.sh"))
        .env("CARGO_TARGET_DIR", dir)
        .env("ROUNDTABLE_CACHE_LIMIT_MIB", limit_mib)
        .env("ROUNDTABLE_MIN_FREE_MIB", "0")
        .output()
        .unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("debug/deps"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn superseded_test_binaries_go_first_and_only_as_far_as_needed() {
    let dir = tempfile::tempdir().unwrap();
    fake_cache(dir.path());
    // 5 MiB in the cache, 4 allowed: removing the older `issues` build is enough.
    let out = prune(dir.path(), "4");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        names(dir.path()),
        [
            "issues-00000000000000bb",
            "libroundtable_store-00000000000000dd.rlib",
            "meetings-00000000000000cc",
        ]
    );
    assert!(dir.path().join("debug/incremental/roundtable-1").exists());

    // Under its limit, nothing is touched.
    let out = prune(dir.path(), "4");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(names(dir.path()).len(), 3);

    // Over it with nothing superseded left: incremental state, then everything.
    let out = prune(dir.path(), "0");
    assert!(out.status.success(), "{out:?}");
    assert!(!dir.path().join("debug").exists());
}

#[test]
fn a_limit_that_is_not_a_number_is_refused_and_nothing_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    fake_cache(dir.path());
    let out = prune(dir.path(), "20G");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("20G is not a whole number of MiB"));
    assert_eq!(names(dir.path()).len(), 4);
}
