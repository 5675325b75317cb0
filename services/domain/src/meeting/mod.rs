//! Round-table meetings (stream `meeting/<id>`): the notice and agenda, roll call
//! and proxies, quorum, agenda items, statements, motions and amendments, votes and
//! ballots, adjournment, and the minutes with their corrections and approval.
//!
//! A meeting runs under the rules in force when it was convened; the convening
//! events carry them, their hash and the council's seats, so everything the
//! meeting decides can be recounted from its own stream. Long lists (seats, a
//! vote's electorate, opened ballots) go in chunks of [`LIST_CHUNK`] in events of
//! their own just before the event that uses them, so no leaf outgrows its limit.

mod decide;
mod minutes;
mod recount;
mod tally;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use roundtable_ledger::Timestamp;

use crate::MeetingEvent;
use crate::{
    ContentHash, CouncilId, CouncilRules, IssueId, MajorityKind, MeetingId, MemberId, RulesHash,
    Seat,
};

pub use minutes::{Language, MinutesFormat, Naming, render_minutes, text_hash as minutes_hash};
pub use recount::{RecountError, Recounted, recount};
pub use tally::{Choice, Electorate, Tally, VoteOutcome, outcome};

/// One item of the agenda: an issue from the council's docket or a new topic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    /// 1-based position; stable once given.
    pub item: u32,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::event::present"
    )]
    pub issue: Option<IssueId>,
}

/// A seat at the table when the meeting was convened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatHolder {
    pub member: MemberId,
    pub seat: Seat,
    pub voting: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteMethod {
    /// Each ballot is public, with the voter's name.
    RollCall,
    /// The record shows who voted; the choices are published at close, unlinked.
    Secret,
}

/// What a vote decides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum VoteSubject {
    Motion {
        motion: u32,
    },
    /// Approval of this meeting's minutes, as they read when the vote opened.
    Minutes {
        text_hash: ContentHash,
    },
}

/// A voting member and who casts their ballot (themself, or their proxy).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligible {
    pub member: MemberId,
    pub cast_by: MemberId,
}

/// A sealed ballot opened at close: with the member for a hidden roll-call vote,
/// with the ballot's hash only for a secret one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevealedBallot {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::event::present"
    )]
    pub member: Option<MemberId>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::event::present"
    )]
    pub ballot: Option<ContentHash>,
    pub choice: Choice,
}

/// A signed checkpoint, by size and root (standard base64).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointRef {
    pub size: u64,
    pub root: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Nothing convened yet.
    #[default]
    None,
    /// Notice given; roll call may start; the agenda may change.
    Convened,
    Open,
    Adjourned,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Present,
    Departed,
    Absent,
    AbsentWithApology,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    #[default]
    Pending,
    Open,
    Closed,
    /// Back on the docket for a later meeting.
    Deferred,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotionStatus {
    Pending,
    Withdrawn,
    Adopted,
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Motion {
    pub item: u32,
    pub mover: MemberId,
    /// The wording; an adopted amendment replaces its target's wording.
    pub text: String,
    pub original_text: String,
    pub amends: Option<u32>,
    /// 0 for a main motion, 1 for an amendment, 2 for an amendment to an amendment.
    pub level: u8,
    pub seconded_by: Option<MemberId>,
    pub status: MotionStatus,
    pub votes: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub item: Option<u32>,
    pub speaker: MemberId,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedVote {
    pub tally: Tally,
    pub outcome: VoteOutcome,
    pub revealed: Vec<RevealedBallot>,
    pub checkpoint: CheckpointRef,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vote {
    pub subject: VoteSubject,
    pub method: VoteMethod,
    pub majority: MajorityKind,
    pub hidden: bool,
    /// Member → who casts for them.
    pub eligible: BTreeMap<MemberId, MemberId>,
    pub electorate: Electorate,
    pub rules_hash: RulesHash,
    /// Member → their choice (`None` while sealed), in order of casting.
    pub ballots: BTreeMap<MemberId, Option<Choice>>,
    pub closed: Option<ClosedVote>,
}

impl Vote {
    /// Ballots are sealed (choices kept off the log until close).
    pub fn sealed(&self) -> bool {
        self.method == VoteMethod::Secret || self.hidden
    }
}

#[derive(Clone, Debug, Default)]
pub struct MeetingState {
    pub phase: Phase,
    pub council: Option<CouncilId>,
    pub title: String,
    pub starts_at: Option<Timestamp>,
    pub venue: String,
    pub online: bool,
    pub urgent_reason: Option<String>,
    pub rules: CouncilRules,
    pub rules_hash: Option<RulesHash>,
    pub seats: BTreeMap<MemberId, (Seat, bool)>,
    pub agenda: Vec<AgendaItem>,
    pub items: BTreeMap<u32, ItemStatus>,
    pub current_item: Option<u32>,
    pub attendance: BTreeMap<MemberId, Attendance>,
    /// Giver → holder.
    pub proxies: BTreeMap<MemberId, MemberId>,
    pub statements: Vec<Statement>,
    pub motions: BTreeMap<u32, Motion>,
    pub votes: BTreeMap<u32, Vote>,
    pub open_vote: Option<u32>,
    pub corrections: Vec<String>,
    pub minutes_approved: Option<(u32, ContentHash)>,
    /// Listed just before the vote opens or closes that consumes them.
    pub listed_electorate: BTreeMap<MemberId, MemberId>,
    pub listed_ballots: Vec<RevealedBallot>,
}

impl MeetingState {
    /// Whether `actor` presides: the meeting's chair or secretary *and* still in
    /// that seat of the council now (a member unseated after convening loses the
    /// officer's powers and the check-in code at once).
    pub fn is_officer(&self, actor: &crate::Actor) -> bool {
        let Some(me) = actor.member.as_ref() else {
            return false;
        };
        let listed = matches!(self.seats.get(me), Some((Seat::Chair | Seat::Secretary, _)));
        let current = self
            .council
            .as_ref()
            .and_then(|c| actor.seat_in(c))
            .is_some_and(|s| matches!(s.seat, Seat::Chair | Seat::Secretary));
        listed && current
    }

    /// The electorate of a vote opened now: the eligible of the meeting's roll call
    /// ([`MeetingState::eligible`]) whose member, and whoever casts for them, still
    /// hold a voting seat of the council (`current`: the council's seats at the
    /// vote's opening). `audit verify` checks every listed electorate by this rule.
    pub fn electorate_now(
        &self,
        current: &[(MemberId, Seat, bool)],
    ) -> BTreeMap<MemberId, MemberId> {
        let voting = |m: &MemberId| current.iter().any(|(c, _, v)| c == m && *v);
        self.eligible()
            .into_iter()
            .filter(|(member, cast_by)| voting(member) && voting(cast_by))
            .collect()
    }

    pub fn voting_members(&self) -> impl Iterator<Item = &MemberId> {
        self.seats.iter().filter(|(_, (_, v))| *v).map(|(m, _)| m)
    }

    pub fn is_voting(&self, member: &MemberId) -> bool {
        self.seats.get(member).is_some_and(|(_, v)| *v)
    }

    pub fn is_present(&self, member: &MemberId) -> bool {
        self.attendance.get(member) == Some(&Attendance::Present)
    }

    /// Who may vote now, and who casts for them: present voting members, and absent
    /// ones whose proxy holder is present and voting.
    pub fn eligible(&self) -> BTreeMap<MemberId, MemberId> {
        self.voting_members()
            .filter_map(|m| {
                if self.is_present(m) {
                    return Some((m.clone(), m.clone()));
                }
                let holder = self.proxies.get(m)?;
                (self.is_present(holder) && self.is_voting(holder))
                    .then(|| (m.clone(), holder.clone()))
            })
            .collect()
    }

    pub fn electorate(&self) -> Electorate {
        Electorate {
            present: count(self.eligible().len()),
            members: count(self.voting_members().count()),
        }
    }

    /// Present voting members plus proxies reach the rules' quorum.
    pub fn has_quorum(&self) -> bool {
        let e = self.electorate();
        e.members > 0
            && self
                .rules
                .quorum
                .reached(u64::from(e.present), u64::from(e.members))
    }

    /// The open vote approves minutes that have been corrected since it opened.
    pub fn open_vote_is_void(&self) -> bool {
        self.open_vote
            .and_then(|n| self.votes.get(&n))
            .is_some_and(|v| match &v.subject {
                VoteSubject::Minutes { text_hash } => *text_hash != minutes::text_hash(self),
                VoteSubject::Motion { .. } => false,
            })
    }

    /// The main motion of `item` that is still pending.
    pub fn pending_main_motion(&self, item: u32) -> Option<u32> {
        self.motions
            .iter()
            .find(|(_, m)| m.item == item && m.level == 0 && m.status == MotionStatus::Pending)
            .map(|(n, _)| *n)
    }

    /// The pending amendment to `motion`, if any.
    pub fn pending_amendment_of(&self, motion: u32) -> Option<u32> {
        self.motions
            .iter()
            .find(|(_, m)| m.amends == Some(motion) && m.status == MotionStatus::Pending)
            .map(|(n, _)| *n)
    }

    /// The motions an adopted main motion carries: (motion, vote, wording).
    pub fn adopted_motions(&self) -> Vec<(u32, u32, &Motion)> {
        self.motions
            .iter()
            .filter(|(_, m)| m.level == 0 && m.status == MotionStatus::Adopted)
            .filter_map(|(n, m)| Some((*n, *m.votes.last()?, m)))
            .collect()
    }
}

/// Entries per list event: about 100 bytes each keeps a leaf well under 16 KiB.
pub const LIST_CHUNK: usize = 100;

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(Clone, Debug)]
pub enum MeetingCommand {
    Convene {
        council: CouncilId,
        title: String,
        starts_at: Timestamp,
        venue: String,
        online: bool,
        /// Items without numbers; issues' titles are filled in by the caller.
        agenda: Vec<AgendaItem>,
        /// An urgent meeting skips the notice period: the chair, with a reason.
        urgent_reason: Option<String>,
    },
    ChangeAgenda {
        agenda: Vec<AgendaItem>,
    },
    /// `member: None` checks the actor in (with the meeting code, which the caller
    /// verified: `code_checked`); otherwise an officer checks someone in.
    CheckIn {
        member: Option<MemberId>,
        code_checked: bool,
    },
    RecordAbsence {
        member: MemberId,
        apology: bool,
    },
    /// `from: None` is the actor's own proxy.
    GiveProxy {
        from: Option<MemberId>,
        to: MemberId,
    },
    RevokeProxy {
        from: Option<MemberId>,
    },
    Depart {
        member: Option<MemberId>,
    },
    Open,
    OpenItem {
        item: u32,
    },
    RecordStatement {
        speaker: MemberId,
        summary: String,
    },
    Move {
        text: String,
    },
    Amend {
        motion: u32,
        text: String,
    },
    Second {
        motion: u32,
    },
    WithdrawMotion {
        motion: u32,
    },
    OpenVote {
        motion: u32,
        method: VoteMethod,
        majority: Option<MajorityKind>,
        hidden: bool,
    },
    /// After adjournment: the council approves the minutes as they read now.
    OpenMinutesVote,
    CastBallot {
        vote: u32,
        on_behalf_of: Option<MemberId>,
        choice: Choice,
    },
    /// `sealed`: the choices kept off the log (empty for a public roll call);
    /// `checkpoint`: the latest signed checkpoint, which covers every ballot.
    CloseVote {
        vote: u32,
        sealed: Vec<RevealedBallot>,
        checkpoint: CheckpointRef,
    },
    CloseItem,
    DeferItem {
        item: u32,
    },
    Adjourn,
    CorrectMinutes {
        text: String,
    },
}

pub struct Meeting;

use decide::decide;

crate::aggregate::aggregate!(Meeting: MeetingId, MeetingState, MeetingCommand, MeetingEvent);

fn evolve(mut s: MeetingState, event: &MeetingEvent) -> MeetingState {
    match event {
        MeetingEvent::MeetingConvened {
            council,
            title,
            starts_at,
            venue,
            online,
            agenda,
            rules,
            rules_hash,
            urgent_reason,
            ..
        } => {
            s.phase = Phase::Convened;
            s.council = Some(council.clone());
            s.title = title.clone();
            s.starts_at = Some(*starts_at);
            s.venue = venue.clone();
            s.online = *online;
            s.urgent_reason = urgent_reason.clone();
            s.rules = rules.clone();
            s.rules_hash = Some(rules_hash.clone());
            set_agenda(&mut s, agenda);
        }
        MeetingEvent::SeatsListed { seats } => s
            .seats
            .extend(seats.iter().map(|h| (h.member.clone(), (h.seat, h.voting)))),
        MeetingEvent::ElectorateListed { eligible, .. } => s.listed_electorate.extend(
            eligible
                .iter()
                .map(|e| (e.member.clone(), e.cast_by.clone())),
        ),
        MeetingEvent::BallotsRevealed { revealed, .. } => {
            s.listed_ballots.extend(revealed.iter().cloned())
        }
        MeetingEvent::AgendaChanged { agenda } => set_agenda(&mut s, agenda),
        MeetingEvent::CheckedIn { member, .. } => {
            s.attendance.insert(member.clone(), Attendance::Present);
        }
        MeetingEvent::AbsenceRecorded { member, apology } => {
            let a = if *apology {
                Attendance::AbsentWithApology
            } else {
                Attendance::Absent
            };
            s.attendance.insert(member.clone(), a);
        }
        MeetingEvent::ProxyGiven { from, to } => {
            s.proxies.insert(from.clone(), to.clone());
        }
        MeetingEvent::ProxyRevoked { from, .. } => {
            s.proxies.remove(from);
        }
        MeetingEvent::Departed { member } => {
            s.attendance.insert(member.clone(), Attendance::Departed);
        }
        MeetingEvent::MeetingOpened { .. } => s.phase = Phase::Open,
        MeetingEvent::ItemOpened { item } => {
            s.items.insert(*item, ItemStatus::Open);
            s.current_item = Some(*item);
        }
        MeetingEvent::StatementRecorded {
            item,
            speaker,
            summary,
        } => s.statements.push(Statement {
            item: *item,
            speaker: speaker.clone(),
            summary: summary.clone(),
        }),
        MeetingEvent::MotionMoved {
            item,
            motion,
            mover,
            text,
            amends,
        } => {
            let level = amends
                .and_then(|a| s.motions.get(&a))
                .map_or(0, |target| target.level + 1);
            s.motions.insert(
                *motion,
                Motion {
                    item: *item,
                    mover: mover.clone(),
                    text: text.clone(),
                    original_text: text.clone(),
                    amends: *amends,
                    level,
                    seconded_by: None,
                    status: MotionStatus::Pending,
                    votes: Vec::new(),
                },
            );
        }
        MeetingEvent::MotionSeconded { motion, by } => {
            if let Some(m) = s.motions.get_mut(motion) {
                m.seconded_by = Some(by.clone());
            }
        }
        MeetingEvent::MotionWithdrawn { motion } => withdraw(&mut s, *motion),
        MeetingEvent::VoteOpened {
            vote,
            subject,
            method,
            majority,
            hidden,
            present,
            voting_members,
            rules_hash,
        } => {
            if let VoteSubject::Motion { motion } = subject
                && let Some(m) = s.motions.get_mut(motion)
            {
                m.votes.push(*vote);
            }
            s.votes.insert(
                *vote,
                Vote {
                    subject: subject.clone(),
                    method: *method,
                    majority: *majority,
                    hidden: *hidden,
                    eligible: std::mem::take(&mut s.listed_electorate),
                    electorate: Electorate {
                        present: *present,
                        members: *voting_members,
                    },
                    rules_hash: rules_hash.clone(),
                    ballots: BTreeMap::new(),
                    closed: None,
                },
            );
            s.open_vote = Some(*vote);
        }
        MeetingEvent::BallotCast {
            vote,
            member,
            choice,
            ..
        } => {
            if let Some(v) = s.votes.get_mut(vote) {
                v.ballots.insert(member.clone(), *choice);
            }
        }
        MeetingEvent::VoteClosed {
            vote,
            tally,
            outcome,
            checkpoint,
            ..
        } => {
            s.open_vote = None;
            let revealed = std::mem::take(&mut s.listed_ballots);
            let subject = s.votes.get(vote).map(|v| v.subject.clone());
            if let Some(v) = s.votes.get_mut(vote) {
                v.closed = Some(ClosedVote {
                    tally: *tally,
                    outcome: *outcome,
                    revealed,
                    checkpoint: checkpoint.clone(),
                });
            }
            if let Some(VoteSubject::Motion { motion }) = subject {
                settle_motion(&mut s, motion, *outcome);
            }
        }
        MeetingEvent::ItemClosed { item } => {
            s.items.insert(*item, ItemStatus::Closed);
            s.current_item = None;
        }
        MeetingEvent::ItemDeferred { item } => {
            s.items.insert(*item, ItemStatus::Deferred);
            if s.current_item == Some(*item) {
                s.current_item = None;
            }
        }
        MeetingEvent::MeetingAdjourned { unfinished } => {
            s.phase = Phase::Adjourned;
            s.current_item = None;
            for item in unfinished {
                s.items.insert(*item, ItemStatus::Deferred);
            }
        }
        MeetingEvent::MinutesCorrected { text, .. } => s.corrections.push(text.clone()),
        MeetingEvent::MinutesApproved { vote, text_hash } => {
            s.minutes_approved = Some((*vote, text_hash.clone()));
        }
    }
    s
}

fn set_agenda(s: &mut MeetingState, agenda: &[AgendaItem]) {
    s.agenda = agenda.to_vec();
    s.items = agenda
        .iter()
        .map(|i| (i.item, ItemStatus::Pending))
        .collect();
}

/// A withdrawn motion takes its pending amendments with it.
fn withdraw(s: &mut MeetingState, motion: u32) {
    let mut stack = vec![motion];
    while let Some(n) = stack.pop() {
        if let Some(m) = s.motions.get_mut(&n)
            && m.status == MotionStatus::Pending
        {
            m.status = MotionStatus::Withdrawn;
        }
        stack.extend(
            s.motions
                .iter()
                .filter(|(_, m)| m.amends == Some(n) && m.status == MotionStatus::Pending)
                .map(|(k, _)| *k),
        );
    }
}

/// An adopted amendment rewrites the motion it amends.
fn settle_motion(s: &mut MeetingState, motion: u32, outcome: VoteOutcome) {
    let Some(m) = s.motions.get_mut(&motion) else {
        return;
    };
    m.status = match outcome {
        VoteOutcome::Adopted => MotionStatus::Adopted,
        VoteOutcome::Rejected => MotionStatus::Rejected,
    };
    if outcome == VoteOutcome::Adopted
        && let Some(target) = m.amends
    {
        let text = m.text.clone();
        if let Some(t) = s.motions.get_mut(&target) {
            t.text = text;
        }
    }
}

/// What the resolution decider may know of a meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingFacts {
    pub council: CouncilId,
    /// Adopted main motions: (motion, vote, wording, the item's issue).
    pub adopted: Vec<(u32, u32, String, Option<IssueId>)>,
}

impl MeetingFacts {
    pub fn of(state: &MeetingState) -> Option<MeetingFacts> {
        Some(MeetingFacts {
            council: state.council.clone()?,
            adopted: state
                .adopted_motions()
                .into_iter()
                .map(|(n, vote, m)| {
                    let issue = state
                        .agenda
                        .iter()
                        .find(|i| i.item == m.item)
                        .and_then(|i| i.issue.clone());
                    (n, vote, m.text.clone(), issue)
                })
                .collect(),
        })
    }
}

/// Members named by a set of ballots, for checks on sealed ballots.
pub(crate) fn members_of(ballots: &[RevealedBallot]) -> BTreeSet<&MemberId> {
    ballots.iter().filter_map(|b| b.member.as_ref()).collect()
}
