//! C2SP tlog-checkpoint bodies (origin, size, root) and their signed form.

use crate::hash::Hash;
use crate::note::{NoteError, NoteSigner, NoteVerifier, open_note, sign_note};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("checkpoint body is malformed: {0}")]
    Malformed(&'static str),
    #[error("checkpoint origin {found:?} is not the log's origin {expected:?}")]
    WrongOrigin { expected: String, found: String },
}

/// What a checkpoint commits to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The three-line body that gets signed.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, self.root)
    }

    /// Parses a body; extension lines after the root are allowed and ignored.
    pub fn parse_body(text: &str) -> Result<Checkpoint, CheckpointError> {
        let mut lines = text.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty() && !o.contains([' ', '+']));
        let size = lines.next();
        let root = lines.next();
        let (Some(origin), Some(size), Some(root)) = (origin, size, root) else {
            return Err(CheckpointError::Malformed(
                "want origin, size and root lines",
            ));
        };
        let canonical_decimal = !size.is_empty()
            && size.bytes().all(|b| b.is_ascii_digit())
            && (size == "0" || !size.starts_with('0'));
        let size: u64 = size
            .parse()
            .ok()
            .filter(|_| canonical_decimal)
            .ok_or(CheckpointError::Malformed("size is not a decimal number"))?;
        let root: Hash = root
            .parse()
            .map_err(|_| CheckpointError::Malformed("root is not a base64 hash"))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// Signs the body; the key name must be the origin.
    pub fn sign(&self, signer: &NoteSigner) -> Result<SignedCheckpoint, CheckpointError> {
        self.sign_by_all(std::slice::from_ref(signer))
    }

    /// Signs the body with every key (during a key rotation, the old and the new);
    /// every key's name must be the origin.
    pub fn sign_by_all(&self, signers: &[NoteSigner]) -> Result<SignedCheckpoint, CheckpointError> {
        if let Some(other) = signers.iter().find(|s| s.name() != self.origin) {
            return Err(CheckpointError::WrongOrigin {
                expected: self.origin.clone(),
                found: other.name().to_owned(),
            });
        }
        Ok(SignedCheckpoint {
            checkpoint: self.clone(),
            note: sign_note(&self.body(), signers)?,
        })
    }
}

/// A checkpoint with the note that signs it, kept verbatim (cosignatures included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    pub note: String,
}

impl SignedCheckpoint {
    /// Opens a signed checkpoint with the log's key: signature, body, and origin equal
    /// to the key name.
    pub fn open(note: &str, log_key: &NoteVerifier) -> Result<SignedCheckpoint, CheckpointError> {
        SignedCheckpoint::open_by_any(note, std::slice::from_ref(log_key))
    }

    /// Opens a signed checkpoint that at least one of the log's keys signed (a
    /// verifier that trusts the old and the new key across a rotation); the origin
    /// must be the name of a key that verified.
    pub fn open_by_any(
        note: &str,
        log_keys: &[NoteVerifier],
    ) -> Result<SignedCheckpoint, CheckpointError> {
        let opened = open_note(note, log_keys)?;
        let checkpoint = Checkpoint::parse_body(&opened.text)?;
        if !opened.verified_by.contains(&checkpoint.origin) {
            return Err(CheckpointError::WrongOrigin {
                expected: opened.verified_by.join(", "),
                found: checkpoint.origin,
            });
        }
        Ok(SignedCheckpoint {
            checkpoint,
            note: note.to_owned(),
        })
    }

    /// Reads the checkpoint of a note without checking its signatures: for notes a
    /// store kept or a signer published, whose signatures were checked (or made)
    /// when they were written. Auditors use [`SignedCheckpoint::open`].
    pub fn from_kept_note(note: String) -> Result<SignedCheckpoint, CheckpointError> {
        let (body, _) = note
            .split_once("\n\n")
            .ok_or(CheckpointError::Malformed("the note has no signature"))?;
        let checkpoint = Checkpoint::parse_body(&format!("{body}\n"))?;
        Ok(SignedCheckpoint { checkpoint, note })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::empty_root;

    #[test]
    fn sign_open_and_reject_edits() {
        let signer = NoteSigner::from_seed("log.example/x", [3; 32]).unwrap();
        let cp = Checkpoint {
            origin: "log.example/x".into(),
            size: 10,
            root: empty_root(),
        };
        let signed = cp.sign(&signer).unwrap();
        let opened = SignedCheckpoint::open(&signed.note, &signer.verifier()).unwrap();
        assert_eq!(opened.checkpoint, cp);
        let edited = signed.note.replacen("\n10\n", "\n11\n", 1);
        assert!(SignedCheckpoint::open(&edited, &signer.verifier()).is_err());
        let other = NoteSigner::from_seed("log.example/x", [4; 32]).unwrap();
        assert!(SignedCheckpoint::open(&signed.note, &other.verifier()).is_err());
        let wrong = NoteSigner::from_seed("log.example/y", [3; 32]).unwrap();
        assert!(cp.sign(&wrong).is_err());
    }

    #[test]
    fn body_parsing_is_strict() {
        let root = empty_root();
        assert!(Checkpoint::parse_body(&format!("o\n0\n{root}\n")).is_ok());
        assert!(Checkpoint::parse_body(&format!("o\n5\n{root}\next\n")).is_ok());
        for bad in [
            format!("o\n05\n{root}\n"),
            format!("o\n-5\n{root}\n"),
            format!("o\n\n{root}\n"),
            "o\n5\nnothash\n".to_string(),
            format!("o x\n5\n{root}\n"),
            "o\n5\n".to_string(),
        ] {
            assert!(Checkpoint::parse_body(&bad).is_err(), "{bad:?}");
        }
    }
}
