//! The JSON the `/log/*` routes answer with (docs/ARCHITECTURE.md, "The record"),
//! written by `roundtable-api` and read by `roundtable audit`.

use roundtable_ledger::Hash;
use serde::{Deserialize, Serialize};

/// Most leaves one `/log/entries?start=&end=` request returns.
pub const MAX_ENTRIES_PER_REQUEST: u64 = 1000;

/// `/log/proof/inclusion`: the audit path of one leaf in a tree of `tree_size`.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct InclusionProof {
    pub index: u64,
    pub tree_size: u64,
    pub leaf_hash: Hash,
    pub inclusion: Vec<Hash>,
}

/// `/log/proof/consistency`: that the tree of `tree_size` extends the one of `old_size`.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub tree_size: u64,
    pub consistency: Vec<Hash>,
}

/// `/log/rotations`: where the log records a key rotation, the `key.rotated`
/// leaves' indexes with their keys. A hint for verifiers (the browser follows a
/// rotation from the key it trusts): each one fetches the leaf and proves it under
/// a checkpoint it trusts.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct RotationAt {
    pub index: u64,
    pub old: String,
    pub new: String,
}
