//! The store contract on the KurrentDB backend, over a real gRPC connection made by
//! the official client: to the in-process test server by default, or to a real
//! KurrentDB when `KURRENTDB_URL` is set (each test then uses a namespace of its
//! own). Plus what is specific to the backend: the fold, the checkpoint stream,
//! the signer lease.

use std::sync::Arc;
use std::time::Duration;

use roundtable_kurrentdb_testserver::{ServerOptions, TestServer, TestTarget, TestTls};
use roundtable_ledger::{Checkpoint, LeafHeader, StreamName};
use roundtable_store::signer::CheckpointSigner;
use roundtable_store::{EventStore, Expected, StoreError, contract, keys};
use roundtable_store_kurrentdb::lease::{self, LeaseOptions};
use roundtable_store_kurrentdb::{KurrentDbConfig, KurrentDbStore};
use tokio::sync::watch;

const ORIGIN: &str = "test.example/contract";

/// The tests' KurrentDB (see `TestTarget`), and stores (processes) on it.
struct Target(TestTarget);

impl Target {
    async fn new() -> Target {
        Target(TestTarget::new().await)
    }

    fn url(&self) -> &str {
        self.0.url()
    }

    /// A store (one process's view) with its own local copy.
    async fn store(&self, dir: &std::path::Path) -> Arc<KurrentDbStore> {
        let config = KurrentDbConfig::parse(self.url()).unwrap();
        let store = KurrentDbStore::open(&config, dir, ORIGIN).await.unwrap();
        store.caught_up().await.unwrap();
        Arc::new(store)
    }
}

// Every contract case, each on a fresh namespace with a fresh local copy.
roundtable_store::contract_tests!(async {
    let target = Target::new().await;
    let dir = tempfile::tempdir().unwrap();
    let store = target.store(dir.path()).await;
    ((target, dir), store)
});

#[tokio::test]
async fn says_which_server_it_ran_against() {
    let target = Target::new().await;
    eprintln!("KurrentDB contract: ran against {}", target.0.describe());
}

fn stream(name: &str) -> StreamName {
    StreamName::new(name).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_process_folds_the_same_tree() {
    let target = Target::new().await;
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = target.store(a_dir.path()).await;
    let b = target.store(b_dir.path()).await;
    // Both write, concurrently, to shared and separate streams.
    let mut writers = Vec::new();
    for (w, store) in [a.clone(), b.clone(), a.clone(), b.clone()]
        .into_iter()
        .enumerate()
    {
        writers.push(tokio::spawn(async move {
            for i in 0..15u64 {
                let s = stream(&format!("issue/w{}", (w as u64 + i) % 3));
                let draft = contract::draft("issue.step", w as u64 * 100 + i);
                store.append(&s, Expected::Any, vec![draft]).await.unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    a.caught_up().await.unwrap();
    b.caught_up().await.unwrap();
    assert_eq!(a.tree_head().size, 60);
    assert_eq!(a.tree_head(), b.tree_head());
    let (ea, eb) = (
        a.read_all(0, 100).await.unwrap(),
        b.read_all(0, 100).await.unwrap(),
    );
    assert_eq!(ea, eb);
    assert_eq!(
        a.inclusion_proof(17, 60).await.unwrap(),
        b.inclusion_proof(17, 60).await.unwrap()
    );
    // A third process starting late folds the same tree from the beginning.
    let c_dir = tempfile::tempdir().unwrap();
    let c = target.store(c_dir.path()).await;
    assert_eq!(c.tree_head(), a.tree_head());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_copy_resumes_where_it_stopped() {
    let target = Target::new().await;
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let s = stream("issue/resume");
    let before = {
        let a = target.store(a_dir.path()).await;
        for i in 0..5 {
            contract::append_one(a.as_ref(), &s, i, "issue.step", i).await;
        }
        let head = a.tree_head();
        a.close().await;
        head
    };
    let b = target.store(b_dir.path()).await;
    for i in 5..8 {
        contract::append_one(b.as_ref(), &s, i, "issue.step", i).await;
    }
    // Reopened, the copy has what it had (nothing refolded) and then catches up.
    let config = KurrentDbConfig::parse(target.url()).unwrap();
    let a = KurrentDbStore::open(&config, a_dir.path(), ORIGIN)
        .await
        .unwrap();
    assert!(a.tree_head().size >= before.size);
    a.caught_up().await.unwrap();
    assert_eq!(a.tree_head(), b.tree_head());
    assert_eq!(a.tree_head().size, 8);
    assert_eq!(a.read_stream(&s, 1).await.unwrap().len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_data_is_the_leaf() {
    let target = Target::new().await;
    let dir = tempfile::tempdir().unwrap();
    let store = target.store(dir.path()).await;
    let s = stream("issue/raw");
    contract::append_one(store.as_ref(), &s, 0, "issue.raised", 1).await;
    let ours = store.read_stream(&s, 1).await.unwrap().remove(0);
    let name = store.namespace().stream(&s);
    let mut read = store
        .client()
        .read_stream(name.as_str(), &Default::default())
        .await
        .unwrap();
    let event = read.next().await.unwrap().unwrap();
    let event = event.get_original_event();
    let header = LeafHeader::from_leaf(&ours.leaf).unwrap();
    assert_eq!(&event.data[..], ours.leaf.as_bytes());
    assert_eq!(event.id.to_string(), header.id);
    assert_eq!(event.event_type, "issue.raised");
    assert!(event.is_json);
    assert_eq!(event.revision, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_go_through_the_cluster_and_never_diverge() {
    let target = Target::new().await;
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = target.store(a_dir.path()).await;
    let b = target.store(b_dir.path()).await;
    let key = keys::generate(ORIGIN).unwrap();
    let s = stream("issue/cp");
    contract::append_one(a.as_ref(), &s, 0, "issue.step", 0).await;
    let mut signer_a = CheckpointSigner::resume(a.as_ref(), key.clone())
        .await
        .unwrap();
    let one = signer_a.sign_if_new(a.as_ref()).await.unwrap().unwrap();
    assert_eq!(one.checkpoint.size, 1);
    // The other process serves it once its copy has folded it.
    b.caught_up().await.unwrap();
    assert_eq!(b.checkpoint().await.unwrap().unwrap().note, one.note);
    assert_eq!(b.checkpoint_at(1).await.unwrap().unwrap().note, one.note);

    // A hand-over: the new signer resumes from what the cluster published.
    contract::append_one(b.as_ref(), &s, 1, "issue.step", 1).await;
    let mut signer_b = CheckpointSigner::resume(b.as_ref(), key.clone())
        .await
        .unwrap();
    let two = signer_b.sign_if_new(b.as_ref()).await.unwrap().unwrap();
    assert_eq!(two.checkpoint.size, 2);
    a.caught_up().await.unwrap();
    assert_eq!(a.checkpoint().await.unwrap().unwrap().note, two.note);

    // A checkpoint that does not extend the published one is refused, and so is a
    // stale signer that lost the race: the cluster's checkpoint stream is one line.
    let forged = Checkpoint {
        origin: ORIGIN.into(),
        size: 2,
        root: roundtable_ledger::leaf_hash(b"another history"),
    };
    let refused = a.store_checkpoint(forged.sign(&key).unwrap()).await;
    assert!(
        matches!(refused, Err(StoreError::Corrupt(_))),
        "{refused:?}"
    );
    assert_eq!(b.checkpoint().await.unwrap().unwrap().note, two.note);

    // Two signers racing on the same head: both sign the same size and root, one
    // appends, the other's is the same checkpoint (nothing new is published).
    contract::append_one(a.as_ref(), &s, 2, "issue.step", 2).await;
    b.caught_up().await.unwrap();
    let (ra, rb) = tokio::join!(
        signer_a.sign_if_new(a.as_ref()),
        signer_b.sign_if_new(b.as_ref())
    );
    let signed: Vec<_> = [ra, rb]
        .into_iter()
        .filter_map(|r| r.ok().flatten())
        .collect();
    assert!(!signed.is_empty());
    assert!(signed.iter().all(|cp| cp.checkpoint.size == 3));
    a.caught_up().await.unwrap();
    assert_eq!(a.checkpoint().await.unwrap().unwrap().checkpoint.size, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_process_holds_the_signer_lease_at_a_time() {
    let target = Target::new().await;
    let config = KurrentDbConfig::parse(target.url()).unwrap();
    let lease_stream = config.namespace.signer();
    let client = kurrentdb::Client::new(config.settings.clone()).unwrap();
    let ttl = Duration::from_millis(900);
    let start = |holder: &str| {
        let (leading_tx, leading) = watch::channel(false);
        let (stop, stopped) = watch::channel(false);
        let options = LeaseOptions {
            ttl,
            holder: holder.into(),
        };
        let task = tokio::spawn(lease::run(
            client.clone(),
            lease_stream.clone(),
            options,
            leading_tx,
            stopped,
        ));
        (leading, stop, task)
    };
    let (mut a, stop_a, task_a) = start("a");
    a.wait_for(|l| *l).await.unwrap();
    let (mut b, stop_b, task_b) = start("b");
    tokio::time::sleep(ttl * 2).await;
    assert!(*a.borrow() && !*b.borrow(), "only the first holds it");

    // A graceful stop hands it over at once.
    stop_a.send(true).unwrap();
    task_a.await.unwrap();
    tokio::time::timeout(ttl, b.wait_for(|l| *l))
        .await
        .unwrap()
        .unwrap();

    // A holder that dies (no hand-back) is replaced once its lease runs out.
    let (mut c, _stop_c, task_c) = start("c");
    task_b.abort();
    drop(stop_b);
    tokio::time::timeout(ttl * 3, c.wait_for(|l| *l))
        .await
        .unwrap()
        .unwrap();
    task_c.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_contradicts_the_record_stops_the_copy() {
    let target = Target::new().await;
    let dir = tempfile::tempdir().unwrap();
    let store = target.store(dir.path()).await;
    let s = stream("issue/forged");
    contract::append_one(store.as_ref(), &s, 0, "issue.step", 0).await;
    // Someone writes to our stream behind our back: a leaf whose seq is wrong.
    let mut leaf = store.read_stream(&s, 1).await.unwrap().remove(0);
    let text = String::from_utf8(leaf.leaf.into_bytes())
        .unwrap()
        .replace("\"seq\":1", "\"seq\":7");
    leaf.leaf = roundtable_ledger::Leaf::parse(text.into_bytes()).unwrap();
    let raw = serde_json::value::RawValue::from_string(
        String::from_utf8(leaf.leaf.as_bytes().to_vec()).unwrap(),
    )
    .unwrap();
    let event = kurrentdb::EventData::json("issue.step", &raw)
        .unwrap()
        .id(uuid::Uuid::new_v4());
    store
        .client()
        .append_to_stream(
            store.namespace().stream(&s).as_str(),
            &Default::default(),
            event,
        )
        .await
        .unwrap();
    let refused = store
        .append(&s, Expected::Any, vec![contract::draft("issue.step", 9)])
        .await;
    assert!(
        matches!(refused, Err(StoreError::Corrupt(_))),
        "{refused:?}"
    );
    assert_eq!(store.tree_head().size, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_come_from_the_url() {
    if std::env::var("KURRENTDB_URL").is_ok_and(|u| !u.is_empty()) {
        return; // the real server's credentials are whatever KURRENTDB_URL carries
    }
    let server = TestServer::start_with(ServerOptions {
        credentials: Some(("admin".into(), "changeit".into())),
        ..ServerOptions::default()
    })
    .await
    .unwrap();
    let addr = server.addr();
    let s = stream("issue/auth");
    let wrong =
        KurrentDbConfig::parse(&format!("kurrentdb://admin:nope@{addr}?tls=false")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = KurrentDbStore::open(&wrong, dir.path(), ORIGIN)
        .await
        .unwrap();
    let refused = store
        .append(
            &s,
            Expected::NoStream,
            vec![contract::draft("issue.raised", 1)],
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Storage(_))),
        "{refused:?}"
    );
    store.close().await;
    drop(store);

    let right =
        KurrentDbConfig::parse(&format!("kurrentdb://admin:changeit@{addr}?tls=false")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = KurrentDbStore::open(&right, dir.path(), ORIGIN)
        .await
        .unwrap();
    store.caught_up().await.unwrap();
    contract::append_one(&store, &s, 0, "issue.raised", 1).await;
    assert_eq!(server.stats().events, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_trusts_the_clusters_ca_and_no_other() {
    if std::env::var("KURRENTDB_URL").is_ok_and(|u| !u.is_empty()) {
        return; // the real server's TLS is whatever KURRENTDB_URL says
    }
    let tls = Arc::new(TestTls::generate().unwrap());
    let server = TestServer::start_with(ServerOptions {
        tls: Some(tls),
        ..ServerOptions::default()
    })
    .await
    .unwrap();
    let s = stream("issue/tls");
    assert!(
        server.url().contains("tls=true&tlsCAFile="),
        "{}",
        server.url()
    );
    let config = KurrentDbConfig::parse(&server.url()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = KurrentDbStore::open(&config, dir.path(), ORIGIN)
        .await
        .unwrap();
    store.caught_up().await.unwrap();
    contract::append_one(&store, &s, 0, "issue.raised", 1).await;
    contract::append_one(&store, &s, 1, "issue.edited", 2).await;
    assert_eq!(store.read_stream(&s, 1).await.unwrap().len(), 2);
    assert_eq!(server.stats().events, 2);
    store.close().await;

    // A client that trusts another CA, or speaks plain HTTP/2, gets nowhere.
    let other = TestTls::generate().unwrap();
    let addr = server.addr();
    // maxDiscoverAttempts=2 is one real try: at 1, kurrentdb 1.2.0 gives up
    // before it connects at all (it counts picking the node as an attempt).
    for url in [
        format!(
            "kurrentdb://{addr}?tls=true&tlsCAFile={}&maxDiscoverAttempts=2",
            other.ca_file().display()
        ),
        format!("kurrentdb://{addr}?tls=false&maxDiscoverAttempts=2"),
    ] {
        let config = KurrentDbConfig::parse(&url).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let refused = match KurrentDbStore::open(&config, dir.path(), ORIGIN).await {
            Err(e) => Err(e),
            Ok(store) => store
                .append(
                    &s,
                    Expected::Exact(2),
                    vec![contract::draft("issue.edited", 3)],
                )
                .await
                .map(|_| ()),
        };
        assert!(
            matches!(&refused, Err(StoreError::Storage(why)) if why.contains("that tlsCAFile is the CA")),
            "{url}: {refused:?}"
        );
    }
    assert_eq!(server.stats().events, 2);
}
