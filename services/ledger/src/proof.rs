//! Proof verification exactly as RFC 9162 §2.1.3.2 and §2.1.4.2, with the edge cases
//! settled the way Go's x/mod and our browser verifier settle them.

use crate::hash::{Hash, empty_root, node_hash};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("old size {old} is larger than new size {new}")]
    SizeOrder { old: u64, new: u64 },
    #[error("proof has the wrong number of hashes")]
    WrongLength,
    #[error("proof does not lead to the expected root")]
    RootMismatch,
}

/// Checks that `leaf` is at `index` in the tree of `size` leaves with root `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `new` leaves with root `new_root` extends the tree of `old`
/// leaves with root `old_root`.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizeOrder { old, new });
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if old == 0 {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if *old_root == empty_root() {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if fr != *old_root || sr != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use crate::tree::MemoryTree;

    fn tree(n: u64) -> MemoryTree {
        let mut t = MemoryTree::new();
        for i in 0..n {
            t.push(leaf_hash(&i.to_be_bytes()));
        }
        t
    }

    #[test]
    fn every_proof_up_to_64_verifies_and_mutations_fail() {
        let t = tree(64);
        for size in 1..=64 {
            let root = t.root_at(size).unwrap();
            for index in 0..size {
                let leaf = leaf_hash(&index.to_be_bytes());
                let proof = t.inclusion_proof(index, size).unwrap();
                verify_inclusion(index, size, &leaf, &proof, &root).unwrap();
                if size > 1 {
                    let other = (index + 1) % size;
                    assert!(verify_inclusion(other, size, &leaf, &proof, &root).is_err());
                }
                // (A path alone can fit several sizes with the same root — e.g. leaf 0
                // of 3 and of 4 — which is why the size comes from the signed checkpoint.)
                if size < 64 {
                    let bigger = t.root_at(size + 1).unwrap();
                    assert!(verify_inclusion(index, size + 1, &leaf, &proof, &bigger).is_err());
                }
                assert!(verify_inclusion(index, size, &leaf_hash(b"x"), &proof, &root).is_err());
                for i in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[i].0[0] ^= 1;
                    assert!(verify_inclusion(index, size, &leaf, &bad, &root).is_err());
                }
                let mut longer = proof.clone();
                longer.push(root);
                assert!(verify_inclusion(index, size, &leaf, &longer, &root).is_err());
            }
            for old in 0..=size {
                let old_root = t.root_at(old).unwrap();
                let proof = t.consistency_proof(old, size).unwrap();
                verify_consistency(old, size, &old_root, &root, &proof).unwrap();
                if old < size {
                    assert!(verify_consistency(size, old, &root, &old_root, &proof).is_err());
                }
                if old > 0 && old < size {
                    let mut wrong_old = old_root;
                    wrong_old.0[31] ^= 1;
                    assert!(verify_consistency(old, size, &wrong_old, &root, &proof).is_err());
                    for i in 0..proof.len() {
                        let mut bad = proof.clone();
                        bad[i].0[5] ^= 0x80;
                        assert!(verify_consistency(old, size, &old_root, &root, &bad).is_err());
                    }
                    let shorter = &proof[..proof.len() - 1];
                    assert!(verify_consistency(old, size, &old_root, &root, shorter).is_err());
                }
            }
        }
    }

    #[test]
    fn edge_cases() {
        let t = tree(3);
        let r3 = t.root_at(3).unwrap();
        assert!(verify_inclusion(0, 0, &leaf_hash(b""), &[], &empty_root()).is_err());
        assert!(verify_consistency(3, 3, &r3, &r3, &[]).is_ok());
        assert!(verify_consistency(3, 3, &r3, &r3, &[r3]).is_err());
        assert!(verify_consistency(0, 3, &empty_root(), &r3, &[]).is_ok());
        assert!(verify_consistency(0, 3, &r3, &r3, &[]).is_err());
        assert!(verify_consistency(2, 3, &t.root_at(2).unwrap(), &r3, &[]).is_err());
        assert!(verify_consistency(3, 2, &r3, &r3, &[]).is_err());
    }
}
