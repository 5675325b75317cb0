//! The store contract on the embedded SQLite backend, plus what is specific to it:
//! restart, signing, refusal of altered data.

use std::sync::Arc;

use roundtable_ledger::{SignedCheckpoint, StreamName};
use roundtable_store::{EventStore, Expected, contract, keys, signer::CheckpointSigner};
use roundtable_store_sqlite::{SqliteOptions, SqliteStore};

const ORIGIN: &str = "test.example/contract";

fn open(dir: &std::path::Path) -> Arc<SqliteStore> {
    Arc::new(SqliteStore::open(dir, ORIGIN, SqliteOptions::default()).unwrap())
}

// Every contract case, each on a fresh store in its own directory.
roundtable_store::contract_tests!(async {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    (dir, store)
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_restart_and_idempotency_too() {
    let dir = tempfile::tempdir().unwrap();
    let s = StreamName::new("issue/restart").unwrap();
    let events = vec![contract::draft("issue.raised", 1)];
    let (first, head) = {
        let store = open(dir.path());
        let first = store
            .append(&s, Expected::NoStream, events.clone())
            .await
            .unwrap();
        contract::append_one(store.as_ref(), &s, 1, "issue.edited", 2).await;
        let head = store.tree_head();
        store.close().await;
        (first, head)
    };
    let store = open(dir.path());
    assert_eq!(store.tree_head(), head);
    let replay = store.append(&s, Expected::NoStream, events).await.unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.events, first.events);
    let third = contract::append_one(store.as_ref(), &s, 2, "issue.edited", 3).await;
    assert_eq!((third.events[0].seq, third.events[0].index), (3, 2));
    let stream = store.read_stream(&s, 1).await.unwrap();
    let header = roundtable_ledger::LeafHeader::from_leaf(&stream[2].leaf).unwrap();
    assert_eq!(header.prev, Some(stream[1].leaf_hash));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signer_signs_new_heads_only_and_keeps_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let key = keys::load_or_create(dir.path(), None, ORIGIN).unwrap();
    let mut signer = CheckpointSigner::resume(store.as_ref(), key.clone())
        .await
        .unwrap();
    let empty = signer
        .sign_if_new(store.as_ref())
        .await
        .unwrap()
        .expect("empty log gets a checkpoint");
    assert_eq!(empty.checkpoint.size, 0);
    assert!(signer.sign_if_new(store.as_ref()).await.unwrap().is_none());
    let s = StreamName::new("issue/sign").unwrap();
    store
        .append(
            &s,
            Expected::NoStream,
            vec![contract::draft("issue.raised", 1)],
        )
        .await
        .unwrap();
    let one = signer.sign_if_new(store.as_ref()).await.unwrap().unwrap();
    contract::append_one(store.as_ref(), &s, 1, "issue.edited", 2).await;
    let two = signer.sign_if_new(store.as_ref()).await.unwrap().unwrap();
    assert_eq!((one.checkpoint.size, two.checkpoint.size), (1, 2));
    for cp in [&empty, &one, &two] {
        let kept = store
            .checkpoint_at(cp.checkpoint.size)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept.note, cp.note);
        SignedCheckpoint::open(&kept.note, &key.verifier()).unwrap();
    }
    assert_eq!(store.checkpoint().await.unwrap().unwrap().note, two.note);

    // A signer whose last checkpoint is not a prefix of the stored tree refuses to sign.
    let forged = roundtable_ledger::Checkpoint {
        origin: ORIGIN.into(),
        size: 3,
        root: roundtable_ledger::leaf_hash(b"another history"),
    };
    store
        .store_checkpoint(forged.sign(&key).unwrap())
        .await
        .unwrap();
    contract::append_one(store.as_ref(), &s, 2, "issue.edited", 3).await;
    contract::append_one(store.as_ref(), &s, 3, "issue.edited", 4).await;
    let mut misled = CheckpointSigner::resume(store.as_ref(), key.clone())
        .await
        .unwrap();
    assert_eq!(misled.last().map(|c| c.size), Some(3));
    let refused = misled.sign_if_new(store.as_ref()).await;
    assert!(
        matches!(
            refused,
            Err(roundtable_store::signer::SignerError::Inconsistent { .. })
        ),
        "{refused:?}"
    );
    assert_eq!(
        store.checkpoint().await.unwrap().unwrap().checkpoint.size,
        3
    );
    let other = keys::generate(ORIGIN).unwrap();
    assert!(
        CheckpointSigner::resume(store.as_ref(), other)
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_altered_tree_and_foreign_origin() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(dir.path());
        let key = keys::load_or_create(dir.path(), None, ORIGIN).unwrap();
        let s = StreamName::new("issue/alter").unwrap();
        for i in 0..5u64 {
            contract::append_one(store.as_ref(), &s, i, "issue.step", i).await;
        }
        let mut signer = CheckpointSigner::resume(store.as_ref(), key).await.unwrap();
        signer.sign_if_new(store.as_ref()).await.unwrap();
        store.close().await;
    }
    assert!(SqliteStore::open(dir.path(), "other.example/log", SqliteOptions::default()).is_err());
    // The start-up check reads the tree's stored peaks (here: node (2,0) and leaf 4).
    let conn = rusqlite_conn(dir.path());
    conn.execute(
        "UPDATE events SET leaf_hash = zeroblob(32) WHERE idx = 4",
        [],
    )
    .unwrap();
    drop(conn);
    let err = SqliteStore::open(dir.path(), ORIGIN, SqliteOptions::default())
        .err()
        .expect("altered tree refused");
    assert!(err.to_string().contains("checkpoint"), "{err}");
}

fn rusqlite_conn(dir: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join(roundtable_store_sqlite::DB_FILE)).unwrap()
}

/// A copy's commits skip the fsync, so its flush must put them in the database
/// file itself: a copy of that file alone (no WAL beside it) holds every event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copys_flush_writes_every_commit_into_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteOptions {
        copy: true,
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(dir.path(), ORIGIN, options).unwrap();
    let s = StreamName::new("issue/copy").unwrap();
    contract::append_one(&store, &s, 0, "issue.raised", 1).await;
    contract::append_one(&store, &s, 1, "issue.edited", 2).await;

    let file_alone = |name: &str| {
        let to = dir.path().join(name);
        std::fs::create_dir(&to).unwrap();
        std::fs::copy(
            dir.path().join(roundtable_store_sqlite::DB_FILE),
            to.join(roundtable_store_sqlite::DB_FILE),
        )
        .unwrap();
        roundtable_store_sqlite::SqliteReader::open(&to)
            .and_then(|r| r.size())
            .ok()
    };
    assert_ne!(
        file_alone("before"),
        Some(2),
        "the commits are only in the WAL yet"
    );
    store.flush().await.unwrap();
    assert_eq!(file_alone("after"), Some(2));
    store.close().await;
}
