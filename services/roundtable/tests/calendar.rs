//! The working-day calendar through the real binary: the demo publishes the shipped
//! years; anyone reads them; only an administrator publishes or corrects one, and
//! bad days, a year published twice or a correction that changes nothing are
//! refused with a code and append nothing.

mod support;

use serde_json::{Value, json};
use support::accounts::{ADMIN, GRID_WORKER_GRID1, PASSWORD, VERIFIED_RESIDENT};
use support::graphql::{Client, Reply};

const CALENDAR: &str = "year holidays workingWeekends hash version";

fn publish(client: &Client, name: &str, input: Value) -> Reply {
    client.query(
        &format!("mutation($i: CalendarInput!) {{ {name}(input: $i) {{ calendar {{ {CALENDAR} }} indexes }} }}"),
        json!({ "i": input }),
    )
}

#[test]
fn an_administrator_publishes_and_corrects_a_year_and_nothing_else_gets_in() {
    let dir = tempfile::tempdir().unwrap();
    let server = support::start_with(dir.path(), &["--demo"]);
    let base = &server.base;
    let public = Client::anonymous(base);
    let years = public
        .query(
            &format!("{{ workingCalendars {{ {CALENDAR} }} }}"),
            json!({}),
        )
        .data()["workingCalendars"]
        .clone();
    let listed: Vec<u64> = years
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, [2024, 2025, 2026]);
    let y2026 = years[2].clone();
    assert!(
        y2026["holidays"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-10-01"))
    );
    assert_eq!(
        y2026["workingWeekends"],
        json!([
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10"
        ])
    );
    assert_eq!(y2026["version"], 1);

    let admin = Client::sign_in(base, ADMIN, PASSWORD);
    let size = admin.log_size();
    let bad_day = publish(
        &admin,
        "publishCalendar",
        json!({"year": 2027, "holidays": ["2027-02-30"], "workingWeekends": []}),
    );
    assert_eq!(bad_day.code(), "VALIDATION");
    assert_eq!(bad_day.reason(), "BAD_DATE");
    let weekday = publish(
        &admin,
        "publishCalendar",
        json!({"year": 2027, "holidays": [], "workingWeekends": ["2027-01-06"]}),
    );
    assert_eq!(weekday.reason(), "CALENDAR_NOT_WEEKEND");
    let again = publish(
        &admin,
        "publishCalendar",
        json!({"year": 2026, "holidays": ["2026-10-01"], "workingWeekends": []}),
    );
    assert_eq!(again.code(), "CONFLICT");
    assert_eq!(again.reason(), "CALENDAR_PUBLISHED");
    let unchanged = publish(
        &admin,
        "correctCalendar",
        json!({"year": 2026, "holidays": y2026["holidays"], "workingWeekends": y2026["workingWeekends"],
               "reason": "重复提交"}),
    );
    assert_eq!(unchanged.reason(), "UNCHANGED");
    for who in [GRID_WORKER_GRID1, VERIFIED_RESIDENT] {
        let refused = publish(
            &Client::sign_in(base, who, PASSWORD),
            "publishCalendar",
            json!({"year": 2027, "holidays": ["2027-01-01"], "workingWeekends": []}),
        );
        assert_eq!(refused.code(), "FORBIDDEN", "{who}");
    }
    let anonymous = publish(
        &public,
        "publishCalendar",
        json!({"year": 2027, "holidays": ["2027-01-01"], "workingWeekends": []}),
    );
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    assert_eq!(admin.log_size(), size, "nothing refused was appended");

    // A correction is numbered and names its reason; the year reads as corrected.
    let mut holidays: Vec<Value> = y2026["holidays"].as_array().unwrap().clone();
    holidays.retain(|d| d != "2026-06-19");
    let corrected = publish(
        &admin,
        "correctCalendar",
        json!({"year": 2026, "holidays": holidays, "workingWeekends": y2026["workingWeekends"],
               "reason": "演示：更正端午节安排"}),
    )
    .data()["correctCalendar"]["calendar"]
        .clone();
    assert_eq!(corrected["version"], 2);
    assert_ne!(corrected["hash"], y2026["hash"]);
    assert!(
        !corrected["holidays"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-06-19"))
    );
    assert_eq!(admin.log_size(), size + 1);
}
