//! Meetings and resolutions as GraphQL reads them.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use roundtable_domain::{
    self as domain, Aggregate, Meeting as MeetingAggregate, MeetingCommand, MemberId,
    Seat as DomainSeat, VoteSubject,
};
use roundtable_projections::{MeetingView, ProgressRecord, ResolutionView};

use super::super::issues::{Issue, receipt_url};
use super::super::types::{Council, MajorityKind, WhyNot, app, caller, council, display_name};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Phase")]
pub enum MeetingPhase {
    None,
    /// Notice given: roll call may start and the agenda may still change.
    Convened,
    Open,
    Adjourned,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Attendance")]
pub enum Attendance {
    Present,
    Departed,
    Absent,
    AbsentWithApology,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::ItemStatus")]
pub enum ItemStatus {
    Pending,
    Open,
    Closed,
    Deferred,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::MotionStatus")]
pub enum MotionStatus {
    Pending,
    Withdrawn,
    Adopted,
    Rejected,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::VoteMethod")]
pub enum VoteMethod {
    RollCall,
    Secret,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Choice")]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::VoteOutcome")]
pub enum VoteOutcome {
    Adopted,
    Rejected,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum MinutesLanguage {
    ZhCn,
    En,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum MinutesFormat {
    Markdown,
    Html,
}

#[derive(SimpleObject)]
pub struct AgendaEntry {
    pub item: u32,
    pub title: String,
    pub text: String,
    pub issue: Option<String>,
    pub status: ItemStatus,
    pub viewer_can: AgendaItemCan,
}

/// What the caller may do with an agenda item now (the domain's decide, dry run).
#[derive(SimpleObject)]
pub struct AgendaItemCan {
    pub open: bool,
    pub defer: bool,
}

#[derive(SimpleObject)]
pub struct RollCallEntry {
    pub member: String,
    pub name: String,
    pub seat: String,
    pub voting: bool,
    /// Null until checked in or recorded absent.
    pub attendance: Option<Attendance>,
    /// The member holding this member's proxy.
    pub proxy_holder: Option<String>,
    pub viewer_can: RollCallCan,
}

/// What the caller may record for this member now (the domain's decide, dry run).
#[derive(SimpleObject)]
pub struct RollCallCan {
    pub check_in: bool,
    /// Record an apology (absent with notice).
    pub apology: bool,
    /// Record an absence without apology.
    pub absent: bool,
    /// Record a departure (present members leaving).
    pub depart: bool,
    pub revoke_proxy: bool,
}

#[derive(SimpleObject)]
pub struct Proxy {
    pub from: String,
    pub to: String,
}

#[derive(SimpleObject)]
pub struct Statement {
    pub item: Option<u32>,
    pub speaker: String,
    pub speaker_name: String,
    pub summary: String,
}

#[derive(SimpleObject)]
pub struct MotionView {
    pub motion: u32,
    pub item: u32,
    pub mover: String,
    pub mover_name: String,
    /// The wording now (an adopted amendment rewrites it).
    pub text: String,
    pub original_text: String,
    /// The motion this amends.
    pub amends: Option<u32>,
    /// 0 main motion, 1 amendment, 2 amendment to an amendment.
    pub level: u32,
    pub seconded_by: Option<String>,
    pub status: MotionStatus,
    pub votes: Vec<u32>,
    pub viewer_can: MotionCan,
}

/// What the caller may do with a motion now (the domain's decide, dry run).
#[derive(SimpleObject)]
pub struct MotionCan {
    pub second: bool,
    pub amend: bool,
    pub withdraw: bool,
    pub open_vote: bool,
    /// What the motion waits for before it can be put to the vote (e.g.
    /// `PROCEDURE_NEEDS_SECOND`, `PROCEDURE_NO_QUORUM`), when `openVote` is false.
    pub open_vote_why_not: Option<WhyNot>,
}

/// What the caller may do at the meeting now (the domain's decide, dry run).
#[derive(SimpleObject)]
pub struct MeetingCan {
    /// Run the meeting from the console (the domain's officer rule).
    pub run_console: bool,
    pub change_agenda: bool,
    /// Check themself in with the meeting code.
    pub check_in_with_code: bool,
    pub open: bool,
    pub close_item: bool,
    pub record_statement: bool,
    pub move_motion: bool,
    /// Cast their own ballot in the open vote.
    pub cast_ballot: bool,
    pub close_vote: bool,
    pub adjourn: bool,
    pub open_minutes_vote: bool,
    pub correct_minutes: bool,
}

#[derive(SimpleObject)]
pub struct Tally {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

#[derive(SimpleObject)]
pub struct EligibleVoter {
    pub member: String,
    pub cast_by: String,
}

#[derive(SimpleObject)]
pub struct BallotView {
    pub member: String,
    pub cast_by: String,
    /// Null while the ballot is sealed, and for ever for a secret ballot.
    pub choice: Option<Choice>,
    pub index: Option<u64>,
}

#[derive(SimpleObject)]
pub struct SecretBallot {
    /// SHA-256 of the voter's ballot token (the voter can find their own).
    pub ballot: String,
    pub choice: Choice,
}

#[derive(SimpleObject)]
pub struct CheckpointView {
    pub size: u64,
    pub root: String,
}

pub struct VoteView {
    pub vote: u32,
    pub v: domain::Vote,
    pub meeting: Arc<MeetingView>,
}

#[Object(name = "Vote")]
impl VoteView {
    async fn vote(&self) -> u32 {
        self.vote
    }
    /// The motion voted on (null for the minutes).
    async fn motion(&self) -> Option<u32> {
        match self.v.subject {
            VoteSubject::Motion { motion } => Some(motion),
            VoteSubject::Minutes { .. } => None,
        }
    }
    /// For a vote on the minutes: the hash of the text voted on.
    async fn minutes_hash(&self) -> Option<String> {
        match &self.v.subject {
            VoteSubject::Minutes { text_hash } => Some(text_hash.to_string()),
            VoteSubject::Motion { .. } => None,
        }
    }
    async fn method(&self) -> VoteMethod {
        self.v.method.into()
    }
    async fn majority(&self) -> MajorityKind {
        self.v.majority.into()
    }
    async fn hidden(&self) -> bool {
        self.v.hidden
    }
    async fn rules_hash(&self) -> String {
        self.v.rules_hash.to_string()
    }
    async fn eligible(&self) -> Vec<EligibleVoter> {
        self.v
            .eligible
            .iter()
            .map(|(m, by)| EligibleVoter {
                member: m.to_string(),
                cast_by: by.to_string(),
            })
            .collect()
    }
    /// Voting members present in person or by proxy when the vote opened.
    async fn present(&self) -> u32 {
        self.v.electorate.present
    }
    async fn voting_members(&self) -> u32 {
        self.v.electorate.members
    }
    async fn ballots_cast(&self) -> u32 {
        u32::try_from(self.v.ballots.len()).unwrap_or(u32::MAX)
    }
    async fn closed(&self) -> bool {
        self.v.closed.is_some()
    }
    /// The running tally of a public vote, or the final one; null while hidden.
    async fn tally(&self) -> Option<Tally> {
        let t = match &self.v.closed {
            Some(c) => c.tally,
            None if self.v.hidden => return None,
            None => domain::Tally::of(self.v.ballots.values().filter_map(|c| *c)),
        };
        Some(Tally {
            yes: t.yes,
            no: t.no,
            abstain: t.abstain,
        })
    }
    async fn outcome(&self) -> Option<VoteOutcome> {
        self.v.closed.as_ref().map(|c| c.outcome.into())
    }
    /// Who voted (and, for a roll call once public, how).
    async fn ballots(&self) -> Vec<BallotView> {
        let revealed = |m: &MemberId| {
            self.v.closed.as_ref().and_then(|c| {
                c.revealed
                    .iter()
                    .find(|b| b.member.as_ref() == Some(m))
                    .map(|b| b.choice)
            })
        };
        self.v
            .ballots
            .iter()
            .map(|(m, choice)| BallotView {
                member: m.to_string(),
                cast_by: self
                    .v
                    .eligible
                    .get(m)
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                choice: choice.or_else(|| revealed(m)).map(Into::into),
                index: self.meeting.ballots.get(&(self.vote, m.clone())).copied(),
            })
            .collect()
    }
    /// A secret ballot's choices, published at close in hash order.
    async fn secret_ballots(&self) -> Vec<SecretBallot> {
        self.v
            .closed
            .iter()
            .flat_map(|c| c.revealed.iter())
            .filter_map(|b| {
                Some(SecretBallot {
                    ballot: b.ballot.as_ref()?.to_string(),
                    choice: b.choice.into(),
                })
            })
            .collect()
    }
    /// The signed checkpoint named at close, which includes every ballot.
    async fn checkpoint(&self) -> Option<CheckpointView> {
        self.v.closed.as_ref().map(|c| CheckpointView {
            size: c.checkpoint.size,
            root: c.checkpoint.root.clone(),
        })
    }
    /// The receipt of the closing event.
    async fn closed_proof_url(&self) -> Option<String> {
        self.meeting
            .closed_at
            .get(&self.vote)
            .map(|i| receipt_url(*i))
    }
}

fn seat_name(seat: DomainSeat) -> &'static str {
    match seat {
        DomainSeat::Chair => "chair",
        DomainSeat::Secretary => "secretary",
        DomainSeat::Member => "member",
        DomainSeat::Observer => "observer",
    }
}

pub struct Meeting(pub Arc<MeetingView>);

/// Dry runs of meeting commands for the caller: what the console may offer.
struct DryRun<'a> {
    meeting: &'a MeetingView,
    context: domain::Context,
    directory: roundtable_projections::Views<'a>,
}

impl DryRun<'_> {
    /// Placeholder arguments stand for what the caller will type or choose; a
    /// refusal only about those (`chosen_later`) keeps the action.
    fn may(&self, command: MeetingCommand, chosen_later: &[&str]) -> bool {
        self.why_not(command, chosen_later).is_none()
    }

    /// The domain's refusal of the command, when it would refuse it.
    fn why_not(&self, command: MeetingCommand, chosen_later: &[&str]) -> Option<WhyNot> {
        MeetingAggregate::refusal(
            &self.meeting.id,
            &self.meeting.state,
            command,
            &self.context,
            &self.directory,
            chosen_later,
        )
        .as_ref()
        .map(WhyNot::of)
    }
}

impl Meeting {
    /// The domain's rule: the meeting's chair or secretary, still in that seat.
    fn officer(&self, ctx: &Context<'_>) -> bool {
        self.0.state.is_officer(&caller(ctx))
    }

    fn dry_run<'a>(&'a self, ctx: &'a Context<'_>) -> DryRun<'a> {
        let app = app(ctx);
        DryRun {
            meeting: &self.0,
            context: domain::Context {
                actor: caller(ctx),
                now: app.clock.now(),
            },
            directory: app.projections.directory(),
        }
    }

    fn vote_view(&self, n: u32) -> Option<VoteView> {
        Some(VoteView {
            vote: n,
            v: self.0.state.votes.get(&n)?.clone(),
            meeting: self.0.clone(),
        })
    }
}

/// Names for the minutes, fetched once for every member they mention.
async fn names(
    ctx: &Context<'_>,
    s: &domain::MeetingState,
) -> Result<std::collections::BTreeMap<MemberId, String>> {
    let mut ids: std::collections::BTreeSet<MemberId> = s.seats.keys().cloned().collect();
    ids.extend(s.statements.iter().map(|st| st.speaker.clone()));
    let mut out = std::collections::BTreeMap::new();
    for id in ids {
        let name = display_name(ctx, &id).await?;
        out.insert(id, name);
    }
    Ok(out)
}

#[Object]
impl Meeting {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn council(&self, ctx: &Context<'_>) -> Option<Council> {
        council(ctx, self.0.state.council.as_ref()?)
    }
    async fn title(&self) -> &str {
        &self.0.state.title
    }
    async fn starts_at(&self) -> Option<String> {
        self.0.state.starts_at.map(|t| t.to_string())
    }
    async fn venue(&self) -> &str {
        &self.0.state.venue
    }
    async fn online(&self) -> bool {
        self.0.state.online
    }
    /// Set when the chair called the meeting at short notice.
    async fn urgent_reason(&self) -> Option<&str> {
        self.0.state.urgent_reason.as_deref()
    }
    async fn phase(&self) -> MeetingPhase {
        self.0.state.phase.into()
    }
    async fn convened_at(&self) -> String {
        self.0.convened_at.to_string()
    }
    async fn opened_at(&self) -> Option<String> {
        self.0.opened_at.map(|t| t.to_string())
    }
    async fn adjourned_at(&self) -> Option<String> {
        self.0.adjourned_at.map(|t| t.to_string())
    }
    async fn rules_hash(&self) -> Option<String> {
        self.0.state.rules_hash.as_ref().map(ToString::to_string)
    }
    /// The quorum rule as "num/den" of the voting members.
    async fn quorum(&self) -> String {
        let q = self.0.state.rules.quorum;
        format!("{}/{}", q.num, q.den)
    }
    /// Voting members present in person or by proxy now.
    async fn present(&self) -> u32 {
        self.0.state.electorate().present
    }
    async fn voting_members(&self) -> u32 {
        self.0.state.electorate().members
    }
    async fn has_quorum(&self) -> bool {
        self.0.state.has_quorum()
    }
    async fn agenda(&self, ctx: &Context<'_>) -> Vec<AgendaEntry> {
        let s = &self.0.state;
        let dry = self.dry_run(ctx);
        s.agenda
            .iter()
            .map(|i| AgendaEntry {
                item: i.item,
                title: i.title.clone(),
                text: i.text.clone(),
                issue: i.issue.as_ref().map(ToString::to_string),
                status: s.items.get(&i.item).copied().unwrap_or_default().into(),
                viewer_can: AgendaItemCan {
                    open: dry.may(MeetingCommand::OpenItem { item: i.item }, &[]),
                    defer: dry.may(MeetingCommand::DeferItem { item: i.item }, &[]),
                },
            })
            .collect()
    }
    /// What the caller may do at the meeting now.
    async fn viewer_can(&self, ctx: &Context<'_>) -> MeetingCan {
        use MeetingCommand as C;
        let s = &self.0.state;
        let dry = self.dry_run(ctx);
        MeetingCan {
            run_console: s.is_officer(&dry.context.actor),
            change_agenda: dry.may(C::ChangeAgenda { agenda: Vec::new() }, &["agenda"]),
            check_in_with_code: dry.may(
                C::CheckIn {
                    member: None,
                    code_checked: true,
                },
                &[],
            ),
            open: dry.may(C::Open, &[]),
            close_item: dry.may(C::CloseItem, &[]),
            record_statement: dry.context.actor.member.clone().is_some_and(|speaker| {
                dry.may(
                    C::RecordStatement {
                        speaker,
                        summary: String::new(),
                    },
                    &["speaker", "summary"],
                )
            }),
            move_motion: dry.may(
                C::Move {
                    text: String::new(),
                },
                &["text"],
            ),
            cast_ballot: s.open_vote.is_some_and(|vote| {
                dry.may(
                    C::CastBallot {
                        vote,
                        on_behalf_of: None,
                        choice: domain::Choice::Abstain,
                    },
                    &[],
                )
            }),
            close_vote: s.open_vote.is_some_and(|vote| {
                dry.may(
                    C::CloseVote {
                        vote,
                        sealed: Vec::new(),
                        checkpoint: domain::CheckpointRef {
                            size: 0,
                            root: String::new(),
                        },
                    },
                    &["sealed", "checkpoint"],
                )
            }),
            adjourn: dry.may(C::Adjourn, &[]),
            open_minutes_vote: dry.may(C::OpenMinutesVote, &[]),
            correct_minutes: dry.may(
                C::CorrectMinutes {
                    text: String::new(),
                },
                &["text"],
            ),
        }
    }
    async fn current_item(&self) -> Option<u32> {
        self.0.state.current_item
    }
    /// The issues on the agenda.
    async fn issues(&self, ctx: &Context<'_>) -> Vec<Issue> {
        let issues = app(ctx).projections.issues();
        self.0
            .state
            .agenda
            .iter()
            .filter_map(|i| issues.get(i.issue.as_ref()?).cloned().map(Issue))
            .collect()
    }
    async fn roll_call(&self, ctx: &Context<'_>) -> Result<Vec<RollCallEntry>> {
        use MeetingCommand as C;
        let s = &self.0.state;
        // Decided before any await: the read models stay locked only meanwhile.
        let cans: Vec<RollCallCan> = {
            let dry = self.dry_run(ctx);
            s.seats
                .keys()
                .map(|m| RollCallCan {
                    check_in: dry.may(
                        C::CheckIn {
                            member: Some(m.clone()),
                            code_checked: false,
                        },
                        &[],
                    ),
                    apology: dry.may(
                        C::RecordAbsence {
                            member: m.clone(),
                            apology: true,
                        },
                        &[],
                    ),
                    absent: dry.may(
                        C::RecordAbsence {
                            member: m.clone(),
                            apology: false,
                        },
                        &[],
                    ),
                    depart: dry.may(
                        C::Depart {
                            member: Some(m.clone()),
                        },
                        &[],
                    ),
                    revoke_proxy: dry.may(
                        C::RevokeProxy {
                            from: Some(m.clone()),
                        },
                        &[],
                    ),
                })
                .collect()
        };
        let mut out = Vec::with_capacity(s.seats.len());
        for ((m, (seat, voting)), viewer_can) in s.seats.iter().zip(cans) {
            out.push(RollCallEntry {
                viewer_can,
                member: m.to_string(),
                name: display_name(ctx, m).await?,
                seat: seat_name(*seat).to_owned(),
                voting: *voting,
                attendance: s.attendance.get(m).map(|a| (*a).into()),
                proxy_holder: s.proxies.get(m).map(ToString::to_string),
            });
        }
        Ok(out)
    }
    async fn proxies(&self) -> Vec<Proxy> {
        self.0
            .state
            .proxies
            .iter()
            .map(|(f, t)| Proxy {
                from: f.to_string(),
                to: t.to_string(),
            })
            .collect()
    }
    async fn statements(&self, ctx: &Context<'_>) -> Result<Vec<Statement>> {
        let mut out = Vec::new();
        for st in &self.0.state.statements {
            out.push(Statement {
                item: st.item,
                speaker: st.speaker.to_string(),
                speaker_name: display_name(ctx, &st.speaker).await?,
                summary: st.summary.clone(),
            });
        }
        Ok(out)
    }
    async fn motions(&self, ctx: &Context<'_>) -> Result<Vec<MotionView>> {
        use MeetingCommand as C;
        let cans: Vec<MotionCan> = {
            let dry = self.dry_run(ctx);
            self.0
                .state
                .motions
                .keys()
                .map(|&motion| {
                    let open_vote_why_not = dry.why_not(
                        C::OpenVote {
                            motion,
                            method: domain::VoteMethod::RollCall,
                            majority: None,
                            hidden: false,
                        },
                        &["method", "majority"],
                    );
                    MotionCan {
                        second: dry.may(C::Second { motion }, &[]),
                        amend: dry.may(
                            C::Amend {
                                motion,
                                text: String::new(),
                            },
                            &["text"],
                        ),
                        withdraw: dry.may(C::WithdrawMotion { motion }, &[]),
                        open_vote: open_vote_why_not.is_none(),
                        open_vote_why_not,
                    }
                })
                .collect()
        };
        let mut out = Vec::new();
        for ((n, m), viewer_can) in self.0.state.motions.iter().zip(cans) {
            out.push(MotionView {
                viewer_can,
                motion: *n,
                item: m.item,
                mover: m.mover.to_string(),
                mover_name: display_name(ctx, &m.mover).await?,
                text: m.text.clone(),
                original_text: m.original_text.clone(),
                amends: m.amends,
                level: u32::from(m.level),
                seconded_by: m.seconded_by.as_ref().map(ToString::to_string),
                status: m.status.into(),
                votes: m.votes.clone(),
            });
        }
        Ok(out)
    }
    /// The motion or amendment now before the meeting: the deepest pending one.
    async fn pending_motion(&self) -> Option<u32> {
        self.0
            .state
            .motions
            .iter()
            .filter(|(_, m)| m.status == domain::MotionStatus::Pending)
            .max_by_key(|(n, m)| (m.level, **n))
            .map(|(n, _)| *n)
    }
    async fn votes(&self) -> Vec<VoteView> {
        self.0
            .state
            .votes
            .keys()
            .filter_map(|n| self.vote_view(*n))
            .collect()
    }
    async fn open_vote(&self) -> Option<VoteView> {
        self.vote_view(self.0.state.open_vote?)
    }
    /// The minutes, rendered from the record with members' names.
    async fn minutes(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "MinutesLanguage::ZhCn")] language: MinutesLanguage,
        #[graphql(default_with = "MinutesFormat::Markdown")] format: MinutesFormat,
    ) -> Result<String> {
        let s = &self.0.state;
        let names = names(ctx, s).await?;
        let lang = match language {
            MinutesLanguage::ZhCn => domain::Language::ZhCn,
            MinutesLanguage::En => domain::Language::En,
        };
        let format = match format {
            MinutesFormat::Markdown => domain::MinutesFormat::Markdown,
            MinutesFormat::Html => domain::MinutesFormat::Html,
        };
        // Readers see names and the time in Tieling (Beijing time); the canonical
        // text below keeps the ids and the UTC instant.
        Ok(domain::render_minutes(
            s,
            lang,
            format,
            &domain::Naming {
                member: &|m| names.get(m).cloned().unwrap_or_else(|| m.to_string()),
                council: &|c| {
                    council(ctx, c).map_or_else(|| c.to_string(), |v| v.0.name().to_owned())
                },
                beijing_time: true,
            },
        ))
    }
    /// SHA-256 of the canonical minutes (zh-CN Markdown, members by id): what an
    /// approval vote names.
    async fn minutes_hash(&self) -> String {
        domain::minutes_hash(&self.0.state).to_string()
    }
    /// The canonical minutes text whose hash is `minutesHash`.
    async fn canonical_minutes(&self) -> String {
        domain::render_minutes(
            &self.0.state,
            domain::Language::ZhCn,
            domain::MinutesFormat::Markdown,
            &domain::Naming::CANONICAL,
        )
    }
    async fn corrections(&self) -> &[String] {
        &self.0.state.corrections
    }
    /// The approved text's hash, once the council approved the minutes.
    async fn minutes_approved_hash(&self) -> Option<String> {
        self.0
            .state
            .minutes_approved
            .as_ref()
            .map(|(_, h)| h.to_string())
    }
    async fn resolutions(&self, ctx: &Context<'_>) -> Vec<Resolution> {
        let meetings = app(ctx).projections.meetings();
        self.0
            .resolutions
            .iter()
            .filter_map(|r| meetings.resolution(r).cloned().map(Resolution))
            .collect()
    }
    /// The code members type to check themselves in; shown to the chair and
    /// secretary only (for display in the hall).
    async fn check_in_code(&self, ctx: &Context<'_>) -> Option<String> {
        self.officer(ctx)
            .then(|| app(ctx).vault.meeting_code(self.0.id.as_str()))
    }
    /// Index of the meeting's last event (for resynchronising a live view).
    async fn last_index(&self) -> u64 {
        self.0.last_index
    }
}

#[derive(SimpleObject)]
pub struct AssignmentView {
    pub assignment: u32,
    pub task: String,
    pub member: Option<String>,
    pub unit: Option<String>,
    pub due: String,
    pub done: bool,
    pub overdue: bool,
}

#[derive(SimpleObject)]
pub struct Dated {
    pub at: String,
    pub text: String,
}

pub struct Progress(pub ProgressRecord);

#[Object]
impl Progress {
    async fn assignment(&self) -> Option<u32> {
        self.0.assignment
    }
    async fn percent(&self) -> u32 {
        self.0.percent
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
    async fn photos(&self) -> Vec<String> {
        self.0.photos.iter().map(ToString::to_string).collect()
    }
    async fn at(&self) -> String {
        self.0.at.to_string()
    }
    async fn by(&self) -> Option<String> {
        self.0.by.as_ref().map(ToString::to_string)
    }
    async fn proof_url(&self) -> String {
        receipt_url(self.0.index)
    }
}

pub struct Resolution(pub Arc<ResolutionView>);

#[Object]
impl Resolution {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn council(&self, ctx: &Context<'_>) -> Option<Council> {
        council(ctx, &self.0.council)
    }
    async fn meeting(&self) -> &str {
        self.0.meeting.as_str()
    }
    async fn motion(&self) -> u32 {
        self.0.motion
    }
    async fn vote(&self) -> u32 {
        self.0.vote
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
    async fn issues(&self, ctx: &Context<'_>) -> Vec<Issue> {
        let issues = app(ctx).projections.issues();
        self.0
            .issues
            .iter()
            .filter_map(|i| issues.get(i).cloned().map(Issue))
            .collect()
    }
    async fn assignments(&self, ctx: &Context<'_>) -> Vec<AssignmentView> {
        let now = app(ctx).clock.now();
        let overdue: Vec<u32> = self.0.overdue(now).iter().map(|a| a.assignment).collect();
        self.0
            .assignments
            .iter()
            .map(|a| AssignmentView {
                assignment: a.assignment,
                task: a.task.clone(),
                member: a.member.as_ref().map(ToString::to_string),
                unit: a.unit.clone(),
                due: a.due.to_string(),
                done: self
                    .0
                    .state
                    .assignments
                    .get(&a.assignment)
                    .is_some_and(|s| s.done),
                overdue: overdue.contains(&a.assignment),
            })
            .collect()
    }
    /// Any assignment past its due date and not done.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        !self.0.overdue(app(ctx).clock.now()).is_empty()
    }
    async fn adopted_at(&self) -> String {
        self.0.adopted_at.to_string()
    }
    /// Disclosure one.
    async fn published(&self) -> Option<Dated> {
        self.0.published.as_ref().map(|(at, text)| Dated {
            at: at.to_string(),
            text: text.clone(),
        })
    }
    async fn percent(&self) -> u32 {
        self.0.state.percent
    }
    async fn progress(&self) -> Vec<Progress> {
        self.0.progress.iter().cloned().map(Progress).collect()
    }
    async fn implemented(&self) -> Option<Dated> {
        self.0.implemented.as_ref().map(|(at, text)| Dated {
            at: at.to_string(),
            text: text.clone(),
        })
    }
    /// Disclosure two.
    async fn result_published(&self) -> Option<Dated> {
        self.0.result_published.as_ref().map(|(at, text)| Dated {
            at: at.to_string(),
            text: text.clone(),
        })
    }
}
