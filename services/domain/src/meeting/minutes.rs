//! The minutes: a deterministic rendering of the meeting's events, in Markdown or
//! HTML, in Chinese or English. The canonical text (zh-CN Markdown, members named by
//! their pseudonymous ids) is what the council approves by hash; readers see the
//! same document with names filled in.

use super::{
    Attendance, ItemStatus, MeetingState, MotionStatus, VoteMethod, VoteOutcome, VoteSubject,
};
use crate::document::{Block, html, markdown};
use crate::{ContentHash, CouncilId, MajorityKind, MemberId, Seat};
use roundtable_ledger::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    ZhCn,
    En,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinutesFormat {
    Markdown,
    Html,
}

struct Words {
    lang: Language,
}

impl Words {
    fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Language::ZhCn => zh,
            Language::En => en,
        }
    }

    /// "A：B" / "A: B".
    fn pair(&self, a: &str, b: &str) -> String {
        format!("{a}{}{b}", self.t("：", ": "))
    }

    fn comma(&self) -> &'static str {
        self.t("，", ", ")
    }

    fn seat(&self, seat: Seat) -> &'static str {
        match seat {
            Seat::Chair => self.t("主持人", "chair"),
            Seat::Secretary => self.t("记录人", "secretary"),
            Seat::Member => self.t("成员", "member"),
            Seat::Observer => self.t("列席", "observer"),
        }
    }

    fn majority(&self, kind: MajorityKind) -> &'static str {
        match kind {
            MajorityKind::SimpleMajority => {
                self.t("过半数（按投票数）", "simple majority of votes cast")
            }
            MajorityKind::MajorityOfPresent => {
                self.t("出席成员过半数", "majority of members present")
            }
            MajorityKind::MajorityOfMembers => {
                self.t("全体成员过半数", "majority of all voting members")
            }
            MajorityKind::TwoThirds => self.t("三分之二（按投票数）", "two thirds of votes cast"),
            MajorityKind::TwoThirdsOfMembers => {
                self.t("全体成员三分之二", "two thirds of all voting members")
            }
            MajorityKind::Consensus => self.t("协商一致（无反对）", "consensus (no vote against)"),
        }
    }

    fn outcome(&self, o: VoteOutcome) -> &'static str {
        match o {
            VoteOutcome::Adopted => self.t("通过", "adopted"),
            VoteOutcome::Rejected => self.t("未通过", "not adopted"),
        }
    }

    fn motion_status(&self, s: MotionStatus) -> &'static str {
        match s {
            MotionStatus::Pending => self.t("待表决", "pending"),
            MotionStatus::Withdrawn => self.t("已撤回", "withdrawn"),
            MotionStatus::Adopted => self.t("通过", "adopted"),
            MotionStatus::Rejected => self.t("未通过", "not adopted"),
        }
    }

    fn item_status(&self, s: ItemStatus) -> &'static str {
        match s {
            ItemStatus::Pending => self.t("未审议", "not taken up"),
            ItemStatus::Open => self.t("审议中", "under discussion"),
            ItemStatus::Closed => self.t("已审议", "concluded"),
            ItemStatus::Deferred => self.t("推迟，退回议题库", "deferred to a later meeting"),
        }
    }
}

/// Beijing time's offset from UTC, in minutes (Asia/Shanghai, no daylight saving
/// since 1991): the zone of every community Roundtable serves today.
const BEIJING_UTC_OFFSET_MINUTES: i32 = 480;

/// How a copy names what the canonical text gives by id: the members and the
/// council by name, and the time as a reader in Tieling reads a clock.
pub struct Naming<'a> {
    pub member: &'a dyn Fn(&MemberId) -> String,
    pub council: &'a dyn Fn(&CouncilId) -> String,
    /// Beijing time; otherwise the canonical UTC instant (ISO 8601).
    pub beijing_time: bool,
}

impl Naming<'_> {
    /// The canonical text's naming: ids, and UTC.
    pub const CANONICAL: Naming<'static> = Naming {
        member: &|m| m.as_str().to_owned(),
        council: &|c| c.as_str().to_owned(),
        beijing_time: false,
    };

    fn time(&self, w: &Words, at: Timestamp) -> String {
        if !self.beijing_time {
            return at.to_string();
        }
        let c = at.civil(BEIJING_UTC_OFFSET_MINUTES);
        match w.lang {
            Language::ZhCn => format!(
                "{}年{}月{}日 {:02}:{:02}（北京时间）",
                c.year, c.month, c.day, c.hour, c.minute
            ),
            Language::En => format!(
                "{}-{:02}-{:02} {:02}:{:02} (China Standard Time)",
                c.year, c.month, c.day, c.hour, c.minute
            ),
        }
    }
}

/// The minutes of `state`, named as `naming` says.
pub fn render_minutes(
    state: &MeetingState,
    lang: Language,
    format: MinutesFormat,
    naming: &Naming<'_>,
) -> String {
    let blocks = document(state, &Words { lang }, naming, true);
    match format {
        MinutesFormat::Markdown => markdown(&blocks),
        MinutesFormat::Html => html(&blocks, "minutes"),
    }
}

/// SHA-256 of the canonical text: zh-CN Markdown, members by id, without the
/// approval section (which the approval vote itself changes).
pub fn text_hash(state: &MeetingState) -> ContentHash {
    let blocks = document(
        state,
        &Words {
            lang: Language::ZhCn,
        },
        &Naming::CANONICAL,
        false,
    );
    ContentHash::of_bytes(markdown(&blocks).as_bytes())
}

fn document(
    state: &MeetingState,
    w: &Words,
    naming: &Naming<'_>,
    with_approval: bool,
) -> Vec<Block> {
    let name = naming.member;
    let mut out = Vec::new();
    out.push(Block::Heading(
        1,
        format!("{}{}", w.t("会议纪要：", "Minutes: "), state.title),
    ));
    let mut facts = vec![
        format!(
            "{}{}",
            w.t("议事会：", "Council: "),
            state
                .council
                .as_ref()
                .map_or(String::new(), |c| (naming.council)(c))
        ),
        format!(
            "{}{}",
            w.t("时间：", "Time: "),
            state
                .starts_at
                .map(|t| naming.time(w, t))
                .unwrap_or_default()
        ),
        format!(
            "{}{}{}",
            w.t("地点：", "Venue: "),
            state.venue,
            if state.online {
                w.t("（线上）", " (online)")
            } else {
                ""
            }
        ),
        format!(
            "{}{}",
            w.t("议事规则（哈希）：", "Rules (hash): "),
            state.rules_hash.as_ref().map_or("", |h| h.as_str())
        ),
    ];
    if let Some(reason) = &state.urgent_reason {
        facts.push(format!(
            "{}{reason}",
            w.t("紧急会议，理由：", "Urgent meeting, because: ")
        ));
    }
    out.push(Block::List(facts));

    out.push(Block::Heading(2, w.t("出席情况", "Attendance").to_owned()));
    let mut roll = Vec::new();
    for (member, (seat, voting)) in &state.seats {
        let status = match state.attendance.get(member) {
            Some(Attendance::Present) => w.t("出席", "present"),
            Some(Attendance::Departed) => w.t("中途离席", "left early"),
            Some(Attendance::AbsentWithApology) => w.t("请假", "absent with apology"),
            Some(Attendance::Absent) => w.t("缺席", "absent"),
            None => match state.proxies.get(member) {
                Some(_) => w.t("委托出席", "represented by proxy"),
                None => w.t("未签到", "not checked in"),
            },
        };
        let role = format!(
            "{}{}{}{}",
            w.t("（", " ("),
            w.seat(*seat),
            if *voting {
                ""
            } else {
                w.t("，无表决权", ", non-voting")
            },
            w.t("）", ")")
        );
        let mut line = w.pair(&format!("{}{role}", name(member)), status);
        if let Some(holder) = state.proxies.get(member) {
            line.push_str(&format!(
                "{}{}",
                w.t("，委托 ", "; proxy held by "),
                name(holder)
            ));
        }
        roll.push(line);
    }
    out.push(Block::List(roll));
    let e = state.electorate();
    out.push(Block::Para(format!(
        "{} {}/{}{}{} {}/{}",
        w.t(
            "表决权成员出席（含委托）",
            "Voting members present or by proxy"
        ),
        e.present,
        e.members,
        w.comma(),
        w.t("法定人数", "quorum"),
        state.rules.quorum.num,
        state.rules.quorum.den
    )));

    out.push(Block::Heading(2, w.t("议程", "Agenda").to_owned()));
    out.push(Block::List(
        state
            .agenda
            .iter()
            .map(|i| {
                let status = state.items.get(&i.item).copied().unwrap_or_default();
                let issue = i
                    .issue
                    .as_ref()
                    .map(|x| format!(" [{x}]"))
                    .unwrap_or_default();
                format!(
                    "{}. {}{issue}（{}）",
                    i.item,
                    i.title,
                    w.item_status(status)
                )
            })
            .collect(),
    ));

    let general: Vec<String> = state
        .statements
        .iter()
        .filter(|s| s.item.is_none())
        .map(|s| w.pair(&name(&s.speaker), &s.summary))
        .collect();
    if !general.is_empty() {
        out.push(Block::Heading(
            2,
            w.t("开场发言", "Opening statements").to_owned(),
        ));
        out.push(Block::List(general));
    }

    for item in &state.agenda {
        out.push(Block::Heading(
            2,
            w.pair(
                &format!("{} {}", w.t("议题", "Item"), item.item),
                &item.title,
            ),
        ));
        if !item.text.is_empty() {
            out.push(Block::Para(item.text.clone()));
        }
        let statements: Vec<String> = state
            .statements
            .iter()
            .filter(|s| s.item == Some(item.item))
            .map(|s| w.pair(&name(&s.speaker), &s.summary))
            .collect();
        if !statements.is_empty() {
            out.push(Block::Heading(3, w.t("发言", "Statements").to_owned()));
            out.push(Block::List(statements));
        }
        for (n, m) in state.motions.iter().filter(|(_, m)| m.item == item.item) {
            let kind = match m.amends {
                None => w.t("动议", "Motion"),
                Some(_) => w.t("修正案", "Amendment"),
            };
            let mut lines = vec![format!(
                "{}{}",
                w.t("提出人：", "Moved by: "),
                name(&m.mover)
            )];
            if let Some(target) = m.amends {
                lines.push(format!(
                    "{}{target}",
                    w.t("修正对象：动议 ", "Amends: motion ")
                ));
            }
            if let Some(by) = &m.seconded_by {
                lines.push(format!("{}{}", w.t("附议人：", "Seconded by: "), name(by)));
            }
            lines.push(format!(
                "{}{}",
                w.t("原文：", "Text as moved: "),
                m.original_text
            ));
            if m.text != m.original_text {
                lines.push(format!("{}{}", w.t("修正后：", "As amended: "), m.text));
            }
            lines.push(format!(
                "{}{}",
                w.t("结果：", "Result: "),
                w.motion_status(m.status)
            ));
            out.push(Block::Heading(3, format!("{kind} {n}")));
            out.push(Block::List(lines));
            for vote in &m.votes {
                vote_block(state, *vote, w, name, &mut out);
            }
        }
    }

    for (n, v) in &state.votes {
        if with_approval && matches!(v.subject, VoteSubject::Minutes { .. }) {
            out.push(Block::Heading(
                2,
                w.t("纪要审批", "Approval of the minutes").to_owned(),
            ));
            vote_block(state, *n, w, name, &mut out);
        }
    }
    if !state.corrections.is_empty() {
        out.push(Block::Heading(2, w.t("更正", "Corrections").to_owned()));
        out.push(Block::List(
            state
                .corrections
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{}. {c}", i + 1))
                .collect(),
        ));
    }
    out
}

fn vote_block(
    state: &MeetingState,
    n: u32,
    w: &Words,
    name: &dyn Fn(&MemberId) -> String,
    out: &mut Vec<Block>,
) {
    let Some(v) = state.votes.get(&n) else { return };
    let method = match v.method {
        VoteMethod::RollCall => w.t("记名表决", "roll-call vote"),
        VoteMethod::Secret => w.t("无记名表决", "secret ballot"),
    };
    let mut lines = vec![
        format!(
            "{}{method}{}{}",
            w.t("方式：", "Method: "),
            w.comma(),
            w.majority(v.majority)
        ),
        format!(
            "{}{}/{}",
            w.t("有表决权（出席/全体）：", "Eligible (present/all): "),
            v.electorate.present,
            v.electorate.members
        ),
        format!("{}{}", w.t("已投票：", "Ballots cast: "), v.ballots.len()),
    ];
    match &v.closed {
        None => lines.push(w.t("表决进行中", "Voting in progress").to_owned()),
        Some(c) => {
            let sep = w.comma();
            lines.push(format!(
                "{} {}{sep}{} {}{sep}{} {}",
                w.t("赞成", "Yes"),
                c.tally.yes,
                w.t("反对", "no"),
                c.tally.no,
                w.t("弃权", "abstain"),
                c.tally.abstain
            ));
            lines.push(format!(
                "{}{}",
                w.t("结果：", "Outcome: "),
                w.outcome(c.outcome)
            ));
            if v.method == VoteMethod::RollCall {
                let choice = |m: &MemberId| {
                    v.ballots.get(m).copied().flatten().or_else(|| {
                        c.revealed
                            .iter()
                            .find(|b| b.member.as_ref() == Some(m))
                            .map(|b| b.choice)
                    })
                };
                for (member, cast_by) in &v.eligible {
                    let said = match choice(member) {
                        Some(super::Choice::Yes) => w.t("赞成", "yes"),
                        Some(super::Choice::No) => w.t("反对", "no"),
                        Some(super::Choice::Abstain) => w.t("弃权", "abstain"),
                        None => w.t("未投票", "did not vote"),
                    };
                    let by = if member != cast_by && v.ballots.contains_key(member) {
                        format!("{}{}", w.t("（委托 ", " (by proxy "), name(cast_by))
                            + w.t("）", ")")
                    } else {
                        String::new()
                    };
                    lines.push(w.pair(&name(member), &format!("{said}{by}")));
                }
            }
            lines.push(format!(
                "{}{} / {}",
                w.t("签名检查点：", "Signed checkpoint: "),
                c.checkpoint.size,
                c.checkpoint.root
            ));
        }
    }
    out.push(Block::Heading(4, format!("{} {n}", w.t("表决", "Vote"))));
    out.push(Block::List(lines));
    if let (Some(approved), VoteSubject::Minutes { text_hash }) =
        (&state.minutes_approved, &v.subject)
        && approved.0 == n
    {
        out.push(Block::Para(format!(
            "{}{text_hash}",
            w.t("纪要已批准，文本哈希：", "Minutes approved; text hash: ")
        )));
    }
}
