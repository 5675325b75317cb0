//! Agreement with the independent implementations in `../shared/vectors` (Python's
//! `json` for leaves, Go's x/mod for trees, proofs and signed checkpoints).

use std::path::PathBuf;

use roundtable_ledger::{Hash, MemoryTree, NoteVerifier, leaf_hash, open_note, verify_log};
use serde::Deserialize;

fn vectors() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors");
    assert!(
        dir.is_dir(),
        "test vectors missing: {} (the shared folder sits beside the project)",
        dir.display()
    );
    dir
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Deserialize)]
struct Proofs {
    roots: Vec<Hash>,
    inclusion: Vec<Inclusion>,
    consistency: Vec<Consistency>,
}

#[derive(Deserialize)]
struct Inclusion {
    index: u64,
    tree_size: u64,
    leaf_hash: Hash,
    inclusion: Vec<Hash>,
}

#[derive(Deserialize)]
struct Consistency {
    old_size: u64,
    tree_size: u64,
    consistency: Vec<Hash>,
}

#[test]
fn roots_and_proofs_equal_go_xmod() {
    let dir = vectors();
    let proofs: Proofs = serde_json::from_str(&read(dir.join("proofs.json"))).unwrap();
    let entries = read(dir.join("log-bundles/good/entries.jsonl"));
    let mut tree = MemoryTree::new();
    for line in entries.lines() {
        tree.push(leaf_hash(line.as_bytes()));
    }
    assert_eq!(tree.size(), 120);
    for (k, root) in proofs.roots.iter().enumerate() {
        assert_eq!(
            tree.root_at(k as u64 + 1).unwrap(),
            *root,
            "root of {}",
            k + 1
        );
    }
    assert!(!proofs.inclusion.is_empty() && !proofs.consistency.is_empty());
    for p in &proofs.inclusion {
        let line = entries.lines().nth(p.index as usize).unwrap();
        assert_eq!(leaf_hash(line.as_bytes()), p.leaf_hash);
        assert_eq!(
            tree.inclusion_proof(p.index, p.tree_size).unwrap(),
            p.inclusion,
            "inclusion {} of {}",
            p.index,
            p.tree_size
        );
    }
    for p in &proofs.consistency {
        assert_eq!(
            tree.consistency_proof(p.old_size, p.tree_size).unwrap(),
            p.consistency,
            "consistency {} -> {}",
            p.old_size,
            p.tree_size
        );
    }
}

#[test]
fn c2sp_signed_note_example_verifies() {
    let dir = vectors().join("c2sp-signed-note-example");
    let v = NoteVerifier::parse(&read(dir.join("vkey"))).unwrap();
    let note = read(dir.join("note"));
    assert_eq!(
        open_note(&note, &[v]).unwrap().text,
        "This is an example message.\n"
    );
}

fn verify_bundle(
    name: &str,
) -> Result<roundtable_ledger::AuditReport, roundtable_ledger::AuditFailure> {
    let dir = vectors().join("log-bundles").join(name);
    let key = NoteVerifier::parse(&read(dir.join("vkey"))).unwrap();
    let entries = std::fs::read(dir.join("entries.jsonl")).unwrap();
    verify_log(
        &entries,
        &read(dir.join("checkpoint")),
        std::slice::from_ref(&key),
        None,
    )
}

#[test]
fn the_good_bundle_verifies() {
    let report = verify_bundle("good").unwrap();
    assert_eq!(report.checkpoint.size, 120);
    assert_eq!(report.streams, 12);
}

/// Where a rejection must point.
enum Blame {
    /// This leaf, by index or by name in the reason.
    Leaf(u64),
    /// Some leaf: a deleted leaf shows at the next event of its stream.
    SomeLeaf,
    /// The checkpoint (signature or body).
    Checkpoint,
    /// Leaf or checkpoint: two leaves of different streams swapped keep every chain
    /// intact, so only the root betrays them.
    Anywhere,
}

#[test]
fn every_bad_bundle_is_rejected_at_the_right_place() {
    let cases = [
        ("bad-byte-flipped", Blame::Leaf(49)),
        ("bad-line-deleted", Blame::SomeLeaf),
        ("bad-lines-swapped", Blame::Anywhere),
        ("bad-truncated", Blame::Leaf(110)),
        ("bad-foreign-key", Blame::Checkpoint),
        ("bad-size-edited", Blame::Checkpoint),
        ("bad-resigned-non-canonical", Blame::Leaf(60)),
        ("bad-resigned-float", Blame::Leaf(60)),
        ("bad-resigned-wrong-origin", Blame::Leaf(60)),
        ("bad-resigned-broken-chain", Blame::SomeLeaf),
        ("bad-resigned-seq-gap", Blame::SomeLeaf),
    ];
    for (name, blame) in cases {
        let failure = verify_bundle(name).expect_err(name);
        println!("{name}: {failure}");
        let ok = match blame {
            Blame::Leaf(i) => {
                failure.index == Some(i) || failure.reason.contains(&format!("leaf {i} "))
            }
            Blame::SomeLeaf => failure.index.is_some(),
            Blame::Checkpoint => failure.index.is_none(),
            Blame::Anywhere => true,
        };
        assert!(ok, "{name}: {failure}");
        assert!(!failure.reason.is_empty());
    }
}
