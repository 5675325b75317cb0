//! The RFC 6962 Merkle tree: an incremental builder (compact range) and proofs read
//! from stored subtree hashes.
//!
//! Storage model: every complete subtree's hash is kept, addressed by `(level, index)`
//! where node `(l, i)` covers leaves `[i·2^l, (i+1)·2^l)`. A log of n leaves keeps < 2n
//! hashes; the root of any earlier size and every proof are O(log n) reads of them.

use std::convert::Infallible;

use crate::hash::{Hash, empty_root, node_hash};

/// Where stored subtree hashes come from (memory, a database...).
pub trait NodeSource {
    type Error: std::error::Error + Send + Sync + 'static;
    /// Hash of the complete subtree `(level, index)`; level 0 is the leaf hash.
    fn node(&self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

#[derive(Debug, thiserror::Error)]
pub enum TreeError<E: std::error::Error + 'static> {
    #[error("index {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("size {old} is larger than size {new}")]
    SizeOrder { old: u64, new: u64 },
    #[error("size {size} is beyond the tree's {available} leaves")]
    SizeOutOfRange { size: u64, available: u64 },
    #[error(transparent)]
    Source(E),
}

/// Largest power of two strictly less than `n` (n ≥ 2).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// MTH of leaves `[lo, hi)`, where the range comes from the RFC 6962 recursion (so
/// `lo` is a multiple of the largest power of two below `hi - lo`).
fn range_hash<S: NodeSource>(src: &S, lo: u64, hi: u64) -> Result<Hash, S::Error> {
    let n = hi - lo;
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() && lo.is_multiple_of(n) {
        let level = n.trailing_zeros();
        return src.node(level, lo >> level);
    }
    let k = split_point(n);
    Ok(node_hash(
        &range_hash(src, lo, lo + k)?,
        &range_hash(src, lo + k, hi)?,
    ))
}

/// Root of the first `size` leaves.
pub fn root_at<S: NodeSource>(src: &S, size: u64) -> Result<Hash, S::Error> {
    range_hash(src, 0, size)
}

/// RFC 6962 §2.1.1 audit path for leaf `index` in the tree of `size` leaves,
/// sibling first.
pub fn inclusion_proof<S: NodeSource>(
    src: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, TreeError<S::Error>> {
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let mut out = Vec::new();
    path(src, index, 0, size, &mut out).map_err(TreeError::Source)?;
    Ok(out)
}

fn path<S: NodeSource>(
    src: &S,
    m: u64,
    lo: u64,
    hi: u64,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    if hi - lo == 1 {
        return Ok(());
    }
    let k = split_point(hi - lo);
    if m < lo + k {
        path(src, m, lo, lo + k, out)?;
        out.push(range_hash(src, lo + k, hi)?);
    } else {
        path(src, m, lo + k, hi, out)?;
        out.push(range_hash(src, lo, lo + k)?);
    }
    Ok(())
}

/// RFC 6962 §2.1.2 consistency proof from size `old` to size `new`. Empty when the
/// sizes are equal or `old` is 0 (everything extends the empty tree).
pub fn consistency_proof<S: NodeSource>(
    src: &S,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, TreeError<S::Error>> {
    if old > new {
        return Err(TreeError::SizeOrder { old, new });
    }
    let mut out = Vec::new();
    if old > 0 && old < new {
        subproof(src, old, 0, new, true, &mut out).map_err(TreeError::Source)?;
    }
    Ok(out)
}

fn subproof<S: NodeSource>(
    src: &S,
    m: u64,
    lo: u64,
    hi: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    if m == hi {
        if !whole {
            out.push(range_hash(src, lo, hi)?);
        }
        return Ok(());
    }
    let k = split_point(hi - lo);
    if m <= lo + k {
        subproof(src, m, lo, lo + k, whole, out)?;
        out.push(range_hash(src, lo + k, hi)?);
    } else {
        subproof(src, m, lo + k, hi, false, out)?;
        out.push(range_hash(src, lo, lo + k)?);
    }
    Ok(())
}

/// The right edge of the tree: the roots of the complete subtrees that make up the
/// first `size` leaves, largest first. Appending is O(log n) and needs nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CompactRange {
    size: u64,
    peaks: Vec<Hash>,
}

impl CompactRange {
    pub fn new() -> CompactRange {
        CompactRange::default()
    }

    /// The `(level, index)` of each peak of a tree of `size` leaves, largest first:
    /// what a store reads to resume appending.
    pub fn peak_positions(size: u64) -> Vec<(u32, u64)> {
        let mut out = Vec::new();
        let mut covered = 0u64;
        for level in (0..64u32).rev() {
            if size & (1 << level) != 0 {
                out.push((level, covered >> level));
                covered += 1 << level;
            }
        }
        out
    }

    /// Rebuilds the range from stored nodes.
    pub fn load<S: NodeSource>(src: &S, size: u64) -> Result<CompactRange, S::Error> {
        let peaks = CompactRange::peak_positions(size)
            .into_iter()
            .map(|(level, index)| src.node(level, index))
            .collect::<Result<_, _>>()?;
        Ok(CompactRange { size, peaks })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one leaf hash, reporting each node it completes (the leaf itself at
    /// level 0, then every parent that became complete) so a store can persist it.
    pub fn append(&mut self, leaf: Hash, mut completed: impl FnMut(u32, u64, Hash)) {
        let mut hash = leaf;
        let mut index = self.size;
        let mut level = 0;
        completed(level, index, hash);
        while index & 1 == 1 {
            // A left sibling exists exactly when the index is odd at this level.
            let left = self.peaks.pop().expect("odd index implies a peak");
            hash = node_hash(&left, &hash);
            index >>= 1;
            level += 1;
            completed(level, index, hash);
        }
        self.peaks.push(hash);
        self.size += 1;
    }

    pub fn root(&self) -> Hash {
        let mut iter = self.peaks.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        iter.fold(*last, |acc, peak| node_hash(peak, &acc))
    }
}

/// A whole tree in memory: for verifiers, tests and fixtures.
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
    range: CompactRange,
}

impl MemoryTree {
    pub fn new() -> MemoryTree {
        MemoryTree::default()
    }

    pub fn push(&mut self, leaf: Hash) {
        let levels = &mut self.levels;
        self.range.append(leaf, |level, index, hash| {
            let level = level as usize;
            if levels.len() <= level {
                levels.push(Vec::new());
            }
            debug_assert_eq!(levels[level].len() as u64, index);
            levels[level].push(hash);
        });
    }

    pub fn size(&self) -> u64 {
        self.range.size()
    }

    pub fn root(&self) -> Hash {
        self.range.root()
    }

    pub fn root_at(&self, size: u64) -> Result<Hash, TreeError<Infallible>> {
        self.check_size(size)?;
        root_at(self, size).map_err(TreeError::Source)
    }

    pub fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> Result<Vec<Hash>, TreeError<Infallible>> {
        self.check_size(size)?;
        inclusion_proof(self, index, size)
    }

    pub fn consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> Result<Vec<Hash>, TreeError<Infallible>> {
        self.check_size(new)?;
        consistency_proof(self, old, new)
    }

    fn check_size(&self, size: u64) -> Result<(), TreeError<Infallible>> {
        if size > self.size() {
            return Err(TreeError::SizeOutOfRange {
                size,
                available: self.size(),
            });
        }
        Ok(())
    }
}

impl NodeSource for MemoryTree {
    type Error = Infallible;
    fn node(&self, level: u32, index: u64) -> Result<Hash, Infallible> {
        // Callers only ask for complete subtrees within the size they checked.
        Ok(self.levels[level as usize][index as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    /// MTH straight from the RFC definition, as the reference.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    #[test]
    fn roots_match_the_definition_at_every_size() {
        let leaves: Vec<Hash> = (0..130u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut tree = MemoryTree::new();
        assert_eq!(tree.root(), empty_root());
        for (i, leaf) in leaves.iter().enumerate() {
            tree.push(*leaf);
            assert_eq!(tree.root(), mth(&leaves[..=i]), "size {}", i + 1);
        }
        for size in 0..=130 {
            assert_eq!(tree.root_at(size).unwrap(), mth(&leaves[..size as usize]));
            let resumed = CompactRange::load(&tree, size).unwrap();
            assert_eq!(resumed.root(), mth(&leaves[..size as usize]));
        }
        assert!(tree.root_at(131).is_err());
    }

    #[test]
    fn peak_positions_cover_the_size() {
        assert_eq!(CompactRange::peak_positions(0), vec![]);
        assert_eq!(
            CompactRange::peak_positions(7),
            vec![(2, 0), (1, 2), (0, 6)]
        );
        assert_eq!(CompactRange::peak_positions(8), vec![(3, 0)]);
    }

    #[test]
    fn proof_edge_cases() {
        let mut tree = MemoryTree::new();
        for i in 0..5u8 {
            tree.push(leaf_hash(&[i]));
        }
        assert!(tree.inclusion_proof(0, 1).unwrap().is_empty());
        assert!(tree.inclusion_proof(5, 5).is_err());
        assert!(tree.consistency_proof(0, 5).unwrap().is_empty());
        assert!(tree.consistency_proof(5, 5).unwrap().is_empty());
        assert!(tree.consistency_proof(4, 3).is_err());
        assert!(tree.consistency_proof(1, 6).is_err());
    }
}
