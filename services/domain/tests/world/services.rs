//! 银网社区's catalogue (one service at the community's counter) on the official
//! calendar of 2026, for the services' tests and the authorization table.

use roundtable_domain::*;
use roundtable_ledger::Date;

use super::*;

pub fn sv(id: &str) -> ServiceId {
    ServiceId::parse(id).unwrap()
}
pub fn sr(id: &str) -> ServiceRequestId {
    ServiceRequestId::parse(id).unwrap()
}
pub fn day(s: &str) -> Date {
    s.parse().unwrap()
}
pub fn names(list: &[&str]) -> Vec<Name> {
    list.iter().map(|n| name(n)).collect()
}

/// 居住证明 at 银网社区 (`j_community`), 3 working days.
pub fn spec() -> ServiceSpec {
    ServiceSpec {
        name: name("居住证明"),
        description: "证明在本社区居住，用于入学、就业等。".into(),
        keywords: vec![],
        documents: names(&["身份证", "户口本"]),
        point: j("j_community"),
        counter: name("银网社区党群服务中心一楼 2 号窗口"),
        hours: name("周一至周五 8:30–11:30，13:30–17:00"),
        limit_working_days: 3,
        responsible: name("银网社区居委会"),
    }
}

/// The small world with 2026's National Day week off and the Saturday worked
/// after it, and `sv_residence` published by the community's grid worker.
pub fn service_world() -> World {
    let mut w = world();
    w.calendar = WorkCalendar::default().with(
        CalendarYear {
            year: 2026,
            holidays: (1..=7).map(|d| day(&format!("2026-10-0{d}"))).collect(),
            working_weekends: vec![day("2026-09-20"), day("2026-10-10")],
        }
        .checked()
        .unwrap(),
    );
    let published = decide::<Service>(
        &sv("sv_residence"),
        &[],
        ServiceCommand::Publish {
            jurisdiction: j("j_community"),
            spec: spec(),
        },
        "grid_worker_inside",
        &w,
    )
    .unwrap();
    let state = Service::replay(&published);
    w.services.insert(
        sv("sv_residence"),
        state.facts(&sv("sv_residence")).unwrap(),
    );
    w
}

/// 周阿姨 (`m_verified`) asks for it online at `now`.
pub fn request_opened(w: &World, now: i64) -> Vec<Event> {
    decide_at::<ServiceRequest>(
        &sr("sr_1"),
        &[],
        ServiceRequestCommand::Open(OpenRequest {
            service: sv("sv_residence"),
            applicant: m("m_verified"),
            channel: Channel::Online,
            at_home: false,
        }),
        "resident_verified",
        now,
        w,
    )
    .unwrap()
}
