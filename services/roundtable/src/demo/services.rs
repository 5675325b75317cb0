//! "At most one trip" in the demo: the service catalogues of 银网社区 and 红旗街道
//! (ten services, what to bring, where and when) and requests in every state —
//! several across the 2026 National Day holiday and its worked Saturday, so the
//! working-day clocks show.

use roundtable_domain::{
    CHINA_OFFSET_MINUTES, Channel, JurisdictionId, MemberId, Name, OpenRequest, Rating, Reason,
    Role, Service, ServiceCommand, ServiceId, ServiceRequest, ServiceRequestCommand as C,
    ServiceRequestId, ServiceSpec,
};
use roundtable_ledger::Date;

use super::Seeder;

/// The service point's account (phone, name, what they are), for the banner.
pub const ACCOUNTS: &[(&str, &str, &str)] = &[(
    "13900000009",
    "李主任",
    "grid worker, 红旗街道便民服务中心 (the street's service counter)",
)];

const HOURS: &str = "周一至周五 8:30–11:30，13:30–17:00（法定节假日除外）";

/// (name, words residents use, what it is, documents, limit in working days, responsible)
type Entry = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
    u32,
    &'static str,
);

const COMMUNITY: &[Entry] = &[
    (
        "居住证明",
        &["开证明", "住址证明"],
        "证明您在本社区居住，用于孩子入学、办理就业等。",
        &["身份证", "户口本", "房产证或租房合同"],
        3,
        "银网社区居委会",
    ),
    (
        "老年优待证",
        &["老年证", "优待证"],
        "60 周岁以上老人办理，乘公交、进公园等享受优待。",
        &["身份证", "户口本", "一寸照片两张"],
        5,
        "银网社区居委会",
    ),
    (
        "高龄津贴申请",
        &["高龄补贴", "老人补贴"],
        "80 周岁以上老人每月领取高龄津贴。",
        &["身份证", "户口本", "本人银行卡"],
        10,
        "银网社区居委会",
    ),
    (
        "城乡居民医保参保登记",
        &["医保", "参保", "交医保"],
        "没有职工医保的居民参加城乡居民基本医疗保险。",
        &["身份证", "户口本"],
        3,
        "银网社区社保服务站",
    ),
    (
        "就业失业登记",
        &["失业证", "就业证", "找工作"],
        "失业人员登记，领取就业创业证，享受就业服务。",
        &["身份证", "一寸照片", "解除劳动合同证明"],
        5,
        "银网社区社保服务站",
    ),
];

const STREET: &[Entry] = &[
    (
        "最低生活保障申请",
        &["低保", "吃低保"],
        "家庭人均收入低于本市低保标准的家庭申请低保。",
        &["身份证", "户口本", "家庭收入证明", "本人银行卡"],
        30,
        "红旗街道民政办",
    ),
    (
        "残疾人两项补贴申请",
        &["残疾人补贴", "护理补贴"],
        "困难残疾人生活补贴和重度残疾人护理补贴。",
        &["身份证", "户口本", "残疾人证", "本人银行卡"],
        20,
        "红旗街道残联",
    ),
    (
        "临时救助申请",
        &["救助", "急难"],
        "遭遇突发困难、基本生活暂时困难的家庭申请临时救助。",
        &["身份证", "户口本", "困难情况说明"],
        10,
        "红旗街道民政办",
    ),
    (
        "独生子女父母奖励扶助",
        &["独生子女", "奖励扶助"],
        "符合条件的独生子女父母申请奖励扶助金。",
        &["身份证", "户口本", "独生子女证", "结婚证"],
        20,
        "红旗街道卫健办",
    ),
    (
        "退役军人优待证申领",
        &["退役军人", "优待证"],
        "退役军人申领优待证，享受交通、文旅等优待。",
        &["身份证", "退役证", "一寸照片"],
        15,
        "红旗街道退役军人服务站",
    ),
];

impl Seeder<'_> {
    async fn catalogue(
        &self,
        at: &JurisdictionId,
        counter: &str,
        entries: &[Entry],
    ) -> anyhow::Result<Vec<ServiceId>> {
        let mut ids = Vec::new();
        for (name, keywords, description, documents, days, responsible) in entries {
            let id = ServiceId::from_unique(&roundtable_app::mint())?;
            let names = |list: &[&str]| {
                list.iter()
                    .map(|n| Name::parse(n))
                    .collect::<Result<Vec<_>, _>>()
            };
            let spec = ServiceSpec {
                name: Name::parse(name)?,
                description: (*description).into(),
                keywords: names(keywords)?,
                documents: names(documents)?,
                point: at.clone(),
                counter: Name::parse(counter)?,
                hours: Name::parse(HOURS)?,
                limit_working_days: *days,
                responsible: Name::parse(responsible)?,
            };
            let command = ServiceCommand::Publish {
                jurisdiction: at.clone(),
                spec,
            };
            self.app
                .execute::<Service>(&id, command, &self.admin, None, None)
                .await?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Moves the story to `hour` o'clock (Beijing time) on `date`.
    async fn on(&self, date: &str, hour: i64) -> anyhow::Result<()> {
        let day: Date = date.parse()?;
        let at = day.start(CHINA_OFFSET_MINUTES).unix_millis() + hour * 3_600_000;
        self.clock
            .set_to(roundtable_ledger::Timestamp::from_unix_millis(at));
        roundtable_app::deadlines::sweep(self.app).await?;
        Ok(())
    }

    async fn ask(
        &self,
        service: &ServiceId,
        applicant: &MemberId,
        by: &MemberId,
        at_home: bool,
    ) -> anyhow::Result<ServiceRequestId> {
        let id = ServiceRequestId::from_unique(&roundtable_app::mint())?;
        let channel = if by == applicant {
            Channel::Online
        } else {
            Channel::Visit
        };
        let open = C::Open(OpenRequest {
            service: service.clone(),
            applicant: applicant.clone(),
            channel,
            at_home,
        });
        self.step(&id, by, open).await?;
        Ok(id)
    }

    async fn step(&self, id: &ServiceRequestId, by: &MemberId, command: C) -> anyhow::Result<()> {
        self.app
            .execute::<ServiceRequest>(id, command, &self.actor(by), None, None)
            .await?;
        Ok(())
    }
}

fn missing(list: &[&str]) -> anyhow::Result<C> {
    Ok(C::ListMissing {
        missing: list
            .iter()
            .map(|n| Name::parse(n))
            .collect::<Result<_, _>>()?,
    })
}

/// Who takes part.
pub struct People<'a> {
    pub chen: &'a MemberId,
    pub zhou: &'a MemberId,
    /// 张丽, grid worker of 第一网格, and 王强, the community's.
    pub zhang: &'a MemberId,
    pub wang: &'a MemberId,
    pub neighbours: &'a [MemberId],
}

pub async fn seed(
    s: &Seeder<'_>,
    yinwang: &JurisdictionId,
    hongqi: &JurisdictionId,
    p: People<'_>,
) -> anyhow::Result<()> {
    let li = s
        .staff(
            "13900000009",
            Some(Role::GridWorker {
                jurisdiction: hongqi.clone(),
            }),
            "红旗街道便民服务中心",
        )
        .await?;
    s.on("2026-09-20", 9).await?;
    let community = s
        .catalogue(yinwang, "银网社区党群服务中心一楼 2 号窗口", COMMUNITY)
        .await?;
    let street = s
        .catalogue(hongqi, "红旗街道便民服务中心 5 号窗口", STREET)
        .await?;
    let [residence, elderly, longevity, insurance, employment] = &community[..] else {
        anyhow::bail!("five community services");
    };
    let [allowance, disability, relief, ..] = &street[..] else {
        anyhow::bail!("five street services");
    };
    let n = |i: usize| &p.neighbours[i];

    // 张丽 collects 银网居民1's documents at home: no trip; done after the holiday.
    s.on("2026-09-25", 15).await?;
    let at_home = s.ask(longevity, n(0), p.zhang, true).await?;
    s.step(&at_home, p.wang, C::MarkComplete).await?;

    // 陈大爷 asks for his 老年优待证 online; at the counter a photo is missing, and a
    // copy of the 户口本 the catalogue never asked for (flagged against it).
    s.on("2026-09-28", 9).await?;
    let elderly_card = s.ask(elderly, p.chen, p.chen, false).await?;
    s.on("2026-09-28", 10).await?;
    s.step(
        &elderly_card,
        p.wang,
        missing(&["一寸照片两张", "户口本复印件"])?,
    )
    .await?;

    // 周阿姨's 居住证明, the day before the holiday: due at the end of 9 October.
    s.on("2026-09-29", 10).await?;
    let residence_proof = s.ask(residence, p.zhou, p.zhou, false).await?;
    s.on("2026-09-29", 11).await?;
    s.step(&residence_proof, p.wang, C::MarkComplete).await?;
    s.on("2026-09-30", 9).await?;
    s.step(&elderly_card, p.wang, C::MarkComplete).await?;
    // 银网居民3 applies for 低保 at the street's counter; it will run late.
    let low_income = s.ask(allowance, n(2), n(2), false).await?;
    s.on("2026-09-30", 10).await?;
    s.step(&low_income, &li, C::MarkComplete).await?;

    // After the holiday: 8 October, then the worked Saturday 10 October.
    s.on("2026-10-08", 15).await?;
    s.step(&residence_proof, p.wang, C::Finish).await?;
    s.step(&residence_proof, p.zhou, rate(Rating::Satisfied))
        .await?;
    s.on("2026-10-10", 11).await?;
    s.step(&elderly_card, p.wang, C::Finish).await?;
    s.step(&elderly_card, p.chen, rate(Rating::BasicallySatisfied))
        .await?;
    s.on("2026-10-12", 16).await?;
    s.step(&at_home, p.wang, C::Finish).await?;
    // 张丽 takes 银网居民1's rating on her next visit.
    s.step(
        &at_home,
        p.zhang,
        C::Rate {
            rating: Rating::Satisfied,
            channel: Channel::Visit,
        },
    )
    .await?;

    // 临时救助 refused, with the reason; 医保 withdrawn.
    s.on("2026-10-13", 9).await?;
    let refused = s.ask(relief, n(3), n(3), false).await?;
    s.on("2026-10-14", 10).await?;
    s.step(
        &refused,
        &li,
        C::Refuse {
            reason: Reason::parse("家庭收入高于临时救助标准，已告知可申请其他帮扶")?,
        },
    )
    .await?;
    s.step(&refused, n(3), rate(Rating::Unsatisfied)).await?;
    let insured = s.ask(insurance, n(4), n(4), false).await?;
    s.step(&insured, n(4), C::Withdraw).await?;

    // Open now: 残疾人补贴 waiting for the missing 残疾人证, and 就业失业登记 in hand.
    s.at_days_ago(3.0).await?;
    let disabled = s.ask(disability, n(5), n(5), false).await?;
    s.at_days_ago(2.9).await?;
    s.step(&disabled, &li, missing(&["残疾人证"])?).await?;
    s.at_days_ago(1.0).await?;
    let job = s.ask(employment, n(6), n(6), false).await?;
    s.step(&job, p.wang, C::MarkComplete).await?;
    Ok(())
}

fn rate(rating: Rating) -> C {
    C::Rate {
        rating,
        channel: Channel::Online,
    }
}
