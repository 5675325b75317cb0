//! 银网社区's people's mediation committee in the demo: two mediators, a
//! neighbours' water-leak case that reached an agreement (confirmed by a court and
//! followed up), one in progress, and one the respondent declined; and the
//! street's committee above it.

use roundtable_domain::{
    Channel, Committee, CommitteeCommand, CommitteeId, CommitteeKind, DisputeCommand, DisputeId,
    DisputeKind, JurisdictionId, MediationRules, MemberId, Name, Performance, RaiseDispute, Reason,
};
use roundtable_ledger::Timestamp;

use super::{DAY_MS, Seeder};

/// The mediation accounts (phone, name, what they are), for the banner.
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    (
        "13900000021",
        "刘主任",
        "officer and mediator, 银网社区人民调解委员会",
    ),
    (
        "13900000022",
        "王律师",
        "mediator (lawyer), 银网社区人民调解委员会",
    ),
    ("13900000023", "孙主任", "officer, 红旗街道人民调解委员会"),
];

/// Who takes part: residents of 第一网格 on both sides, and a grid worker.
pub struct Parties<'a> {
    pub zhou: &'a MemberId,
    pub chen: &'a MemberId,
    pub zhang: &'a MemberId,
    pub neighbours: &'a [MemberId],
}

impl Seeder<'_> {
    async fn committee(
        &self,
        at: &JurisdictionId,
        name: &str,
        officer: &MemberId,
    ) -> anyhow::Result<CommitteeId> {
        let id = CommitteeId::from_unique(&roundtable_app::mint())?;
        let create = CommitteeCommand::Create {
            jurisdiction: at.clone(),
            kind: CommitteeKind::Peoples,
            name: Name::parse(name)?,
            rules: MediationRules::default(),
        };
        self.app
            .execute::<Committee>(&id, create, &self.admin, None, None)
            .await?;
        self.appoint(&id, &self.admin, officer, true, "主任")
            .await?;
        Ok(id)
    }

    async fn appoint(
        &self,
        committee: &CommitteeId,
        by: &roundtable_domain::Actor,
        member: &MemberId,
        officer: bool,
        why: &str,
    ) -> anyhow::Result<()> {
        let command = CommitteeCommand::Appoint {
            member: member.clone(),
            officer,
            reason: Reason::parse(why)?,
        };
        self.app
            .execute::<Committee>(committee, command, by, None, None)
            .await?;
        Ok(())
    }

    async fn case(
        &self,
        id: &DisputeId,
        by: &MemberId,
        command: DisputeCommand,
    ) -> anyhow::Result<()> {
        self.app
            .on_dispute(&self.actor(by), id, command, None)
            .await?;
        Ok(())
    }

    async fn raise_case(
        &self,
        applicant: &MemberId,
        respondent: &MemberId,
        kind: DisputeKind,
        grid: &JurisdictionId,
        claim: &str,
    ) -> anyhow::Result<DisputeId> {
        let id = DisputeId::from_unique(&roundtable_app::mint())?;
        let raise = DisputeCommand::Raise(RaiseDispute {
            applicant: applicant.clone(),
            respondents: vec![respondent.clone()],
            kind,
            jurisdiction: grid.clone(),
            channel: Channel::Online,
            claim: self.app.seal_text("claim", claim)?,
            from_issue: None,
        });
        self.case(&id, applicant, raise).await?;
        Ok(id)
    }

    fn days_from_now(&self, days: f64) -> Timestamp {
        Timestamp::from_unix_millis(
            self.app.clock.now().unix_millis() + (days * DAY_MS as f64) as i64,
        )
    }
}

pub async fn seed(
    s: &Seeder<'_>,
    yinwang: &JurisdictionId,
    hongqi: &JurisdictionId,
    grid1: &JurisdictionId,
    p: Parties<'_>,
) -> anyhow::Result<()> {
    s.at_days_ago(26.0).await?;
    let liu = s.staff("13900000021", None, "人民调解委员会主任").await?;
    let wang = s.staff("13900000022", None, "律师调解员").await?;
    let sun = s
        .staff("13900000023", None, "街道人民调解委员会主任")
        .await?;
    let yinwang_committee = s.committee(yinwang, "银网社区人民调解委员会", &liu).await?;
    s.appoint(
        &yinwang_committee,
        &s.actor(&liu),
        &wang,
        false,
        "聘任律师调解员",
    )
    .await?;
    s.committee(hongqi, "红旗街道人民调解委员会", &sun).await?;
    let [first, second, third, ..] = p.neighbours else {
        anyhow::bail!("the demo needs three neighbours");
    };

    // The water leak: agreed, confirmed by the court, performed.
    s.at_days_ago(24.0).await?;
    let leak = s
        .raise_case(
            p.zhou,
            first,
            DisputeKind::Neighbours,
            grid1,
            "楼上卫生间漏水，我家吊顶泡坏了，请求修好防水并赔偿吊顶维修费 800 元。",
        )
        .await?;
    s.at_days_ago(23.5).await?;
    let consent = DisputeCommand::Answer {
        party: first.clone(),
        consent: true,
        channel: Channel::Online,
        claim: Some(
            s.app
                .seal_text("claim", "同意修防水，赔偿金额希望再商量。")?,
        ),
    };
    s.case(&leak, first, consent).await?;
    s.at_days_ago(23.0).await?;
    s.case(
        &leak,
        &liu,
        DisputeCommand::AssignMediator {
            mediator: wang.clone(),
        },
    )
    .await?;
    let session_at = s.days_from_now(2.0);
    let schedule = DisputeCommand::ScheduleSession {
        at: session_at,
        venue: "银网社区调解室".into(),
    };
    s.case(&leak, &wang, schedule).await?;
    s.at_days_ago(21.0).await?;
    let record = DisputeCommand::RecordSession {
        session: 1,
        attendance: vec![p.zhou.clone(), first.clone(), wang.clone()],
        record: s.app.seal_text(
            "record",
            "双方到场。查看楼上卫生间，确认防水层老化。双方同意先修防水，赔偿 600 元。",
        )?,
    };
    s.case(&leak, &wang, record).await?;
    let terms = s.app.seal_text(
        "terms",
        "一、楼上住户于 10 日内请人修好卫生间防水层；\n二、楼上住户赔偿楼下吊顶维修费 600 元，于修好防水后 3 日内付清；\n三、双方就此事不再追究。",
    )?;
    s.case(&leak, &wang, DisputeCommand::DraftAgreement { terms })
        .await?;
    s.at_days_ago(20.9).await?;
    for party in [p.zhou, first] {
        let hash = s
            .app
            .projections
            .disputes()
            .case(&leak)
            .and_then(|(c, _)| c.state.agreement.as_ref().map(|a| a.text_hash.clone()))
            .ok_or_else(|| anyhow::anyhow!("the draft"))?;
        let confirm = DisputeCommand::ConfirmAgreement {
            party: party.clone(),
            text_hash: hash,
            channel: Channel::Online,
        };
        s.case(&leak, party, confirm).await?;
    }
    s.at_days_ago(18.0).await?;
    let apply = DisputeCommand::ApplyForConfirmation {
        court: "银州区人民法院".into(),
        applied_on: s.days_from_now(0.0),
    };
    s.case(&leak, &wang, apply).await?;
    s.at_days_ago(12.0).await?;
    s.case(
        &leak,
        &wang,
        DisputeCommand::RecordRuling { confirmed: true },
    )
    .await?;
    s.at_days_ago(8.0).await?;
    let visit = DisputeCommand::FollowUp {
        performance: Performance::Performed,
        note: s
            .app
            .seal_text("note", "回访：防水已修好，600 元已付清，双方满意。")?,
    };
    s.case(&leak, p.zhang, visit).await?;

    // A parking quarrel the neighbour would not mediate.
    s.at_days_ago(6.0).await?;
    let parking = s
        .raise_case(
            p.zhou,
            third,
            DisputeKind::Neighbours,
            grid1,
            "楼下邻居长期把车停在单元门口，老人出入不便。",
        )
        .await?;
    s.at_days_ago(5.0).await?;
    let decline = DisputeCommand::Answer {
        party: third.clone(),
        consent: false,
        channel: Channel::Online,
        claim: None,
    };
    s.case(&parking, third, decline).await?;

    // Noise at night: consented, a session next week.
    s.at_days_ago(3.0).await?;
    let noise = s
        .raise_case(
            p.chen,
            second,
            DisputeKind::Neighbours,
            grid1,
            "楼上每天夜里十一点后还在装修，影响休息。",
        )
        .await?;
    s.at_days_ago(2.5).await?;
    let consent = DisputeCommand::Answer {
        party: second.clone(),
        consent: true,
        channel: Channel::Online,
        claim: None,
    };
    s.case(&noise, second, consent).await?;
    s.at_days_ago(2.0).await?;
    s.case(
        &noise,
        &liu,
        DisputeCommand::AssignMediator {
            mediator: liu.clone(),
        },
    )
    .await?;
    let schedule = DisputeCommand::ScheduleSession {
        at: s.days_from_now(6.0),
        venue: "银网社区调解室".into(),
    };
    s.case(&noise, &liu, schedule).await?;
    Ok(())
}
