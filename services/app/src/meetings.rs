//! Meeting and resolution use cases that span more than one append: sealed ballots
//! (the vault keeps the choice until close), closing a vote under a signed
//! checkpoint that covers every ballot, and the follow-up a resolution causes on
//! the issues it answers.

use std::time::Duration;

use roundtable_domain::{
    Actor, CheckpointRef, Choice, DomainError, Issue, IssueCommand, IssueStatus, Meeting,
    MeetingCommand, MeetingId, Refusal, Resolution, ResolutionCommand, ResolutionId,
    RevealedBallot, VoteMethod,
};

use crate::AppError;
use crate::app::{App, Outcome};
use crate::operations::blocking;

fn choice_name(choice: Choice) -> &'static str {
    match choice {
        Choice::Yes => "yes",
        Choice::No => "no",
        Choice::Abstain => "abstain",
    }
}

fn parse_choice(raw: &str) -> Result<Choice, AppError> {
    match raw {
        "yes" => Ok(Choice::Yes),
        "no" => Ok(Choice::No),
        "abstain" => Ok(Choice::Abstain),
        other => Err(AppError::internal(format!(
            "a sealed ballot reads {other:?}"
        ))),
    }
}

/// A cast ballot: its event, and for a secret ballot the voter's token.
pub struct CastBallot {
    pub outcome: Outcome,
    pub ballot_token: Option<String>,
}

/// How long closing a vote waits for a signed checkpoint that covers its ballots.
const CHECKPOINT_WAIT: Duration = Duration::from_secs(10);

impl App {
    /// Casts a ballot. A sealed one (secret, or hidden roll call) leaves its choice
    /// in the vault, keyed by member (hidden) or by the hash of the voter's token
    /// (secret), and only the fact of voting on the log.
    pub async fn cast_ballot(
        &self,
        actor: &Actor,
        meeting: &MeetingId,
        vote: u32,
        on_behalf_of: Option<roundtable_domain::MemberId>,
        choice: Choice,
        key: Option<&str>,
    ) -> Result<CastBallot, AppError> {
        let command = MeetingCommand::CastBallot {
            vote,
            on_behalf_of: on_behalf_of.clone(),
            choice,
        };
        let sealed = self
            .projections
            .meetings()
            .meeting(meeting)
            .and_then(|m| m.state.votes.get(&vote).map(|v| (v.sealed(), v.method)));
        let Some((true, method)) = sealed else {
            let outcome = self
                .execute::<Meeting>(meeting, command, actor, None, key)
                .await?;
            return Ok(CastBallot {
                outcome,
                ballot_token: None,
            });
        };
        let me = actor.signed_in()?.clone();
        let member = on_behalf_of.unwrap_or(me);
        let token = self
            .vault
            .ballot_token(meeting.as_str(), vote, member.as_str());
        let slot = match method {
            VoteMethod::RollCall => member.to_string(),
            VoteMethod::Secret => {
                roundtable_domain::ContentHash::of_bytes(token.as_bytes()).to_string()
            }
        };
        // One sealed ballot at a time, so a refused double vote can never remove
        // the choice of the ballot that counted.
        let _one = self.sealing.lock().await;
        let replay = match key {
            Some(_) => self
                .projections
                .meetings()
                .meeting(meeting)
                .is_some_and(|m| m.ballots.contains_key(&(vote, member.clone()))),
            None => false,
        };
        if !replay {
            self.check::<Meeting>(meeting, command.clone(), actor)
                .await?;
            let (m, s, c) = (meeting.to_string(), slot.clone(), choice_name(choice));
            blocking(&self.vault, move |v| v.seal_ballot(&m, vote, &s, c)).await?;
        }
        match self
            .execute::<Meeting>(meeting, command, actor, None, key)
            .await
        {
            Ok(outcome) => Ok(CastBallot {
                outcome,
                ballot_token: (method == VoteMethod::Secret).then_some(token),
            }),
            Err(e) => {
                if !replay {
                    let m = meeting.to_string();
                    if let Err(undo) =
                        blocking(&self.vault, move |v| v.unseal_ballot(&m, vote, &slot)).await
                    {
                        tracing::error!(%meeting, vote, error = %undo, "could not drop a refused sealed ballot");
                    }
                }
                Err(e)
            }
        }
    }

    /// Closes a vote: opens the sealed ballots of the members who voted, waits for a
    /// signed checkpoint that includes every ballot, and appends the tally.
    pub async fn close_vote(
        &self,
        actor: &Actor,
        meeting: &MeetingId,
        vote: u32,
        key: Option<&str>,
    ) -> Result<Outcome, AppError> {
        let (v, last_ballot) = {
            let meetings = self.projections.meetings();
            let view = meetings.meeting(meeting).ok_or_else(|| {
                DomainError::not_found(Refusal::MEETING_NOT_FOUND).with("meeting", meeting)
            })?;
            let v = view.state.votes.get(&vote).cloned().ok_or_else(|| {
                DomainError::not_found(Refusal::VOTE_NOT_FOUND).with("vote", vote)
            })?;
            (v, view.last_ballot.get(&vote).copied())
        };
        let mut sealed = Vec::new();
        if v.sealed() && v.closed.is_none() {
            let m = meeting.to_string();
            let rows = blocking(&self.vault, move |vault| vault.sealed_ballots(&m, vote)).await?;
            let rows: std::collections::BTreeMap<String, String> = rows.into_iter().collect();
            // Only the ballots on the log count; a sealed choice whose ballot never
            // reached the log (a crash between the two) is left out.
            for member in v.ballots.keys() {
                let (slot, ballot_member, ballot) = match v.method {
                    VoteMethod::RollCall => (member.to_string(), Some(member.clone()), None),
                    VoteMethod::Secret => {
                        let token =
                            self.vault
                                .ballot_token(meeting.as_str(), vote, member.as_str());
                        let hash = roundtable_domain::ContentHash::of_bytes(token.as_bytes());
                        (hash.to_string(), None, Some(hash))
                    }
                };
                let choice = rows.get(&slot).ok_or_else(|| {
                    AppError::internal(format!(
                        "the sealed ballot of a voter in vote {vote} is missing"
                    ))
                })?;
                sealed.push(RevealedBallot {
                    member: ballot_member,
                    ballot,
                    choice: parse_choice(choice)?,
                });
            }
        }
        let checkpoint = self.checkpoint_covering(last_ballot).await?;
        self.execute::<Meeting>(
            meeting,
            MeetingCommand::CloseVote {
                vote,
                sealed,
                checkpoint,
            },
            actor,
            None,
            key,
        )
        .await
    }

    /// The latest signed checkpoint, once it includes the leaf at `index`.
    async fn checkpoint_covering(&self, index: Option<u64>) -> Result<CheckpointRef, AppError> {
        let needed = index.map_or(0, |i| i + 1);
        let deadline = tokio::time::Instant::now() + CHECKPOINT_WAIT;
        loop {
            if let Some(cp) = self.log.checkpoint().await?
                && cp.checkpoint.size >= needed
            {
                return Ok(CheckpointRef {
                    size: cp.checkpoint.size,
                    root: cp.checkpoint.root.to_base64(),
                });
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(AppError::internal(
                    "no signed checkpoint covers the ballots yet; try again",
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Records an adopted motion as a resolution, then moves each issue it answers
    /// to "resolved, awaiting implementation". Retrying with the same key finishes
    /// what a crash interrupted.
    pub async fn record_resolution(
        &self,
        actor: &Actor,
        id: &ResolutionId,
        command: ResolutionCommand,
        key: Option<&str>,
    ) -> Result<Outcome, AppError> {
        let outcome = self
            .execute::<Resolution>(id, command, actor, None, key)
            .await?;
        let issues = self
            .projections
            .meetings()
            .resolution(id)
            .map(|r| r.issues.clone())
            .unwrap_or_default();
        let follow_up = format!("resolve:{id}");
        for issue in issues {
            let status = self
                .projections
                .issues()
                .get(&issue)
                .map(|i| i.state.status);
            if !matches!(status, Some(IssueStatus::Open | IssueStatus::Accepted)) {
                continue;
            }
            self.execute::<Issue>(
                &issue,
                IssueCommand::Resolve {
                    resolution: id.clone(),
                },
                actor,
                None,
                Some(&follow_up),
            )
            .await?;
        }
        Ok(outcome)
    }

    /// Disclosure two, then each issue the resolution answers gets the result as
    /// its response, which asks its raiser for their satisfaction.
    pub async fn publish_result(
        &self,
        actor: &Actor,
        id: &ResolutionId,
        note: String,
        key: Option<&str>,
    ) -> Result<Outcome, AppError> {
        let outcome = self
            .execute::<Resolution>(
                id,
                ResolutionCommand::PublishResult { note },
                actor,
                None,
                key,
            )
            .await?;
        let (issues, result) = match self.projections.meetings().resolution(id) {
            Some(r) => (
                r.issues.clone(),
                // The response has room for 4000 characters, the prefix included.
                r.implemented
                    .as_ref()
                    .map(|(_, t)| t.chars().take(3800).collect::<String>())
                    .unwrap_or_default(),
            ),
            None => return Ok(outcome),
        };
        let follow_up = format!("result:{id}");
        for issue in issues {
            let status = self
                .projections
                .issues()
                .get(&issue)
                .map(|i| i.state.status);
            if status != Some(IssueStatus::Resolved) {
                continue;
            }
            self.execute::<Issue>(
                &issue,
                IssueCommand::Respond {
                    text: format!("决议 {id} 已落实 / Resolution implemented:\n{result}"),
                },
                actor,
                None,
                Some(&follow_up),
            )
            .await?;
        }
        Ok(outcome)
    }
}
