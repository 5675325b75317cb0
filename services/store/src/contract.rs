//! The store contract as tests any backend runs: give each function a way to make a
//! fresh, empty store. `tests/sqlite_contract.rs` runs them on SQLite; the KurrentDB
//! backend runs the same ones.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use roundtable_ledger::{
    EventDraft, KeyRotation, Leaf, LeafHeader, MemoryTree, NoteSigner, SignedCheckpoint,
    StreamName, Timestamp, verify_consistency, verify_inclusion, verify_log,
};
use serde_json::json;

use crate::keys::SigningKeys;
use crate::signer::{CheckpointSigner, SignerError};
use crate::{Appended, EventStore, Expected, StoreError};

/// A valid event with a fresh id.
pub fn draft(kind: &str, n: u64) -> EventDraft {
    EventDraft {
        id: uuid::Uuid::new_v4().to_string(),
        kind: kind.to_owned(),
        version: 1,
        actor: json!({"id": "m_test", "role": "resident"}),
        time: Timestamp::from_unix_millis(1_790_000_000_000 + n as i64),
        body: json!({"n": n}),
    }
}

/// Appends one valid event to a stream of which the writer has seen `seen` events.
pub async fn append_one<S: EventStore>(
    store: &S,
    stream: &StreamName,
    seen: u64,
    kind: &str,
    n: u64,
) -> Appended {
    store
        .append(stream, Expected::at(seen), vec![draft(kind, n)])
        .await
        .expect("append")
}

fn stream(name: &str) -> StreamName {
    StreamName::new(name).expect("test stream names are valid")
}

/// Starts `writers` concurrent appends of one event each to `s`, all expecting
/// `expected`; returns how many succeeded, checking that the rest got `Conflict`.
async fn race<S: EventStore>(
    store: &Arc<S>,
    s: &StreamName,
    expected: Expected,
    writers: u64,
) -> usize {
    let tasks: Vec<_> = (0..writers)
        .map(|i| {
            let store = store.clone();
            let s = s.clone();
            tokio::spawn(async move {
                store
                    .append(&s, expected, vec![draft("contract.raced", i)])
                    .await
            })
        })
        .collect();
    // Losers find the stream one past where they expected it.
    let winner_seq = match expected {
        Expected::Exact(n) => n + 1,
        _ => 1,
    };
    let mut wins = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => wins += 1,
            Err(StoreError::Conflict { actual, .. }) => assert_eq!(actual, winner_seq),
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    wins
}

/// Of many writers racing to create one stream, exactly one wins; the rest get
/// `Conflict` and write nothing.
pub async fn conflicting_writers_one_wins<S: EventStore>(store: Arc<S>) {
    let s = stream("contract/race");
    assert_eq!(race(&store, &s, Expected::NoStream, 16).await, 1);
    assert_eq!(store.read_stream(&s, 1).await.unwrap().len(), 1);
    assert_eq!(store.tree_head().size, 1);

    // Exact expectations race the same way.
    assert_eq!(race(&store, &s, Expected::Exact(1), 8).await, 1);
    assert_eq!(store.read_stream(&s, 1).await.unwrap().len(), 2);
}

/// A retried append (same event ids) returns the original result and writes nothing.
pub async fn idempotent_retries<S: EventStore>(store: Arc<S>) {
    let s = stream("contract/retry");
    let events = vec![draft("contract.one", 1), draft("contract.two", 2)];
    let first = store
        .append(&s, Expected::NoStream, events.clone())
        .await
        .unwrap();
    assert!(!first.replayed);
    let again = store
        .append(&s, Expected::NoStream, events.clone())
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.events, first.events);
    let any = store
        .append(&s, Expected::Any, events.clone())
        .await
        .unwrap();
    assert_eq!(any.events, first.events);
    assert_eq!(store.tree_head().size, 2);

    let third = store
        .append(&s, Expected::Exact(2), vec![draft("contract.three", 3)])
        .await
        .unwrap();
    // Different ids at a stale position: a real conflict.
    let stale = store
        .append(&s, Expected::Exact(2), vec![draft("contract.three", 3)])
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { actual: 3, .. })),
        "{stale:?}"
    );
    assert_eq!(store.read_stream(&s, 1).await.unwrap().len(), 3);
    assert_eq!(third.events[0].seq, 3);

    // Invalid input is refused whole.
    let mut bad = draft("contract.bad", 4);
    bad.body = json!({"f": 1.5});
    let refused = store
        .append(&s, Expected::Exact(3), vec![draft("contract.ok", 4), bad])
        .await;
    assert!(
        matches!(refused, Err(StoreError::InvalidEvent(_))),
        "{refused:?}"
    );
    let mut bad_id = draft("contract.bad", 5);
    bad_id.id = "not-a-uuid".into();
    assert!(
        store
            .append(&s, Expected::Exact(3), vec![bad_id])
            .await
            .is_err()
    );
    assert!(matches!(
        store.append(&s, Expected::Exact(3), vec![]).await,
        Err(StoreError::EmptyAppend)
    ));
    assert_eq!(store.tree_head().size, 3);
}

/// Concurrent writers on many streams: indexes are 0..n with no gap, each stream's
/// seq/prev chain is intact, and the tree head is the root of exactly those leaves.
pub async fn ordered_without_gaps<S: EventStore>(store: Arc<S>) {
    let writers = 16u64;
    let per_writer = 40u64;
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let s = stream(&format!("contract/w{w}"));
                for i in 0..per_writer {
                    let expected = Expected::at(i);
                    store
                        .append(&s, expected, vec![draft("contract.step", i)])
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("writer");
    }
    let all = store.read_all(0, usize::MAX).await.unwrap();
    assert_eq!(all.len() as u64, writers * per_writer);
    let mut tree = MemoryTree::new();
    let mut heads: HashMap<StreamName, (u64, roundtable_ledger::Hash)> = HashMap::new();
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e.index, i as u64);
        let leaf = Leaf::parse(e.leaf.as_bytes().to_vec()).expect("stored leaves are canonical");
        assert_eq!(leaf.hash(), e.leaf_hash);
        let header = LeafHeader::from_leaf(&leaf).unwrap();
        assert_eq!(
            (header.stream.clone(), header.seq),
            (e.stream.clone(), e.seq)
        );
        assert_eq!(header.log, store.origin());
        let prev = heads.get(&header.stream);
        assert_eq!(header.seq, prev.map_or(1, |p| p.0 + 1));
        assert_eq!(header.prev, prev.map(|p| p.1));
        heads.insert(header.stream, (header.seq, e.leaf_hash));
        tree.push(e.leaf_hash);
    }
    assert_eq!(store.tree_head().root, tree.root());
    // Reading in pages gives the same sequence.
    let page = store.read_all(100, 50).await.unwrap();
    assert_eq!(page.first().map(|e| e.index), Some(100));
    assert_eq!(page.len(), 50);
}

/// A subscription started while writers are busy sees every event from its start
/// index exactly once, in order, across the catch-up/live handover.
pub async fn subscription_handover<S: EventStore>(store: Arc<S>) {
    let s = stream("contract/sub");
    for i in 0..100 {
        let expected = Expected::at(i);
        store
            .append(&s, expected, vec![draft("contract.before", i)])
            .await
            .unwrap();
    }
    let mut sub = store.subscribe_all(40);
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for w in 0..4 {
                let s = stream(&format!("contract/live{w}"));
                for i in 0..50 {
                    let expected = Expected::at(i);
                    store
                        .append(&s, expected, vec![draft("contract.live", i)])
                        .await
                        .unwrap();
                }
            }
        })
    };
    let mut seen = Vec::new();
    while seen.len() < 260 {
        let event = tokio::time::timeout(std::time::Duration::from_secs(20), sub.next())
            .await
            .expect("subscription stalled")
            .expect("subscription ended")
            .expect("subscription error");
        seen.push(event.index);
    }
    writer.await.unwrap();
    let expected: Vec<u64> = (40..300).collect();
    assert_eq!(seen, expected);
    let unique: HashSet<u64> = seen.into_iter().collect();
    assert_eq!(unique.len(), 260);
}

/// What was acknowledged can be read back at once, and proven.
pub async fn read_after_append<S: EventStore>(store: Arc<S>) {
    let s = stream("contract/read");
    let mut old = None;
    for i in 0..30u64 {
        let expected = Expected::at(i);
        let appended = store
            .append(&s, expected, vec![draft("contract.read", i)])
            .await
            .unwrap();
        let e = &appended.events[0];
        let back = store.read_stream(&s, e.seq).await.unwrap();
        assert_eq!(
            back.first().map(|r| (r.index, r.leaf_hash)),
            Some((e.index, e.leaf_hash))
        );
        let head = store.tree_head();
        assert!(head.size > e.index);
        let proof = store.inclusion_proof(e.index, head.size).await.unwrap();
        verify_inclusion(e.index, head.size, &e.leaf_hash, &proof, &head.root).unwrap();
        if let Some((size, root)) = old {
            let proof = store.consistency_proof(size, head.size).await.unwrap();
            verify_consistency(size, head.size, &root, &head.root, &proof).unwrap();
            assert_eq!(store.root_at(size).await.unwrap(), root);
        }
        old = Some((head.size, head.root));
    }
    assert!(store.inclusion_proof(30, 30).await.is_err());
    assert!(store.consistency_proof(5, 31).await.is_err());
    assert!(
        store
            .read_stream(&stream("contract/none"), 1)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A key rotation: both keys sign while it lasts; `key.rotated` is recorded once (a
/// second recording, by another process or after a restart, is a replay); the new
/// key alone takes over; a key that never signed is refused; and an auditor who
/// pinned the old key follows the rotation through a checkpoint of the overlap.
pub async fn key_rotation<S: EventStore>(store: Arc<S>) {
    let origin = store.origin().to_owned();
    let key = |seed| NoteSigner::from_seed(&origin, [seed; 32]).unwrap();
    let (old, new, stranger) = (key(1), key(2), key(3));
    let s = stream("contract/rotation");
    append_one(store.as_ref(), &s, 0, "contract.rotation", 0).await;
    let mut first = CheckpointSigner::resume(store.as_ref(), old.clone())
        .await
        .unwrap();
    let before = first.sign_if_new(store.as_ref()).await.unwrap().unwrap();

    let keys = SigningKeys::rotating(old.clone(), new.clone()).unwrap();
    let mut overlap = CheckpointSigner::resume(store.as_ref(), keys)
        .await
        .unwrap();
    let now = Timestamp::from_unix_millis(1_700_000_000_000);
    assert!(overlap.record_rotation(store.as_ref(), now).await.unwrap());
    let again = Timestamp::from_unix_millis(1_700_000_999_000);
    assert!(
        !overlap
            .record_rotation(store.as_ref(), again)
            .await
            .unwrap()
    );
    let both = overlap.sign_if_new(store.as_ref()).await.unwrap().unwrap();
    assert_eq!(both.checkpoint.size, before.checkpoint.size + 1);
    for k in [&old, &new] {
        SignedCheckpoint::open(&both.note, &k.verifier()).unwrap();
    }
    let recorded = store.read_stream(&KeyRotation::stream(), 1).await.unwrap();
    assert_eq!(recorded.len(), 1, "recorded once");
    let rotation = KeyRotation::from_leaf(&origin, recorded[0].leaf.as_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(
        (rotation.old, rotation.new),
        (old.verifier(), new.verifier())
    );

    append_one(store.as_ref(), &s, 1, "contract.rotation", 1).await;
    let mut retired = CheckpointSigner::resume(store.as_ref(), new.clone())
        .await
        .unwrap();
    let after = retired.sign_if_new(store.as_ref()).await.unwrap().unwrap();
    assert!(SignedCheckpoint::open(&after.note, &old.verifier()).is_err());
    assert!(matches!(
        CheckpointSigner::resume(store.as_ref(), stranger).await,
        Err(SignerError::ForeignCheckpoint(_))
    ));

    let size = after.checkpoint.size;
    let entries: Vec<u8> = store
        .read_all(0, size as usize)
        .await
        .unwrap()
        .iter()
        .flat_map(|r| [r.leaf.as_bytes(), b"\n"].concat())
        .collect();
    let pinned_old = [old.verifier()];
    assert!(verify_log(&entries, &after.note, &pinned_old, None).is_err());
    let report = verify_log(&entries, &after.note, &pinned_old, Some(&both.note)).unwrap();
    assert_eq!(report.rotations.len(), 1);
    verify_log(&entries, &after.note, &[new.verifier()], None).unwrap();
}

/// One `#[tokio::test]` per contract case, for a backend's test file. `$fresh` is an
/// async block yielding `(alive, store)`: a fresh, empty store and whatever must
/// live as long as it (its directory, its server). A case added here runs on every
/// backend.
#[macro_export]
macro_rules! contract_tests {
    ($fresh:expr) => {
        $crate::contract_tests!(@cases $fresh;
            conflicting_writers_one_wins,
            idempotent_retries,
            ordered_without_gaps,
            subscription_handover,
            read_after_append,
            key_rotation
        );
    };
    (@cases $fresh:expr; $($name:ident),*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let (_alive, store) = $fresh.await;
            $crate::contract::$name(store).await;
        }
    )*};
}
