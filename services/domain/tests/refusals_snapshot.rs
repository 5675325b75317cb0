//! `schema/refusals.json` lists every refusal key with the names of its values:
//! the contract the app's translations are checked against (web/tests/unit). Set
//! UPDATE_SNAPSHOTS=1 to rewrite it after adding a refusal, then translate it.

use std::path::PathBuf;

use roundtable_domain::Refusal;

fn listing() -> String {
    let mut refusals: Vec<&Refusal> = Refusal::ALL.iter().collect();
    refusals.sort_by_key(|r| r.key());
    let lines: Vec<String> = refusals
        .iter()
        .map(|r| {
            let params: Vec<String> = r.params().iter().map(|p| format!("\"{p}\"")).collect();
            format!("  \"{}\": [{}]", r.key(), params.join(", "))
        })
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}

#[test]
fn the_committed_list_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/refusals.json");
    let listing = listing();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &listing).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == listing,
        "schema/refusals.json differs from the code; run `UPDATE_SNAPSHOTS=1 cargo test -p roundtable-domain --test refusals_snapshot`, review the diff and translate the new keys in web/src/i18n"
    );
}
