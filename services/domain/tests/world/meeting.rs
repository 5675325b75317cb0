//! A meeting of `c_here` being run command by command, for the meeting tests and
//! the event catalogue.

use roundtable_domain::*;
use roundtable_ledger::Timestamp;

use super::*;

pub const START: i64 = NOW + 72 * HOUR;

/// A meeting of `c_here` being run: the world, the stream so far, and the time.
pub struct Meet {
    pub w: World,
    pub id: MeetingId,
    pub given: Vec<Event>,
    pub now: i64,
}

pub fn cp() -> CheckpointRef {
    CheckpointRef {
        size: 100,
        root: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
    }
}

pub fn topic(title: &str) -> AgendaItem {
    AgendaItem {
        item: 0,
        title: title.into(),
        text: "说明".into(),
        issue: None,
    }
}

impl Meet {
    /// A council of chair, secretary, `n` voting members and an observer, with a
    /// meeting convened (two topics) for 72 hours from now.
    pub fn convened(n: usize) -> Meet {
        let mut w = world();
        seat_council(&mut w, n);
        let mut meet = Meet {
            w,
            id: MeetingId::parse("mt_1").unwrap(),
            given: vec![],
            now: NOW,
        };
        meet.run(
            "m_sec",
            MeetingCommand::Convene {
                council: c("c_here"),
                title: "银网小区圆桌议事会".into(),
                starts_at: Timestamp::from_unix_millis(START),
                venue: "社区活动室".into(),
                online: false,
                agenda: vec![topic("供水"), topic("绿化")],
                urgent_reason: None,
            },
        );
        meet.now = START;
        meet
    }

    /// …with everyone checked in by the secretary and the meeting open.
    pub fn open(n: usize) -> Meet {
        let mut meet = Meet::convened(n);
        for who in meet.voters() {
            meet.run(
                "m_sec",
                MeetingCommand::CheckIn {
                    member: Some(m(&who)),
                    code_checked: false,
                },
            );
        }
        meet.run("m_chair", MeetingCommand::Open);
        meet.run("m_chair", MeetingCommand::OpenItem { item: 1 });
        meet
    }

    pub fn voters(&self) -> Vec<String> {
        self.w.seats[&c("c_here")]
            .iter()
            .filter(|(_, _, voting)| *voting)
            .map(|(id, ..)| id.to_string())
            .collect()
    }

    pub fn try_(&self, who: &str, command: MeetingCommand) -> Result<Vec<Event>, DomainError> {
        let context = Context {
            actor: seated(&self.w, who),
            now: Timestamp::from_unix_millis(self.now),
        };
        Meeting::decide_for_log(&self.id, &self.state(), command, &context, &self.w)
    }

    pub fn run(&mut self, who: &str, command: MeetingCommand) -> Vec<Event> {
        let events = self
            .try_(who, command.clone())
            .unwrap_or_else(|e| panic!("{who} {command:?}: {e}"));
        self.given.extend(events.clone());
        events
    }

    pub fn refused(&self, who: &str, command: MeetingCommand) -> (String, String) {
        match self.try_(who, command) {
            Ok(events) => panic!("accepted: {events:?}"),
            Err(e) => (e.code().to_owned(), e.to_string()),
        }
    }

    pub fn state(&self) -> MeetingState {
        Meeting::replay(&self.given)
    }

    /// A seconded main motion on the open item; returns its number.
    pub fn motion(&mut self, mover: &str, seconder: &str, text: &str) -> u32 {
        let n = match &self.run(mover, MeetingCommand::Move { text: text.into() })[0] {
            Event::Meeting(MeetingEvent::MotionMoved { motion, .. }) => *motion,
            other => panic!("{other:?}"),
        };
        self.run(seconder, MeetingCommand::Second { motion: n });
        n
    }

    pub fn vote(&mut self, motion: u32, method: VoteMethod, majority: MajorityKind) -> u32 {
        match &self
            .run(
                "m_chair",
                MeetingCommand::OpenVote {
                    motion,
                    method,
                    majority: Some(majority),
                    hidden: false,
                },
            )
            .last()
        {
            Some(Event::Meeting(MeetingEvent::VoteOpened { vote, .. })) => *vote,
            other => panic!("{other:?}"),
        }
    }

    pub fn ballot(&mut self, who: &str, vote: u32, choice: Choice) {
        self.run(
            who,
            MeetingCommand::CastBallot {
                vote,
                on_behalf_of: None,
                choice,
            },
        );
    }

    pub fn close(&mut self, vote: u32) -> (Tally, VoteOutcome) {
        let events = self.run(
            "m_chair",
            MeetingCommand::CloseVote {
                vote,
                sealed: vec![],
                checkpoint: cp(),
            },
        );
        match events
            .iter()
            .find(|e| matches!(e, Event::Meeting(MeetingEvent::VoteClosed { .. })))
        {
            Some(Event::Meeting(MeetingEvent::VoteClosed { tally, outcome, .. })) => {
                (*tally, *outcome)
            }
            other => panic!("{other:?}"),
        }
    }

    /// The meeting's events with their positions, as the recount takes them.
    pub fn indexed(&self) -> Vec<(u64, MeetingEvent)> {
        self.given
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((i as u64, MeetingEvent::of(e)?.clone())))
            .collect()
    }
}

impl Meet {
    pub fn recount_agrees(&self) {
        let recounted = recount(&self.indexed()).unwrap_or_else(|e| panic!("{e}"));
        let closed = self
            .state()
            .votes
            .values()
            .filter(|v| v.closed.is_some())
            .count();
        assert_eq!(recounted.len(), closed);
    }
}

pub fn says(refusal: &(String, String), code: &str, words: &str) {
    assert_eq!(refusal.0, code, "{}", refusal.1);
    assert!(
        refusal.1.contains(words),
        "{:?} does not name {words:?}",
        refusal.1
    );
}

/// The world learns that `resolution` of `c_here` answers `issue`.
pub fn answers(w: &mut World, resolution: &ResolutionId, issue: &IssueId) {
    w.resolutions.insert(
        resolution.clone(),
        ResolutionFacts {
            council: c("c_here"),
            issues: vec![issue.clone()],
        },
    );
}

/// The secretary marks the water issue `issue` resolved by `resolution`.
pub fn resolve(
    w: &World,
    issue: &IssueId,
    resolution: &ResolutionId,
) -> Result<Vec<Event>, DomainError> {
    let context = Context {
        actor: seated(w, "m_sec"),
        now: Timestamp::from_unix_millis(START),
    };
    Issue::decide_for_log(
        issue,
        &Issue::replay([&water_raised()]),
        IssueCommand::Resolve {
            resolution: resolution.clone(),
        },
        &context,
        w,
    )
}
