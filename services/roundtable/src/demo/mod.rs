//! The Tieling demo (`serve --demo`): a grid, councils, staff and residents made
//! through the same operations and command handler as real users, so the demo is
//! itself a verifiable log. Seeded once, on an empty log; the accounts are printed
//! at every start. The story starts 30 days ago (the server's clock is shifted back
//! while seeding and moves forward step by step), so the issues carry a real
//! history: deadlines that passed, an escalation, answers and ratings.

mod mediation;
mod services;

use std::sync::Arc;

use anyhow::Context;
use roundtable_app::clock::ShiftedClock;
use roundtable_app::{App, NewAccount};
use roundtable_domain::{
    Actor, AgendaItem, Assignment, Building, Buildings, Calendar, CalendarCommand, CalendarId,
    CalendarYear, Category, Choice, Council, CouncilCommand, CouncilId, CouncilRules, Fraction,
    Issue, IssueCommand, IssueId, IssueText, Jurisdiction, JurisdictionCommand, JurisdictionId,
    JurisdictionKind, MajorityKind, Meeting, MeetingCommand, MeetingId, Member, MemberCommand,
    MemberId, Name, RaiseIssue, Rating, Reason, RejectionReason, Resolution, ResolutionCommand,
    ResolutionId, Role, Seat, VoteMethod,
};
use roundtable_ledger::Timestamp;
use roundtable_vault::PersonalData;

/// Every demo account signs in with this password.
pub const DEMO_PASSWORD: &str = "roundtable-demo";

/// (phone, display name, what they are) of every demo account, for the banner.
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("13900000001", "李明", "administrator"),
    ("13900000002", "钱审计", "auditor"),
    ("13900000003", "张丽", "grid worker, 银网社区 第一网格"),
    ("13900000004", "王强", "grid worker, all of 银网社区"),
    ("13900000005", "刘芳", "grid worker, 兀术街社区"),
    ("13900000006", "赵书记", "chair, 银网社区圆桌议事会"),
    ("13900000007", "孙秘书", "secretary, 银网社区圆桌议事会"),
    (
        "13900000008",
        "铁岭供水公司 周经理",
        "member for a resident organisation (驻区单位)",
    ),
    (
        "13900000011",
        "陈大爷",
        "resident, 第一网格, verified; council member",
    ),
    ("13900000012", "周阿姨", "resident, 第一网格, verified"),
    (
        "13900000013",
        "吴先生",
        "resident, 第二网格, not yet verified",
    ),
    ("13900000014", "郑女士", "resident, 兀术街社区, verified"),
];

fn personal(phone: &str) -> anyhow::Result<PersonalData> {
    let name = ACCOUNTS
        .iter()
        .chain(mediation::ACCOUNTS)
        .chain(services::ACCOUNTS)
        .find(|(p, _, _)| *p == phone)
        .map(|(_, n, _)| *n)
        .context("unknown demo phone")?;
    Ok(PersonalData::new(name, phone, None, None, None)?)
}

struct Seeder<'a> {
    app: &'a App,
    admin: Actor,
    clock: &'a ShiftedClock,
}

const DAY_MS: i64 = 24 * 3_600_000;

impl Seeder<'_> {
    fn actor(&self, member: &MemberId) -> Actor {
        self.app.projections.registry().actor(member)
    }

    /// Moves the story to `days` days before now and lets the deadline scheduler
    /// catch up with it.
    async fn at_days_ago(&self, days: f64) -> anyhow::Result<()> {
        self.clock.set_offset(-(days * DAY_MS as f64) as i64);
        roundtable_app::deadlines::sweep(self.app).await?;
        Ok(())
    }

    async fn raise(
        &self,
        by: &MemberId,
        category: Category,
        at: Option<&JurisdictionId>,
        text: (&str, &str, &str),
    ) -> anyhow::Result<IssueId> {
        let id = IssueId::from_unique(&roundtable_app::mint())?;
        let command = IssueCommand::Raise(RaiseIssue {
            text: IssueText::new(text.0, text.1, text.2)?,
            category,
            jurisdiction: at.cloned(),
            on_behalf_of: None,
            photos: vec![],
            spot: None,
        });
        self.issue(&id, by, command).await?;
        Ok(id)
    }

    async fn issue(
        &self,
        id: &IssueId,
        by: &MemberId,
        command: IssueCommand,
    ) -> anyhow::Result<()> {
        self.app
            .execute::<Issue>(id, command, &self.actor(by), None, None)
            .await?;
        Ok(())
    }

    async fn place(
        &self,
        kind: JurisdictionKind,
        name: &str,
        parent: Option<&JurisdictionId>,
    ) -> anyhow::Result<JurisdictionId> {
        let id = JurisdictionId::from_unique(&roundtable_app::mint())?;
        let command = JurisdictionCommand::Create {
            kind,
            name: Name::parse(name)?,
            parent: parent.cloned(),
        };
        self.app
            .execute::<Jurisdiction>(&id, command, &self.admin, None, None)
            .await?;
        Ok(id)
    }

    /// The official calendars the repository ships (`schema/calendars/`), as the
    /// administrator would publish them each year.
    async fn calendars(&self) -> anyhow::Result<()> {
        for text in SHIPPED_CALENDARS {
            let year: CalendarYear = serde_json::from_str(text)?;
            let id = CalendarId::for_year(year.year)
                .ok_or_else(|| anyhow::anyhow!("calendar year {}", year.year))?;
            self.app
                .execute::<Calendar>(&id, CalendarCommand::Publish(year), &self.admin, None, None)
                .await?;
        }
        Ok(())
    }

    /// A grid's buildings: `count` blocks from `first` (「3号楼」), each with `units` units.
    async fn buildings(
        &self,
        grid: &JurisdictionId,
        first: u32,
        count: u32,
        units: u32,
    ) -> anyhow::Result<()> {
        let mut list = Vec::new();
        for n in first..first + count {
            list.push(Building {
                name: Name::parse(&format!("{n}号楼"))?,
                units: (1..=units)
                    .map(|u| Name::parse(&format!("{u}单元")))
                    .collect::<Result<_, _>>()?,
            });
        }
        let command = JurisdictionCommand::SetBuildings {
            buildings: Buildings::new(list)?,
        };
        self.app
            .execute::<Jurisdiction>(grid, command, &self.admin, None, None)
            .await?;
        Ok(())
    }

    async fn staff(&self, phone: &str, role: Option<Role>, why: &str) -> anyhow::Result<MemberId> {
        let (id, temporary, _) = self
            .app
            .invite_staff(
                &self.admin,
                personal(phone)?,
                role,
                Reason::parse(why)?,
                None,
            )
            .await?;
        self.app
            .change_password(&id, &temporary, DEMO_PASSWORD, None)
            .await?;
        Ok(id)
    }

    async fn resident(
        &self,
        phone: &str,
        grid: &JurisdictionId,
        verifier: Option<&MemberId>,
    ) -> anyhow::Result<MemberId> {
        let account = NewAccount::new(personal(phone)?, DEMO_PASSWORD)?;
        let (id, _) = self
            .app
            .register_resident(grid.clone(), account, None)
            .await?
            .context("a demo phone registered twice")?;
        if let Some(verifier) = verifier {
            self.app
                .execute::<Member>(
                    &id,
                    MemberCommand::Verify,
                    &self.actor(verifier),
                    None,
                    None,
                )
                .await?;
        }
        Ok(id)
    }

    async fn council(
        &self,
        jurisdiction: &JurisdictionId,
        name: &str,
        rules: CouncilRules,
    ) -> anyhow::Result<CouncilId> {
        let id = CouncilId::from_unique(&roundtable_app::mint())?;
        let command = CouncilCommand::Create {
            jurisdiction: jurisdiction.clone(),
            name: Name::parse(name)?,
            rules,
        };
        self.app
            .execute::<Council>(&id, command, &self.admin, None, None)
            .await?;
        Ok(id)
    }

    async fn seat(
        &self,
        council: &CouncilId,
        by: &Actor,
        member: &MemberId,
        seat: Seat,
        voting: bool,
        why: &str,
    ) -> anyhow::Result<()> {
        let command = CouncilCommand::SeatMember {
            member: member.clone(),
            seat,
            voting,
            reason: Reason::parse(why)?,
        };
        self.app
            .execute::<Council>(council, command, by, None, None)
            .await?;
        Ok(())
    }
}

/// Seeds an empty log; leaves a non-empty one alone. Prints the accounts either way.
/// The State Council's working-day calendars of 2024–2026 (2027's is not yet in
/// either independent source the tests compare with: see docs/ARCHITECTURE.md).
const SHIPPED_CALENDARS: [&str; 3] = [
    include_str!("../../../../schema/calendars/2024.json"),
    include_str!("../../../../schema/calendars/2025.json"),
    include_str!("../../../../schema/calendars/2026.json"),
];

pub async fn seed(app: &Arc<App>, clock: &ShiftedClock) -> anyhow::Result<()> {
    if app.projections.applied() == 0 {
        let seeded = seed_empty(app, clock).await;
        clock.set_offset(0);
        seeded?;
        tracing::info!(events = app.projections.applied(), "demo seeded");
    }
    println!("Demo accounts (password for all: {DEMO_PASSWORD}):");
    for (phone, name, what) in ACCOUNTS
        .iter()
        .chain(mediation::ACCOUNTS)
        .chain(services::ACCOUNTS)
    {
        println!("  {phone}  {name:<12} {what}");
    }
    Ok(())
}

async fn seed_empty(app: &App, clock: &ShiftedClock) -> anyhow::Result<()> {
    use JurisdictionKind::*;
    clock.set_offset(-30 * DAY_MS);
    let account = NewAccount::new(personal("13900000001")?, DEMO_PASSWORD)?;
    let admin_id = app.bootstrap_administrator(account).await?;
    let s = Seeder {
        app,
        admin: app.projections.registry().actor(&admin_id),
        clock,
    };

    s.calendars().await?;
    let city = s.place(City, "铁岭市", None).await?;
    let yinzhou = s.place(District, "银州区", Some(&city)).await?;
    let hongqi = s.place(Street, "红旗街道", Some(&yinzhou)).await?;
    let yinwang = s.place(Community, "银网社区", Some(&hongqi)).await?;
    let grid1 = s.place(Grid, "银网社区第一网格", Some(&yinwang)).await?;
    let grid2 = s.place(Grid, "银网社区第二网格", Some(&yinwang)).await?;
    let grid3 = s.place(Grid, "银网社区第三网格", Some(&yinwang)).await?;
    // 银网小区: blocks 1–8 in the first grid, 9–14 in the second, 15–18 in the third.
    s.buildings(&grid1, 1, 8, 3).await?;
    s.buildings(&grid2, 9, 6, 2).await?;
    s.buildings(&grid3, 15, 4, 2).await?;
    let diaobingshan = s.place(District, "调兵山市", Some(&city)).await?;
    let wuzhujie = s.place(Street, "兀术街街道", Some(&diaobingshan)).await?;
    let wuzhu_community = s.place(Community, "兀术街社区", Some(&wuzhujie)).await?;
    let wuzhu_grid = s
        .place(Grid, "兀术街社区第一网格", Some(&wuzhu_community))
        .await?;

    s.staff("13900000002", Some(Role::Auditor), "区纪委派驻审计")
        .await?;
    let zhang = s
        .staff(
            "13900000003",
            Some(Role::GridWorker {
                jurisdiction: grid1.clone(),
            }),
            "第一网格网格员",
        )
        .await?;
    s.staff(
        "13900000004",
        Some(Role::GridWorker {
            jurisdiction: yinwang.clone(),
        }),
        "银网社区专职网格员",
    )
    .await?;
    let liu = s
        .staff(
            "13900000005",
            Some(Role::GridWorker {
                jurisdiction: wuzhu_community.clone(),
            }),
            "兀术街社区网格员",
        )
        .await?;
    let chair = s.staff("13900000006", None, "社区党委书记").await?;
    let secretary = s.staff("13900000007", None, "社区居委会委员").await?;
    let utility = s.staff("13900000008", None, "驻区单位代表").await?;

    let chen = s.resident("13900000011", &grid1, Some(&zhang)).await?;
    let zhou = s.resident("13900000012", &grid1, Some(&zhang)).await?;
    let wu = s.resident("13900000013", &grid2, None).await?;
    s.resident("13900000014", &wuzhu_grid, Some(&liu)).await?;

    let yinwang_council = s
        .council(&yinwang, "银网社区圆桌议事会", CouncilRules::default())
        .await?;
    s.council(
        &wuzhujie,
        "兀术街街道议事会",
        CouncilRules {
            quorum: Fraction { num: 1, den: 2 },
            default_majority: MajorityKind::SimpleMajority,
            cosign_threshold: 20,
            ..CouncilRules::default()
        },
    )
    .await?;
    let hongqi_council = s
        .council(&hongqi, "红旗街道议事协商会", CouncilRules::default())
        .await?;
    let admin = s.admin.clone();
    s.seat(
        &yinwang_council,
        &admin,
        &chair,
        Seat::Chair,
        true,
        "社区党委书记任议事会主持人",
    )
    .await?;
    let chair_actor = s.actor(&chair);
    s.seat(
        &yinwang_council,
        &chair_actor,
        &secretary,
        Seat::Secretary,
        true,
        "记录员",
    )
    .await?;
    s.seat(
        &yinwang_council,
        &chair_actor,
        &utility,
        Seat::Member,
        true,
        "驻区单位代表",
    )
    .await?;
    s.seat(
        &yinwang_council,
        &chair_actor,
        &chen,
        Seat::Member,
        true,
        "居民代表",
    )
    .await?;
    s.seat(
        &yinwang_council,
        &chair_actor,
        &zhang,
        Seat::Observer,
        false,
        "网格员列席",
    )
    .await?;

    // Neighbours of 第一网格 who co-sign (their accounts are not in the banner).
    let mut neighbours = Vec::new();
    for n in 1..=12 {
        let phone = format!("139000001{n:02}");
        let account = NewAccount::new(
            PersonalData::new(&format!("银网居民{n}"), &phone, None, None, None)?,
            DEMO_PASSWORD,
        )?;
        let (id, _) = app
            .register_resident(grid1.clone(), account, None)
            .await?
            .context("a demo phone registered twice")?;
        app.execute::<Member>(&id, MemberCommand::Verify, &s.actor(&zhang), None, None)
            .await?;
        neighbours.push(id);
    }
    let wang = app
        .projections
        .registry()
        .members
        .values()
        .find(|m| {
            m.roles().contains(&Role::GridWorker {
                jurisdiction: yinwang.clone(),
            })
        })
        .map(|m| m.id.clone())
        .context("the community grid worker")?;
    let water = seed_issues(
        &s,
        &chen,
        &zhou,
        &wu,
        &zhang,
        &wang,
        &neighbours,
        &yinwang,
        &hongqi_council,
    )
    .await?;
    let council = Table {
        id: yinwang_council,
        chair,
        secretary,
        utility,
        chen,
    };
    seed_meetings(&s, &council, &water).await?;
    let parties = mediation::Parties {
        zhou: &zhou,
        chen: &council.chen,
        zhang: &zhang,
        neighbours: &neighbours,
    };
    mediation::seed(&s, &yinwang, &hongqi, &grid1, parties).await?;
    let people = services::People {
        chen: &council.chen,
        zhou: &zhou,
        zhang: &zhang,
        wang: &wang,
        neighbours: &neighbours,
    };
    services::seed(&s, &yinwang, &hongqi, people).await?;
    s.at_days_ago(0.0).await
}

/// The 银网社区 round-table and its voting members.
struct Table {
    id: CouncilId,
    chair: MemberId,
    secretary: MemberId,
    utility: MemberId,
    chen: MemberId,
}

impl Seeder<'_> {
    async fn meeting(
        &self,
        id: &MeetingId,
        by: &MemberId,
        command: MeetingCommand,
    ) -> anyhow::Result<Vec<u64>> {
        let outcome = self
            .app
            .execute::<Meeting>(id, command, &self.actor(by), None, None)
            .await?;
        Ok(outcome.indexes)
    }

    /// Moves and seconds a motion (or amendment); returns its number.
    async fn motion(
        &self,
        id: &MeetingId,
        mover: &MemberId,
        seconder: &MemberId,
        command: MeetingCommand,
    ) -> anyhow::Result<u32> {
        self.meeting(id, mover, command).await?;
        let motion = self
            .app
            .projections
            .meetings()
            .meeting(id)
            .and_then(|m| m.state.motions.keys().next_back().copied())
            .context("the motion just moved")?;
        self.meeting(id, seconder, MeetingCommand::Second { motion })
            .await?;
        Ok(motion)
    }

    /// Puts a motion to a roll-call vote, casts `ballots` (voter, for whom, choice)
    /// and closes it.
    async fn vote(
        &self,
        id: &MeetingId,
        chair: &MemberId,
        open: MeetingCommand,
        ballots: &[(&MemberId, Option<&MemberId>, Choice)],
    ) -> anyhow::Result<()> {
        self.meeting(id, chair, open).await?;
        let vote = self
            .app
            .projections
            .meetings()
            .meeting(id)
            .and_then(|m| m.state.open_vote)
            .context("the vote just opened")?;
        for (by, for_whom, choice) in ballots {
            self.app
                .cast_ballot(&self.actor(by), id, vote, for_whom.cloned(), *choice, None)
                .await?;
        }
        self.app
            .close_vote(&self.actor(chair), id, vote, None)
            .await?;
        Ok(())
    }
}

/// A full meeting on the water issue (roll call with a proxy, a motion with an
/// amendment, roll-call votes, approved minutes, a resolution with assignments and
/// progress), and a meeting in session now, to watch live.
async fn seed_meetings(s: &Seeder<'_>, t: &Table, water: &IssueId) -> anyhow::Result<()> {
    let (chair, secretary, chen, utility) = (&t.chair, &t.secretary, &t.chen, &t.utility);
    s.at_days_ago(5.5).await?;
    let now = s.app.clock.now().unix_millis();
    let meeting = MeetingId::from_unique(&roundtable_app::mint())?;
    s.meeting(
        &meeting,
        secretary,
        MeetingCommand::Convene {
            council: t.id.clone(),
            title: "银网小区3号楼供水问题圆桌会".into(),
            starts_at: Timestamp::from_unix_millis(now + (3.5 * DAY_MS as f64) as i64),
            venue: "银网社区党群服务中心二楼会议室".into(),
            online: false,
            agenda: vec![
                AgendaItem {
                    item: 0,
                    title: "银网小区3号楼常年停水".into(),
                    text: String::new(),
                    issue: Some(water.clone()),
                },
                AgendaItem {
                    item: 0,
                    title: "小区绿化带改造".into(),
                    text: "居民提出把3号楼前的绿化带改为停车位，先听取意见。".into(),
                    issue: None,
                },
            ],
            urgent_reason: None,
        },
    )
    .await?;
    s.at_days_ago(2.0).await?;
    for member in [chair, secretary, chen] {
        s.meeting(
            &meeting,
            secretary,
            MeetingCommand::CheckIn {
                member: Some(member.clone()),
                code_checked: false,
            },
        )
        .await?;
    }
    s.meeting(
        &meeting,
        utility,
        MeetingCommand::GiveProxy {
            from: None,
            to: chen.clone(),
        },
    )
    .await?;
    s.meeting(&meeting, chair, MeetingCommand::Open).await?;
    s.meeting(&meeting, chair, MeetingCommand::OpenItem { item: 1 })
        .await?;
    for (speaker, summary) in [
        (
            chen,
            "3号楼五层以上常年水压不足，夏天几乎每天停水，已联署13人。",
        ),
        (chair, "供水公司书面答复：加压泵老化，需要更换。"),
    ] {
        s.meeting(
            &meeting,
            secretary,
            MeetingCommand::RecordStatement {
                speaker: speaker.clone(),
                summary: summary.into(),
            },
        )
        .await?;
    }
    let main = s
        .motion(
            &meeting,
            chen,
            secretary,
            MeetingCommand::Move {
                text: "请供水公司在15日内更换3号楼加压泵。".into(),
            },
        )
        .await?;
    let amendment = s
        .motion(
            &meeting,
            chair,
            chen,
            MeetingCommand::Amend {
                motion: main,
                text: "请供水公司在10日内更换3号楼加压泵并检修楼内管网，费用由供水公司承担。"
                    .into(),
            },
        )
        .await?;
    let roll_call = |motion| MeetingCommand::OpenVote {
        motion,
        method: VoteMethod::RollCall,
        majority: None,
        hidden: false,
    };
    s.vote(
        &meeting,
        chair,
        roll_call(amendment),
        &[
            (chair, None, Choice::Yes),
            (secretary, None, Choice::Yes),
            (chen, None, Choice::Yes),
            (chen, Some(utility), Choice::Abstain),
        ],
    )
    .await?;
    s.vote(
        &meeting,
        chair,
        roll_call(main),
        &[
            (chair, None, Choice::Yes),
            (secretary, None, Choice::Yes),
            (chen, None, Choice::Yes),
            (chen, Some(utility), Choice::Yes),
        ],
    )
    .await?;
    s.meeting(&meeting, chair, MeetingCommand::CloseItem)
        .await?;
    s.meeting(&meeting, chair, MeetingCommand::DeferItem { item: 2 })
        .await?;
    s.meeting(&meeting, chair, MeetingCommand::Adjourn).await?;

    s.at_days_ago(1.9).await?;
    s.meeting(
        &meeting,
        secretary,
        MeetingCommand::CorrectMinutes {
            text: "陈大爷的发言中“已联署13人”应为“已联署13户”。".into(),
        },
    )
    .await?;
    s.vote(
        &meeting,
        chair,
        MeetingCommand::OpenMinutesVote,
        &[
            (chair, None, Choice::Yes),
            (secretary, None, Choice::Yes),
            (chen, None, Choice::Yes),
            (utility, None, Choice::Yes),
        ],
    )
    .await?;

    s.at_days_ago(1.8).await?;
    let now = s.app.clock.now().unix_millis();
    let suffix = meeting.as_str().trim_start_matches(MeetingId::PREFIX);
    let resolution = ResolutionId::from_unique(&format!("{suffix}-{main}"))?;
    s.app
        .record_resolution(
            &s.actor(secretary),
            &resolution,
            ResolutionCommand::Adopt {
                meeting: meeting.clone(),
                motion: main,
                issues: vec![],
                assignments: vec![
                    Assignment {
                        assignment: 0,
                        task: "更换3号楼加压泵，检修楼内管网".into(),
                        member: None,
                        unit: Some("铁岭供水公司".into()),
                        due: Timestamp::from_unix_millis(now + 10 * DAY_MS),
                    },
                    Assignment {
                        assignment: 0,
                        task: "监督施工，完工后回访3号楼住户".into(),
                        member: Some(chen.clone()),
                        unit: None,
                        due: Timestamp::from_unix_millis(now + 14 * DAY_MS),
                    },
                ],
            },
            None,
        )
        .await?;
    let officer = s.actor(secretary);
    let on_resolution = |command| {
        s.app
            .execute::<Resolution>(&resolution, command, &officer, None, None)
    };
    on_resolution(ResolutionCommand::Publish {
        note: "决议在小区公告栏和微信群公示7天。".into(),
    })
    .await?;
    s.at_days_ago(1.0).await?;
    on_resolution(ResolutionCommand::ReportProgress {
        assignment: Some(1),
        percent: 40,
        text: "新加压泵已到货，计划周六停水施工。".into(),
        photos: vec![],
    })
    .await?;

    // A meeting in session now: roll call done, a motion waiting for its second.
    s.at_days_ago(4.0).await?;
    let now = s.app.clock.now().unix_millis();
    let live = MeetingId::from_unique(&roundtable_app::mint())?;
    s.meeting(
        &live,
        secretary,
        MeetingCommand::Convene {
            council: t.id.clone(),
            title: "第二网格垃圾清运协商会".into(),
            starts_at: Timestamp::from_unix_millis(now + 4 * DAY_MS - DAY_MS / 48),
            venue: "银网社区党群服务中心二楼会议室".into(),
            online: false,
            agenda: vec![AgendaItem {
                item: 0,
                title: "垃圾清运频次".into(),
                text: "第二网格垃圾站每周只清运两次，居民要求增加。".into(),
                issue: None,
            }],
            urgent_reason: None,
        },
    )
    .await?;
    s.at_days_ago(0.0).await?;
    for member in [chair, secretary, chen] {
        s.meeting(
            &live,
            secretary,
            MeetingCommand::CheckIn {
                member: Some(member.clone()),
                code_checked: false,
            },
        )
        .await?;
    }
    s.meeting(&live, chair, MeetingCommand::Open).await?;
    s.meeting(&live, chair, MeetingCommand::OpenItem { item: 1 })
        .await?;
    s.meeting(
        &live,
        chen,
        MeetingCommand::Move {
            text: "请物业公司夏季每日清运第二网格垃圾站。".into(),
        },
    )
    .await?;
    Ok(())
}

/// The issues of the story, in every state.
#[allow(clippy::too_many_arguments)]
async fn seed_issues(
    s: &Seeder<'_>,
    chen: &MemberId,
    zhou: &MemberId,
    wu: &MemberId,
    zhang: &MemberId,
    wang: &MemberId,
    neighbours: &[MemberId],
    yinwang: &JurisdictionId,
    street_council: &CouncilId,
) -> anyhow::Result<IssueId> {
    // A drainage issue nobody triaged in time: escalated to the street's council,
    // accepted there, and now overdue for its response.
    s.at_days_ago(20.0).await?;
    let drain = s
        .raise(
            zhou,
            Category::Drainage,
            None,
            (
                "5号楼下水道堵塞返味",
                "5号楼一单元下水道反复堵塞，夏天返味严重，已持续两个月。",
                "银网小区5号楼一单元",
            ),
        )
        .await?;
    s.at_days_ago(16.5).await?;
    s.issue(
        &drain,
        wang,
        IssueCommand::Accept {
            council: Some(street_council.clone()),
        },
    )
    .await?;

    // A street light fixed, answered and rated satisfied.
    s.at_days_ago(12.0).await?;
    let light = s
        .raise(
            chen,
            Category::Safety,
            None,
            (
                "小区东门路灯不亮",
                "东门两盏路灯坏了一个多月，晚上老人出入不安全。",
                "银网小区东门",
            ),
        )
        .await?;
    s.at_days_ago(11.5).await?;
    s.issue(&light, zhang, IssueCommand::Accept { council: None })
        .await?;
    s.at_days_ago(9.0).await?;
    s.issue(
        &light,
        zhang,
        IssueCommand::Respond {
            text: "已联系物业更换两盏路灯，并检查了线路。".to_owned(),
        },
    )
    .await?;
    s.at_days_ago(8.0).await?;
    s.issue(
        &light,
        chen,
        IssueCommand::Rate {
            rating: Rating::Satisfied,
            comment: "修好了，谢谢。".to_owned(),
            raiser_code_checked: false,
        },
    )
    .await?;

    // The water problem of 银网小区: many neighbours co-sign; it reaches the docket.
    s.at_days_ago(8.0).await?;
    let water = s
        .raise(
            chen,
            Category::Water,
            Some(yinwang),
            (
                "银网小区3号楼常年停水",
                "3号楼自来水管网老化，近三年经常停水，高层住户长期没有稳定用水。希望更换管网。",
                "银网小区3号楼",
            ),
        )
        .await?;
    for (n, neighbour) in neighbours.iter().chain([zhou]).enumerate() {
        s.at_days_ago(7.9 - n as f64 * 0.1).await?;
        s.issue(&water, neighbour, IssueCommand::Cosign).await?;
    }
    s.at_days_ago(6.0).await?;
    s.issue(&water, wang, IssueCommand::Accept { council: None })
        .await?;

    // A duplicate of the water problem, rejected with a public reason.
    s.at_days_ago(5.0).await?;
    let duplicate = s
        .raise(
            zhou,
            Category::Water,
            None,
            ("3号楼又停水了", "3号楼今天又没有水。", "银网小区3号楼"),
        )
        .await?;
    s.at_days_ago(4.8).await?;
    s.issue(
        &duplicate,
        zhang,
        IssueCommand::Reject {
            reason: RejectionReason::Duplicate,
            explanation: format!("与“银网小区3号楼常年停水”（{water}）是同一问题，请在那里联署。"),
        },
    )
    .await?;

    // A fresh one, waiting for triage: 吴先生 is not verified yet, so the grid
    // worker raised it for him on a visit (the gate of the grid practice).
    s.at_days_ago(1.0).await?;
    let fresh = IssueId::from_unique(&roundtable_app::mint())?;
    s.issue(
        &fresh,
        wang,
        IssueCommand::Raise(RaiseIssue {
            text: IssueText::new(
                "垃圾清运不及时",
                "第二网格垃圾站每周只清运两次，夏天异味很大。",
                "银网小区第二网格垃圾站",
            )?,
            category: Category::Sanitation,
            jurisdiction: None,
            on_behalf_of: Some((wu.clone(), roundtable_domain::Channel::Visit)),
            photos: vec![],
            spot: None,
        }),
    )
    .await?;
    Ok(water)
}
