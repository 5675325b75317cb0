//! `verify_log` refuses a log in which two leaves carry the same event id, even
//! when every chain and the root are right (a retry written twice, or a replayed
//! co-signature recorded in another stream).

use roundtable_ledger::{
    Checkpoint, CompactRange, EventDraft, Hash, NoteSigner, StreamName, Timestamp, leaf_hash,
    verify_log,
};
use serde_json::json;

const ORIGIN: &str = "roundtable.test/ids";

fn draft(id: &str, n: u64) -> EventDraft {
    EventDraft {
        id: id.to_owned(),
        kind: "issue.cosigned".into(),
        version: 1,
        actor: json!({"id": "m_1", "role": "resident"}),
        time: Timestamp::from_unix_millis(1_700_000_000_000),
        body: json!({"n": n}),
    }
}

/// Seals `events` (stream, id) in order with correct chains; the entries and a
/// checkpoint over all of them.
fn log(events: &[(&str, &str)]) -> (Vec<u8>, String, NoteSigner) {
    let key = NoteSigner::from_seed(ORIGIN, [9; 32]).unwrap();
    let mut heads = std::collections::HashMap::<String, (u64, Hash)>::new();
    let mut range = CompactRange::new();
    let mut entries = Vec::new();
    for (n, (stream, id)) in events.iter().enumerate() {
        let name = StreamName::new(*stream).unwrap();
        let (seq, prev) = heads.get(*stream).copied().unwrap_or((0, Hash::default()));
        let leaf = draft(id, n as u64)
            .seal(ORIGIN, &name, seq + 1, (seq > 0).then_some(&prev))
            .unwrap();
        let hash = leaf_hash(leaf.as_bytes());
        heads.insert((*stream).to_owned(), (seq + 1, hash));
        range.append(hash, |_, _, _| {});
        entries.extend_from_slice(leaf.as_bytes());
        entries.push(b'\n');
    }
    let note = Checkpoint {
        origin: ORIGIN.into(),
        size: range.size(),
        root: range.root(),
    }
    .sign_by_all(std::slice::from_ref(&key))
    .unwrap()
    .note;
    (entries, note, key)
}

const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";
const C: &str = "00000000-0000-4000-8000-00000000000c";

#[test]
fn distinct_ids_verify() {
    let (entries, note, key) = log(&[("issue/i_1", A), ("issue/i_2", B), ("issue/i_1", C)]);
    verify_log(&entries, &note, &[key.verifier()], None).unwrap();
}

#[test]
fn an_id_used_again_in_the_same_stream_is_named_with_both_leaves() {
    let (entries, note, key) = log(&[("issue/i_1", A), ("issue/i_2", B), ("issue/i_1", A)]);
    let failure = verify_log(&entries, &note, &[key.verifier()], None).unwrap_err();
    assert_eq!(failure.index, Some(2));
    assert!(
        failure.reason.contains(A) && failure.reason.contains("leaf 0"),
        "{failure}"
    );
}

#[test]
fn an_id_used_again_in_another_stream_is_refused() {
    let (entries, note, key) = log(&[("issue/i_1", A), ("issue/i_2", B), ("issue/i_3", B)]);
    let failure = verify_log(&entries, &note, &[key.verifier()], None).unwrap_err();
    assert_eq!(failure.index, Some(2));
    assert!(failure.reason.contains("leaf 1"), "{failure}");
}
