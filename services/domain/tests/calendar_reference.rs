//! The working-day arithmetic against an independent source: the PyPI package
//! `chinesecalendar` (installed by `ops/install-test-deps.sh` into
//! `$HOME/.cache/roundtable/py`), for every day of the years the repository ships,
//! whether it is a working day and which day is 1 to 5 working days after it.

use std::process::Command;

use roundtable_domain::{CalendarYear, WorkCalendar};
use roundtable_ledger::Date;

const YEARS: [u16; 3] = [2024, 2025, 2026];
const AHEAD: u32 = 5;

const SCRIPT: &str = r#"
import datetime, json, sys
import chinese_calendar as cc
out = {}
for year in map(int, sys.argv[1:]):
    day = datetime.date(year, 1, 1)
    while day.year == year:
        ahead = []
        for n in range(1, 6):
            try:
                ahead.append(str(cc.find_workday(n, day)))
            except NotImplementedError:  # past the last year it knows
                ahead.append(None)
        out[str(day)] = [cc.is_workday(day)] + ahead
        day += datetime.timedelta(days=1)
print(json.dumps(out))
"#;

fn python_path() -> String {
    std::env::var("ROUNDTABLE_PY").unwrap_or_else(|_| {
        format!(
            "{}/.cache/roundtable/py",
            std::env::var("HOME").unwrap_or_default()
        )
    })
}

#[test]
fn every_day_of_the_shipped_years_agrees_with_chinesecalendar() {
    let calendar = YEARS.into_iter().fold(WorkCalendar::default(), |c, y| {
        let path = format!(
            "{}/../../schema/calendars/{y}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let year: CalendarYear =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        c.with(year.checked().unwrap())
    });
    let years: Vec<String> = YEARS.iter().map(u16::to_string).collect();
    let output = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .args(&years)
        .env("PYTHONPATH", python_path())
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "chinesecalendar is missing: run ops/install-test-deps.sh ({})",
        String::from_utf8_lossy(&output.stderr)
    );
    let reference: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&output.stdout).unwrap();
    assert!(reference.len() >= 365 * YEARS.len());
    let mut disagreements = Vec::new();
    for (date, answer) in &reference {
        let day: Date = date.parse().unwrap();
        let answer = answer.as_array().unwrap();
        if calendar.is_working_day(day) != answer[0].as_bool().unwrap() {
            disagreements.push(format!("{date}: working day?"));
        }
        for n in 1..=AHEAD {
            // Past the shipped years the reference knows nothing either.
            let Some(theirs) = answer[n as usize].as_str() else {
                continue;
            };
            let ours = calendar.working_day_after(day, n).to_string();
            if ours != theirs {
                disagreements.push(format!("{date} + {n}: ours {ours}, theirs {theirs}"));
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
