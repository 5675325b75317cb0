//! Key rotation as an auditor meets it: a log whose checkpoints moved from one key
//! to another through a `key.rotated` leaf, verified by someone who pinned either.

use roundtable_ledger::{
    Checkpoint, CompactRange, EventDraft, Hash, KeyRotation, NoteSigner, StreamName, Timestamp,
    leaf_hash, verify_log,
};
use serde_json::json;

const ORIGIN: &str = "roundtable.test/rotation";

fn key(seed: u8) -> NoteSigner {
    NoteSigner::from_seed(ORIGIN, [seed; 32]).unwrap()
}

/// A log under construction: leaves, per-stream chains, and the running tree.
#[derive(Default)]
struct Log {
    lines: Vec<Vec<u8>>,
    heads: std::collections::HashMap<String, (u64, Hash)>,
    range: CompactRange,
}

impl Log {
    fn push(&mut self, stream: &str, draft: EventDraft) {
        let name = StreamName::new(stream).unwrap();
        let (seq, prev) = self
            .heads
            .get(stream)
            .copied()
            .unwrap_or((0, Hash::default()));
        let leaf = draft
            .seal(ORIGIN, &name, seq + 1, (seq > 0).then_some(&prev))
            .unwrap();
        let hash = leaf_hash(leaf.as_bytes());
        self.heads.insert(stream.to_owned(), (seq + 1, hash));
        self.range.append(hash, |_, _, _| {});
        self.lines.push(leaf.into_bytes());
    }

    fn event(&mut self, n: u64) {
        self.push(
            "issue/i_1",
            EventDraft {
                id: format!("00000000-0000-4000-8000-{n:012}"),
                kind: "issue.edited".into(),
                version: 1,
                actor: json!({"id": "m_1", "role": "resident"}),
                time: Timestamp::from_unix_millis(1_700_000_000_000),
                body: json!({"n": n}),
            },
        );
    }

    fn rotate(&mut self, old: &NoteSigner, new: &NoteSigner) {
        let rotation = KeyRotation::new(ORIGIN, old.verifier(), new.verifier()).unwrap();
        self.push(
            KeyRotation::stream().as_str(),
            rotation.draft(Timestamp::from_unix_millis(1_700_000_000_000)),
        );
    }

    fn checkpoint(&self, signers: &[&NoteSigner]) -> String {
        let signers: Vec<NoteSigner> = signers.iter().map(|s| (*s).clone()).collect();
        Checkpoint {
            origin: ORIGIN.into(),
            size: self.range.size(),
            root: self.range.root(),
        }
        .sign_by_all(&signers)
        .unwrap()
        .note
    }

    fn entries(&self) -> Vec<u8> {
        self.lines
            .iter()
            .flat_map(|l| [l.as_slice(), b"\n"].concat())
            .collect()
    }
}

/// Three events; at size 3 `old` hands over to `new`; both sign the checkpoint at
/// size 5 (the overlap); then the old key is retired and `new` alone signs size 7.
fn rotated_log(old: &NoteSigner, new: &NoteSigner) -> (Log, String, String, String) {
    let mut log = Log::default();
    (0..3).for_each(|n| log.event(n));
    let before = log.checkpoint(&[old]);
    log.rotate(old, new);
    log.event(3);
    let overlap = log.checkpoint(&[old, new]);
    (4..6).for_each(|n| log.event(n));
    let after = log.checkpoint(&[new]);
    (log, before, overlap, after)
}

#[test]
fn an_auditor_who_trusts_the_new_key_verifies_the_whole_log() {
    let (old, new) = (key(1), key(2));
    let (log, _, _, after) = rotated_log(&old, &new);
    let report = verify_log(&log.entries(), &after, &[new.verifier()], None).unwrap();
    assert_eq!(report.checkpoint.size, 7);
    assert_eq!(report.rotations.len(), 1);
    assert_eq!(report.rotations[0].0, 3);
    assert_eq!(report.rotations[0].1.new, new.verifier());
}

#[test]
fn the_old_key_alone_is_refused_with_the_way_forward() {
    let (old, new) = (key(1), key(2));
    let (log, _, _, after) = rotated_log(&old, &new);
    let failure = verify_log(&log.entries(), &after, &[old.verifier()], None).unwrap_err();
    assert_eq!(failure.index, None);
    assert!(failure.reason.contains("rotates this key to"), "{failure}");
    assert!(
        failure.reason.contains(&new.verifier().to_vkey()),
        "{failure}"
    );
    assert!(failure.reason.contains("leaf 3"), "{failure}");
}

#[test]
fn the_old_key_follows_the_rotation_through_a_pinned_overlap_checkpoint() {
    let (old, new) = (key(1), key(2));
    let (log, before, overlap, after) = rotated_log(&old, &new);
    let report = verify_log(&log.entries(), &after, &[old.verifier()], Some(&overlap)).unwrap();
    assert_eq!((report.checkpoint.size, report.pinned), (7, Some(5)));
    // A pin from before the rotation does not cover it: nothing signed by the old
    // key vouches for the new one.
    let failure = verify_log(&log.entries(), &after, &[old.verifier()], Some(&before)).unwrap_err();
    assert!(failure.reason.contains("rotates this key"), "{failure}");
    // During the overlap both keys verify the checkpoint on their own.
    let first_five: Vec<u8> = log.lines[..5]
        .iter()
        .flat_map(|l| [l.as_slice(), b"\n"].concat())
        .collect();
    for k in [&old, &new] {
        let report = verify_log(&first_five, &overlap, &[k.verifier()], None).unwrap();
        assert_eq!(report.checkpoint.size, 5);
    }
}

#[test]
fn a_rotation_from_a_key_nobody_trusted_teaches_nothing() {
    let (old, new, stranger, forger) = (key(1), key(2), key(3), key(4));
    let mut log = Log::default();
    log.event(0);
    log.rotate(&stranger, &forger);
    log.event(1);
    let pin = log.checkpoint(&[&old]);
    log.event(2);
    let forged = log.checkpoint(&[&forger]);
    assert!(verify_log(&log.entries(), &forged, &[old.verifier()], Some(&pin)).is_err());
    // And a note by a stranger with no rotation at all fails plainly.
    let plain = log.checkpoint(&[&new]);
    let failure = verify_log(&log.entries(), &plain, &[old.verifier()], None).unwrap_err();
    assert_eq!(failure.reason, "no signature by a known key");
}

#[test]
fn a_malformed_or_misplaced_rotation_is_a_failing_leaf() {
    let (old, new) = (key(1), key(2));
    let mut log = Log::default();
    log.event(0);
    let mut draft = KeyRotation::new(ORIGIN, old.verifier(), new.verifier())
        .unwrap()
        .draft(Timestamp::from_unix_millis(0));
    log.push("issue/i_9", draft.clone());
    let cp = log.checkpoint(&[&old]);
    let failure = verify_log(&log.entries(), &cp, &[old.verifier()], None).unwrap_err();
    assert_eq!(failure.index, Some(1));
    assert!(failure.reason.contains("outside log/keys"), "{failure}");

    let mut log = Log::default();
    draft.body = json!({"old": old.verifier().to_vkey(), "new": "not a key"});
    log.push("log/keys", draft);
    let cp = log.checkpoint(&[&old]);
    let failure = verify_log(&log.entries(), &cp, &[old.verifier()], None).unwrap_err();
    assert_eq!(failure.index, Some(0));
    assert!(failure.reason.contains("body.new"), "{failure}");
}

#[test]
fn a_rotation_names_two_different_keys_of_this_log() {
    let (old, new) = (key(1), key(2));
    let other = NoteSigner::from_seed("other.example/log", [2; 32]).unwrap();
    assert!(KeyRotation::new(ORIGIN, old.verifier(), old.verifier()).is_err());
    assert!(KeyRotation::new(ORIGIN, old.verifier(), other.verifier()).is_err());
    let rotation = KeyRotation::new(ORIGIN, old.verifier(), new.verifier()).unwrap();
    // Every process that records this rotation makes the same event.
    let t = Timestamp::from_unix_millis(5);
    assert_eq!(rotation.draft(t).id, rotation.draft(t).id);
    assert_ne!(
        rotation.draft(t).id,
        KeyRotation::new(ORIGIN, new.verifier(), old.verifier())
            .unwrap()
            .draft(t)
            .id
    );
}
