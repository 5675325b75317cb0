//! `roundtable admin migrate` end to end: an embedded log to a KurrentDB namespace
//! and back, every checkpoint carried over, the result checked by the command and
//! again here (roots, checkpoints, `audit verify` of an export of the copy); an
//! interrupted copy resumes; a namespace holding another log is refused.

mod support;

use std::process::Output;

use roundtable_kurrentdb_testserver::TestTarget;
use roundtable_store::EventStore;
use roundtable_store_kurrentdb::{KurrentDbConfig, KurrentDbStore};
use roundtable_store_sqlite::SqliteReader;
use support::{ORIGIN, data_arg, roundtable};

fn migrate(from: &str, to: &str) -> Output {
    roundtable(&["admin", "migrate", "--from", from, "--to", to])
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn an_embedded_log_moves_to_kurrentdb_and_back_unchanged() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let target = runtime.block_on(TestTarget::new());
    eprintln!("KurrentDB migrate: ran against {}", target.describe());
    let fixture = runtime.block_on(support::build_log(400, 9, &[0, 37, 200]));
    let source = SqliteReader::open(fixture.dir.path()).unwrap();
    let size = source.size().unwrap();
    let root = source.root_at(size).unwrap();
    let from = format!("sqlite:{}", data_arg(fixture.dir.path()));

    let there = migrate(&from, target.url());
    assert!(there.status.success(), "{}", text(&there));
    assert!(
        text(&there).contains(&format!("OK copied {size} events")),
        "{}",
        text(&there)
    );

    // What a KurrentDB process folds is the source, checkpoints included.
    let config = KurrentDbConfig::parse(target.url()).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    runtime.block_on(async {
        let store = KurrentDbStore::open(&config, scratch.path(), ORIGIN)
            .await
            .unwrap();
        store.caught_up().await.unwrap();
        assert_eq!(store.tree_head().size, size);
        assert_eq!(store.tree_head().root, root);
        for cp in &fixture.checkpoints {
            let copied = store
                .checkpoint_at(cp.checkpoint.size)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(copied.note, cp.note);
        }
        store.close().await;
    });

    // Again: nothing left to copy, same answer.
    let again = migrate(&from, target.url());
    assert!(again.status.success(), "{}", text(&again));

    // Back into a fresh directory: the same log, and it passes an audit.
    let back = tempfile::tempdir().unwrap();
    let to = format!("sqlite:{}", data_arg(back.path()));
    let home = migrate(target.url(), &to);
    assert!(home.status.success(), "{}", text(&home));
    let copy = SqliteReader::open(back.path()).unwrap();
    assert_eq!(copy.size().unwrap(), size);
    assert_eq!(copy.root_at(size).unwrap(), root);
    assert_eq!(
        copy.checkpoints()
            .unwrap()
            .iter()
            .map(|c| &c.note)
            .collect::<Vec<_>>(),
        fixture
            .checkpoints
            .iter()
            .map(|c| &c.note)
            .collect::<Vec<_>>()
    );
    // (`serve` records the verifier key at start; this copy was never served.)
    rusqlite::Connection::open(back.path().join(roundtable_store_sqlite::DB_FILE))
        .unwrap()
        .execute(
            "INSERT INTO meta (key, value) VALUES ('vkey', ?1)",
            [&fixture.vkey],
        )
        .unwrap();
    let bundle = tempfile::tempdir().unwrap();
    let out = bundle.path().join("b");
    let export = roundtable(&[
        "audit",
        "export",
        "--data",
        &data_arg(back.path()),
        "--out",
        &data_arg(&out),
    ]);
    assert!(export.status.success(), "{}", text(&export));
    let verify = roundtable(&["audit", "verify", &data_arg(&out)]);
    assert!(verify.status.success(), "{}", text(&verify));

    // A namespace that holds this log cannot take another one.
    let other = runtime.block_on(support::build_log(30, 2, &[0]));
    let refused = migrate(
        &format!("sqlite:{}", data_arg(other.dir.path())),
        target.url(),
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("holds another log"),
        "{}",
        text(&refused)
    );
    // Nor can an embedded log's directory become a copy of a namespace.
    let refused = migrate(target.url(), &from);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("holds an embedded log"),
        "{}",
        text(&refused)
    );
    // Bad locations get one clear line.
    let bad = migrate("postgres://x", target.url());
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("expected sqlite:DIR or kurrentdb://"),
        "{}",
        text(&bad)
    );
}
