//! Our tree and proofs against an independent implementation, the `ct-merkle` crate:
//! every size up to 300 exhaustively, then random larger sizes.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use proptest::prelude::*;
use roundtable_ledger::{Hash, MemoryTree, leaf_hash, verify_consistency, verify_inclusion};
use sha2_oracle::Sha256;

fn leaf(i: u64) -> Vec<u8> {
    format!("{{\"n\":{i}}}").into_bytes()
}

fn ours(n: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    (0..n).for_each(|i| t.push(leaf_hash(&leaf(i))));
    t
}

fn oracle(n: u64) -> MemoryBackedTree<Sha256, Vec<u8>> {
    let mut t = MemoryBackedTree::new();
    (0..n).for_each(|i| t.push(leaf(i)));
    t
}

fn flat(proof: &[Hash]) -> Vec<u8> {
    proof.iter().flat_map(|h| h.0).collect()
}

fn check_size(
    t: &MemoryTree,
    n: u64,
    indexes: impl Iterator<Item = u64>,
    olds: impl Iterator<Item = u64>,
) {
    let o = oracle(n);
    let root = t.root_at(n).unwrap();
    assert_eq!(&root.0[..], o.root().as_bytes().as_slice(), "root of {n}");
    for i in indexes {
        let proof = t.inclusion_proof(i, n).unwrap();
        let theirs = o.prove_inclusion(i as usize);
        assert_eq!(flat(&proof), theirs.as_bytes(), "inclusion {i} of {n}");
        verify_inclusion(i, n, &leaf_hash(&leaf(i)), &proof, &root).unwrap();
        o.root().verify_inclusion(&leaf(i), i, &theirs).unwrap();
    }
    for m in olds {
        let proof = t.consistency_proof(m, n).unwrap();
        if m < n {
            let theirs = o.prove_consistency((n - m) as usize);
            assert_eq!(flat(&proof), theirs.as_bytes(), "consistency {m} -> {n}");
        }
        verify_consistency(m, n, &t.root_at(m).unwrap(), &root, &proof).unwrap();
    }
}

#[test]
fn every_size_up_to_300() {
    let t = ours(300);
    for n in 1..=300 {
        check_size(&t, n, 0..n, 1..=n);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_larger_sizes(n in 301u64..5000, picks in proptest::collection::vec(any::<u64>(), 16)) {
        let t = ours(n);
        let indexes: Vec<u64> = picks.iter().map(|p| p % n).chain([0, n - 1]).collect();
        let olds: Vec<u64> = picks.iter().map(|p| p % n + 1).chain([1, n]).collect();
        check_size(&t, n, indexes.into_iter(), olds.into_iter());
    }
}
