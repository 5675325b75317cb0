//! The command handler against the real SQLite store: bounded retries on
//! conflict, idempotent retries, and read-your-writes.

use std::sync::Arc;

use roundtable_app::clock::ManualClock;
use roundtable_app::{App, AppConfig, NewAccount};
use roundtable_domain::{
    Council, CouncilCommand, CouncilId, CouncilRules, Jurisdiction, JurisdictionCommand,
    JurisdictionId, JurisdictionKind, Name, Reason, Seat,
};
use roundtable_ledger::Timestamp;
use roundtable_projections::Projections;
use roundtable_store::EventStore;
use roundtable_store_sqlite::{SqliteOptions, SqliteStore};
use roundtable_vault::{PasswordHashing, PersonalData, Vault};

async fn app(dir: &std::path::Path) -> (Arc<App>, Arc<SqliteStore>) {
    let store =
        Arc::new(SqliteStore::open(dir, "roundtable.test/api", SqliteOptions::default()).unwrap());
    let vault = Arc::new(Vault::open(dir, PasswordHashing::new(1024, 1).unwrap()).unwrap());
    let projections = Projections::new();
    tokio::spawn(projections.clone().run(store.clone()));
    let clock = Arc::new(ManualClock::new(Timestamp::from_unix_millis(
        1_795_000_000_000,
    )));
    let app = App::new(
        store.clone(),
        projections,
        vault,
        roundtable_app::photos::PhotoStore::open(dir).unwrap(),
        clock,
        AppConfig::default(),
    );
    (Arc::new(app), store)
}

fn person(name: &str, phone: &str) -> PersonalData {
    PersonalData::new(name, phone, None, None, None).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commands_on_one_stream_all_land_by_retrying_and_retries_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let (app, store) = app(dir.path()).await;
    let admin_id = app
        .bootstrap_administrator(
            NewAccount::new(person("管理员", "13900000001"), "password1").unwrap(),
        )
        .await
        .unwrap();
    // Read your own writes: the registry knows the administrator as soon as the call returns.
    let admin = app.projections.registry().actor(&admin_id);
    assert!(admin.is_administrator());

    let city = JurisdictionId::parse("j_city").unwrap();
    let create_city = JurisdictionCommand::Create {
        kind: JurisdictionKind::City,
        name: Name::parse("铁岭市").unwrap(),
        parent: None,
    };
    let first = app
        .execute::<Jurisdiction>(&city, create_city.clone(), &admin, None, Some("city-1"))
        .await
        .unwrap();
    let size = store.tree_head().size;
    let again = app
        .execute::<Jurisdiction>(&city, create_city, &admin, None, Some("city-1"))
        .await
        .unwrap();
    assert_eq!(again.indexes, first.indexes);
    assert!(again.replayed);
    assert_eq!(
        store.tree_head().size,
        size,
        "a retried command appends nothing"
    );

    let council = CouncilId::parse("c_roundtable").unwrap();
    let create = CouncilCommand::Create {
        jurisdiction: city.clone(),
        name: Name::parse("议事会").unwrap(),
        rules: CouncilRules::default(),
    };
    app.execute::<Council>(&council, create, &admin, None, None)
        .await
        .unwrap();

    let mut members = Vec::new();
    for n in 0..8 {
        let (id, _, _) = app
            .invite_staff(
                &admin,
                person("委员", &format!("1380000000{n}")),
                None,
                Reason::parse("x").unwrap(),
                None,
            )
            .await
            .unwrap();
        members.push(id);
    }
    // Eight seats at once on one council stream: most appends conflict at first.
    let tasks: Vec<_> = members
        .iter()
        .map(|m| {
            let (app, admin, council, m) = (app.clone(), admin.clone(), council.clone(), m.clone());
            tokio::spawn(async move {
                let command = CouncilCommand::SeatMember {
                    member: m,
                    seat: Seat::Member,
                    voting: true,
                    reason: Reason::parse("elected").unwrap(),
                };
                app.execute::<Council>(&council, command, &admin, None, None)
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let seats = app.projections.registry().councils[&council].seats().len();
    assert_eq!(seats, 8);
    let stream = roundtable_ledger::StreamName::new(council.stream()).unwrap();
    assert_eq!(
        store.read_stream(&stream, 1).await.unwrap().len(),
        9,
        "no event doubled"
    );
}
