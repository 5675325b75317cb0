//! Offline receipts in the C2SP `tlog-proof@v1` format: an index, the inclusion proof
//! and the signed checkpoint it leads to. A resident keeps one per co-signature or
//! ballot and can verify it years later without asking us.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::checkpoint::{CheckpointError, SignedCheckpoint};
use crate::hash::{Hash, leaf_hash};
use crate::note::NoteVerifier;
use crate::proof::{ProofError, verify_inclusion};

const HEADER: &str = "c2sp.org/tlog-proof@v1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("malformed receipt: {0}")]
    Malformed(&'static str),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error("inclusion proof: {0}")]
    Proof(#[from] ProofError),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Opaque application data; not authenticated by the format.
    pub extra: Option<Vec<u8>>,
    pub index: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, verbatim.
    pub checkpoint: String,
}

impl Receipt {
    pub fn to_text(&self) -> String {
        let mut s = format!("{HEADER}\n");
        if let Some(extra) = &self.extra {
            s.push_str(&format!("extra {}\n", STANDARD.encode(extra)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.proof {
            s.push_str(&format!("{h}\n"));
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    pub fn parse(text: &str) -> Result<Receipt, ReceiptError> {
        let (head, checkpoint) = text.split_once("\n\n").ok_or(ReceiptError::Malformed(
            "no blank line before the checkpoint",
        ))?;
        let mut lines = head.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(ReceiptError::Malformed(
                "first line is not c2sp.org/tlog-proof@v1",
            ));
        }
        let mut line = lines.next();
        let mut extra = None;
        if let Some(b64) = line.and_then(|l| l.strip_prefix("extra ")) {
            extra = Some(
                STANDARD
                    .decode(b64)
                    .map_err(|_| ReceiptError::Malformed("extra is not base64"))?,
            );
            line = lines.next();
        }
        let index = line
            .and_then(|l| l.strip_prefix("index "))
            .filter(|n| {
                !n.is_empty()
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && (*n == "0" || !n.starts_with('0'))
            })
            .and_then(|n| n.parse().ok())
            .ok_or(ReceiptError::Malformed("no index line"))?;
        let proof = lines
            .map(|l| l.parse::<Hash>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ReceiptError::Malformed("proof line is not a base64 hash"))?;
        Ok(Receipt {
            extra,
            index,
            proof,
            checkpoint: checkpoint.to_owned(),
        })
    }

    /// Verifies that `leaf` (the exact bytes) is in the log signed by `log_key`.
    pub fn verify(
        &self,
        leaf: &[u8],
        log_key: &NoteVerifier,
    ) -> Result<SignedCheckpoint, ReceiptError> {
        let signed = SignedCheckpoint::open(&self.checkpoint, log_key)?;
        let cp = &signed.checkpoint;
        verify_inclusion(self.index, cp.size, &leaf_hash(leaf), &self.proof, &cp.root)?;
        Ok(signed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Checkpoint;
    use crate::note::NoteSigner;
    use crate::tree::MemoryTree;

    #[test]
    fn receipt_round_trip_and_tamper() {
        let signer = NoteSigner::from_seed("log.example/r", [9; 32]).unwrap();
        let leaves: Vec<Vec<u8>> = (0..7u8)
            .map(|i| format!("{{\"n\":{i}}}").into_bytes())
            .collect();
        let mut tree = MemoryTree::new();
        leaves.iter().for_each(|l| tree.push(leaf_hash(l)));
        let cp = Checkpoint {
            origin: "log.example/r".into(),
            size: 7,
            root: tree.root(),
        };
        let note = cp.sign(&signer).unwrap().note;
        let receipt = Receipt {
            extra: Some(b"ballot".to_vec()),
            index: 3,
            proof: tree.inclusion_proof(3, 7).unwrap(),
            checkpoint: note,
        };
        let text = receipt.to_text();
        assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra YmFsbG90\nindex 3\n"));
        let parsed = Receipt::parse(&text).unwrap();
        assert_eq!(parsed, receipt);
        parsed.verify(&leaves[3], &signer.verifier()).unwrap();
        assert!(parsed.verify(&leaves[2], &signer.verifier()).is_err());
        let moved = Receipt::parse(&text.replace("index 3", "index 4")).unwrap();
        assert!(moved.verify(&leaves[3], &signer.verifier()).is_err());
        assert!(Receipt::parse(&text.replace("index 3", "index 03")).is_err());
        let other = NoteSigner::from_seed("log.example/r", [8; 32]).unwrap();
        assert!(parsed.verify(&leaves[3], &other.verifier()).is_err());
    }
}
