//! `schema/schema.graphql` is the sorted SDL of the code. Set UPDATE_SNAPSHOTS=1 to
//! rewrite it after an intended API change (and review the diff).

use std::path::PathBuf;

#[test]
fn the_committed_sdl_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/schema.graphql");
    let sdl = roundtable_api::sdl();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &sdl).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema/schema.graphql differs from the code; run `UPDATE_SNAPSHOTS=1 cargo test -p roundtable-api --test schema_snapshot` and review the diff"
    );
}
