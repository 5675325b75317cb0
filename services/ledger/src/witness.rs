//! The witness's side of c2sp.org/tlog-witness, without I/O: the `add-checkpoint`
//! request body, and the judgement of a request against the latest checkpoint the
//! witness cosigned for that log. The server persists the new state atomically
//! with the check, then cosigns; clients use [`AddCheckpoint::encode`].

use crate::checkpoint::{Checkpoint, CheckpointError, SignedCheckpoint};
use crate::hash::{Hash, empty_root};
use crate::note::{NoteError, NoteVerifier};
use crate::proof::verify_consistency;

/// The most consistency-proof lines a request may carry.
pub const MAX_PROOF_LINES: usize = 63;

/// `POST <prefix>/add-checkpoint`'s body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpoint {
    pub old: u64,
    pub proof: Vec<Hash>,
    /// The checkpoint note, verbatim, with its signatures.
    pub note: String,
}

/// Why a request is not cosigned, with the HTTP status the spec gives it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// 400: a malformed body, or an old size above the checkpoint's.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// 404: a log this witness does not witness.
    #[error("unknown log {0:?}")]
    UnknownLog(String),
    /// 403: no valid signature by the log's key, or a bad one.
    #[error("the checkpoint is not signed by the log: {0}")]
    Forbidden(String),
    /// 409: the old size is not the last size cosigned (the body of the answer).
    #[error("the last checkpoint cosigned for this log has size {0}")]
    Conflict(u64),
    /// 422: a proof that does not verify, or a fork at the same size.
    #[error("not consistent with what was cosigned: {0}")]
    Unprocessable(&'static str),
}

impl Refused {
    pub fn status(&self) -> u16 {
        match self {
            Refused::BadRequest(_) => 400,
            Refused::Forbidden(_) => 403,
            Refused::UnknownLog(_) => 404,
            Refused::Conflict(_) => 409,
            Refused::Unprocessable(_) => 422,
        }
    }
}

impl AddCheckpoint {
    pub fn encode(&self) -> String {
        let mut out = format!("old {}\n", self.old);
        for h in &self.proof {
            out.push_str(&format!("{h}\n"));
        }
        out.push('\n');
        out.push_str(&self.note);
        out
    }

    pub fn parse(body: &str) -> Result<AddCheckpoint, Refused> {
        let (head, note) = body
            .split_once("\n\n")
            .ok_or(Refused::BadRequest("no blank line before the checkpoint"))?;
        let mut lines = head.split('\n');
        let old = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .filter(|n| *n == "0" || !n.starts_with('0'))
            .and_then(|n| n.parse().ok())
            .ok_or(Refused::BadRequest("the first line must be `old <size>`"))?;
        let proof = lines
            .map(|l| l.parse::<Hash>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| Refused::BadRequest("a proof line is not a base64 hash"))?;
        if proof.len() > MAX_PROOF_LINES {
            return Err(Refused::BadRequest("more than 63 proof lines"));
        }
        Ok(AddCheckpoint {
            old,
            proof,
            note: note.to_owned(),
        })
    }
}

/// Judges a request: the log it names (`logs`: the keys this witness trusts, by
/// origin = key name), its signature, and consistency with `last`, the latest
/// checkpoint this witness cosigned for that origin (`None`: never). Returns the
/// checkpoint to record and cosign.
pub fn judge(
    request: &AddCheckpoint,
    logs: &[NoteVerifier],
    last: impl Fn(&str) -> Option<(u64, Hash)>,
) -> Result<Checkpoint, Refused> {
    let origin = request
        .note
        .split('\n')
        .next()
        .filter(|o| !o.is_empty())
        .ok_or(Refused::BadRequest("no origin line"))?;
    let keys: Vec<NoteVerifier> = logs
        .iter()
        .filter(|k| k.name() == origin)
        .cloned()
        .collect();
    if keys.is_empty() {
        return Err(Refused::UnknownLog(origin.to_owned()));
    }
    let signed = SignedCheckpoint::open_by_any(&request.note, &keys).map_err(|e| match e {
        CheckpointError::Note(NoteError::Malformed(why)) | CheckpointError::Malformed(why) => {
            Refused::BadRequest(why)
        }
        other => Refused::Forbidden(other.to_string()),
    })?;
    let new = signed.checkpoint;
    if request.old > new.size {
        return Err(Refused::BadRequest("old size above the checkpoint's"));
    }
    let (last_size, last_root) = last(origin).unwrap_or((0, empty_root()));
    if request.old != last_size {
        return Err(Refused::Conflict(last_size));
    }
    if new.size == 0 && new.root != empty_root() {
        return Err(Refused::Unprocessable(
            "an empty tree with a non-empty root",
        ));
    }
    if request.old == 0 && !request.proof.is_empty() {
        return Err(Refused::Unprocessable("a proof from the empty tree"));
    }
    verify_consistency(request.old, new.size, &last_root, &new.root, &request.proof)
        .map_err(|_| Refused::Unprocessable("the consistency proof does not verify"))?;
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use crate::note::NoteSigner;
    use crate::tree::MemoryTree;

    const ORIGIN: &str = "roundtable.example/log";

    fn log() -> NoteSigner {
        NoteSigner::from_seed(ORIGIN, [5; 32]).unwrap()
    }

    fn tree(leaves: &[&str]) -> MemoryTree {
        let mut t = MemoryTree::new();
        for l in leaves {
            t.push(leaf_hash(l.as_bytes()));
        }
        t
    }

    fn note(t: &MemoryTree, size: u64, signer: &NoteSigner) -> String {
        Checkpoint {
            origin: ORIGIN.into(),
            size,
            root: t.root_at(size).unwrap(),
        }
        .sign(signer)
        .unwrap()
        .note
    }

    fn request(t: &MemoryTree, old: u64, new: u64) -> AddCheckpoint {
        AddCheckpoint {
            old,
            proof: if old == 0 {
                vec![]
            } else {
                t.consistency_proof(old, new).unwrap()
            },
            note: note(t, new, &log()),
        }
    }

    #[test]
    fn a_consistent_checkpoint_is_accepted_from_what_was_cosigned_and_the_body_round_trips() {
        let t = tree(&["a", "b", "c", "d", "e"]);
        let keys = [log().verifier()];
        let first = request(&t, 0, 3);
        assert_eq!(AddCheckpoint::parse(&first.encode()).unwrap(), first);
        let cp = judge(&first, &keys, |_| None).unwrap();
        assert_eq!(cp.size, 3);
        let next = request(&t, 3, 5);
        assert_eq!(AddCheckpoint::parse(&next.encode()).unwrap(), next);
        let cp2 = judge(&next, &keys, |_| Some((3, cp.root))).unwrap();
        assert_eq!(cp2.size, 5);
        // The same checkpoint again is fine; a stale old size is a conflict.
        let same = request(&t, 5, 5);
        assert!(judge(&same, &keys, |_| Some((5, cp2.root))).is_ok());
        assert_eq!(
            judge(&next, &keys, |_| Some((5, cp2.root))),
            Err(Refused::Conflict(5))
        );
    }

    #[test]
    fn a_fork_is_refused_and_so_are_strangers_and_bad_bodies() {
        let honest = tree(&["a", "b", "c", "d"]);
        let fork = tree(&["a", "b", "x", "y"]);
        let keys = [log().verifier()];
        let cosigned = Some((2, honest.root_at(2).unwrap()));
        // The fork agrees up to 2 leaves: its proof from 2 verifies, but not from 3.
        let at_three = Some((3, honest.root_at(3).unwrap()));
        let forked = request(&fork, 3, 4);
        let refused = judge(&forked, &keys, |_| at_three).unwrap_err();
        assert_eq!(refused.status(), 422);
        // The same size with another root is a fork too.
        let same_size = AddCheckpoint {
            old: 4,
            proof: vec![],
            note: note(&fork, 4, &log()),
        };
        assert_eq!(
            judge(&same_size, &keys, |_| Some((4, honest.root())))
                .unwrap_err()
                .status(),
            422
        );
        assert!(judge(&request(&honest, 2, 4), &keys, |_| cosigned).is_ok());
        // Signed by someone else: 403; an unknown origin: 404.
        let impostor = NoteSigner::from_seed(ORIGIN, [6; 32]).unwrap();
        let forged = AddCheckpoint {
            note: note(&honest, 4, &impostor),
            ..request(&honest, 2, 4)
        };
        assert_eq!(
            judge(&forged, &keys, |_| cosigned).unwrap_err().status(),
            403
        );
        let other = NoteSigner::from_seed("other.example/log", [7; 32]).unwrap();
        assert_eq!(
            judge(&request(&honest, 2, 4), &[other.verifier()], |_| cosigned)
                .unwrap_err()
                .status(),
            404
        );
        // Old above new: 400; a proof from the empty tree: 422; junk: 400.
        let backwards = AddCheckpoint {
            old: 5,
            ..request(&honest, 2, 4)
        };
        assert_eq!(
            judge(&backwards, &keys, |_| cosigned).unwrap_err().status(),
            400
        );
        let proof_from_zero = AddCheckpoint {
            old: 0,
            ..request(&honest, 2, 4)
        };
        assert_eq!(
            judge(&proof_from_zero, &keys, |_| None)
                .unwrap_err()
                .status(),
            422
        );
        for junk in ["", "old 01\n\nx", "old 2\nnot-base64\n\nx", "new 2\n\nx"] {
            assert_eq!(
                AddCheckpoint::parse(junk).unwrap_err().status(),
                400,
                "{junk:?}"
            );
        }
    }
}
